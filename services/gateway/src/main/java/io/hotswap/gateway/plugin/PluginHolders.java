package io.hotswap.gateway.plugin;

import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.Tenant;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.plugin.PluginVersions;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.protocol.PluginAssignment;
import io.hotswap.protocol.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Which tenants run a plugin version, and where: the tenant/environment pairs whose enabled
 * assignment names it. Each gateway instance holds the assignments of the tenants it owns, so the
 * answer is this instance's, then each peer's ({@code /internal/} API, peers only). Asked when a
 * version is deprecated, to tell every tenant that runs it; an instance joining or leaving in that
 * moment may leave a tenant out of the notice (its plugin list still says "deprecated").
 */
@RestController
class PluginHolders {

  private final StoreRouter router;

  PluginHolders(StoreRouter router) {
    this.router = router;
  }

  /** {@code tenant/environment} of every assignment running the version, over all gateway instances, sorted. */
  List<String> runningIn(String pluginId, String version) {
    TreeSet<String> all = new TreeSet<>(local(pluginId, version));
    for (org.apache.kafka.streams.state.HostInfo peer : router.peers()) {
      all.addAll(List.of(router.post(peer, path(pluginId, version), String[].class)));
    }
    return List.copyOf(all);
  }

  @PostMapping("/internal/v1/plugins/{pluginId}/versions/{version}/running-in")
  List<String> local(@PathVariable String pluginId, @PathVariable String version) {
    PluginVersions.requireId(pluginId, "pluginId");
    ReadOnlyKeyValueStore<String, ConfigEntry> configs = router.storeIfRunning(ReadTopology.CONFIG_STORE);
    if (configs == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    String key = PluginAssignment.key(pluginId);
    try (KeyValueIterator<String, Tenant> tenants = router.<Tenant>globalStore(ReadTopology.TENANTS_STORE).all()) {
      tenants.forEachRemaining(t -> {
        for (String env : Topics.ENVIRONMENTS) {
          ConfigEntry e = configs.get(new StoreKeys.ConfigId(t.key, env, key).storeKey());
          if (e != null && !e.getDeleted()) {
            PluginAssignment a = PluginAssignment.parse(e.getKey(), e.getValue());
            if (a.enabled() && a.version().equals(version)) {
              out.add(t.key + "/" + env);
            }
          }
        }
      });
    }
    return out;
  }

  private static String path(String pluginId, String version) {
    return "/internal/v1/plugins/" + pluginId + "/versions/" + version + "/running-in";
  }
}
