package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.ValueType;
import io.hotswap.core.json.Json;
import io.hotswap.gateway.GatewayApplication;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import tools.jackson.databind.JsonNode;

/** Services restarted and added under load: nothing acknowledged is lost or applied twice. On a platform of its own: the restarts would disturb every other test. */
@SharedPlatform.OwnPlatform
class ResilienceIT extends PlatformTest {

  /**
   * Exactly-once under load: 5,000 writes (20 tenants × 25 keys × 10 versions) from 20 concurrent
   * clients while the rollout service (the single writer of state) is stopped and started twice.
   * Every acknowledged write must be readable with its value, once: each key's history is exactly
   * versions 1..10 holding the values written, and PostgreSQL has exactly one audit row per change.
   */
  @Test
  void shouldKeepEveryVersionAndAuditRowWhenRolloutRestartsTwiceUnderLoad() throws Exception {
    int tenants = 20;
    int keysPerTenant = 25;
    int versionsPerKey = 10;
    List<String> tenantIds = new ArrayList<>();
    for (int t = 0; t < tenants; t++) {
      tenantIds.add("it-load-" + t);
      createTenant(tenantIds.getLast());
    }
    AtomicInteger done = new AtomicInteger();
    AtomicInteger stale = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(tenants);
    List<Future<?>> writers = new ArrayList<>();
    for (String tenant : tenantIds) {
      writers.add(pool.submit(() -> {
        for (int v = 1; v <= versionsPerKey; v++) {
          for (int k = 0; k < keysPerTenant; k++) {
            String key = "load.key" + k;
            int value = v * 1000 + k;
            Api.Response r = v == 1
                ? writeWithRetry(() -> Map.of("Idempotency-Key", tenant + key + "create"), h -> api.post("/api/v1/configs", config(tenant, key, value, "Number"), h))
                : writeWithRetry(versionKey(tenant, key, v), h -> api.put("/api/v1/configs/" + tenant + ":development:" + key, Map.of("value", value), h));
            assertThat(r.status()).as(r.text()).isIn(200, 201);
            assertThat(r.json().get("version").asLong()).isEqualTo(v);
            // read-your-writes under load: a read right after the answer shows the write (sampled)
            if (k % 10 == 0) {
              JsonNode read = api.get("/api/v1/configs/" + tenant + ":development:" + key).json();
              if (read.get("version").asLong() < v || (read.get("version").asLong() == v && read.get("value").asInt() != value)) {
                stale.incrementAndGet();
              }
            }
            done.incrementAndGet();
          }
        }
        return null;
      }));
    }
    int total = tenants * keysPerTenant * versionsPerKey;
    for (int restart = 1; restart <= 2; restart++) {
      int at = total * restart / 3;
      await().atMost(Duration.ofMinutes(5)).until(() -> done.get() >= at);
      platform.stop("rollout");
      platform.start("rollout");
    }
    for (Future<?> w : writers) {
      w.get(10, java.util.concurrent.TimeUnit.MINUTES);
    }
    pool.shutdown();
    assertThat(done.get()).isEqualTo(total);
    assertThat(stale.get()).as("reads right after an acknowledged write that did not show it").isZero();

    for (String tenant : tenantIds) {
      JsonNode current = api.get("/api/v1/configs/tenant/" + tenant + "?size=100").json();
      assertThat(current.get("totalItems").asLong()).isEqualTo(keysPerTenant);
      for (int k = 0; k < keysPerTenant; k++) {
        JsonNode versions = api.get("/api/v1/configs/" + tenant + ":development:load.key" + k + "/versions").json();
        List<Long> numbers = new ArrayList<>();
        List<Integer> values = new ArrayList<>();
        versions.get("items").forEach(v -> {
          numbers.add(v.get("version").asLong());
          values.add(v.get("value").asInt());
        });
        assertThat(numbers).as(tenant + " load.key" + k).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        int key = k;
        assertThat(values).as(tenant + " load.key" + k + " values").containsExactlyElementsOf(
            java.util.stream.IntStream.rangeClosed(1, versionsPerKey).map(v -> v * 1000 + key).boxed().toList());
      }
    }
    await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
        assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id LIKE 'it-load-%' AND config_key IS NOT NULL")).isEqualTo(total));
    assertThat(count("SELECT count(DISTINCT (tenant_id, config_key, version)) FROM audit_log WHERE tenant_id LIKE 'it-load-%' AND config_key IS NOT NULL"))
        .isEqualTo(total);
    assertThat(count("SELECT max(version) FROM audit_log WHERE tenant_id LIKE 'it-load-%'")).isEqualTo(versionsPerKey);
  }

  @Test
  void shouldFinishACanaryOnceWhenRolloutRestartsBetweenItsSteps() throws Exception {
    createTenant("it-deploy-restart");
    assertThat(api.post("/api/v1/configs", config("it-deploy-restart", "r.k", 1, "Number")).status()).isEqualTo(201);
    Api.Response started = api.post("/api/v1/deployments", Map.of("configId", "it-deploy-restart:development:r.k", "value", 2,
        "strategy", "canary", "steps", List.of(20, 40, 60, 80, 100), "bakeTime", "PT1S"));
    assertThat(started.status()).as(started.text()).isEqualTo(201);
    String id = started.json().get("deploymentId").asString();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(api.get("/api/v1/deployments/" + id).json().path("step").asInt()).isGreaterThanOrEqualTo(2));

    // the bake-time punctuator's state is in the stores: a restarted rollout service picks the deployment up where it was
    platform.stop("rollout");
    platform.start("rollout");
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(api.get("/api/v1/deployments/" + id).json().path("status").asString()).isEqualTo("completed"));

    // exactly once: every step once on the deployments topic, on the live topic and in the audit trail
    List<Long> revisions = new ArrayList<>();
    List<Double> shares = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> deployments = consumer(Topics.DEPLOYMENTS); KafkaConsumer<String, byte[]> live = consumer(Topics.live("development"))) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        deployments.poll(Duration.ofMillis(200)).forEach(r -> {
          if (r.key().equals("it-deploy-restart|" + id.substring(id.indexOf(':') + 1))) {
            revisions.add(SERDES.deployment().fromBytes(r.value()).getRevision());
          }
        });
        live.poll(Duration.ofMillis(200)).forEach(r -> {
          if (r.key().equals("it-deploy-restart|r.k")) {
            LiveConfig l = SERDES.liveConfig().fromBytes(r.value());
            shares.add(l.getRollout() == null ? -Double.parseDouble(l.getValue()) : l.getRollout().getPercentage());
          }
        });
        assertThat(revisions).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(shares).as("created (value 1), then 20..80 % of the candidate, then everyone gets 2").containsExactly(-1.0, 20.0, 40.0, 60.0, 80.0, -2.0);
      });
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count(
        "SELECT count(*) FROM audit_log WHERE tenant_id = ? AND event_type LIKE 'DEPLOYMENT_%'", "it-deploy-restart")).isEqualTo(5));
    assertThat(count("SELECT count(DISTINCT detail) FROM audit_log WHERE tenant_id = ? AND event_type LIKE 'DEPLOYMENT_%'", "it-deploy-restart"))
        .isEqualTo(5);
  }

  @Test
  void shouldAnswerReadsForEveryTenantFromBothGatewayInstances() throws Exception {
    List<String> tenantIds = new ArrayList<>();
    for (int t = 0; t < 10; t++) {
      tenantIds.add("it-two-" + t);
      createTenant(tenantIds.getLast());
      assertThat(api.post("/api/v1/configs", config(tenantIds.getLast(), "x.y", t, "Number")).status()).isEqualTo(201);
    }
    int secondPort = freePort();
    ConfigurableApplicationContext second = GatewayApplication.application().run(
        "--server.port=" + secondPort,
        "--spring.kafka.bootstrap-servers=" + bootstrap,
        "--hotswap.security.jwt.secret=" + io.hotswap.core.testing.Tokens.SECRET,
        "--hotswap.security.master-key=" + io.hotswap.core.testing.Tokens.MASTER_KEY,
        "--hotswap.kafka.partitions=3",
        "--logging.include-application-name=false",
        "--spring.autoconfigure.exclude=" + Platform.NO_DATABASE,
        "--spring.kafka.streams.state-dir=" + stateDir.resolve("gateway-2"),
        "--hotswap.rate-limits.defaults.reads-per-minute=1000000",
        "--hotswap.rate-limits.defaults.writes-per-minute=1000000",
        "--hotswap.rate-limits.tiers.free.writes-per-minute=5");
    try {
      Api other = new Api(secondPort);
      Set<String> servedBy = new HashSet<>();
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        servedBy.clear();
        for (int t = 0; t < tenantIds.size(); t++) {
          for (Api gateway : List.of(api, other)) {
            Api.Response r = gateway.get("/api/v1/configs/" + tenantIds.get(t) + ":development:x.y");
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().get("value").asInt()).isEqualTo(t);
            servedBy.add(r.header(StoreRouter.SERVED_BY_HEADER));
            assertThat(gateway.get("/api/v1/configs/tenant/" + tenantIds.get(t)).json().get("totalItems").asLong()).isEqualTo(1);
          }
        }
        assertThat(servedBy).as("both instances own some tenants").hasSize(2);
      });

      // read-your-writes across instances: a write acknowledged by one gateway is readable from the
      // other right after the answer, whichever of them owns the tenant (no waiting here)
      for (int round = 1; round <= 5; round++) {
        for (int t = 0; t < tenantIds.size(); t++) {
          Api writer = (t + round) % 2 == 0 ? api : other;
          Api reader = writer == api ? other : api;
          int value = round * 100 + t;
          Api.Response w = writer.put("/api/v1/configs/" + tenantIds.get(t) + ":development:x.y", Map.of("value", value), Map.of());
          assertThat(w.status()).as(w.text()).isEqualTo(200);
          Api.Response r = reader.get("/api/v1/configs/" + tenantIds.get(t) + ":development:x.y");
          assertThat(r.status()).as(r.text()).isEqualTo(200);
          assertThat(r.json().get("value").asInt()).as("read right after the write's answer, on the other instance").isEqualTo(value);
          assertThat(r.json().get("version").asLong()).isEqualTo(w.json().get("version").asLong());
        }
      }

      // a burst over a Free tenant's write limit (5/min), spread over both instances, gets 429s;
      // the limit holds for the tenant as a whole, and other tenants are unaffected
      assertThat(api.post("/api/v1/tenants", Map.of("tenantId", "it-limited", "tier", "Free")).status()).isEqualTo(201);
      List<Api.Response> burst = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        burst.add((i % 2 == 0 ? api : other).post("/api/v1/configs", config("it-limited", "burst.k" + i, i, "Number")));
      }
      assertThat(burst).filteredOn(r -> r.status() == 201).hasSize(5);
      assertThat(burst).filteredOn(r -> r.status() == 429).hasSize(7).allSatisfy(r -> {
        assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
        assertThat(r.header("RateLimit-Limit")).isEqualTo("5");
        assertThat(r.header("RateLimit-Remaining")).isEqualTo("0");
        assertThat(r.json().get("detail").asString()).contains("it-limited", "5 config writes per minute");
      });
      assertThat(api.get("/api/v1/configs/tenant/it-limited").json().get("totalItems").asLong()).isEqualTo(5);
      for (int t = 0; t < 3; t++) {
        assertThat(other.post("/api/v1/configs", config(tenantIds.get(t), "after.burst", 1, "Number")).status()).isEqualTo(201);
      }

      // deployments: 10 an hour per tenant (the default), held across both instances the same way;
      // a rollback is never limited
      createTenant("it-deploy-limited");
      assertThat(api.post("/api/v1/configs", config("it-deploy-limited", "d.k", 0, "Number")).status()).isEqualTo(201);
      List<Api.Response> deploys = new ArrayList<>();
      for (int i = 1; i <= 12; i++) {
        deploys.add((i % 2 == 0 ? api : other).post("/api/v1/deployments", Map.of("configId", "it-deploy-limited:development:d.k", "value", i)));
      }
      assertThat(deploys).filteredOn(r -> r.status() == 201).hasSize(10);
      assertThat(deploys.subList(10, 12)).allSatisfy(r -> {
        assertThat(r.status()).isEqualTo(429);
        assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 3600L);
        assertThat(r.header("RateLimit-Limit")).isEqualTo("10");
        assertThat(r.json().get("detail").asString()).contains("it-deploy-limited", "10 deployments per hour");
      });
      assertThat(api.get("/api/v1/configs/it-deploy-limited:development:d.k").json().get("value").asInt()).as("nothing of the refused ones applied")
          .isEqualTo(10);
      String lastDeployment = deploys.get(9).json().get("deploymentId").asString();
      assertThat(other.post("/api/v1/deployments/" + lastDeployment + "/rollback", Map.of("reason", "limit test")).status()).isEqualTo(200);
      assertThat(api.post("/api/v1/deployments", Map.of("configId", tenantIds.get(0) + ":development:x.y", "value", 42)).status())
          .as("other tenants keep their own budget").isEqualTo(201);
    } finally {
      second.close();
    }
    // the tests after this one meet a single gateway again: wait until it owns every tenant's partition
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      for (String tenant : tenantIds) {
        assertThat(api.get("/api/v1/configs/tenant/" + tenant).header(io.hotswap.gateway.reads.StoreRouter.SERVED_BY_HEADER))
            .isEqualTo("localhost:" + api.port());
      }
    });
  }
}
