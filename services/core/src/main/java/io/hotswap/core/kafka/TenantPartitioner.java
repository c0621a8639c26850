package io.hotswap.core.kafka;

import io.hotswap.core.domain.StoreKeys;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions tenant-scoped records by their tenant: the partition of {@code acme|development|x}
 * equals the default partition of the plain key {@code acme}, so commands (keyed by tenant) and
 * every state topic (composite keys) are co-partitioned, and all of a tenant's keys sit in one
 * partition (a local prefix scan answers "all keys of tenant T").
 */
public final class TenantPartitioner<V> implements StreamPartitioner<String, V> {

  public static int partition(String key, int numPartitions) {
    return io.hotswap.protocol.Topics.partitionOf(StoreKeys.tenantOf(key), numPartitions);
  }

  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
    return Optional.of(Set.of(partition(key, numPartitions)));
  }
}
