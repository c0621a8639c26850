package io.hotswap.gateway.plugin;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentStatus;
import io.hotswap.avro.PluginVersion;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.plugin.PluginVersions;
import io.hotswap.gateway.config.ConfigView;
import io.hotswap.gateway.config.CurrentConfig;
import io.hotswap.gateway.config.ReadYourWrites;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.protocol.PluginAssignment;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * What each tenant runs of each plugin, per environment: enabled or not, which version (named,
 * pinned to a range, or the newest when assigned), its settings (checked against the JSON Schema
 * the plugin ships) and credentials (sealed with the tenant's data key like Secret values). An
 * assignment is the value of the key {@code plugin:<id>} ({@link PluginAssignment}), so it is
 * versioned, audited, held for approval in guarded environments and pushed to the tenant's
 * services like any other change; moving a tenant to another version by canary or blue-green is
 * a plugin deployment ({@code POST /api/v1/plugins/{pluginId}/deployments}).
 */
@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/plugins")
class TenantPluginController {

  private final Writes writes;
  private final StoreRouter router;
  private final PluginRegistry registry;
  private final TenantScope scope;
  private final PluginAssignments assignments;
  private final Duration readYourWritesWait;

  TenantPluginController(Writes writes, StoreRouter router, PluginRegistry registry, TenantScope scope, PluginAssignments assignments,
                         Duration readYourWritesWait) {
    this.writes = writes;
    this.router = router;
    this.registry = registry;
    this.scope = scope;
    this.assignments = assignments;
    this.readYourWritesWait = readYourWritesWait;
  }

  /**
   * The desired state of a tenant's plugin in one environment; PUT replaces it whole, except that
   * credentials left out are kept ({@code "credentials": {}} removes them).
   *
   * @param version an exact version; or
   * @param pin a range (npm style: {@code 1.x}, {@code ^1.2.0}) the tenant stays within: the newest
   *     registered version in it is assigned now; neither: the newest version
   */
  record Assign(String environment, Boolean enabled, String version, String pin, Map<String, JsonNode> config,
                Map<String, String> credentials) {}

  @PutMapping("/{pluginId}")
  ResponseEntity<?> assign(@PathVariable String tenantId, @PathVariable String pluginId, @RequestBody Assign body,
                           HttpServletRequest request) {
    scope.visibleTenant(TenantIds.require(tenantId));
    if (body == null) {
      throw Rejection.badRequest("missing-body", "a JSON body is required", null);
    }
    String env = Environments.require(body.environment() == null ? "development" : body.environment());
    PluginAssignment assignment = assignments.assignment(tenantId, env, pluginId, body.enabled() == null || body.enabled(), body.version(), body.pin(),
        body.config(), body.credentials(), request);
    if (body.credentials() == null) {
      assignment = assignment.keepingCredentials(); // rollout carries the current ones over ({} removes them)
    }
    StoreKeys.ConfigId id = new StoreKeys.ConfigId(tenantId, env, PluginAssignment.key(pluginId));
    boolean exists = CurrentConfig.current(router, id, request) != null;
    Command command = Commands.envelope(exists ? CommandType.CONFIG_UPDATE : CommandType.CONFIG_CREATE, tenantId, request, scope.subject())
        .setConfig(ConfigPayload.newBuilder().setEnvironment(env).setKey(id.key()).setValue(assignment.toJson())
            .setValueType(ValueType.JSON).setTags(List.of("plugin")).setDescription("plugin " + pluginId)
            .build())
        .build();
    CommandResult result = writes.submit(command);
    if (Writes.isHeld(result)) {
      return writes.held(result, Map.of("tenantId", tenantId, "pluginId", pluginId, "environment", env));
    }
    return writes.answer(exists ? HttpStatus.OK : HttpStatus.CREATED, Long.toString(result.getVersion()), shown(id, result.getVersion()));
  }

  @GetMapping("/{pluginId}")
  ResponseEntity<?> get(@PathVariable String tenantId, @PathVariable String pluginId, @RequestParam(required = false) String environment,
                        @RequestParam(required = false) Long minVersion, HttpServletRequest request) {
    scope.visibleTenant(TenantIds.require(tenantId));
    String env = Environments.require(environment == null ? "development" : environment);
    StoreKeys.ConfigId id = new StoreKeys.ConfigId(tenantId, env, PluginAssignment.key(PluginVersions.requireId(pluginId, "pluginId")));
    if (minVersion != null && minVersion < 1) {
      throw Rejection.badRequest("invalid-min-version", "minVersion must be 1 or more (got " + minVersion + ")", "minVersion");
    }
    return router.route(tenantId, request, partition -> {
      ConfigEntry entry = ReadYourWrites.await(router, partition, id.storeKey(), minVersion, readYourWritesWait);
      if (entry == null || entry.getDeleted()) {
        throw Rejection.notFound("plugin-not-assigned", "tenant '" + tenantId + "' has no plugin '" + pluginId + "' in " + env, "pluginId");
      }
      return ResponseEntity.ok().eTag(Long.toString(entry.getVersion())).body(view(entry, partition));
    });
  }

  /** What the tenant runs of every plugin (in one environment, or all), and why. */
  @GetMapping
  ResponseEntity<?> list(@PathVariable String tenantId, @RequestParam(required = false) String environment, HttpServletRequest request) {
    scope.visibleTenant(TenantIds.require(tenantId));
    List<String> envs = environment == null ? io.hotswap.protocol.Topics.ENVIRONMENTS : List.of(Environments.require(environment));
    return router.route(tenantId, request, partition -> {
      ReadOnlyKeyValueStore<String, ConfigEntry> store = router.localStore(ReadTopology.CONFIG_STORE, partition);
      List<Map<String, Object>> items = new ArrayList<>();
      for (String env : envs) {
        String prefix = StoreKeys.environmentPrefix(tenantId, env) + PluginAssignment.KEY_PREFIX;
        try (KeyValueIterator<String, ConfigEntry> it = store.prefixScan(prefix, Serdes.String().serializer())) {
          it.forEachRemaining(kv -> {
            if (!kv.value.getDeleted()) {
              items.add(view(kv.value, partition));
            }
          });
        }
      }
      return ResponseEntity.ok(Map.of("tenantId", tenantId, "plugins", items));
    });
  }

  /** Removes the plugin from the tenant's environment: its hosts stop and unload it. */
  @DeleteMapping("/{pluginId}")
  ResponseEntity<?> remove(@PathVariable String tenantId, @PathVariable String pluginId, @RequestParam(required = false) String environment,
                           HttpServletRequest request) {
    scope.visibleTenant(TenantIds.require(tenantId));
    String env = Environments.require(environment == null ? "development" : environment);
    String key = PluginAssignment.key(PluginVersions.requireId(pluginId, "pluginId"));
    CommandResult result = writes.submit(Commands.envelope(CommandType.CONFIG_DELETE, tenantId, request, scope.subject())
        .setConfig(ConfigPayload.newBuilder().setEnvironment(env).setKey(key).build())
        .build());
    if (Writes.isHeld(result)) {
      return writes.held(result, Map.of("tenantId", tenantId, "pluginId", pluginId, "environment", env));
    }
    return ResponseEntity.noContent().build();
  }

  private Writes.Shown shown(StoreKeys.ConfigId id, long version) {
    String pluginId = PluginAssignment.pluginOf(id.key());
    return new Writes.Shown(id.tenantId(), "/api/v1/tenants/" + id.tenantId() + "/plugins/" + pluginId,
        "environment=" + id.environment() + "&minVersion=" + version,
        partition -> ResponseEntity.ok(view(ReadYourWrites.await(router, partition, id.storeKey(), version, readYourWritesWait), partition)));
  }

  /** An assignment as the API shows it: what runs, why, what the registry says of it now, and a deployment under way. */
  private Map<String, Object> view(ConfigEntry entry, int partition) {
    PluginAssignment a = PluginAssignment.parse(entry.getKey(), entry.getValue());
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("tenantId", entry.getTenantId());
    view.put("environment", entry.getEnvironment());
    view.put("pluginId", a.pluginId());
    view.put("version", a.version());
    view.put("enabled", a.enabled());
    view.put("pin", a.pin());
    view.put("source", a.source());
    view.put("config", a.config());
    view.put("credentials", a.maskedCredentials(ConfigView.MASK));
    view.put("dependencies", a.artifacts().subList(0, Math.max(0, a.artifacts().size() - 1)).stream()
        .map(x -> PluginVersions.coordinates(x.pluginId(), x.version())).toList());
    PluginVersion registered = registry.version(a.pluginId(), a.version());
    if (registered != null && registered.getDeprecated()) {
      view.put("deprecated", true);
      view.put("deprecationReason", registered.getDeprecationReason());
    }
    Deployment running = activeDeployment(entry, partition);
    if (running != null) {
      PluginAssignment stable = running.getStableValue() == null ? null : PluginAssignment.parse(entry.getKey(), running.getStableValue());
      PluginAssignment candidate = running.getCandidateValue() == null ? null : PluginAssignment.parse(entry.getKey(), running.getCandidateValue());
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("deploymentId", running.getDeploymentId());
      d.put("strategy", running.getStrategy().name());
      d.put("status", running.getStatus().name());
      d.put("percentage", running.getPercentage());
      d.put("stableVersion", stable == null ? null : stable.version());
      d.put("candidateVersion", candidate == null ? null : candidate.version());
      view.put("deployment", d);
    }
    view.put("why", why(a, running));
    view.put("configVersion", entry.getVersion());
    view.put("updatedAt", entry.getUpdatedAt());
    view.put("updatedBy", entry.getUpdatedBy());
    return view;
  }

  private static String why(PluginAssignment a, Deployment running) {
    if (!a.enabled()) {
      return "disabled";
    }
    if (running != null) {
      return "deployment in progress";
    }
    return switch (a.source() == null ? "" : a.source()) {
      case "pinned" -> "pinned to " + a.pin();
      case "explicit" -> "version chosen explicitly";
      case "deployment" -> "rolled out by a deployment";
      default -> "the newest version when assigned";
    };
  }

  private Deployment activeDeployment(ConfigEntry entry, int partition) {
    ReadOnlyKeyValueStore<String, Deployment> store = router.localStore(ReadTopology.DEPLOYMENTS_STORE, partition);
    try (KeyValueIterator<String, Deployment> it = store.prefixScan(StoreKeys.tenantPrefix(entry.getTenantId()), Serdes.String().serializer())) {
      while (it.hasNext()) {
        Deployment d = it.next().value;
        if (d.getKey().equals(entry.getKey()) && d.getEnvironment().equals(entry.getEnvironment())
            && (d.getStatus() == DeploymentStatus.RUNNING || d.getStatus() == DeploymentStatus.PAUSED)) {
          return d;
        }
      }
    }
    return null;
  }
}
