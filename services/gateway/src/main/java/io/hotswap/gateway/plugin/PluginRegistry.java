package io.hotswap.gateway.plugin;

import io.hotswap.avro.PluginVersion;
import io.hotswap.core.plugin.PluginVersions;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads of the plugin registry from the gateway's global store of every plugin version: the store
 * keys ({@code pluginId|<sortable version>}) put each plugin's versions in version order.
 */
public final class PluginRegistry {

  private final StoreRouter router;

  public PluginRegistry(StoreRouter router) {
    this.router = router;
  }

  /** Every version of a plugin, oldest first; empty when there is none. */
  public List<PluginVersion> versions(String pluginId) {
    List<PluginVersion> out = new ArrayList<>();
    try (KeyValueIterator<String, PluginVersion> it = store().prefixScan(PluginVersions.prefix(pluginId), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> out.add(kv.value));
    }
    return out;
  }

  public PluginVersion version(String pluginId, String version) {
    return store().get(PluginVersions.key(pluginId, version));
  }

  /** Every version of every plugin, by plugin id (ids in order, versions oldest first). */
  public Map<String, List<PluginVersion>> all() {
    Map<String, List<PluginVersion>> out = new LinkedHashMap<>();
    try (KeyValueIterator<String, PluginVersion> it = store().all()) {
      it.forEachRemaining(kv -> out.computeIfAbsent(kv.value.getPluginId(), k -> new ArrayList<>()).add(kv.value));
    }
    out.values().forEach(v -> v.sort(java.util.Comparator.comparing(p -> PluginVersions.key(p.getPluginId(), p.getVersion()))));
    return out;
  }

  /** Every registered version in one list: what dependencies resolve among. */
  public List<PluginVersion> everyVersion() {
    return all().values().stream().flatMap(List::stream).toList();
  }

  private ReadOnlyKeyValueStore<String, PluginVersion> store() {
    return router.globalStore(ReadTopology.PLUGINS_STORE);
  }
}
