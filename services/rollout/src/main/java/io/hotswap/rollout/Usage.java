package io.hotswap.rollout;

import io.hotswap.avro.ConfigEntry;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.protocol.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How many live keys each tenant has per environment, and so in all: what its quotas are checked
 * against. Kept beside the keys themselves, in the same store transaction, so the count can't
 * drift from them; a count not kept yet (state from before this store existed) is counted once
 * from the keys and kept from then on. Only the per-environment counts are kept: every kept count
 * is a changelog record in each write's transaction, and the tenant's total is the sum of four.
 * (Stores from before that hold a total under the tenant's own prefix; it is no longer read.)
 */
final class Usage {

  private final KeyValueStore<String, Long> counts;
  private final KeyValueStore<String, ConfigEntry> configs;

  Usage(KeyValueStore<String, Long> counts, KeyValueStore<String, ConfigEntry> configs) {
    this.counts = counts;
    this.configs = configs;
  }

  /** Live keys of the tenant in every environment. */
  long keys(String tenant) {
    return Topics.ENVIRONMENTS.stream().mapToLong(env -> keys(tenant, env)).sum();
  }

  /** Live keys of the tenant in one environment. */
  long keys(String tenant, String environment) {
    return count(StoreKeys.environmentPrefix(tenant, environment));
  }

  /** Environments in which the tenant has at least one live key. */
  long environmentsInUse(String tenant) {
    return Topics.ENVIRONMENTS.stream().filter(env -> keys(tenant, env) > 0).count();
  }

  /** A key of {@code environment} came to life ({@code +1}) or was deleted ({@code -1}). */
  void add(String tenant, String environment, int delta) {
    String prefix = StoreKeys.environmentPrefix(tenant, environment);
    counts.put(prefix, Math.max(0, count(prefix) + delta));
  }

  private long count(String prefix) {
    Long kept = counts.get(prefix);
    if (kept != null) {
      return kept;
    }
    long live = 0;
    try (var it = configs.prefixScan(prefix, Serdes.String().serializer())) {
      while (it.hasNext()) {
        if (!it.next().value.getDeleted()) {
          live++;
        }
      }
    }
    counts.put(prefix, live);
    return live;
  }
}
