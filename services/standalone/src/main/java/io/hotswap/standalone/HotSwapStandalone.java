package io.hotswap.standalone;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./hotswap up}: the whole platform in one JVM on its embedded default — a real KRaft
 * Kafka broker (unless {@code HOTSWAP_KAFKA_BOOTSTRAP} names one), PostgreSQL (from {@code
 * HOTSWAP_DB_URL}, else embedded) and the five services. Data under {@code HOTSWAP_DATA_DIR}
 * ({@code ./data}) survives restarts; Ctrl-C stops everything cleanly.
 */
public final class HotSwapStandalone {

  private static final Logger LOG = LoggerFactory.getLogger(HotSwapStandalone.class);

  private HotSwapStandalone() {}

  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    // five contexts in one JVM: logging is configured once, by logback.xml, not re-initialised by each
    System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
    Path data = Path.of(env("HOTSWAP_DATA_DIR", "./data")).toAbsolutePath().normalize();
    Files.createDirectories(data);
    String bootstrap = System.getenv("HOTSWAP_KAFKA_BOOTSTRAP");
    KafkaBroker broker = null;
    if (bootstrap == null || bootstrap.isBlank()) {
      broker = new KafkaBroker(data, Integer.parseInt(env("HOTSWAP_KAFKA_PORT", "9092")),
          Integer.parseInt(env("HOTSWAP_KAFKA_CONTROLLER_PORT", "9093"))).start();
      bootstrap = broker.bootstrapServers();
    }
    String dbUrl = System.getenv("HOTSWAP_DB_URL");
    Postgres postgres = dbUrl == null || dbUrl.isBlank()
        ? Postgres.embedded(data, Integer.parseInt(env("HOTSWAP_DB_PORT", "5433")))
        : Postgres.external(dbUrl, env("HOTSWAP_DB_USER", "hotswap"), env("HOTSWAP_DB_PASSWORD", "hotswap"));

    Map<String, Object> common = new HashMap<>();
    common.put("spring.kafka.bootstrap-servers", bootstrap);
    common.put("hotswap.kafka.partitions", env("HOTSWAP_PARTITIONS", "3"));
    Map<String, Map<String, Object>> perService = new HashMap<>();
    for (Platform.Service s : Platform.SERVICES) {
      perService.put(s.name(), new HashMap<>(Map.of("spring.kafka.streams.state-dir", data.resolve("state").resolve(s.name()).toString())));
    }
    perService.get("audit").putAll(Map.of(
        "spring.datasource.url", postgres.url(),
        "spring.datasource.username", postgres.user(),
        "spring.datasource.password", postgres.password()));

    Platform platform = new Platform(common, perService).startAll();
    LOG.info("HotSwap is up in {} ms: gateway http://localhost:8080 (health: /actuator/health), Kafka {}, PostgreSQL {}",
        (System.nanoTime() - started) / 1_000_000, bootstrap, postgres.url());

    CountDownLatch stopped = new CountDownLatch(1);
    KafkaBroker brokerToStop = broker;
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("hotswap-shutdown").unstarted(() -> {
      LOG.info("Stopping HotSwap...");
      platform.close();
      if (brokerToStop != null) {
        brokerToStop.close();
      }
      try {
        postgres.close();
      } catch (Exception e) {
        LOG.warn("PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
      stopped.countDown();
    }));
    stopped.await();
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
