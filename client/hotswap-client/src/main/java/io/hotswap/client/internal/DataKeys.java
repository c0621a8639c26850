package io.hotswap.client.internal;

import io.hotswap.avro.TenantKey;
import io.hotswap.protocol.Envelope;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;

/**
 * The tenant data keys a client may decrypt secrets with: given one by one ({@code dataKey}),
 * and/or unwrapped with the master key from {@code hotswap.tenant-keys.v1} as they arrive.
 */
final class DataKeys {

  private final Map<String, SecretKey> keys = new ConcurrentHashMap<>();
  private final SecretKey master;

  DataKeys(SecretKey master) {
    this.master = master;
  }

  boolean readsTopic() {
    return master != null;
  }

  void put(String tenant, int version, SecretKey key) {
    keys.put(tenant + '|' + version, key);
  }

  /** Unwraps a key record from the topic; a key this master can't open is skipped (false). */
  boolean accept(TenantKey record) {
    if (master == null || record == null) {
      return false;
    }
    ByteBuffer buffer = record.getWrappedKey().duplicate();
    byte[] wrapped = new byte[buffer.remaining()];
    buffer.get(wrapped);
    try {
      put(record.getTenantId(), record.getVersion(), Envelope.unwrap(master, wrapped, record.getTenantId()));
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Opens a secret of tenant/environment/key; the AAD binds it to exactly that key. */
  String decrypt(String tenant, String environment, String key, String sealed) {
    int version = Envelope.parse(sealed).keyVersion();
    SecretKey dataKey = keys.get(tenant + '|' + version);
    if (dataKey == null) {
      throw new IllegalStateException("no data key v" + version + " of tenant '" + tenant + "' was given to this client");
    }
    return Envelope.decrypt(dataKey, tenant + '|' + environment + '|' + key, sealed);
  }
}
