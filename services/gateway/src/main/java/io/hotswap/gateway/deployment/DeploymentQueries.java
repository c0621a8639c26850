package io.hotswap.gateway.deployment;

import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentStatus;
import io.hotswap.core.domain.StoreKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** The deployment reads, over the owner's deployment store. */
final class DeploymentQueries {

  private DeploymentQueries() {}

  /** Which deployments a list shows (null: any). */
  record Filter(DeploymentStatus status, String environment, String key) {
    boolean matches(Deployment d) {
      return (status == null || d.getStatus() == status) && (environment == null || d.getEnvironment().equals(environment))
          && (key == null || d.getKey().equals(key));
    }
  }

  /** A tenant's deployments, newest first. */
  static List<Deployment> list(ReadOnlyKeyValueStore<String, Deployment> store, String tenantId, Filter filter) {
    List<Deployment> items = new ArrayList<>();
    try (KeyValueIterator<String, Deployment> it = store.prefixScan(StoreKeys.tenantPrefix(tenantId), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> {
        if (filter.matches(kv.value)) {
          items.add(kv.value);
        }
      });
    }
    items.sort(Comparator.comparing(Deployment::getCreatedAt).reversed());
    return items;
  }
}
