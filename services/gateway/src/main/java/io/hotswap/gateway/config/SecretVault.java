package io.hotswap.gateway.config;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.TenantKey;
import io.hotswap.avro.TenantKeyPayload;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.protocol.Envelope;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.crypto.SecretKey;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Envelope encryption at the gateway: a Secret's clear value is sealed here (AES-256-GCM with the
 * tenant's newest data key) before it is sent anywhere, and only opened for the audited reveal.
 * Data keys are generated here, wrapped by the master key ({@code HOTSWAP_MASTER_KEY}, base64 of
 * 32 bytes, or {@code hotswap.security.master-key-file}), and stored wrapped on {@code
 * hotswap.tenant-keys.v1} through the pipeline (a TENANT_KEY_ROTATE command).
 */
@Component
public class SecretVault {

  private final SecretKey master;
  private final String masterKeyId;
  private final Writes writes;
  private final StoreRouter router;
  private final Duration wait;

  SecretVault(@Value("${hotswap.security.master-key:}") String masterKey,
              @Value("${hotswap.security.master-key-file:}") String masterKeyFile,
              Writes writes, StoreRouter router, Duration readYourWritesWait) {
    this.master = masterKey(masterKey, masterKeyFile);
    this.masterKeyId = Envelope.keyId(master);
    this.writes = writes;
    this.router = router;
    this.wait = readYourWritesWait;
  }

  /** The master key from {@code hotswap.security.master-key} (base64 of 32 bytes) or the file {@code hotswap.security.master-key-file}. */
  public static SecretKey masterKey(String key, String file) {
    return io.hotswap.core.security.MasterKeys.load(key, file);
  }

  /** The AAD binding a ciphertext to its tenant, environment and key. */
  static String context(String tenant, String environment, String key) {
    return StoreKeys.config(tenant, environment, key);
  }

  /** Seals a clear value with the tenant's newest data key, creating the tenant's first key if it has none. */
  public String seal(String tenant, String environment, String key, String clear, HttpServletRequest request, String actor) {
    TenantKey newest = newestKey(tenant);
    if (newest == null) {
      // the first key comes with the write that needs it, under its own command id: the write's
      // Idempotency-Key names the write, and a rotation taking its id would answer the write in its place
      rotate(tenant, request, actor, java.util.UUID.randomUUID().toString());
      newest = newestKey(tenant);
    }
    return Envelope.encrypt(Envelope.unwrap(master, bytes(newest.getWrappedKey()), tenant), newest.getVersion(),
        context(tenant, environment, key), clear);
  }

  /** Opens a sealed value with the data key version that sealed it. */
  public String open(String tenant, String environment, String key, String sealed) {
    int version = Envelope.parse(sealed).keyVersion();
    TenantKey dataKey = keys().get(StoreKeys.tenantKey(tenant, version));
    if (dataKey == null) {
      throw new IllegalStateException("data key v" + version + " of tenant '" + tenant + "' is not known here");
    }
    return Envelope.decrypt(Envelope.unwrap(master, bytes(dataKey.getWrappedKey()), tenant), context(tenant, environment, key), sealed);
  }

  /** Creates the tenant's next data key version and waits until this instance can use it. */
  public int rotate(String tenant, HttpServletRequest request, String actor) {
    return rotate(tenant, request, actor, null);
  }

  /** {@code commandId} null: the request's own (deterministic for its Idempotency-Key). */
  private int rotate(String tenant, HttpServletRequest request, String actor, String commandId) {
    byte[] wrapped = Envelope.wrap(master, Envelope.newDataKey(), tenant);
    Command.Builder envelope = Commands.envelope(CommandType.TENANT_KEY_ROTATE, tenant, request, actor);
    if (commandId != null) {
      envelope.setCommandId(commandId);
    }
    Command command = envelope
        .setKey(TenantKeyPayload.newBuilder().setWrappedKey(ByteBuffer.wrap(wrapped)).setMasterKeyId(masterKeyId).build())
        .build();
    int version = writes.submit(command).getVersion().intValue();
    io.hotswap.gateway.reads.Waits.until(() -> keys().get(StoreKeys.tenantKey(tenant, version)), java.util.Objects::nonNull, wait,
        () -> "data key v" + version + " of '" + tenant + "' is stored but not readable here yet; retry");
    return version;
  }

  /** The newest data key of the tenant, or null. */
  public TenantKey newestKey(String tenant) {
    TenantKey newest = null;
    try (KeyValueIterator<String, TenantKey> it = keys().prefixScan(StoreKeys.tenantPrefix(tenant), new StringSerializer())) {
      while (it.hasNext()) {
        newest = it.next().value; // keys sort by zero-padded version
      }
    }
    return newest;
  }

  private ReadOnlyKeyValueStore<String, TenantKey> keys() {
    return router.globalStore(ReadTopology.TENANT_KEYS_STORE);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
