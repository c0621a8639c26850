package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotswap.avro.LiveConfig;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The production shape, on this machine: every service its own JVM from its own executable jar
 * ({@link ProcessCluster}, what {@code ./hotswap cluster} runs) with the environment docker-compose
 * gives it — two gateways, two validation and two rollout instances, one approval and one audit —
 * on a shared Kafka and PostgreSQL. Writes go on while one rollout and one gateway process are
 * killed with SIGKILL and started again; every acknowledged write is then there exactly once: in
 * each key's versions, on the live topic and in the audit trail, and both gateways answer for
 * every tenant.
 */
@Tag("integration")
@Timeout(value = 12, unit = java.util.concurrent.TimeUnit.MINUTES)
class SeparateProcessesIT {

  private static final int TENANTS = 8;
  private static final String KEY = "load.counter";

  /** A port {@code p} with {@code p + 10} free too (a service's second instance listens there). */
  private static int freePair() throws IOException {
    return PlatformTest.freePort(10);
  }

  @Test
  void shouldLoseAndDuplicateNothingWhenARolloutAndAGatewayProcessAreKilled() throws Exception {
    Path data = Path.of("target", "separate-processes-" + java.util.UUID.randomUUID());
    Map<String, String> env = new HashMap<>();
    env.put("HOTSWAP_DATA_DIR", data.toString());
    env.putAll(PlatformTest.backingPorts());
    for (String service : ProcessCluster.ORDER) {
      env.put("HOTSWAP_" + service.toUpperCase(java.util.Locale.ROOT) + "_PORT", Integer.toString(freePair()));
    }
    env.put("HOTSWAP_JWT_SECRET", io.hotswap.core.testing.Tokens.SECRET);
    env.put("HOTSWAP_CLUSTER", "gateway=2,validation=2,rollout=2");
    // a killed process's partitions move once Kafka's consumer session times out: 45 s by default,
    // which operators tune with the same Spring property (runbook); 10 s keeps this test short
    env.put("HOTSWAP_SERVICE_JAVA_OPTS", ProcessCluster.DEFAULT_JAVA_OPTS + " -Dspring.kafka.streams.properties.session.timeout.ms=10000");
    try (ProcessCluster cluster = ProcessCluster.start(env, Path.of("../.."))) {
      // each process has compose's environment for its service, with this machine's addresses
      assertThat(cluster.instance("gateway", 1).env()).containsEntry("HOTSWAP_PARTITIONS", "6")
          .containsEntry("HOTSWAP_GATEWAY_ADVERTISED_HOST", "localhost").containsKey("HOTSWAP_AUDIT_URL");
      assertThat(cluster.instance("rollout", 1).env().get("HOTSWAP_STATE_DIR")).endsWith("rollout-1/state");
      List<Api> gateways = cluster.instances("gateway").stream().map(g -> new Api(g.port())).toList();
      List<String> tenants = new ArrayList<>();
      for (int t = 0; t < TENANTS; t++) {
        String tenant = "proc-" + t;
        Api.Response created = gateways.get(t % 2).post("/api/v1/tenants", Map.of("tenantId", tenant, "tier", "Enterprise",
            "guardedEnvironments", List.of()));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        tenants.add(tenant);
      }

      // a sandbox lives in the gateway that created it; the other gateway relays calls for it, body and all
      Api.Response sandbox = gateways.get(0).post("/api/v1/sandbox/create", Map.of("environment", "development"));
      assertThat(sandbox.status()).as(sandbox.text()).isEqualTo(201);
      String sandboxId = sandbox.json().get("sandboxId").asString();
      assertThat(gateways.get(1).get("/api/v1/sandbox/" + sandboxId + "/results").json().get("status").asString()).isEqualTo("created");
      Api.Response load = gateways.get(1).post("/api/v1/sandbox/" + sandboxId + "/load", Map.of("pluginId", "no-such-plugin", "version", "1.0.0"));
      assertThat(load.status()).as("the owner read the body and found no such plugin: " + load.text()).isEqualTo(404);
      assertThat(gateways.get(1).post("/api/v1/sandbox/" + sandboxId + "/cleanup", Map.of()).json().get("status").asString())
          .isEqualTo("cleaned_up");
      assertThat(gateways.get(0).get("/api/v1/sandbox/" + sandboxId + "/results").status()).isEqualTo(404);

      // one writer per tenant, each write retried (same Idempotency-Key, either gateway) until acknowledged
      Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger retries = new AtomicInteger();
      ExecutorService writers = Executors.newFixedThreadPool(TENANTS);
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < TENANTS; t++) {
        String tenant = tenants.get(t);
        int first = t;
        running.add(writers.submit(() -> {
          for (int seq = 1; !stop.get(); seq++) {
            int attempt = 0;
            while (true) {
              Api gateway = gateways.get((first + seq + attempt) % 2);
              Map<String, String> headers = Map.of("Idempotency-Key", tenant + "-" + seq);
              try {
                Api.Response r = seq == 1
                    ? gateway.post("/api/v1/configs", Map.of("tenantId", tenant, "key", KEY, "value", seq, "type", "Number",
                        "environment", "development"), headers)
                    : gateway.put("/api/v1/configs/" + tenant + ":development:" + KEY, Map.of("value", seq), headers);
                if (r.status() == 200 || r.status() == 201) {
                  assertThat(r.json().get("version").asLong()).as("%s write %d", tenant, seq).isEqualTo(seq);
                  acknowledged.put(tenant, seq);
                  // a steady trickle, not a flood: this test is about what survives, load-tests/ measure capacity
                  java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                  break;
                }
              } catch (java.io.UncheckedIOException down) {
                // that gateway is gone: the other one takes the retry
              }
              retries.incrementAndGet();
              attempt++;
              if (attempt > 400) {
                throw new AssertionError(tenant + " write " + seq + " was never acknowledged");
              }
              java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
            }
          }
          return null;
        }));
      }
      await().atMost(Duration.ofMinutes(2)).until(() -> healthy(running) && tenants.stream().allMatch(t -> acknowledged.getOrDefault(t, 0) >= 5));

      ProcessCluster.Instance rollout = cluster.instance("rollout", 1);
      ProcessCluster.Instance gateway = cluster.instance("gateway", 1);
      Map<String, Integer> atKill = Map.copyOf(acknowledged);
      cluster.kill(rollout);
      cluster.kill(gateway);
      assertThat(rollout.alive() || gateway.alive()).isFalse();
      // writes go on through the remaining gateway once the survivors have taken the dead ones' partitions over
      await().atMost(Duration.ofMinutes(3)).until(() -> healthy(running)
          && tenants.stream().allMatch(t -> acknowledged.getOrDefault(t, 0) >= atKill.get(t) + 3));
      cluster.restart(Duration.ofMinutes(3), rollout, gateway);
      Map<String, Integer> atRestart = Map.copyOf(acknowledged);
      await().atMost(Duration.ofMinutes(3)).until(() -> healthy(running)
          && tenants.stream().allMatch(t -> acknowledged.getOrDefault(t, 0) >= atRestart.get(t) + 3));
      stop.set(true);
      for (Future<?> f : running) {
        f.get(3, java.util.concurrent.TimeUnit.MINUTES);
      }
      writers.shutdown();

      // every acknowledged write exactly once: versions 1..n with values 1..n, on both gateways
      for (String tenant : tenants) {
        int n = acknowledged.get(tenant);
        for (Api g : gateways) {
          await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            Api.Response current = g.get("/api/v1/configs/" + tenant + ":development:" + KEY);
            assertThat(current.status()).as(current.text()).isEqualTo(200);
            assertThat(current.json().get("version").asLong()).as(tenant).isEqualTo(n);
            assertThat(current.json().get("value").asLong()).isEqualTo(n);
          });
        }
        List<Long> seen = new ArrayList<>();
        for (int page = 0; page * 200 < n + 200; page++) {
          JsonNode versions = gateways.get(0).get("/api/v1/configs/" + tenant + ":development:" + KEY + "/versions?size=200&page=" + page).json();
          versions.get("items").forEach(v -> {
            seen.add(v.get("version").asLong());
            assertThat(v.get("value").asLong()).as("version %d holds write %d", v.get("version").asLong(), v.get("version").asLong())
                .isEqualTo(v.get("version").asLong());
          });
        }
        assertThat(seen).as(tenant + " versions").hasSize(n).doesNotHaveDuplicates();
        assertThat(seen.stream().mapToLong(Long::longValue).max().orElse(0)).isEqualTo(n);
      }
      // the live topic ends at the last acknowledged value of each tenant
      Map<String, Long> live = lastLive(cluster.bootstrapServers());
      for (String tenant : tenants) {
        assertThat(live.get(tenant)).as(tenant + " live").isEqualTo((long) acknowledged.get(tenant));
      }
      // the audit trail has one event per version, none twice
      try (Connection db = DriverManager.getConnection(cluster.postgres().url(), cluster.postgres().user(), cluster.postgres().password())) {
        for (String tenant : tenants) {
          await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(count(db, "SELECT count(*) FROM audit_log WHERE tenant_id = ? "
              + "AND config_key = ? AND event_type IN ('CONFIG_CREATED', 'CONFIG_UPDATED')", tenant)).isEqualTo((long) acknowledged.get(tenant)));
          assertThat(count(db, "SELECT count(DISTINCT version) FROM audit_log WHERE tenant_id = ? AND config_key = ? "
              + "AND event_type IN ('CONFIG_CREATED', 'CONFIG_UPDATED')", tenant)).isEqualTo((long) acknowledged.get(tenant));
        }
      }
      // the processes log JSON lines (compose's LOGGING_STRUCTURED_FORMAT_CONSOLE): what rollout logs about a
      // deployment names the request's trace, the tenant and the command; a secret is in no log
      String traceId = "0af7651916cd43dd8448eb211c80319c";
      Api.Response deployed = gateways.get(0).post("/api/v1/deployments", Map.of("configId", tenants.get(0) + ":development:" + KEY,
          "value", -1), Map.of("traceparent", "00-" + traceId + "-b7ad6b7169203331-01"));
      assertThat(deployed.status()).as(deployed.text()).isEqualTo(201);
      String deploymentId = deployed.json().get("deploymentId").asString();
      String secret = "clear-" + java.util.UUID.randomUUID();
      assertThat(gateways.get(1).post("/api/v1/configs", Map.of("tenantId", tenants.get(1), "key", "db.password", "value", secret,
          "type", "Secret")).status()).isEqualTo(201);
      Path logs = data.resolve("cluster/logs");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        List<JsonNode> lines = new ArrayList<>();
        try (var files = java.nio.file.Files.list(logs)) {
          for (Path f : files.toList()) {
            for (String line : java.nio.file.Files.readAllLines(f)) {
              assertThat(line).as(f.getFileName() + ": a clear secret").doesNotContain(secret);
              if (!line.isBlank()) {
                lines.add(io.hotswap.core.json.Json.MAPPER.readTree(line)); // every line one JSON object
              }
            }
          }
        }
        assertThat(lines).anySatisfy(l -> {
          assertThat(l.path("message").asString()).contains(deploymentId, "completed");
          assertThat(l.path("traceId").asString()).isEqualTo(traceId);
          assertThat(l.path("spanId").asString()).matches("[0-9a-f]{16}");
          assertThat(l.path("tenantId").asString()).isEqualTo(tenants.get(0));
          assertThat(l.path("commandId").asString()).isNotBlank();
        });
      });
      System.out.printf("separate processes: %d writes acknowledged over %d tenants, %d retries across the kills%n",
          acknowledged.values().stream().mapToInt(Integer::intValue).sum(), TENANTS, retries.get());
    }
  }

  /** True while every writer runs; a writer that stopped on a failed check fails the test at once with its reason. */
  private static boolean healthy(List<Future<?>> writers) throws InterruptedException {
    for (Future<?> writer : writers) {
      if (writer.isDone()) {
        try {
          writer.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new AssertionError("a writer stopped: " + e.getCause().getMessage(), e.getCause());
        }
      }
    }
    return true;
  }

  private static long count(Connection db, String sql, String tenant) throws java.sql.SQLException {
    try (var ps = db.prepareStatement(sql)) {
      ps.setString(1, tenant);
      ps.setString(2, KEY);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The version of the last committed live record of {@link #KEY} per tenant. */
  private static Map<String, Long> lastLive(String bootstrap) {
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        ByteArrayDeserializer.class);
    Serdes serdes = Serdes.create();
    Map<String, Long> last = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = consumer.partitionsFor(Topics.live("development")).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.value() != null && r.key().endsWith("|" + KEY)) {
            LiveConfig c = serdes.liveConfig().fromBytes(r.value());
            last.put(c.getTenantId(), c.getVersion());
          }
        }
      }
    }
    return last;
  }
}
