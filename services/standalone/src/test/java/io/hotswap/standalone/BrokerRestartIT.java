package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The broker goes away and comes back mid-stream: every write that was answered, and every write
 * retried with its Idempotency-Key until answered, is applied exactly once — one version and one
 * audit row each, no gaps, no duplicates.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BrokerRestartIT {

  @Test
  void shouldLoseAndDuplicateNothingWhenTheBrokerRestartsMidStream() throws Exception {
    Path data = Files.createTempDirectory("hotswap-broker-restart");
    int kafkaPort = PlatformTest.freePort();
    int controllerPort = PlatformTest.freePort();
    KafkaBroker[] broker = {new KafkaBroker(data, kafkaPort, controllerPort).start()};
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      Map<String, Map<String, Object>> perService = new HashMap<>();
      for (Platform.Service s : Platform.SERVICES) {
        perService.put(s.name(), new HashMap<>(Map.of("server.port", PlatformTest.freePort(),
            "spring.kafka.streams.state-dir", data.resolve("state").resolve(s.name()).toString())));
      }
      perService.get("audit").putAll(Map.of("spring.datasource.url", postgres.getJdbcUrl("postgres", "postgres"),
          "spring.datasource.username", "postgres", "spring.datasource.password", "postgres"));
      perService.get("gateway").put("hotswap.gateway.command-timeout", "PT15S");
      Map<String, Object> common = Map.of("spring.kafka.bootstrap-servers", broker[0].bootstrapServers(), "hotswap.kafka.partitions", 3,
          "hotswap.security.jwt.secret", io.hotswap.core.testing.Tokens.SECRET,
          "hotswap.security.master-key", io.hotswap.core.testing.Tokens.MASTER_KEY);

      try (Platform platform = new Platform(common, perService).startAll()) {
        Api api = new Api((Integer) perService.get("gateway").get("server.port"));
        int tenants = 4;
        int versionsPerKey = 30;
        List<String> ids = new ArrayList<>();
        for (int t = 0; t < tenants; t++) {
          ids.add("restart-" + t);
          assertThat(api.post("/api/v1/tenants", Map.of("tenantId", ids.getLast(), "tier", "Pro")).status()).isEqualTo(201);
        }
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(tenants);
        List<Future<?>> writers = new ArrayList<>();
        for (String tenant : ids) {
          writers.add(pool.submit(() -> {
            for (int v = 1; v <= versionsPerKey; v++) {
              int version = v;
              Map<String, String> headers = v == 1 ? Map.of("Idempotency-Key", tenant + "-v1")
                  : Map.of("Idempotency-Key", tenant + "-v" + v, "If-Match", "\"" + (v - 1) + "\"");
              Api.Response r = untilAnswered(() -> version == 1
                  ? api.post("/api/v1/configs", Map.of("tenantId", tenant, "key", "k", "value", 1, "type", "Number"), headers)
                  : api.put("/api/v1/configs/" + tenant + ":development:k", Map.of("value", version), headers));
              assertThat(r.status()).as(r.text()).isIn(200, 201);
              done.incrementAndGet();
            }
            return null;
          }));
        }
        int total = tenants * versionsPerKey;
        await().atMost(Duration.ofMinutes(2)).until(() -> done.get() >= total / 3);

        int beforeRestart = done.get();
        broker[0].close();
        broker[0] = new KafkaBroker(data, kafkaPort, controllerPort).start();

        for (Future<?> w : writers) {
          w.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertThat(beforeRestart).as("the broker went away mid-stream").isLessThan(total);

        for (String tenant : ids) {
          JsonNode versions = untilAnswered(() -> api.get("/api/v1/configs/" + tenant + ":development:k/versions?size=200")).json();
          List<Long> numbers = new ArrayList<>();
          versions.get("items").forEach(v -> numbers.add(v.get("version").asLong()));
          assertThat(numbers).as(tenant).hasSize(versionsPerKey).doesNotHaveDuplicates().isSorted()
              .startsWith(1L).endsWith((long) versionsPerKey);
        }
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
          try (Connection c = postgres.getPostgresDatabase().getConnection();
               ResultSet rs = c.createStatement().executeQuery(
                   "SELECT count(*), count(DISTINCT (tenant_id, version)) FROM audit_log WHERE tenant_id LIKE 'restart-%' AND config_key = 'k'")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(total);
            assertThat(rs.getLong(2)).isEqualTo(total);
          }
        });
      }
    } finally {
      broker[0].close();
    }
  }

  /** Retries a write while the platform answers 503 (broker away, pipeline catching up); same headers, so at most once. */
  private static Api.Response untilAnswered(java.util.function.Supplier<Api.Response> call) {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    Api.Response r = call.get();
    while ((r.status() == 503 || r.status() == 500) && System.nanoTime() < deadline) {
      r = call.get();
    }
    return r;
  }
}
