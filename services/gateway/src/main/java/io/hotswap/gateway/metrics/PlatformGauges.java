package io.hotswap.gateway.metrics;

import io.hotswap.avro.ApprovalRequest;
import io.hotswap.avro.ApprovalStatus;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentStatus;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.avro.InstanceState;
import io.hotswap.avro.InstanceStatus;
import io.hotswap.avro.Tenant;
import io.hotswap.avro.TenantStatus;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.stereotype.Component;

/**
 * The platform's state as the seeds' gauges name it, read from the gateway's stores when
 * Prometheus scrapes. From global stores — the same on every gateway, read them with {@code max}:
 * {@code tenants.active}, {@code instances.registered}, {@code instances.healthy},
 * {@code instances.status} (tag {@code status}: healthy, degraded, unhealthy) and
 * {@code approvals.pending}. Of the tenants this gateway owns — add them up across gateways with
 * {@code sum}: {@code configs.active} (keys not deleted, all environments) and
 * {@code deployments.in_progress} (tags {@code strategy} and {@code status}: running or paused) and
 * {@code deployments.oldest_in_progress} (seconds since the oldest of them started: use {@code max}).
 * Every tag takes values from a fixed set, so the series stay few whatever the number of tenants.
 *
 * <p>Each store is read once per scrape (the counts are kept for a second, so the gauges of one
 * scrape agree). While the gateway's streams are not running the gauges are absent (NaN) rather
 * than zero, so an alert does not mistake a restart for an empty platform.
 */
@Component
class PlatformGauges {

  private static final Duration KEPT = Duration.ofSeconds(1);
  private final StoreRouter router;
  private final Map<String, Counts> counted = new java.util.concurrent.ConcurrentHashMap<>();

  /** What one read of a store counted, per group, and when it was read. */
  private record Counts(Map<String, Long> groups, long readAt) {}

  PlatformGauges(StoreRouter router, MeterRegistry meters) {
    this.router = router;
    Function<Tenant, String> tenantStatus = t -> lower(t.getStatus());
    Function<InstanceState, String> instanceStatus = s -> lower(s.getStatus());
    Function<ApprovalRequest, String> approvalStatus = a -> lower(a.getStatus());
    Function<ConfigEntry, String> deleted = c -> c.getDeleted() ? "deleted" : "active";
    Function<Deployment, String> deployment = d -> lower(d.getStrategy()) + '|' + lower(d.getStatus());
    gauge(meters, "tenants.active", "Tenants whose status is Active", ReadTopology.TENANTS_STORE, tenantStatus, lower(TenantStatus.ACTIVE));
    gauge(meters, "instances.registered", "Service instances in the registry", ReadTopology.INSTANCES_STORE, instanceStatus, null);
    gauge(meters, "instances.healthy", "Service instances rated Healthy", ReadTopology.INSTANCES_STORE, instanceStatus, lower(InstanceStatus.HEALTHY));
    for (InstanceStatus status : InstanceStatus.values()) {
      Gauge.builder("instances.status", () -> count(ReadTopology.INSTANCES_STORE, instanceStatus, lower(status)))
          .description("Service instances by the status the registry rates them").tag("status", lower(status)).register(meters);
    }
    gauge(meters, "approvals.pending", "Changes held for approval, not yet decided or expired", ReadTopology.APPROVALS_STORE,
        approvalStatus, lower(ApprovalStatus.PENDING));
    gauge(meters, "configs.active", "Keys (not deleted) of the tenants this gateway owns, all environments", ReadTopology.CONFIG_STORE,
        deleted, "active");
    for (DeploymentStrategy strategy : DeploymentStrategy.values()) {
      if (strategy == DeploymentStrategy.UNKNOWN) {
        continue;
      }
      for (DeploymentStatus status : new DeploymentStatus[] {DeploymentStatus.RUNNING, DeploymentStatus.PAUSED}) {
        Gauge.builder("deployments.in_progress", () -> count(ReadTopology.DEPLOYMENTS_STORE, deployment, lower(strategy) + '|' + lower(status)))
            .description("Running or paused deployments of the tenants this gateway owns")
            .tag("strategy", lower(strategy)).tag("status", lower(status)).register(meters);
      }
    }
    Gauge.builder("deployments.oldest_in_progress", this::oldestInProgress).baseUnit("seconds")
        .description("Age of the oldest running or paused deployment of the tenants this gateway owns (0: none)").register(meters);
  }

  /** Seconds since the oldest active deployment started: a deployment that never ends shows here. */
  private double oldestInProgress() {
    ReadOnlyKeyValueStore<String, Deployment> values = router.storeIfRunning(ReadTopology.DEPLOYMENTS_STORE);
    if (values == null) {
      return Double.NaN;
    }
    long oldest = Long.MAX_VALUE;
    try (KeyValueIterator<String, Deployment> it = values.all()) {
      while (it.hasNext()) {
        Deployment d = it.next().value;
        if (d != null && io.hotswap.core.deploy.DeploymentMachine.active(d) && d.getCreatedAt() != null) {
          oldest = Math.min(oldest, d.getCreatedAt().toEpochMilli());
        }
      }
    }
    return oldest == Long.MAX_VALUE ? 0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0;
  }

  private <V> void gauge(MeterRegistry meters, String name, String description, String store, Function<V, String> grouping, String group) {
    Gauge.builder(name, () -> count(store, grouping, group)).description(description).register(meters);
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /**
   * How many values of {@code store} fall in {@code group} (null: all of them); NaN while the store
   * is not readable. Each store has one grouping here, so the gauges of one store share one read.
   */
  private <V> double count(String store, Function<V, String> grouping, String group) {
    long now = System.nanoTime();
    Counts c = counted.get(store);
    if (c == null || now - c.readAt() > KEPT.toNanos()) {
      Map<String, Long> groups = read(store, grouping);
      if (groups == null) {
        counted.remove(store);
        return Double.NaN;
      }
      c = new Counts(groups, now);
      counted.put(store, c);
    }
    return group == null ? c.groups().values().stream().mapToLong(Long::longValue).sum() : c.groups().getOrDefault(group, 0L);
  }

  private <V> Map<String, Long> read(String store, Function<V, String> grouping) {
    ReadOnlyKeyValueStore<String, V> values = router.storeIfRunning(store);
    if (values == null) {
      return null;
    }
    Map<String, Long> groups = new HashMap<>();
    try (KeyValueIterator<String, V> it = values.all()) {
      while (it.hasNext()) {
        V v = it.next().value;
        String g = v == null ? null : grouping.apply(v);
        if (g != null) {
          groups.merge(g, 1L, Long::sum);
        }
      }
    }
    return groups;
  }
}
