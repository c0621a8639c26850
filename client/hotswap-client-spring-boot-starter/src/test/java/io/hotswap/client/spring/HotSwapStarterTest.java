package io.hotswap.client.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.client.HotSwapClient;
import io.hotswap.client.test.TestSnapshots;
import io.hotswap.client.test.TestValue;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * The starter with Kafka away: a service still starts from its snapshot file, sees HotSwap's values
 * as properties, and its health says how stale they are.
 */
class HotSwapStarterTest {

  @ConfigurationProperties("payment")
  static class Payment {
    private int timeoutMs = 1000;

    public int getTimeoutMs() {
      return timeoutMs;
    }

    public void setTimeoutMs(int timeoutMs) {
      this.timeoutMs = timeoutMs;
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(Payment.class)
  static class App {
    @Value("${feature.new_ui:false}")
    boolean newUi;
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private ApplicationContextRunner runner(Path file, String maxStale) throws Exception {
    TestSnapshots.write(file, "production",
        TestValue.number("acme", "payment.timeout-ms", 2500).version(3),
        TestValue.bool("acme", "feature.new_ui", true).version(3),
        TestValue.profile("acme", "payment-service", "{\"retries\":3,\"region\":{\"primary\":\"eu\"},\"hosts\":[\"a\",\"b\"]}", "1.0.0"));
    return new ApplicationContextRunner()
        .withInitializer(new HotSwapInitializer())
        .withConfiguration(AutoConfigurations.of(HotSwapAutoConfiguration.class))
        .withUserConfiguration(App.class)
        .withPropertyValues("hotswap.client.bootstrap-servers=localhost:" + closedPort(), "hotswap.client.environment=production",
            "hotswap.client.tenant=acme", "hotswap.client.service=payment-service", "hotswap.client.register=false",
            "hotswap.client.snapshot-file=" + file, "hotswap.client.startup-timeout=PT0.5S", "hotswap.client.max-stale-age=" + maxStale);
  }

  @Test
  void shouldStartFromTheSnapshotFileWhenKafkaIsAwayAndShowItsValuesAsProperties(@TempDir Path dir) throws Exception {
    runner(dir.resolve("s.json"), "PT1H").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(Payment.class).getTimeoutMs()).isEqualTo(2500);
      assertThat(context.getBean(App.class).newUi).isTrue();
      assertThat(context.getEnvironment().getProperty("retries")).isEqualTo("3");
      assertThat(context.getEnvironment().getProperty("region.primary")).isEqualTo("eu");
      assertThat(context.getEnvironment().getProperty("hosts[1]")).isEqualTo("b");
      HotSwapClient client = context.getBean(HotSwapClient.class);
      assertThat(client.status().servingFromFile()).isTrue();
      var health = context.getBean("hotSwapHealthIndicator", HealthIndicator.class).health();
      assertThat(health.getStatus()).as("stale for less than max-stale-age").isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("servingFromFile", true).containsEntry("connected", false);
    });
  }

  @Test
  void shouldPlaceHotSwapValuesWherePrecedenceSays(@TempDir Path dir) throws Exception {
    // default FIRST: HotSwap wins over a system property and the application's own settings
    runner(dir.resolve("first.json"), "PT1H").withSystemProperties("payment.timeout-ms=7000").withPropertyValues("payment.timeout-ms=9")
        .run(context -> {
          assertThat(context.getEnvironment().getPropertySources().iterator().next().getName()).isEqualTo(HotSwapPropertySource.NAME);
          assertThat(context.getBean(Payment.class).getTimeoutMs()).isEqualTo(2500);
        });
    // AFTER_SYSTEM_ENVIRONMENT: an operator's system property (or env var) pins the value for this instance
    runner(dir.resolve("system.json"), "PT1H").withSystemProperties("payment.timeout-ms=7000")
        .withPropertyValues("hotswap.client.precedence=after-system-environment").run(context -> {
          assertThat(context.getBean(Payment.class).getTimeoutMs()).isEqualTo(7000);
          assertThat(context.getBean(App.class).newUi).as("keys nobody pins still come from HotSwap").isTrue();
          var names = context.getEnvironment().getPropertySources().stream().map(ps -> ps.getName()).toList();
          assertThat(names.indexOf(HotSwapPropertySource.NAME)).isEqualTo(names.indexOf("systemEnvironment") + 1);
        });
    // LAST: HotSwap only fills in what the application doesn't set
    runner(dir.resolve("last.json"), "PT1H").withPropertyValues("hotswap.client.precedence=last", "payment.timeout-ms=9").run(context -> {
      assertThat(context.getBean(Payment.class).getTimeoutMs()).isEqualTo(9);
      assertThat(context.getBean(App.class).newUi).isTrue();
      assertThat(context.getEnvironment().getProperty("region.primary")).isEqualTo("eu");
    });
  }

  @Test
  void shouldReportDownOnceTheFileIsStalerThanTheLimit(@TempDir Path dir) throws Exception {
    runner(dir.resolve("s.json"), "PT0S").run(context -> {
      var health = context.getBean("hotSwapHealthIndicator", HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails()).containsKey("staleFor").containsEntry("servingFromFile", true);
    });
  }

  @Test
  void shouldFailStartUpWhenFailFastAndNeitherKafkaNorAFileAnswers() throws Exception {
    new ApplicationContextRunner().withInitializer(new HotSwapInitializer())
        .withPropertyValues("hotswap.client.bootstrap-servers=localhost:" + closedPort(), "hotswap.client.environment=production",
            "hotswap.client.tenant=acme", "hotswap.client.register=false", "hotswap.client.startup-timeout=PT0.3S",
            "hotswap.client.fail-fast=true")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void shouldRateHealthFromTheClientsStatus() {
    Duration max = Duration.ofMinutes(5);
    io.hotswap.client.Status fresh = new io.hotswap.client.Status(true, true, 0, null, false, Duration.ZERO, 3, null, null);
    io.hotswap.client.Status reconnecting = new io.hotswap.client.Status(false, true, -1, Duration.ofMinutes(1), false, Duration.ofMinutes(1), 3, null, "broker away");
    io.hotswap.client.Status tooOld = new io.hotswap.client.Status(false, false, -1, null, true, Duration.ofMinutes(6), 3, Instant.now(), "unreachable");
    io.hotswap.client.Status nothing = new io.hotswap.client.Status(false, false, -1, null, false, null, 0, null, "unreachable");
    assertThat(HotSwapAutoConfiguration.health(fresh, max).getStatus()).isEqualTo(Status.UP);
    assertThat(HotSwapAutoConfiguration.health(reconnecting, max).getStatus()).isEqualTo(Status.UP);
    assertThat(HotSwapAutoConfiguration.health(tooOld, max).getStatus()).isEqualTo(Status.DOWN);
    assertThat(HotSwapAutoConfiguration.health(nothing, max).getStatus()).as("never had data").isEqualTo(Status.DOWN);
  }
}
