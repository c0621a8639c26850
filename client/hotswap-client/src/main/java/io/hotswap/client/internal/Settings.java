package io.hotswap.client.internal;

import io.hotswap.client.Instance;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a client was set up, as its builder collected it. {@code bootstrapServers} null means no
 * Kafka at all (an in-memory client for tests).
 */
public record Settings(String bootstrapServers, String environment, Set<String> tenants, String defaultTenant, Instance instance,
                       String host, Integer port, Path snapshotFile, byte[] masterKey, List<DataKey> dataKeys, Map<String, Object> kafka,
                       boolean register, Duration heartbeatPeriod, Duration healthPeriod, Duration fileWriteInterval, Duration pollTimeout,
                       Duration connectTimeout, Duration reconnectBackoffMax, Duration statusInterval, Clock clock,
                       io.hotswap.protocol.KafkaTracing tracing) {

  /** A data key handed to the builder. */
  public record DataKey(String tenant, int version, byte[] key) {}

  public Settings {
    tenants = Set.copyOf(tenants);
    dataKeys = List.copyOf(dataKeys);
    kafka = Map.copyOf(kafka);
  }

  /** Whether this client keeps a tenant's values (no tenants named: every tenant). */
  boolean wanted(String tenant) {
    return tenants.isEmpty() || tenants.contains(tenant);
  }

  /**
   * Whether this client reads a partition of a topic partitioned by tenant: the partitions of its
   * tenants only (all of them when no tenants are named). Another tenant's records are never kept,
   * so reading them only cost this client and the broker a share of every write on the platform.
   */
  boolean reads(int partition, int partitions) {
    return tenants.isEmpty() || tenants.stream().anyMatch(t -> io.hotswap.protocol.Topics.partitionOf(t, partitions) == partition);
  }
}
