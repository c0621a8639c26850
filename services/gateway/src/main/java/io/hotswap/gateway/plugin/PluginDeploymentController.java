package io.hotswap.gateway.plugin;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.domain.Texts;
import io.hotswap.core.plugin.PluginVersions;
import io.hotswap.core.security.Role;
import io.hotswap.gateway.config.CurrentConfig;
import io.hotswap.gateway.deployment.DeploymentReadBack;
import io.hotswap.gateway.deployment.DeploymentRequests;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.protocol.PluginAssignment;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Plugin deployments: a tenant's plugin moved to another version by the deployment engine that
 * rolls out configuration — direct, canary, blue-green, rolling or A/B over the instances that run
 * the tenant's plugins, judged by their health (a version that fails to start, or fails its
 * liveness checks three times in a row, is reported as failed) and rolled back automatically. The
 * candidate is the tenant's assignment with the new version; the deployment is an ordinary one
 * ({@code GET /api/v1/deployments/{id}}, pause, resume, rollback, rollback history). In production
 * a plugin deployment waits for two distinct approvers, whatever the tenant's own policy says.
 */
@RestController
class PluginDeploymentController {

  private final Writes writes;
  private final StoreRouter router;
  private final PluginAssignments assignments;
  private final TenantScope scope;
  private final PluginRegistry registry;
  private final PluginBinaries binaries;
  private final SandboxService sandboxes;
  private final PluginTrust trust;
  private final Duration readYourWritesWait;

  PluginDeploymentController(Writes writes, StoreRouter router, PluginAssignments assignments, TenantScope scope, PluginRegistry registry,
                             PluginBinaries binaries, SandboxService sandboxes, PluginTrust trust, Duration readYourWritesWait) {
    this.trust = trust;
    this.readYourWritesWait = readYourWritesWait;
    this.writes = writes;
    this.router = router;
    this.assignments = assignments;
    this.scope = scope;
    this.registry = registry;
    this.binaries = binaries;
    this.sandboxes = sandboxes;
  }

  /**
   * What to roll out where, and how: the plan's fields are those of {@code POST /api/v1/deployments}.
   * {@code config} and {@code credentials} are the tenant's settings for the new version (its
   * current ones when left out).
   */
  record Start(String tenantId, String environment, String version, String strategy, List<Integer> steps, Duration bakeTime,
               String stickyBy, List<String> targetInstances, List<String> targetTags, Double maxErrorRate, Double maxP99LatencyMs,
               Boolean instanceHealth, Map<String, JsonNode> config, Map<String, String> credentials, RequiredSandbox sandbox) {}

  /** Test cases the new version must pass in a sandbox (with the tenant's settings) before the deployment starts. */
  record RequiredSandbox(List<SandboxController.Case> testCases) {}

  @PostMapping("/api/v1/plugins/{pluginId}/deployments")
  ResponseEntity<?> start(@PathVariable String pluginId, @RequestBody Start body, HttpServletRequest request) {
    if (body == null) {
      throw Rejection.badRequest("missing-body", "a JSON body is required", null);
    }
    String tenantId = scope.visibleTenant(TenantIds.require(body.tenantId()));
    String env = Environments.require(body.environment() == null ? "development" : body.environment());
    if (body.version() == null) {
      throw Rejection.badRequest("missing-version", "version (the plugin version to roll out) is required", "version");
    }
    Launched launched = launch(pluginId, body, tenantId, env, null, request);
    if (Writes.isHeld(launched.result())) {
      return writes.held(launched.result(), launched.answer());
    }
    launched.answer().put("status", "running");
    return ResponseEntity.created(URI.create("/api/v1/deployments/" + launched.answer().get("deploymentId"))).body(launched.answer());
  }

  /** A plugin deployment sent into the pipeline: its answer and what it says about the deployment. */
  private record Launched(CommandResult result, Map<String, Object> answer) {}

  /**
   * Starts a tenant's plugin deployment; {@code from}, when given, is the version the tenant must
   * run now (409 otherwise).
   */
  private Launched launch(String pluginId, Start body, String tenantId, String env, String from, HttpServletRequest request) {
    boolean early = Environments.order(env) <= Environments.order("qa");
    if (!early && !scope.hasAnyRole(Role.ADMIN, Role.OPERATOR, Role.TENANT_ADMIN, Role.TENANT_OWNER)) {
      throw new Rejection(403, "forbidden", "deploying a plugin to " + env + " needs the Admin, Operator, TenantAdmin or TenantOwner role",
          "environment");
    }
    StoreKeys.ConfigId id = new StoreKeys.ConfigId(tenantId, env, PluginAssignment.key(PluginVersions.requireId(pluginId, "pluginId")));
    JsonNode current = CurrentConfig.current(router, id, request);
    if (current == null) {
      throw Rejection.notFound("plugin-not-assigned", "tenant '" + tenantId + "' runs no plugin '" + pluginId + "' in " + env
          + " to roll a new version out from; assign it first (PUT /api/v1/tenants/" + tenantId + "/plugins/" + pluginId + ")", "pluginId");
    }
    JsonNode stable = current.get("value");
    if (from != null && (!from.equals(stable.get("version").asString()) || !stable.get("enabled").asBoolean())) {
      throw Rejection.conflict("not-on-version", "tenant '" + tenantId + "' runs " + pluginId + " " + stable.get("version").asString()
          + (stable.get("enabled").asBoolean() ? "" : " (disabled)") + ", not " + from, "version");
    }
    Map<String, JsonNode> config = body.config();
    if (config == null) {
      config = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : stable.get("config").properties()) {
        config.put(e.getKey(), e.getValue());
      }
    }
    String pin = stable.get("pin") == null || stable.get("pin").isNull() ? null : stable.get("pin").asString();
    PluginAssignment candidate = assignments.assignment(tenantId, env, pluginId, true, body.version(), null, config, body.credentials(),
        request, "deployment");
    if (pin != null && !PluginVersions.dependency(pluginId + "@" + pin).acceptsVersion(candidate.version())) {
      throw Rejection.conflict("outside-pin", "tenant '" + tenantId + "' is pinned to " + pluginId + " " + pin + "; "
          + candidate.version() + " is outside it (change the pin first)", "version");
    }
    candidate = new PluginAssignment(candidate.pluginId(), candidate.version(), true, pin, "deployment", candidate.config(),
        candidate.credentials(), candidate.artifacts(), false);
    if (body.credentials() == null) {
      candidate = candidate.keepingCredentials(); // rollout carries the tenant's current ones over
    }
    if (body.sandbox() != null) {
      passSandbox(candidate, body.sandbox());
    }
    DeploymentStrategy strategy = DeploymentRequests.strategy(body.strategy());
    DeploymentPayload.Builder plan = DeploymentRequests.plan(strategy, body.steps(), body.bakeTime(), body.stickyBy(), body.targetInstances(),
        body.targetTags(), body.maxErrorRate(), body.maxP99LatencyMs(), body.instanceHealth());
    io.hotswap.core.deploy.DeploymentMachine.plan(plan.build()); // a bad plan is a 400 here, before it reaches the pipeline
    Command.Builder command = Commands.envelope(CommandType.DEPLOYMENT_START, tenantId, request, scope.subject());
    String deploymentId = DeploymentRequests.deploymentId(command.getCommandId());
    command.setConfig(ConfigPayload.newBuilder().setEnvironment(env).setKey(id.key()).setValue(candidate.toJson()).build())
        .setDeployment(plan.setDeploymentId(deploymentId).build());
    CommandResult result = writes.submit(command.build());
    String publicId = StoreKeys.deploymentId(tenantId, deploymentId);
    if (!Writes.isHeld(result)) {
      // answered once the owner serves the deployment, so the caller's next call on it (complete, pause, a read) finds it
      ResponseEntity<?> seen = writes.readBack(DeploymentReadBack.shown(router, publicId, result.getVersion(), readYourWritesWait));
      if (!seen.getStatusCode().is2xxSuccessful()) {
        throw new StoreRouter.StoreUnavailable("plugin deployment '" + publicId + "' is started but not readable yet; retry shortly");
      }
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("deploymentId", publicId);
    answer.put("tenantId", tenantId);
    answer.put("environment", env);
    answer.put("pluginId", pluginId);
    answer.put("fromVersion", stable.get("version").asString());
    answer.put("toVersion", candidate.version());
    answer.put("strategy", (strategy == null ? DeploymentStrategy.DIRECT : strategy).name().toLowerCase(java.util.Locale.ROOT));
    return new Launched(result, answer);
  }

  /** What to migrate: the version to move to, where, for which tenants (all that run the version, when left out), and how. */
  record Migrate(String to, String environment, List<String> tenants, String strategy, List<Integer> steps, Duration bakeTime,
                 Double maxErrorRate, Double maxP99LatencyMs, RequiredSandbox sandbox) {}

  /**
   * Moves every tenant that runs {@code version} of the plugin (in one environment; among the
   * tenants named, or all the caller sees) to {@code to}, each by a plugin deployment of its own
   * with the plan given: their settings and credentials carried over, pins respected. The answer
   * lists each tenant: started (with its deployment), held for approval, or skipped with why.
   */
  @PostMapping("/api/v1/plugins/{pluginId}/versions/{version}/migrate")
  Map<String, Object> migrate(@PathVariable String pluginId, @PathVariable String version, @RequestBody Migrate body,
                              HttpServletRequest request) {
    if (body == null || body.to() == null || body.environment() == null) {
      throw Rejection.badRequest("missing-target", "to (the version to migrate to) and environment are required", "to");
    }
    String env = Environments.require(body.environment());
    String from = io.hotswap.core.domain.SemVer.parse(version, "version").toString();
    List<String> tenants = body.tenants() != null ? body.tenants() : allTenants();
    Start plan = new Start(null, env, body.to(), body.strategy(), body.steps(), body.bakeTime(), null, null, null, body.maxErrorRate(),
        body.maxP99LatencyMs(), null, null, null, body.sandbox());
    List<Map<String, Object>> results = new java.util.ArrayList<>();
    for (String tenant : tenants) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("tenantId", tenant);
      try {
        scope.visibleTenant(TenantIds.require(tenant));
        Launched launched = launch(pluginId, plan, tenant, env, from, request);
        row.put("outcome", Writes.isHeld(launched.result()) ? "held" : "started");
        row.put("deploymentId", launched.answer().get("deploymentId"));
        if (Writes.isHeld(launched.result())) {
          row.put("approvalId", launched.result().getResourceId());
        }
      } catch (Rejection r) {
        if (body.tenants() == null && (r.type().equals("plugin-not-assigned") || r.type().equals("not-on-version"))) {
          continue; // among all tenants, only those that run the version are the migration's
        }
        row.put("outcome", "skipped");
        row.put("reason", r.type());
        row.put("detail", r.getMessage());
      }
      results.add(row);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("pluginId", pluginId);
    answer.put("from", from);
    answer.put("to", body.to());
    answer.put("environment", env);
    answer.put("started", results.stream().filter(r -> !"skipped".equals(r.get("outcome"))).count());
    answer.put("tenants", results);
    return answer;
  }

  /** Every active tenant the caller sees, from the gateway's copy of the tenants. */
  private List<String> allTenants() {
    List<String> tenants = new java.util.ArrayList<>();
    try (org.apache.kafka.streams.state.KeyValueIterator<String, io.hotswap.avro.Tenant> it =
             router.<io.hotswap.avro.Tenant>globalStore(io.hotswap.gateway.reads.ReadTopology.TENANTS_STORE).all()) {
      it.forEachRemaining(kv -> {
        if (kv.value != null && kv.value.getStatus() == io.hotswap.avro.TenantStatus.ACTIVE && scope.canSee(kv.key)) {
          tenants.add(kv.key);
        }
      });
    }
    return tenants;
  }

  /** Runs the required test cases against the candidate in a sandbox of their own; anything but PASSED refuses the deployment. */
  private void passSandbox(PluginAssignment candidate, RequiredSandbox required) {
    List<io.hotswap.plugin.host.Sandbox.TestCase> cases = SandboxController.testCases(required.testCases());
    io.hotswap.avro.PluginVersion version = registry.version(candidate.pluginId(), candidate.version());
    io.hotswap.plugin.host.Sandbox.Result result = sandboxes.runNow(version, binaries.get(version), candidate.config(), cases, trust.of(version));
    if (result.outcome() != io.hotswap.plugin.host.Sandbox.Outcome.PASSED) {
      throw Rejection.unprocessable("sandbox-failed", PluginVersions.coordinates(candidate.pluginId(), candidate.version())
          + " did not pass its sandbox run (" + result.outcome() + "): " + result.reason(), "sandbox")
          .withErrors(result.cases().stream().filter(c -> !c.passed())
              .map(c -> "case " + c.index() + " (" + c.operation() + "): " + (c.error() != null ? c.error() : "got '" + c.output() + "'"))
              .toList());
    }
  }
}
