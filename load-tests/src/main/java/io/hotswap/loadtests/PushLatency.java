package io.hotswap.loadtests;

import io.hotswap.client.Change;
import io.hotswap.client.HotSwapClient;
import io.hotswap.client.Selector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;

/**
 * Push latency, end to end: for each of N writes through the REST gateway, the time from sending
 * the HTTP request to the listener call in HotSwap clients running in this JVM (the platform runs
 * in another). Writes go one at a time (latency, not throughput). Runs with 1 client, then with
 * 50, and measures one raw Kafka produce→consume hop on the same broker as the physical reference.
 *
 * <p>Args: gateway URL, bootstrap servers, Admin token, writes (default 200), clients (default 50),
 * warm-up writes before each measured run (default 200: on two cores the platform's JIT is still
 * compiling the write path for the first ~100 writes after start; their figures are printed
 * separately, not dropped).
 * Run: {@code load-tests/push-latency.sh}.
 */
public final class PushLatency {

  private PushLatency() {}

  public static void main(String[] args) throws Exception {
    String gateway = args[0];
    String bootstrap = args[1];
    String token = args[2];
    int writes = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    int many = args.length > 4 ? Integer.parseInt(args[4]) : 50;
    int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 200;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String tenant = "bench-push-" + System.currentTimeMillis() % 100000;
    call(http, token, "POST", gateway + "/api/v1/tenants", "{\"tenantId\":\"" + tenant + "\",\"tier\":\"Enterprise\"}");
    call(http, token, "POST", gateway + "/api/v1/configs",
        "{\"tenantId\":\"" + tenant + "\",\"key\":\"bench.latency\",\"value\":0,\"type\":\"Number\",\"environment\":\"development\"}");

    System.out.printf("raw Kafka produce->consume hop (acks=all, 1,000 records): %s%n", summary(rawHop(bootstrap, 1000)));
    try (StageTrace trace = new StageTrace(bootstrap, tenant)) {
      Latencies one = run(http, gateway, bootstrap, token, tenant, writes, warmup, 1, trace);
      System.out.printf("warm-up, 1 client, the first %d writes after start: %s%n", warmup, summary(one.warmup()));
      System.out.printf("push latency, REST write -> listener, 1 client, %d writes: %s%n", writes, summary(one.measured()));
      trace.print();
    }
    Latencies all = run(http, gateway, bootstrap, token, tenant, writes, warmup, many, null);
    System.out.printf("warm-up, %d new clients, %d writes: %s%n", many, warmup, summary(all.warmup()));
    System.out.printf("push latency, REST write -> listener in all of %d clients, %d writes: %s%n", many, writes, summary(all.measured()));
  }

  /** One run's figures: the warm-up writes and the measured ones after them. */
  private record Latencies(double[] warmup, double[] measured) {}

  /**
   * Per write: ms from sending the request until the last of the clients' listeners was called with
   * the new value (taken inside the listener; the HTTP answer, which waits for read-your-writes, is
   * awaited before the next write but not counted).
   */
  private static Latencies run(HttpClient http, String gateway, String bootstrap, String token, String tenant, int writes, int warmup,
                               int clients, StageTrace trace) throws Exception {
    List<HotSwapClient> running = new ArrayList<>();
    // per client: value -> System.nanoTime() taken inside the listener call
    Map<Long, CompletableFuture<Long>>[] seen = new Map[clients];
    try {
      for (int c = 0; c < clients; c++) {
        HotSwapClient client = HotSwapClient.builder().bootstrapServers(bootstrap).environment("development").tenant(tenant)
            .register(false).build().start();
        running.add(client);
        Map<Long, CompletableFuture<Long>> mine = new ConcurrentHashMap<>();
        seen[c] = mine;
        client.subscribe(Selector.key(tenant, "bench.latency"), (Change change) -> {
          if (change.newValue() != null) {
            long at = System.nanoTime();
            mine.computeIfAbsent(Long.parseLong(change.newValue().text()), v -> new CompletableFuture<>()).complete(at);
          }
        });
      }
      for (HotSwapClient client : running) {
        client.ready().get(60, TimeUnit.SECONDS);
      }
      long base = running.getFirst().getLong("bench.latency", 0);
      // warm-up: the pipeline's first writes compile, connect and fill caches
      double[] warm = new double[warmup];
      double[] latencies = new double[writes];
      for (int i = 1; i <= writes + warmup; i++) {
        long value = base + i;
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(put(token,
            gateway + "/api/v1/configs/" + tenant + ":development:bench.latency", "{\"value\":" + value + "}"), HttpResponse.BodyHandlers.ofString());
        long last = 0;
        for (Map<Long, CompletableFuture<Long>> s : seen) {
          last = Math.max(last, s.computeIfAbsent(value, v -> new CompletableFuture<>()).get(30, TimeUnit.SECONDS));
        }
        double ms = (last - start) / 1e6;
        if (trace != null && i > warmup) {
          trace.write(start, last);
        }
        HttpResponse<String> done = answer.get(30, TimeUnit.SECONDS);
        if (done.statusCode() != 200) {
          throw new IllegalStateException("write answered " + done.statusCode() + ": " + done.body());
        }
        if (i > warmup) {
          latencies[i - warmup - 1] = ms;
        } else {
          warm[i - 1] = ms;
        }
      }
      return new Latencies(warm, latencies);
    } finally {
      running.forEach(HotSwapClient::close);
    }
  }

  private static HttpRequest put(String token, String url, String body) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private static HttpResponse<String> call(HttpClient http, String token, String method, String url, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static double[] rawHop(String bootstrap, int n) throws Exception {
    String topic = "hotswap.bench.raw-hop";
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      if (!admin.listTopics().names().get().contains(topic)) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      }
    }
    double[] out = new double[n];
    try (KafkaProducer<Long, Long> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all", "linger.ms", 0),
        new LongSerializer(), new LongSerializer());
         KafkaConsumer<Long, Long> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "fetch.max.wait.ms", 50),
             new LongDeserializer(), new LongDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      for (int i = 0; i < n + 50; i++) {
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, (long) i, sent));
        boolean got = false;
        while (!got) {
          for (ConsumerRecord<Long, Long> r : consumer.poll(Duration.ofMillis(100))) {
            if (r.key() == i) {
              got = true;
              if (i >= 50) {
                out[i - 50] = (System.nanoTime() - r.value()) / 1e6;
              }
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Where the time goes: a read_committed consumer per pipeline topic notes when each of the
   * tenant's records becomes visible (writes are sequential, so the n-th record on each topic
   * belongs to the n-th write).
   */
  static final class StageTrace implements AutoCloseable {
    private static final List<String> TOPICS = List.of("hotswap.commands.v1", "hotswap.validated.v1", "hotswap.changes.v1",
        "hotswap.live.development.v1");
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, List<Long>> seen = new ConcurrentHashMap<>();
    private final List<long[]> writes = new ArrayList<>();
    private final Thread poller;
    private volatile boolean running = true;

    StageTrace(String bootstrap, String tenant) {
      consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed", "fetch.max.wait.ms", 10),
          new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
      List<TopicPartition> parts = new ArrayList<>();
      for (String t : TOPICS) {
        consumer.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
        seen.put(t, java.util.Collections.synchronizedList(new ArrayList<>()));
      }
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position);
      poller = new Thread(() -> {
        while (running) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
            if (r.key() != null && r.key().startsWith(tenant)) {
              seen.get(r.topic()).add(System.nanoTime());
            }
          }
        }
      }, "stage-trace");
      poller.start();
    }

    synchronized void write(long start, long listener) {
      writes.add(new long[] {start, listener});
    }

    void print() {
      // the first records are warm-up writes; align on the last N
      int n = writes.size();
      String[] names = {"gateway -> commands", "commands -> validated (validation)", "validated -> changes (approval)",
          "changes -> live (rollout)", "live -> listener (client)"};
      double[][] stages = new double[names.length][n];
      for (int i = 0; i < n; i++) {
        long prev = writes.get(i)[0];
        for (int s = 0; s < TOPICS.size(); s++) {
          List<Long> times = seen.get(TOPICS.get(s));
          long at = times.get(times.size() - n + i);
          stages[s][i] = (at - prev) / 1e6;
          prev = at;
        }
        stages[names.length - 1][i] = (writes.get(i)[1] - prev) / 1e6;
      }
      for (int s = 0; s < names.length; s++) {
        System.out.printf("  stage %-38s %s%n", names[s], summary(stages[s]));
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      poller.join();
      consumer.close();
    }
  }

  static String summary(double[] ms) {
    if (ms.length == 0) {
      return "none (n=0)";
    }
    double[] s = ms.clone();
    Arrays.sort(s);
    return String.format("p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)", at(s, 0.50), at(s, 0.95), at(s, 0.99), s[s.length - 1], s.length);
  }

  private static double at(double[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }
}
