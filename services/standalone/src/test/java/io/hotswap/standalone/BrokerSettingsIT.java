package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker sizes its thread pools to the machine and takes its own settings from
 * {@code -Dhotswap.kafka.broker.<setting>}, as {@code HOTSWAP_JAVA_OPTS} passes them to
 * {@code ./hotswap up}: what the running broker reports through the Admin API is what was asked
 * for, and the platform's own defaults stay where nothing was.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BrokerSettingsIT {

  @Test
  void shouldRunWithTheSettingsGivenAsSystemProperties(@TempDir Path dir) throws Exception {
    System.setProperty("hotswap.kafka.broker.num.io.threads", "11");
    KafkaBroker broker;
    try {
      broker = new KafkaBroker(dir, PlatformTest.freePort(), PlatformTest.freePort()).start();
    } finally {
      System.clearProperty("hotswap.kafka.broker.num.io.threads");
    }
    try (broker; Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "1");
      Config config = admin.describeConfigs(List.of(node)).all().get(30, TimeUnit.SECONDS).get(node);
      assertThat(config.get("num.io.threads").value()).isEqualTo("11");
      // not given: half a network thread per core, at least one and at most Kafka's 3
      int cores = Runtime.getRuntime().availableProcessors();
      assertThat(config.get("num.network.threads").value()).isEqualTo(Integer.toString(Math.clamp(cores / 2, 1, 3)));
      // untouched: the embedded broker's own default, not Kafka's (50)
      assertThat(config.get("offsets.topic.num.partitions").value()).isEqualTo("3");
    }
  }

  @Test
  void shouldTakeOnlyTheNamedSettings() {
    java.util.Properties system = new java.util.Properties();
    system.setProperty("hotswap.kafka.broker.log.retention.hours", "24");
    system.setProperty("hotswap.kafka.broker.", "ignored: no setting named");
    system.setProperty("hotswap.kafka.bootstrap", "not a broker setting");
    system.setProperty("num.io.threads", "99");
    assertThat(KafkaBroker.overrides(system)).containsExactly(Map.entry("log.retention.hours", "24"));
  }
}
