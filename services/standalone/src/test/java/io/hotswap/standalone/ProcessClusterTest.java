package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code ./hotswap cluster} reads before it starts anything: the instance counts and compose's environments. */
class ProcessClusterTest {

  @Test
  void shouldRunEveryServiceAtLeastOnceAndAsManyAsAsked() {
    assertThat(ProcessCluster.counts("gateway=2, rollout=3")).containsExactly(Map.entry("audit", 1), Map.entry("rollout", 3),
        Map.entry("approval", 1), Map.entry("validation", 1), Map.entry("gateway", 2));
    assertThat(ProcessCluster.counts("")).containsValues(1, 1, 1, 1, 1);
    assertThatThrownBy(() -> ProcessCluster.counts("gateways=2")).hasMessageContaining("expected service=count");
    assertThatThrownBy(() -> ProcessCluster.counts("gateway")).hasMessageContaining("expected service=count");
    assertThatThrownBy(() -> ProcessCluster.counts("rollout=0")).hasMessageContaining("1 to 9 instances of rollout");
  }

  @Test
  void shouldGiveEachServiceTheEnvironmentComposeGivesIt() throws Exception {
    Map<String, Map<String, String>> env = ProcessCluster.composeEnvironments(Path.of("../../docker-compose.yml"));
    assertThat(env).containsOnlyKeys(ProcessCluster.ORDER);
    // the shared block (a YAML anchor merged into each service) and each service's own entries
    env.values().forEach(e -> assertThat(e).containsKeys("HOTSWAP_KAFKA_BOOTSTRAP", "HOTSWAP_PARTITIONS", "HOTSWAP_STATE_DIR"));
    assertThat(env.get("gateway")).containsKeys("HOTSWAP_AUDIT_URL", "HOTSWAP_GATEWAY_ADVERTISED_HOST");
    assertThat(env.get("audit")).containsEntry("HOTSWAP_DB_USER", "hotswap").containsKey("HOTSWAP_DB_URL");
    assertThat(env.get("rollout")).doesNotContainKey("HOTSWAP_DB_URL");
  }
}
