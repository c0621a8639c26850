package io.hotswap.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class PipelineReadinessTest {

  @Test
  void shouldFindAProbeTenantForEveryPartitionAsTheProducerPlacesIt() {
    for (int partitions : new int[] {1, 3, 6, 12}) {
      Set<Integer> covered = new HashSet<>();
      for (int p = 0; p < partitions; p++) {
        String tenant = PipelineReadiness.tenantFor(p, partitions);
        assertThat(tenant).startsWith(PipelineReadiness.PROBE_TENANT).matches("[A-Za-z0-9-]{3,50}");
        // the producer's own placement of a keyed record
        covered.add(BuiltInPartitioner.partitionForKey(tenant.getBytes(StandardCharsets.UTF_8), partitions));
      }
      assertThat(covered).hasSize(partitions);
    }
  }
}
