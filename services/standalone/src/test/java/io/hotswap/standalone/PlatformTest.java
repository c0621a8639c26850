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

/**
 * What the feature integration tests share: the platform they run on (five services on a real
 * in-process Kafka broker and a real PostgreSQL, driven through the REST gateway as users drive
 * it, started once by {@link SharedPlatform}) and helpers. Each test creates its own tenants, so
 * no test depends on another's data, each class runs alone
 * ({@code ./mvnw -pl services/standalone test -Dtest=ConfigsIT}), and in the build the classes run
 * side by side (services/standalone/pom.xml). A class whose assertions read figures of the whole
 * platform — metric counters before and after, every tenant — must be
 * {@link org.junit.jupiter.api.parallel.Isolated}.
 */
@Tag("integration")
// the test run for the shared platform's classes selects them by this tag (services/standalone/pom.xml)
@Tag("platform")
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
@org.junit.jupiter.api.extension.ExtendWith(SharedPlatform.class)
abstract class PlatformTest {

  static EmbeddedPostgres postgres;

  static Platform platform;

  static String bootstrap;

  static Path stateDir;

  static Api api;

  static final Serdes SERDES = Serdes.create();

  /** Generous defaults so load tests are not limited; Free tenants get 5 writes and 1,000 reads a minute to test limiting. */
  static final Map<String, Object> RATE_LIMITS = Map.of(
      "hotswap.rate-limits.defaults.reads-per-minute", 1_000_000,
      "hotswap.rate-limits.defaults.writes-per-minute", 1_000_000,
      "hotswap.rate-limits.tiers.free.writes-per-minute", 5,
      "hotswap.rate-limits.tiers.free.reads-per-minute", 1_000);

  /** The plugin publisher the test platform trusts, and its Ed25519 key pair (the tests sign plugin binaries with it). */
  static final String PUBLISHER = "it-publisher";
  static final java.security.KeyPair PUBLISHER_KEYS = io.hotswap.plugin.host.PluginSignatures.newKeyPair();

  /** What the approval service's webhook received: body and headers per notification. */
  static List<Map<String, String>> NOTIFICATIONS;

  /**
   * A free port below Linux's ephemeral range (32768+): a port the OS hands out for {@code new
   * ServerSocket(0)} can be taken, before the service binds it, by an outgoing connection of the
   * same JVM (Kafka clients open many), which failed a start once with "port in use". A port is
   * handed out once per JVM: a test picks all its ports before it binds any, and two picks of the
   * same free port (about one run in 400 for eight picks) failed a start with "Unable to start web server".
   */
  static int freePort() throws IOException {
    return freePort(0);
  }

  /** A free port {@code p} (handed out once per JVM) whose {@code p + offset} is free too. */
  static int freePort(int offset) throws IOException {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = random.nextInt(20_000, 31_900);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      if (offset != 0 && !HANDED_OUT.add(port + offset)) {
        continue;
      }
      try (ServerSocket a = new ServerSocket(port); ServerSocket b = offset == 0 ? null : new ServerSocket(port + offset)) {
        return a.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port between 20000 and 32000");
  }

  /**
   * The environment that gives a platform started from {@code HOTSWAP_*} variables (./hotswap up's
   * way) free ports for everything it runs beside the services: Kafka, its controller, PostgreSQL
   * and the local S3 API. One list, so a backing service added later gets its own port in every
   * test that starts one, and no such test needs this machine's default ports to be free.
   */
  static Map<String, String> backingPorts() throws IOException {
    Map<String, String> env = new HashMap<>();
    for (String name : List.of("HOTSWAP_KAFKA_PORT", "HOTSWAP_KAFKA_CONTROLLER_PORT", "HOTSWAP_DB_PORT", "HOTSWAP_S3_PORT")) {
      env.put(name, Integer.toString(freePort()));
    }
    return env;
  }

  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static void createTenant(String tenant) {
    Api.Response r = api.post("/api/v1/tenants", Map.of("tenantId", tenant, "tier", "Enterprise"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }

  /**
   * A tenant whose approval policy guards no environment, for tests of other behaviours that write
   * to staging and production directly (ApprovalsIT covers what a guarded environment holds).
   */
  static void createUnguardedTenant(String tenant) {
    Api.Response r = api.post("/api/v1/tenants", Map.of("tenantId", tenant, "tier", "Enterprise", "guardedEnvironments", java.util.List.of()));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }

  static Map<String, Object> config(String tenant, String key, Object value, String type) {
    return Map.of("tenantId", tenant, "key", key, "value", value, "type", type, "environment", "development");
  }

  static long count(String sql, Object... args) throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); var ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static KafkaConsumer<String, byte[]> consumer(String topic) {
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props);
    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  /** Each update of version v carries If-Match v-1 and an Idempotency-Key, so a retry is safe and can't double-apply. */
  static java.util.function.Supplier<Map<String, String>> versionKey(String tenant, String key, int v) {
    return () -> Map.of("Idempotency-Key", tenant + key + "v" + v, "If-Match", "\"" + (v - 1) + "\"");
  }

  static Api.Response writeWithRetry(java.util.function.Supplier<Map<String, String>> headers,
                                             java.util.function.Function<Map<String, String>, Api.Response> write) {
    Api.Response r = write.apply(headers.get());
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (r.status() == 503 && System.nanoTime() < deadline) {
      r = write.apply(headers.get());
    }
    return r;
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    if (haystack == null) {
      return false;
    }
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(n -> out.add(n.asString()));
    }
    return out;
  }
}
