package io.hotswap.gateway.plugin;

import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.Tenant;
import io.hotswap.avro.TenantPayload;
import io.hotswap.avro.TenantStatus;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.plugin.PluginVersions;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.reads.Waits;
import io.hotswap.gateway.security.TenantScope;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's plugin trust: the publishers whose Ed25519 keys may sign the tenant's own plugins
 * (besides the platform's), and whether it accepts unsigned ones — off until the tenant says so.
 * A change is a tenant change: validated, applied, audited like any other.
 */
@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/plugin-trust")
class PluginTrustController {

  private final Writes writes;
  private final StoreRouter router;
  private final TenantScope scope;
  private final Duration readYourWritesWait;

  PluginTrustController(Writes writes, StoreRouter router, TenantScope scope, Duration readYourWritesWait) {
    this.writes = writes;
    this.router = router;
    this.scope = scope;
    this.readYourWritesWait = readYourWritesWait;
  }

  /**
   * @param publishers name to Base64 of the X.509 encoding of an Ed25519 public key (as
   *     {@code ./hotswap plugin keygen} prints it); replaces the tenant's list, unchanged when left out
   * @param allowUnsigned whether the tenant's own plugins may be unsigned; unchanged when left out
   */
  record Trust(Map<String, String> publishers, Boolean allowUnsigned) {}

  record TrustView(String tenantId, Map<String, String> publishers, boolean allowUnsigned, long tenantVersion) {
    static TrustView of(Tenant t) {
      return new TrustView(t.getTenantId(), new TreeMap<>(t.getPluginPublishers()), t.getAllowUnsignedPlugins(), t.getVersion());
    }
  }

  @GetMapping
  ResponseEntity<TrustView> get(@PathVariable String tenantId) {
    Tenant t = existing(tenantId);
    return ResponseEntity.ok().eTag(Long.toString(t.getVersion())).body(TrustView.of(t));
  }

  @PutMapping
  ResponseEntity<TrustView> put(@PathVariable String tenantId, @RequestBody Trust body, HttpServletRequest request) {
    existing(tenantId);
    if (body == null || body.publishers() == null && body.allowUnsigned() == null) {
      throw Rejection.badRequest("missing-body", "give publishers, allowUnsigned or both", null);
    }
    CommandResult result = writes.submit(Commands.envelope(CommandType.TENANT_UPDATE, tenantId, request, scope.subject())
        .setTenant(TenantPayload.newBuilder()
            .setPluginPublishers(body.publishers() == null ? null : PluginVersions.requirePublishers(body.publishers(), "publishers"))
            .setAllowUnsignedPlugins(body.allowUnsigned())
            .build())
        .build());
    Tenant applied = Waits.until(() -> tenants().get(tenantId), t -> t != null && t.getVersion() >= result.getVersion(), readYourWritesWait,
        () -> "tenant '" + tenantId + "' version " + result.getVersion() + " is applied but not readable here yet; retry shortly");
    return ResponseEntity.ok().eTag(Long.toString(applied.getVersion())).body(TrustView.of(applied));
  }

  private Tenant existing(String tenantId) {
    Tenant t = tenants().get(scope.visibleTenant(TenantIds.require(tenantId)));
    if (t == null || t.getStatus() == TenantStatus.DELETED) {
      throw Rejection.notFound("tenant-not-found", "tenant '" + tenantId + "' does not exist", "tenantId");
    }
    return t;
  }

  private org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, Tenant> tenants() {
    return router.globalStore(ReadTopology.TENANTS_STORE);
  }
}
