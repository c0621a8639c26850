package io.hotswap.gateway.metrics;

import io.hotswap.avro.Deployment;
import io.hotswap.avro.InstanceState;
import io.hotswap.avro.InstanceStatus;
import io.hotswap.avro.Tenant;
import io.hotswap.avro.TenantStatus;
import io.hotswap.core.deploy.DeploymentMachine;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Predicate;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.stereotype.Component;

/**
 * The platform's state as the seeds' gauges name it, read from the gateway's stores at each
 * scrape: {@code tenants.active}, {@code instances.registered}, {@code instances.healthy} (from
 * global stores: the same on every gateway, read them with {@code max}) and
 * {@code deployments.in_progress} (running or paused, of the tenants this gateway owns: add them
 * up across gateways with {@code sum}). While the gateway's streams are not running they are
 * absent (NaN) rather than zero, so an alert does not mistake a restart for an empty platform.
 */
@Component
class PlatformGauges {

  PlatformGauges(StoreRouter router, MeterRegistry meters) {
    Gauge.builder("tenants.active", () -> count(router, ReadTopology.TENANTS_STORE,
            (Tenant t) -> t.getStatus() == TenantStatus.ACTIVE))
        .description("Tenants whose status is Active").register(meters);
    Gauge.builder("instances.registered", () -> count(router, ReadTopology.INSTANCES_STORE, (InstanceState s) -> true))
        .description("Service instances in the registry").register(meters);
    Gauge.builder("instances.healthy", () -> count(router, ReadTopology.INSTANCES_STORE,
            (InstanceState s) -> s.getStatus() == InstanceStatus.HEALTHY))
        .description("Service instances rated Healthy").register(meters);
    Gauge.builder("deployments.in_progress", () -> count(router, ReadTopology.DEPLOYMENTS_STORE, (Deployment d) -> DeploymentMachine.active(d)))
        .description("Running or paused deployments of the tenants this gateway owns").register(meters);
  }

  private static <V> double count(StoreRouter router, String store, Predicate<V> counted) {
    ReadOnlyKeyValueStore<String, V> values = router.storeIfRunning(store);
    if (values == null) {
      return Double.NaN;
    }
    long n = 0;
    try (KeyValueIterator<String, V> it = values.all()) {
      while (it.hasNext()) {
        V v = it.next().value;
        if (v != null && counted.test(v)) {
          n++;
        }
      }
    }
    return n;
  }
}
