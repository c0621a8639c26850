package io.hotswap.gateway.config;

import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.TenantKey;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.gateway.pipeline.CommandGateway;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.protocol.Envelope;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Secrets: the audited, Admin-only reveal; data key rotation; re-encryption of a tenant's secrets
 * under its newest data key.
 */
@RestController
class SecretController {

  private final SecretVault vault;
  private final StoreRouter router;
  private final CommandGateway commands;
  private final Writes writes;
  private final TenantScope scope;
  private final Duration readYourWritesWait;

  SecretController(SecretVault vault, StoreRouter router, CommandGateway commands, Writes writes, TenantScope scope, Duration readYourWritesWait) {
    this.vault = vault;
    this.router = router;
    this.commands = commands;
    this.writes = writes;
    this.scope = scope;
    this.readYourWritesWait = readYourWritesWait;
  }

  /** The clear value of a Secret — the only API answer that carries it. Audited as SECRET_REVEALED. */
  @GetMapping("/api/v1/configs/{configId}/reveal")
  ResponseEntity<?> reveal(@PathVariable String configId, HttpServletRequest request) {
    StoreKeys.ConfigId id = scope.visibleConfig(configId);
    String actor = scope.subject();
    return router.route(id.tenantId(), request, partition -> {
      ConfigEntry entry = router.<ConfigEntry>localStore(ReadTopology.CONFIG_STORE, partition).get(id.storeKey());
      if (entry == null || entry.getDeleted()) {
        throw Rejection.notFound("config-not-found", "No configuration with id '" + configId + "'", "configId");
      }
      if (entry.getValueType() != ValueType.SECRET) {
        throw Rejection.badRequest("not-a-secret", "'" + configId + "' is not a Secret; read it with GET", "configId");
      }
      String clear = vault.open(id.tenantId(), id.environment(), id.key(), entry.getValue());
      String eventId = UUID.randomUUID().toString();
      commands.audit(AuditEvent.newBuilder()
          .setEventId(eventId)
          .setEventType(AuditEventType.SECRET_REVEALED)
          .setTenantId(id.tenantId())
          .setEnvironment(id.environment())
          .setKey(id.key())
          .setResourceId(configId)
          .setVersion(entry.getVersion())
          .setActor(actor)
          .setSourceIp(io.hotswap.gateway.security.ClientAddresses.of(request))
          .setTraceId(io.hotswap.gateway.pipeline.Commands.traceId(request, eventId))
          .setCommandId(eventId)
          .setOccurredAt(Instant.now())
          .build());
      return ResponseEntity.ok(Map.of("configId", configId, "version", entry.getVersion(), "value", clear));
    });
  }

  /** A new data key version for the tenant; new secrets are sealed with it, old ones stay readable. */
  @PostMapping("/api/v1/tenants/{tenantId}/keys/rotate")
  ResponseEntity<Map<String, Object>> rotate(@PathVariable String tenantId, HttpServletRequest request) {
    scope.visibleTenant(tenantId);
    int version = vault.rotate(tenantId, request, scope.subject());
    return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("tenantId", tenantId, "keyVersion", version));
  }

  /**
   * Moves every Secret of the tenant sealed with an older data key to the newest one: a new
   * version of each key with the same clear value (and a CONFIG_UPDATED audit event); the same for
   * plugin assignments whose credentials are sealed with an older key (every credential of such an
   * assignment re-sealed, settings and version unchanged). Runs on the instance that owns the tenant.
   */
  @PostMapping("/api/v1/tenants/{tenantId}/secrets/re-encrypt")
  ResponseEntity<?> reEncrypt(@PathVariable String tenantId, HttpServletRequest request) {
    scope.visibleTenant(tenantId);
    String actor = scope.subject();
    return router.route(tenantId, request, partition -> {
      TenantKey newest = vault.newestKey(tenantId);
      List<ConfigEntry> stale = new ArrayList<>();
      try (KeyValueIterator<String, ConfigEntry> it = router.<ConfigEntry>localStore(ReadTopology.CONFIG_STORE, partition)
          .prefixScan(StoreKeys.tenantPrefix(tenantId), new StringSerializer())) {
        it.forEachRemaining(kv -> {
          ConfigEntry e = kv.value;
          if (!e.getDeleted() && newest != null && sealedWithOlderKey(e, newest.getVersion())) {
            stale.add(e);
          }
        });
      }
      for (ConfigEntry e : stale) {
        String sealed = reSealed(e, request, actor);
        Command command = Commands.envelope(CommandType.CONFIG_UPDATE, tenantId, request, actor)
            .setConfig(ConfigPayload.newBuilder().setEnvironment(e.getEnvironment()).setKey(e.getKey())
                .setValue(sealed).setExpectedVersion(e.getVersion()).build())
            // the same value under the newest key: key hygiene, not a change an approver could judge
            .setApprovalExemption("re-encryption with the newest data key (the value is unchanged)")
            .build();
        long version = writes.submit(command).getVersion();
        // read-your-writes: once answered, every re-encrypted value reads back at its new version
        ReadYourWrites.await(router, partition, StoreKeys.config(tenantId, e.getEnvironment(), e.getKey()), version, readYourWritesWait);
      }
      return ResponseEntity.ok(Map.of("tenantId", tenantId, "keyVersion", newest == null ? 0 : newest.getVersion(),
          "reEncrypted", stale.size()));
    });
  }

  /** Whether a Secret value, or any credential of a plugin assignment, is sealed with a data key older than {@code newest}. */
  private static boolean sealedWithOlderKey(ConfigEntry e, int newest) {
    if (e.getValueType() == ValueType.SECRET) {
      return Envelope.parse(e.getValue()).keyVersion() < newest;
    }
    if (io.hotswap.protocol.PluginAssignment.pluginOf(e.getKey()) == null) {
      return false;
    }
    return io.hotswap.protocol.PluginAssignment.parse(e.getKey(), e.getValue()).credentials().values().stream()
        .anyMatch(sealed -> Envelope.parse(sealed).keyVersion() < newest);
  }

  /** The value with what it seals opened and sealed again under the newest data key. */
  private String reSealed(ConfigEntry e, HttpServletRequest request, String actor) {
    String tenantId = e.getTenantId();
    if (e.getValueType() == ValueType.SECRET) {
      return vault.seal(tenantId, e.getEnvironment(), e.getKey(), vault.open(tenantId, e.getEnvironment(), e.getKey(), e.getValue()), request, actor);
    }
    io.hotswap.protocol.PluginAssignment assignment = io.hotswap.protocol.PluginAssignment.parse(e.getKey(), e.getValue());
    Map<String, String> resealed = new java.util.LinkedHashMap<>();
    assignment.credentials().forEach((name, sealed) -> resealed.put(name, vault.seal(tenantId, e.getEnvironment(), e.getKey(),
        vault.open(tenantId, e.getEnvironment(), e.getKey(), sealed), request, actor)));
    return assignment.withCredentials(resealed).toJson();
  }
}
