package io.hotswap.gateway.profile;

import io.hotswap.avro.ConfigProfile;
import io.hotswap.core.domain.StoreKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** The profile reads, over the owner's profile store (versions sort ascending by semantic version within a profile). */
public final class ProfileQueries {

  private ProfileQueries() {}

  /** Each profile's newest version, optionally of one environment and/or service. */
  static List<ConfigProfile> current(ReadOnlyKeyValueStore<String, ConfigProfile> store, String tenantId, String environment,
                                     String service) {
    Map<String, ConfigProfile> newest = new LinkedHashMap<>();
    try (KeyValueIterator<String, ConfigProfile> it = store.prefixScan(StoreKeys.tenantPrefix(tenantId), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> newest.put(kv.value.getProfileId(), kv.value)); // ascending: the last one stays
    }
    return newest.values().stream()
        .filter(p -> (environment == null || p.getEnvironment().equals(environment)) && (service == null || p.getService().equals(service)))
        .toList();
  }

  /** A profile's newest version (by semantic version), or null. */
  public static ConfigProfile latest(ReadOnlyKeyValueStore<String, ConfigProfile> store, StoreKeys.ProfileId id) {
    List<ConfigProfile> all = versions(store, id);
    return all.isEmpty() ? null : all.getLast();
  }

  /** A profile's versions, oldest first (empty when there is no such profile). */
  static List<ConfigProfile> versions(ReadOnlyKeyValueStore<String, ConfigProfile> store, StoreKeys.ProfileId id) {
    List<ConfigProfile> out = new ArrayList<>();
    try (KeyValueIterator<String, ConfigProfile> it = store.prefixScan(id.storeKey() + StoreKeys.SEP, Serdes.String().serializer())) {
      it.forEachRemaining(kv -> out.add(kv.value));
    }
    return out;
  }
}
