package io.hotswap.gateway.deployment;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentHealth;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStatus;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.domain.ValueTypes;
import io.hotswap.core.security.Role;
import io.hotswap.gateway.config.ConfigView;
import io.hotswap.gateway.config.CurrentConfig;
import io.hotswap.gateway.config.ReadYourWrites;
import io.hotswap.gateway.config.SecretVault;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.reads.ForwardRequest;
import io.hotswap.gateway.reads.Page;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.reads.Waits;
import io.hotswap.gateway.security.TenantScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Deployments: a new value of one key rolled out by a strategy (DIRECT, or CANARY in steps with
 * bake times), paused, resumed and rolled back by hand, rolled back automatically by a health
 * report above its thresholds. Starting one counts against the tenant's deployment limit (10 per
 * hour by default); pausing, resuming, rolling back and reporting health never do — stopping a bad
 * rollout must not wait for a token.
 *
 * <p>A deployment into an environment the tenant guards is held for approval (202 with its
 * approval id) and starts when its approvers release it; its rollback never waits (stopping harm
 * must not), and is audited as an emergency rollback. ConfigManager and Developer run deployments
 * in Development and QA, and ask for held ones anywhere; steering one beyond QA takes Admin,
 * Operator, TenantAdmin or TenantOwner.
 */
@RestController
@RequestMapping("/api/v1/deployments")
class DeploymentController {

  private final Writes writes;
  private final StoreRouter router;
  private final TenantScope scope;
  private final SecretVault vault;
  private final Duration readYourWritesWait;

  DeploymentController(Writes writes, StoreRouter router, TenantScope scope, SecretVault vault,
                       Duration readYourWritesWait) {
    this.writes = writes;
    this.router = router;
    this.scope = scope;
    this.vault = vault;
    this.readYourWritesWait = readYourWritesWait;
  }

  @PostMapping
  ResponseEntity<?> start(@RequestBody(required = false) DeploymentRequests.Start body,
                          @RequestHeader(value = "If-Match", required = false) String ifMatch,
                          HttpServletRequest request, HttpServletResponse response) {
    if (body == null || body.configId() == null) {
      throw Rejection.badRequest("missing-config-id", "configId (tenant:environment:key) of the key to deploy is required", "configId");
    }
    StoreKeys.ConfigId id = scope.visibleConfig(body.configId());
    requireMayDeploy(id.tenantId(), id.environment(), true);
    String value = ConfigView.text(body.value());
    if (value == null) {
      throw Rejection.badRequest("missing-value", "value (the candidate to roll out) is required", "value");
    }
    DeploymentPayload.Builder plan = DeploymentRequests.plan(DeploymentRequests.strategy(body.strategy()), body.steps(), body.bakeTime(), body.stickyBy(),
        body.targetInstances(), body.targetTags(), body.maxErrorRate(), body.maxP99LatencyMs(), body.instanceHealth());
    io.hotswap.core.deploy.DeploymentMachine.plan(plan.build()); // a bad plan is a 400 here, before it reaches the pipeline
    Long expected = CurrentConfig.expectedVersion(ifMatch);
    ValueType type = CurrentConfig.type(router, id, request);
    value = ValueTypes.check(type, value);
    if (type == ValueType.SECRET) {
      value = vault.seal(id.tenantId(), id.environment(), id.key(), value, request, scope.subject());
    }
    Command.Builder command = Commands.envelope(CommandType.DEPLOYMENT_START, id.tenantId(), request, scope.subject());
    String deploymentId = DeploymentRequests.deploymentId(command.getCommandId());
    command.setConfig(ConfigPayload.newBuilder().setEnvironment(id.environment()).setKey(id.key()).setValue(value)
            .setExpectedVersion(expected).build())
        .setDeployment(plan.setDeploymentId(deploymentId).build());
    CommandResult result = writes.submit(command.build());
    if (Writes.isHeld(result)) {
      // it starts when its approvers release it, under the id it has now
      return writes.held(result, heldFields(StoreKeys.deploymentId(id.tenantId(), deploymentId), body.configId(), plan.getStrategy()));
    }
    return fresh(StoreKeys.deploymentId(id.tenantId(), deploymentId), result.getVersion(), HttpStatus.CREATED);
  }

  private static java.util.Map<String, Object> heldFields(String deploymentId, String configId, DeploymentStrategy strategy) {
    java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("deploymentId", deploymentId);
    fields.put("configId", configId);
    fields.put("strategy", strategyName(strategy));
    return fields;
  }

  /** A strategy as deployments show it ({@link DeploymentView}): {@code canary}, {@code blue_green}; DIRECT when none was named. */
  private static String strategyName(DeploymentStrategy strategy) {
    return (strategy == null ? DeploymentStrategy.DIRECT : strategy).name().toLowerCase(Locale.ROOT);
  }

  /**
   * A deployment held for approval, as {@code GET /api/v1/deployments/{id}} shows it until its
   * approvers release it: what it will deploy and the approval it waits for (or that refused it).
   */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  record HeldView(String deploymentId, String tenantId, String configId, String environment, String key, String strategy, String status,
                  String approvalId, String approvalStatus, String requestedBy, Instant requestedAt, Instant expiresAt) {
    static HeldView of(io.hotswap.avro.ApprovalRequest r) {
      Command held = r.getCommand();
      ConfigPayload c = held.getConfig();
      DeploymentStrategy strategy = held.getDeployment().getStrategy();
      return new HeldView(StoreKeys.deploymentId(r.getTenantId(), held.getDeployment().getDeploymentId()), r.getTenantId(),
          StoreKeys.configId(r.getTenantId(), c.getEnvironment(), c.getKey()), c.getEnvironment(), c.getKey(),
          strategyName(strategy), "pending_approval", r.getApprovalId(),
          r.getStatus().name().toLowerCase(Locale.ROOT), r.getRequestedBy(), r.getRequestedAt(), r.getExpiresAt());
    }
  }

  /** The newest approval request of the deployment {@code id} that never started (held for approval), or null. */
  private io.hotswap.avro.ApprovalRequest heldRequest(StoreKeys.DeploymentId id) {
    io.hotswap.avro.ApprovalRequest newest = null;
    try (KeyValueIterator<String, io.hotswap.avro.ApprovalRequest> it =
             router.<io.hotswap.avro.ApprovalRequest>globalStore(ReadTopology.APPROVALS_STORE).all()) {
      while (it.hasNext()) {
        io.hotswap.avro.ApprovalRequest r = it.next().value;
        DeploymentPayload p = r == null ? null : r.getCommand().getDeployment();
        if (p != null && r.getTenantId().equals(id.tenantId()) && r.getCommand().getType() == CommandType.DEPLOYMENT_START
            && p.getDeploymentId().equals(id.id()) && (newest == null || r.getRequestedAt().isAfter(newest.getRequestedAt()))) {
          newest = r;
        }
      }
    }
    return newest;
  }

  /**
   * Asks for approval again for a deployment whose approval was rejected or expired: the same
   * change, held anew under the tenant's current policy (applied at once if the policy no longer
   * guards its environment). A deployment still waiting answers its pending approval (202) again;
   * one that started has nothing left to approve (409).
   */
  @PostMapping("/{deploymentId}/request-approval")
  ResponseEntity<?> requestApproval(@PathVariable String deploymentId, HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.DeploymentId id = visible(deploymentId);
    // the owner's view of it: a started deployment has a status of its own; a held one is pending_approval
    ResponseEntity<?> current = router.route(id.tenantId(), new ForwardRequest(request, "GET", "/api/v1/deployments/" + id.publicId(), null),
        partition -> store(partition).get(id.storeKey()) == null ? ResponseEntity.notFound().build()
            : ResponseEntity.ok(java.util.Map.of("status", "started")));
    boolean started = current.getStatusCode().is2xxSuccessful() && current.getBody() != null
        && !"pending_approval".equals(current.getBody() instanceof java.util.Map<?, ?> local ? local.get("status")
            : io.hotswap.core.json.Json.MAPPER.readTree((byte[]) current.getBody()).path("status").asString());
    if (started) {
      throw Rejection.conflict("deployment-started", "deployment '" + id.publicId() + "' started already; there is nothing to approve",
          "deploymentId");
    }
    io.hotswap.avro.ApprovalRequest last = heldRequest(id);
    if (last == null) {
      throw notFound(deploymentId);
    }
    Command held = last.getCommand();
    requireMayDeploy(id.tenantId(), held.getConfig().getEnvironment(), true);
    if (last.getStatus() == io.hotswap.avro.ApprovalStatus.PENDING) {
      return ResponseEntity.status(HttpStatus.ACCEPTED).location(java.net.URI.create("/api/v1/approvals/" + last.getApprovalId()))
          .body(HeldView.of(last));
    }
    if (last.getStatus() == io.hotswap.avro.ApprovalStatus.APPROVED) {
      throw Rejection.conflict("deployment-approved", "deployment '" + id.publicId() + "' was approved (" + last.getApprovalId()
          + ") but did not start: the key changed while it waited; start a new deployment", "deploymentId");
    }
    Command again = Commands.envelope(CommandType.DEPLOYMENT_START, id.tenantId(), request, scope.subject())
        .setConfig(ConfigPayload.newBuilder(held.getConfig()).build())
        .setDeployment(DeploymentPayload.newBuilder(held.getDeployment()).build())
        .build();
    CommandResult result = writes.submit(again);
    if (Writes.isHeld(result)) {
      return writes.held(result, heldFields(id.publicId(), StoreKeys.configId(id.tenantId(), held.getConfig().getEnvironment(),
          held.getConfig().getKey()), held.getDeployment().getStrategy()));
    }
    return fresh(id.publicId(), result.getVersion(), HttpStatus.CREATED);
  }

  @GetMapping("/tenant/{tenantId}")
  ResponseEntity<?> list(@PathVariable String tenantId, @RequestParam(required = false) String status,
                         @RequestParam(required = false) String environment, @RequestParam(required = false) String key,
                         @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size,
                         HttpServletRequest request, HttpServletResponse response) {
    scope.visibleTenant(TenantIds.require(tenantId));
    Page.check(page, size);
    DeploymentStatus wanted = status == null ? null : DeploymentRequests.parse(DeploymentStatus.class, status, "status");
    String env = environment == null ? null : Environments.require(environment);
    DeploymentQueries.Filter filter = new DeploymentQueries.Filter(wanted, env, key);
    return router.route(tenantId, request, partition -> {
      List<io.hotswap.avro.InstanceState> registry = new ArrayList<>();
      List<DeploymentView> items = DeploymentQueries.list(store(partition), tenantId, filter).stream().map(d -> withCohort(d, registry)).toList();
      return ResponseEntity.ok(Page.of(items, page, size));
    });
  }

  /**
   * One rollback of a key: which deployment, whether a health report's breach decided it
   * ({@code automatic}) or someone's rollback call, who sent that, when, why, and the health it was judged on.
   */
  record RollbackView(String deploymentId, String strategy, boolean automatic, String rolledBackBy, Instant rolledBackAt, String reason,
                      long stableVersion, long candidateVersion, Long rollbackVersion, DeploymentView.Health health) {
    static RollbackView of(Deployment d) {
      return new RollbackView(d.getDeploymentId(), d.getStrategy().name().toLowerCase(Locale.ROOT),
          io.hotswap.core.deploy.DeploymentMachine.rolledBackAutomatically(d), d.getUpdatedBy(), d.getUpdatedAt(), d.getReason(),
          d.getStableVersion(), d.getCandidateVersion(), d.getRollbackVersion(), DeploymentView.Health.of(d.getLastHealth()));
    }
  }

  /**
   * The rollbacks of the deployment's key (this deployment's, if it was rolled back, and every
   * earlier one of the same key in the same environment), newest first.
   */
  @GetMapping("/{deploymentId}/rollback-history")
  ResponseEntity<?> rollbackHistory(@PathVariable String deploymentId, @RequestParam(defaultValue = "0") int page,
                                    @RequestParam(defaultValue = "50") int size, HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.DeploymentId id = visible(deploymentId);
    Page.check(page, size);
    return router.route(id.tenantId(), request, partition -> {
      Deployment d = store(partition).get(id.storeKey());
      if (d == null) {
        throw notFound(deploymentId);
      }
      List<RollbackView> items = DeploymentQueries.list(store(partition), id.tenantId(),
              new DeploymentQueries.Filter(DeploymentStatus.ROLLED_BACK, d.getEnvironment(), d.getKey()))
          .stream().sorted(java.util.Comparator.comparing(Deployment::getUpdatedAt).reversed()).map(RollbackView::of).toList();
      return ResponseEntity.ok(Page.of(items, page, size));
    });
  }

  /** {@code minRevision}: wait (bounded) until the owner serves at least this revision — read-your-writes. */
  @GetMapping("/{deploymentId}")
  ResponseEntity<?> get(@PathVariable String deploymentId, @RequestParam(required = false) Long minRevision,
                        HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.DeploymentId id = visible(deploymentId);
    return router.route(id.tenantId(), request, partition -> {
      Deployment d = minRevision == null ? store(partition).get(id.storeKey()) : DeploymentReadBack.await(router, partition, id, minRevision, readYourWritesWait);
      if (d == null) {
        io.hotswap.avro.ApprovalRequest held = heldRequest(id);
        if (held == null) {
          throw notFound(deploymentId);
        }
        return ResponseEntity.ok(HeldView.of(held));
      }
      return ResponseEntity.ok().eTag(Long.toString(d.getRevision())).body(withCohort(d, new ArrayList<>()));
    });
  }

  @PostMapping("/{deploymentId}/pause")
  ResponseEntity<?> pause(@PathVariable String deploymentId, @RequestBody(required = false) DeploymentRequests.Reason body,
                          HttpServletRequest request) {
    return change(visible(deploymentId), CommandType.DEPLOYMENT_PAUSE, p -> p.setReason(reason(body)), request);
  }

  @PostMapping("/{deploymentId}/resume")
  ResponseEntity<?> resume(@PathVariable String deploymentId, HttpServletRequest request) {
    return change(visible(deploymentId), CommandType.DEPLOYMENT_RESUME, p -> { }, request);
  }

  /** Everyone gets the candidate now: ends an A/B test with B, or skips a canary's remaining steps. */
  @PostMapping("/{deploymentId}/complete")
  ResponseEntity<?> complete(@PathVariable String deploymentId, HttpServletRequest request) {
    return change(visible(deploymentId), CommandType.DEPLOYMENT_COMPLETE, p -> { }, request);
  }

  @PostMapping("/{deploymentId}/rollback")
  ResponseEntity<?> rollback(@PathVariable String deploymentId, @RequestBody(required = false) DeploymentRequests.Reason body,
                             HttpServletRequest request) {
    return change(visible(deploymentId), CommandType.DEPLOYMENT_ROLLBACK, p -> p.setReason(reason(body)), request);
  }

  /**
   * A health report on the deployment's audience (from a monitoring system, with an Operator
   * token): recorded on the deployment; above its thresholds an active deployment rolls back at once.
   */
  @PostMapping("/{deploymentId}/health")
  ResponseEntity<?> health(@PathVariable String deploymentId, @RequestBody(required = false) DeploymentRequests.Health body,
                           HttpServletRequest request) {
    StoreKeys.DeploymentId id = visible(deploymentId);
    if (body == null || (body.errorRate() == null && body.p99LatencyMs() == null && body.healthChecksPassing() == null)) {
      throw Rejection.badRequest("missing-health", "a report needs errorRate (0-1), p99LatencyMs or healthChecksPassing", "errorRate");
    }
    if (body.errorRate() != null && !(body.errorRate() >= 0 && body.errorRate() <= 1)) {
      throw Rejection.badRequest("invalid-health", "errorRate must be between 0 and 1", "errorRate");
    }
    if (body.p99LatencyMs() != null && !(body.p99LatencyMs() >= 0)) {
      throw Rejection.badRequest("invalid-health", "p99LatencyMs must be 0 or more", "p99LatencyMs");
    }
    DeploymentHealth report = DeploymentHealth.newBuilder().setErrorRate(body.errorRate()).setP99LatencyMs(body.p99LatencyMs())
        .setHealthChecksPassing(body.healthChecksPassing()).setSource(body.source() == null ? null : io.hotswap.core.domain.Texts.abbreviate(body.source()))
        .setReportedAt(Instant.now()).build();
    return change(id, CommandType.DEPLOYMENT_HEALTH, p -> p.setHealth(report), request);
  }

  /**
   * Sends a change of a deployment. Who may change it depends on its environment (read on the
   * owner); a health report is open to its roles anywhere, and rollout answers 404 for a deployment
   * that does not exist.
   */
  private ResponseEntity<?> change(StoreKeys.DeploymentId id, CommandType type, java.util.function.Consumer<DeploymentPayload.Builder> payload,
                                   HttpServletRequest request) {
    if (type != CommandType.DEPLOYMENT_HEALTH) {
      requireMayDeploy(id.tenantId(), environmentOf(id, request), false);
    }
    DeploymentPayload.Builder p = DeploymentPayload.newBuilder().setDeploymentId(id.id());
    payload.accept(p);
    Command command = Commands.envelope(type, id.tenantId(), request, scope.subject()).setDeployment(p.build()).build();
    CommandResult result = writes.submit(command);
    return fresh(id.publicId(), result.getVersion(), HttpStatus.OK);
  }

  /** A pause or rollback reason: optional, at most 1000 characters (it is audited). */
  private static String reason(DeploymentRequests.Reason body) {
    return body == null ? null : io.hotswap.core.domain.Texts.limit(body.reason(), 1000, "reason");
  }

  /** The deployment's environment as its owner serves it (it decides who may change it); 404 when there is none. */
  private String environmentOf(StoreKeys.DeploymentId id, HttpServletRequest request) {
    ResponseEntity<?> current = router.route(id.tenantId(), new ForwardRequest(request, "GET", "/api/v1/deployments/" + id.publicId(), null),
        partition -> {
          Deployment d = store(partition).get(id.storeKey());
          if (d == null) {
            throw notFound(id.publicId());
          }
          return ResponseEntity.ok(DeploymentView.of(d));
        });
    if (!current.getStatusCode().is2xxSuccessful()) {
      throw notFound(id.publicId());
    }
    return current.getBody() instanceof DeploymentView view ? view.environment()
        : io.hotswap.core.json.Json.MAPPER.readTree((byte[]) current.getBody()).get("environment").asString();
  }

  /** Read-your-writes: answers a change with the deployment as the owner now serves it. */
  private ResponseEntity<?> fresh(String deploymentId, long revision, HttpStatus status) {
    return writes.answer(status, Long.toString(revision), DeploymentReadBack.shown(router, deploymentId, revision, readYourWritesWait));
  }

  /**
   * The view with the audience's health, for an active deployment; {@code registry} is read once
   * per request (empty until the first active deployment needs it).
   */
  private DeploymentView withCohort(Deployment d, List<io.hotswap.avro.InstanceState> registry) {
    if (!io.hotswap.core.deploy.DeploymentMachine.active(d)) {
      return DeploymentView.of(d);
    }
    if (registry.isEmpty()) {
      try (KeyValueIterator<String, io.hotswap.avro.InstanceState> it =
               router.<io.hotswap.avro.InstanceState>globalStore(ReadTopology.INSTANCES_STORE).all()) {
        it.forEachRemaining(kv -> registry.add(kv.value));
      }
    }
    List<DeploymentView.InstanceArm> instances = registry.stream()
        .filter(st -> io.hotswap.core.deploy.AudienceHealth.holds(d.getTenantId(), d.getEnvironment(), d.getKey(), st))
        .map(st -> DeploymentView.InstanceArm.of(d, st))
        .sorted(java.util.Comparator.comparing(DeploymentView.InstanceArm::instanceId)).toList();
    return DeploymentView.of(d, io.hotswap.core.deploy.AudienceHealth.summarize(d, registry), instances);
  }

  private ReadOnlyKeyValueStore<String, Deployment> store(int partition) {
    return router.localStore(ReadTopology.DEPLOYMENTS_STORE, partition);
  }

  private StoreKeys.DeploymentId visible(String deploymentId) {
    StoreKeys.DeploymentId id = StoreKeys.parseDeploymentId(deploymentId);
    scope.require(id.tenantId(), notFound(deploymentId));
    return id;
  }

  /**
   * ConfigManager and Developer deploy to Development and QA, and may ask to deploy anywhere the
   * tenant's approval policy holds the start for approvers ({@code starting}); running deployments
   * beyond QA, and deployments into unguarded environments beyond it, need Admin, Operator or a
   * tenant's own admin.
   */
  private void requireMayDeploy(String tenantId, String environment, boolean starting) {
    boolean early = Environments.order(environment) <= Environments.order("qa");
    if (!early && !scope.hasAnyRole(Role.ADMIN, Role.OPERATOR, Role.TENANT_ADMIN, Role.TENANT_OWNER) && !(starting && heldBy(tenantId, environment))) {
      throw new Rejection(403, "forbidden", "deploying to " + environment + " needs the Admin, Operator, TenantAdmin or TenantOwner role;"
          + " ConfigManager and Developer deploy to development and qa, and ask for deployments that approvers release", "environment");
    }
  }

  private boolean heldBy(String tenantId, String environment) {
    return io.hotswap.core.domain.ApprovalPolicy.guarded(router.<io.hotswap.avro.Tenant>globalStore(ReadTopology.TENANTS_STORE).get(tenantId))
        .contains(environment);
  }

  private static Rejection notFound(String deploymentId) {
    return Rejection.notFound("deployment-not-found", "No deployment with id '" + io.hotswap.core.domain.Texts.abbreviate(deploymentId) + "'",
        "deploymentId");
  }
}
