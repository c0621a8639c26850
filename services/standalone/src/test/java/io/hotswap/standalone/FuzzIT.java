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

/** Ten thousand generated requests across the access matrix: no 5xx, problem details for every 4xx, nothing stored for the refused. */
class FuzzIT extends PlatformTest {

  /**
   * Fuzzing from outside: seeded, reproducible requests to every endpoint of the access matrix, as
   * every role and as nobody, with hostile path segments, mutated and malformed bodies, odd
   * headers. No answer may be a 5xx, every 4xx must be problem details, and no request that was
   * refused may leave an audit row (each request carries its own trace id, which every change it
   * causes is audited under).
   */
  @Test
  void shouldAnswerTenThousandFuzzedRequestsWithout5xxAndStoreNothingForTheRefused() throws Exception {
    createTenant("it-fuzz");
    assertThat(api.post("/api/v1/configs", config("it-fuzz", "f.k", 1, "Number")).status()).isEqualTo(201);
    long seed = Long.getLong("hotswap.fuzz.seed", 20261130L);
    int cases = Integer.getInteger("hotswap.fuzz.cases", 10_000);
    io.hotswap.gateway.security.AccessMatrix matrix = io.hotswap.gateway.security.AccessMatrix.load();
    List<String> tokens = new ArrayList<>();
    for (io.hotswap.core.security.Role role : matrix.roles()) {
      tokens.add(io.hotswap.core.testing.Tokens.token("fuzz-" + role.claim(), List.of(role.claim()), List.of("it-fuzz")));
    }
    tokens.add(null);
    tokens.add("not-a-jwt");
    // one client (and so one pool of connections) per caller: a client per request would leave thousands of idle
    // connections open until the gateway's connection limit makes new ones wait
    Map<String, Api> callers = new HashMap<>();
    tokens.forEach(t -> callers.put(String.valueOf(t), api.as(t)));
    JsonNode examples = Json.MAPPER.readTree(FuzzIT.class.getResourceAsStream("/openapi-examples.json"));
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<String, Integer> statusOf = new java.util.concurrent.ConcurrentHashMap<>();
    Map<Integer, java.util.concurrent.atomic.AtomicInteger> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
    java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
    java.util.Queue<Map.Entry<Long, String>> slowest = new java.util.concurrent.ConcurrentLinkedQueue<>();
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
      for (int i = 0; i < cases; i++) {
        int n = i;
        pool.submit(() -> {
          Fuzz.Request r = Fuzz.request(new java.util.Random(seed * 31 + n), matrix, tokens, examples);
          // the request's own W3C trace (not sampled: no spans kept): the audit trail names it, so a row leads back to its request
          String trace = String.format("f0220000%012x%012x", seed & 0xffffffffffffL, n);
          Map<String, String> headers = new HashMap<>(r.headers());
          headers.put("traceparent", "00-" + trace + "-00f067aa0ba902b7-00");
          Api.Response answer;
          long started = System.nanoTime();
          try {
            answer = callers.get(String.valueOf(r.token())).raw(r.method(), r.path(), r.body(), headers);
          } catch (RuntimeException e) {
            failures.add(r + " -> " + e + " after " + (System.nanoTime() - started) / 1_000_000 + " ms");
            return;
          } finally {
            slowest.add(java.util.Map.entry((System.nanoTime() - started) / 1_000_000, r.toString()));
          }
          sent.incrementAndGet();
          statusOf.put(trace, answer.status());
          statuses.computeIfAbsent(answer.status(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
          if (answer.status() >= 500) {
            failures.add(answer.status() + " for " + r + ": " + io.hotswap.core.domain.Texts.abbreviate(answer.text()));
          } else if (answer.status() >= 400 && !String.valueOf(answer.header("Content-Type")).startsWith("application/problem+json")) {
            failures.add(answer.status() + " without problem details for " + r + ": " + answer.header("Content-Type"));
          }
        });
      }
    }
    System.out.printf("fuzz: %d cases (seed %d, -Dhotswap.fuzz.seed / -Dhotswap.fuzz.cases to repeat), %d endpoints, %d callers"
        + " (every role, no token, a malformed token); answers by status %s; 5xx: %d%n", cases, seed, matrix.rows().size(), tokens.size(),
        statuses, statuses.entrySet().stream().filter(e -> e.getKey() >= 500).mapToInt(e -> e.getValue().get()).sum());
    slowest.stream().sorted(Map.Entry.<Long, String>comparingByKey().reversed()).limit(5)
        .forEach(e -> System.out.printf("fuzz: slow: %d ms %s%n", e.getKey(), e.getValue()));
    assertThat(failures).as("fuzz failures (seed %d)", seed).isEmpty();
    assertThat(sent.get()).isEqualTo(cases);
    // every audit row a fuzzed request left belongs to a request that was accepted
    List<String> leaked = new ArrayList<>();
    List<String> audited = new ArrayList<>();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
         var q = c.prepareStatement("SELECT DISTINCT trace_id FROM audit_log WHERE trace_id LIKE ?")) {
      q.setString(1, String.format("f0220000%012x", seed & 0xffffffffffffL) + "%");
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          audited.add(rs.getString(1));
          Integer status = statusOf.get(rs.getString(1));
          if (status == null || status >= 300) {
            leaked.add(rs.getString(1) + " answered " + status);
          }
        }
      }
    }
    assertThat(leaked).as("refused requests that left audit rows").isEmpty();
    // the check sees what it should: the accepted changes are there under their requests' trace ids
    assertThat(audited).as("audited fuzz requests").isNotEmpty();
  }
}
