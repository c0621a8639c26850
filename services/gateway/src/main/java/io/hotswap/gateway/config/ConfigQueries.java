package io.hotswap.gateway.config;

import io.hotswap.avro.ConfigEntry;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The config reads, over the stores of the partition that holds the tenant (on its owner): pure
 * functions of the stores, so they are tested on the read topology alone, and the controller only
 * routes, checks and pages.
 */
final class ConfigQueries {

  private ConfigQueries() {}

  /** Which keys a list shows. */
  record Filter(String tag, String prefix, boolean includeDeleted) {

    boolean matches(ConfigEntry e, boolean deletedToo) {
      return (deletedToo || !e.getDeleted())
          && (tag == null || e.getTags().contains(tag))
          && (prefix == null || e.getKey().startsWith(prefix));
    }
  }

  /** Every key of the tenant in every environment, as stored. */
  static List<ConfigView> all(ReadOnlyKeyValueStore<String, ConfigEntry> current, String tenantId, Filter filter) {
    List<ConfigView> items = new ArrayList<>();
    try (KeyValueIterator<String, ConfigEntry> it = current.prefixScan(StoreKeys.tenantPrefix(tenantId), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> {
        if (filter.matches(kv.value, filter.includeDeleted())) {
          items.add(ConfigView.of(kv.value));
        }
      });
    }
    return items;
  }

  /**
   * The values an environment serves, by key: its own ({@code override}), else inherited along its
   * fallbacks ({@code staging}, {@code default} for development's), each saying where it came from.
   * A key deleted in the environment itself shows only when deleted keys are asked for.
   */
  static List<ConfigView> effective(ReadOnlyKeyValueStore<String, ConfigEntry> current, String tenantId, String environment,
                                    Filter filter) {
    Map<String, ConfigView> effective = new TreeMap<>();
    List<String> chain = new ArrayList<>();
    chain.add(environment);
    chain.addAll(Environments.fallbacks(environment));
    for (String source : chain) {
      boolean own = source.equals(environment);
      String label = own ? "override" : source.equals(Environments.DEFAULT) ? "default" : source;
      try (KeyValueIterator<String, ConfigEntry> it =
               current.prefixScan(StoreKeys.environmentPrefix(tenantId, source), Serdes.String().serializer())) {
        it.forEachRemaining(kv -> {
          ConfigEntry e = kv.value;
          if (!effective.containsKey(e.getKey()) && filter.matches(e, filter.includeDeleted() && own)) {
            effective.put(e.getKey(), ConfigView.of(e).from(label));
          }
        });
      }
    }
    return new ArrayList<>(effective.values());
  }

  /** A key's versions, oldest first (empty when the key never existed). */
  static List<ConfigView> versions(ReadOnlyKeyValueStore<String, ConfigEntry> history, StoreKeys.ConfigId id) {
    List<ConfigView> items = new ArrayList<>();
    try (KeyValueIterator<String, ConfigEntry> it =
             history.prefixScan(StoreKeys.versionsPrefix(id.tenantId(), id.environment(), id.key()), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> items.add(ConfigView.of(kv.value)));
    }
    return items;
  }
}
