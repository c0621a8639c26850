package io.hotswap.gateway.tenant;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.Tenant;
import io.hotswap.avro.TenantPayload;
import io.hotswap.avro.TenantStatus;
import io.hotswap.avro.Tier;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.domain.Texts;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.reads.Page;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.reads.Waits;
import io.hotswap.gateway.security.TenantScope;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Tenants: tier, quotas, status, soft delete. Reads come from the global tenants store. */
@RestController
@RequestMapping("/api/v1/tenants")
class TenantController {

  private final Writes writes;
  private final StoreRouter router;
  private final Duration readYourWritesWait;
  private final TenantScope scope;

  TenantController(Writes writes, StoreRouter router, Duration readYourWritesWait, TenantScope scope) {
    this.writes = writes;
    this.router = router;
    this.readYourWritesWait = readYourWritesWait;
    this.scope = scope;
  }

  private static Rejection notFound(String tenantId) {
    return Rejection.notFound("tenant-not-found", "tenant '" + Texts.abbreviate(tenantId) + "' does not exist", "tenantId");
  }

  /**
   * {@code POST} body; quotas default from the tier. The approval policy: which environments hold
   * every change for approval (staging and production by default), how many distinct approvers
   * (1-3, and per environment where it differs), and how long a change may wait; per environment,
   * the strategy of profile versions that name none ({@code defaultStrategies}).
   */
  record CreateTenant(String tenantId, String name, String tier, Integer maxConfigs, Integer maxEnvironments,
                      List<String> guardedEnvironments, Integer approvalLevels, java.util.Map<String, Integer> approvalLevelsByEnvironment,
                      java.time.Duration approvalTimeout, java.util.Map<String, String> defaultStrategies) {}

  /** {@code PUT} body; null fields keep their values. Status may be Active or Suspended. */
  record UpdateTenant(String name, String tier, String status, Integer maxConfigs, Integer maxEnvironments,
                      List<String> guardedEnvironments, Integer approvalLevels, java.util.Map<String, Integer> approvalLevelsByEnvironment,
                      java.time.Duration approvalTimeout, java.util.Map<String, String> defaultStrategies) {}

  @PostMapping
  ResponseEntity<TenantView> create(@RequestBody CreateTenant body, HttpServletRequest request) {
    if (body == null) {
      throw Rejection.badRequest("missing-body", "a JSON body is required", null);
    }
    String tenantId = TenantIds.require(body.tenantId());
    if (!scope.canSee(tenantId)) {
      throw new Rejection(403, "forbidden", "your token is scoped to other tenants", "tenantId");
    }
    Command command = Commands.envelope(CommandType.TENANT_CREATE, tenantId, request, scope.subject())
        .setTenant(TenantPayload.newBuilder()
            .setName(name(body.name()))
            .setTier(Texts.parse(Tier.class, body.tier(), "tier"))
            .setMaxConfigs(body.maxConfigs())
            .setMaxEnvironments(body.maxEnvironments())
            .setGuardedEnvironments(body.guardedEnvironments())
            .setApprovalLevels(body.approvalLevels())
            .setApprovalLevelsByEnvironment(body.approvalLevelsByEnvironment())
            .setDefaultStrategies(body.defaultStrategies())
            .setApprovalTimeoutMs(body.approvalTimeout() == null ? null : body.approvalTimeout().toMillis())
            .build())
        .build();
    CommandResult result = writes.submit(command);
    return ResponseEntity.created(URI.create("/api/v1/tenants/" + tenantId))
        .eTag(Long.toString(result.getVersion()))
        .body(TenantView.of(awaitVersion(tenantId, result.getVersion())));
  }

  @GetMapping
  Page<TenantView> list(@RequestParam(required = false) String status,
                        @RequestParam(defaultValue = "0") int page,
                        @RequestParam(defaultValue = "50") int size) {
    Page.check(page, size);
    TenantStatus wanted = Texts.parse(TenantStatus.class, status, "status");
    List<TenantView> all = new ArrayList<>();
    try (KeyValueIterator<String, Tenant> it = tenants().all()) {
      it.forEachRemaining(kv -> {
        if ((wanted == null || kv.value.getStatus() == wanted) && scope.canSee(kv.key)) {
          all.add(TenantView.of(kv.value));
        }
      });
    }
    all.sort(Comparator.comparing(TenantView::tenantId));
    return Page.of(all, page, size);
  }

  @GetMapping("/{tenantId}")
  ResponseEntity<TenantView> get(@PathVariable String tenantId) {
    Tenant tenant = tenants().get(scope.visibleTenant(tenantId));
    if (tenant == null) {
      throw notFound(tenantId);
    }
    return ResponseEntity.ok().eTag(Long.toString(tenant.getVersion())).body(TenantView.of(tenant));
  }

  @PutMapping("/{tenantId}")
  ResponseEntity<TenantView> update(@PathVariable String tenantId, @RequestBody UpdateTenant body, HttpServletRequest request) {
    scope.visibleTenant(tenantId);
    if (body == null) {
      throw Rejection.badRequest("missing-body", "a JSON body is required", null);
    }
    Command command = Commands.envelope(CommandType.TENANT_UPDATE, tenantId, request, scope.subject())
        .setTenant(TenantPayload.newBuilder()
            .setName(body.name() == null ? null : name(body.name()))
            .setTier(Texts.parse(Tier.class, body.tier(), "tier"))
            .setStatus(Texts.parse(TenantStatus.class, body.status(), "status"))
            .setMaxConfigs(body.maxConfigs())
            .setMaxEnvironments(body.maxEnvironments())
            .setGuardedEnvironments(body.guardedEnvironments())
            .setApprovalLevels(body.approvalLevels())
            .setApprovalLevelsByEnvironment(body.approvalLevelsByEnvironment())
            .setDefaultStrategies(body.defaultStrategies())
            .setApprovalTimeoutMs(body.approvalTimeout() == null ? null : body.approvalTimeout().toMillis())
            .build())
        .build();
    CommandResult result = writes.submit(command);
    return ResponseEntity.ok().eTag(Long.toString(result.getVersion())).body(TenantView.of(awaitVersion(tenantId, result.getVersion())));
  }

  @DeleteMapping("/{tenantId}")
  ResponseEntity<Void> delete(@PathVariable String tenantId, HttpServletRequest request) {
    scope.visibleTenant(tenantId);
    CommandResult result = writes.submit(Commands.envelope(CommandType.TENANT_DELETE, tenantId, request, scope.subject()).build());
    awaitVersion(tenantId, result.getVersion());
    return ResponseEntity.noContent().build();
  }

  private ReadOnlyKeyValueStore<String, Tenant> tenants() {
    return router.globalStore(ReadTopology.TENANTS_STORE);
  }

  private Tenant awaitVersion(String tenantId, long version) {
    return Waits.until(() -> tenants().get(tenantId), t -> t != null && t.getVersion() >= version, readYourWritesWait,
        () -> "tenant '" + tenantId + "' version " + version + " is applied but not readable here yet; retry shortly");
  }

  private static String name(String name) {
    if (name != null && (name.isBlank() || name.length() > 200)) {
      throw Rejection.badRequest("invalid-name", "name must be 1 to 200 characters", "name");
    }
    return name;
  }
}
