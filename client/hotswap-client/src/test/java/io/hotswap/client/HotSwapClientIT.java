package io.hotswap.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotswap.avro.HealthReport;
import io.hotswap.avro.HealthReportKind;
import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.LiveKind;
import io.hotswap.avro.LiveRollout;
import io.hotswap.avro.ServiceInstance;
import io.hotswap.avro.TenantKey;
import io.hotswap.avro.ValueType;
import io.hotswap.client.internal.SnapshotFile;
import io.hotswap.protocol.Envelope;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
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
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.condition.EmbeddedKafkaCondition;
import org.springframework.kafka.test.context.EmbeddedKafka;
import tools.jackson.databind.JsonNode;

/** The client against a real broker (in-process KRaft): what a service embedding it relies on. */
@Tag("integration")
@EmbeddedKafka(partitions = 3, topics = {"hotswap.live.production.v1", "hotswap.live.staging.v1", "hotswap.tenant-keys.v1",
    "hotswap.instances.v1", "hotswap.health.v1"})
class HotSwapClientIT {

  private static final Serdes SERDES = Serdes.create();
  private static KafkaProducer<String, byte[]> producer;
  private static String bootstrap;

  @BeforeAll
  static void producer() {
    EmbeddedKafkaBroker broker = EmbeddedKafkaCondition.getBroker();
    bootstrap = broker.getBrokersAsString();
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all"), new StringSerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void close() {
    producer.close();
  }

  static LiveConfig.Builder live(String tenant, String env, String key, String value, ValueType type, long version) {
    return LiveConfig.newBuilder().setTenantId(tenant).setEnvironment(env).setKey(key).setValue(value).setValueType(type)
        .setVersion(version).setUpdatedAt(Instant.now());
  }

  static void send(String env, LiveConfig record) throws Exception {
    producer.send(new ProducerRecord<>(Topics.live(env), partition(record.getTenantId()), record.getTenantId() + '|' + record.getKey(),
        SERDES.liveConfig().toBytes(record))).get();
  }

  /** The partitions of {@code topic} that a HotSwap client's consumer fetches, as Kafka's consumer metrics show them over JMX. */
  static java.util.Set<Integer> partitionsFetched(String topic) throws Exception {
    var jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
    return jmx.queryNames(new javax.management.ObjectName("kafka.consumer:type=consumer-fetch-manager-metrics,*"), null).stream()
        .filter(n -> n.getKeyProperty("partition") != null && n.getKeyProperty("client-id").startsWith("hotswap-client-")
            && topic.replace('.', '_').equals(n.getKeyProperty("topic").replace('.', '_')))
        .map(n -> Integer.parseInt(n.getKeyProperty("partition"))).collect(java.util.stream.Collectors.toSet());
  }

  /** Where rollout puts a tenant's records on the live and key topics (3 partitions here). */
  static int partition(String tenant) {
    return Topics.partitionOf(tenant, 3);
  }

  static void delete(String env, String tenant, String key) throws Exception {
    producer.send(new ProducerRecord<>(Topics.live(env), partition(tenant), tenant + '|' + key, null)).get();
  }

  private static HotSwapClientBuilder client(String env) {
    return HotSwapClient.builder().bootstrapServers(bootstrap).environment(env).register(false);
  }

  public record Pool(String host, int size) {}

  @Test
  void shouldServeTypedValuesAndProfilesOfItsTenantOnceCaughtUp() throws Exception {
    send("production", live("typed", "production", "feature.new_ui", "true", ValueType.BOOLEAN, 3).build());
    send("production", live("typed", "production", "limits.rps", "250", ValueType.NUMBER, 1).build());
    send("production", live("typed", "production", "limits.ratio", "0.75", ValueType.NUMBER, 1).build());
    send("production", live("typed", "production", "greeting", "hello", ValueType.STRING, 2).build());
    send("production", live("typed", "production", "db.pool", "{\"host\":\"db\",\"size\":8}", ValueType.JSON, 1).build());
    send("production", live("typed", "production", "profile:checkout", "{\"timeoutMs\":2000}", ValueType.JSON, 4)
        .setKind(LiveKind.PROFILE).setSemver("1.2.0").build());
    send("production", live("typed", "production", "gone", "x", ValueType.STRING, 1).build());
    delete("production", "typed", "gone");
    send("production", live("other", "production", "greeting", "not yours", ValueType.STRING, 1).build());

    try (HotSwapClient client = client("production").tenant("typed").build().start()) {
      client.ready().get(30, TimeUnit.SECONDS);
      assertThat(client.getBoolean("feature.new_ui", false)).isTrue();
      assertThat(client.getLong("limits.rps", 0)).isEqualTo(250);
      assertThat(client.getDouble("limits.ratio", 0)).isEqualTo(0.75);
      assertThat(client.getString("greeting", "?")).isEqualTo("hello");
      assertThat(client.get("greeting").orElseThrow().version()).isEqualTo(2);
      assertThat(client.getJson("db.pool").orElseThrow().get("size").asInt()).isEqualTo(8);
      assertThat(client.getJson("typed", "db.pool", Pool.class, null)).isEqualTo(new Pool("db", 8));
      assertThat(client.getProfile("typed", "checkout").orElseThrow().semver()).isEqualTo("1.2.0");
      assertThat(client.getProfileDocument("typed", "checkout").orElseThrow().get("timeoutMs").asInt()).isEqualTo(2000);
      // defaults: missing keys, removed keys, other tenants' keys, values of another type
      assertThat(client.getString("gone", "default")).isEqualTo("default");
      assertThat(client.getString("other", "greeting", "default")).isEqualTo("default");
      assertThat(client.getLong("greeting", -1)).isEqualTo(-1);
      assertThat(client.getBoolean("greeting", true)).isTrue();
      assertThat(client.all("typed")).containsKeys("feature.new_ui", "profile:checkout").doesNotContainKey("gone");
      // a returned tree is a copy
      client.getJson("db.pool").map(n -> ((tools.jackson.databind.node.ObjectNode) n).put("size", 99));
      assertThat(client.getJson("db.pool").orElseThrow().get("size").asInt()).isEqualTo(8);

      // it read its tenant's partition only: the other tenant's record sits in another one
      assertThat(partition("other")).isNotEqualTo(partition("typed"));
      assertThat(partitionsFetched(Topics.live("production"))).as("partitions of the live topic the client's consumer fetched (its JMX metrics)")
          .containsExactly(partition("typed"));

      Status status = client.status();
      assertThat(status.caughtUp()).isTrue();
      assertThat(status.servingFromFile()).isFalse();
      assertThat(status.snapshotSize()).isEqualTo(6);
      await().atMost(Duration.ofSeconds(10)).until(() -> client.status().fresh() && client.status().lag() == 0);
      assertThat(client.status().staleFor()).isZero();
    }
  }

  @Test
  void shouldCallListenersWithOldAndNewValuesAndKeepGoingWhenOneThrowsOrBlocks() throws Exception {
    send("production", live("listen", "production", "feature.a", "1", ValueType.NUMBER, 1).build());
    try (HotSwapClient client = client("production").tenant("listen").build().start()) {
      client.ready().get(30, TimeUnit.SECONDS);
      List<Change> byKey = Collections.synchronizedList(new ArrayList<>());
      List<Change> byPrefix = Collections.synchronizedList(new ArrayList<>());
      List<Change> byProfile = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch release = new CountDownLatch(1);
      List<Change> afterBlocked = Collections.synchronizedList(new ArrayList<>());
      client.subscribe(Selector.prefix("listen", "feature."), c -> {
        throw new IllegalStateException("listener bug");
      });
      client.subscribe(Selector.all(), c -> {
        release.await();
        afterBlocked.add(c);
      });
      client.subscribe(Selector.key("listen", "feature.a"), byKey::add);
      AutoCloseable prefix = client.subscribe(Selector.prefix("listen", "feature."), byPrefix::add);
      client.subscribe(Selector.profile("listen", "api"), byProfile::add);

      send("production", live("listen", "production", "feature.a", "2", ValueType.NUMBER, 2).build());
      send("production", live("listen", "production", "feature.b", "x", ValueType.STRING, 1).build());
      send("production", live("listen", "production", "other.c", "y", ValueType.STRING, 1).build());
      send("production", live("listen", "production", "profile:api", "{}", ValueType.JSON, 1).setKind(LiveKind.PROFILE).setSemver("1.0.0").build());
      delete("production", "listen", "feature.a");

      await().atMost(Duration.ofSeconds(15)).until(() -> byKey.size() == 2 && byPrefix.size() == 3 && byProfile.size() == 1);
      assertThat(byKey.getFirst().oldVersion()).isEqualTo(1L);
      assertThat(byKey.getFirst().newVersion()).isEqualTo(2L);
      assertThat(byKey.getFirst().oldValue().text()).isEqualTo("1");
      assertThat(byKey.getFirst().newValue().text()).isEqualTo("2");
      assertThat(byKey.get(1).removed()).isTrue();
      assertThat(byPrefix).extracting(Change::key).containsExactly("feature.a", "feature.b", "feature.a");
      assertThat(byProfile.getFirst().kind()).isEqualTo(ConfigValue.Kind.PROFILE);
      assertThat(byProfile.getFirst().newValue().semver()).isEqualTo("1.0.0");
      assertThat(client.listenerErrors()).as("the throwing listener was called for each of its changes").isEqualTo(3);
      assertThat(afterBlocked).as("the blocked listener holds only itself up").isEmpty();
      assertThat(client.getString("feature.b", null)).isEqualTo("x");

      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> afterBlocked.size() == 5);

      prefix.close();
      send("production", live("listen", "production", "feature.d", "z", ValueType.STRING, 1).build());
      await().atMost(Duration.ofSeconds(10)).until(() -> afterBlocked.size() == 6);
      assertThat(byPrefix).as("unsubscribed").hasSize(3);
    }
  }

  @Test
  void shouldDecryptSecretsWithTheTenantDataKeyAndNeverShowThem() throws Exception {
    SecretKey master = Envelope.newDataKey();
    SecretKey dataKey = Envelope.newDataKey();
    String sealed = Envelope.encrypt(dataKey, 1, "vault|production|db.password", "hunter2");
    producer.send(new ProducerRecord<>(Topics.TENANT_KEYS, partition("vault"), "vault|0000000001", SERDES.tenantKey().toBytes(TenantKey.newBuilder()
        .setTenantId("vault").setVersion(1).setWrappedKey(ByteBuffer.wrap(Envelope.wrap(master, dataKey, "vault")))
        .setMasterKeyId(Envelope.keyId(master)).setCreatedAt(Instant.now()).setCreatedBy("it").build()))).get();
    send("production", live("vault", "production", "db.password", sealed, ValueType.SECRET, 1).build());

    try (HotSwapClient withMaster = client("production").tenant("vault").masterKey(master.getEncoded()).build().start();
         HotSwapClient withDataKey = client("production").tenant("vault").dataKey("vault", 1, dataKey.getEncoded()).build().start();
         HotSwapClient withoutKey = client("production").tenant("vault").build().start()) {
      withMaster.ready().get(30, TimeUnit.SECONDS);
      withDataKey.ready().get(30, TimeUnit.SECONDS);
      withoutKey.ready().get(30, TimeUnit.SECONDS);
      assertThat(withMaster.getString("db.password", null)).isEqualTo("hunter2");
      assertThat(withDataKey.getString("db.password", null)).isEqualTo("hunter2");
      ConfigValue value = withMaster.get("db.password").orElseThrow();
      assertThat(value.isSecret()).isTrue();
      assertThat(value.toString()).contains("******").doesNotContain("hunter2");
      assertThatThrownBy(() -> withoutKey.getString("db.password", null))
          .hasMessageContaining("no data key v1 of tenant 'vault'").hasMessageNotContaining("hunter2");
    }
  }

  @Test
  void shouldEvaluateTheRecordsRolloutPerCaller() throws Exception {
    send("production", live("cohort", "production", "checkout.flow", "old", ValueType.STRING, 7)
        .setRollout(LiveRollout.newBuilder().setRolloutId("dep-9").setCandidate("new").setCandidateVersion(8L)
            .setTargetTags(List.of("canary")).setPercentage(50.0).build()).build());
    try (HotSwapClient canary = client("production").tenant("cohort").tags(List.of("canary")).build().start();
         HotSwapClient plain = client("production").tenant("cohort").instanceId("cohort-plain").build().start()) {
      canary.ready().get(30, TimeUnit.SECONDS);
      plain.ready().get(30, TimeUnit.SECONDS);
      assertThat(canary.getString("cohort", "checkout.flow", "?", Context.EMPTY)).isEqualTo("new");
      assertThat(plain.getString("cohort", "checkout.flow", "?", Context.EMPTY)).isEqualTo("old");
      // without a context the instance itself is placed: the tagged one gets the candidate, another by a sticky hash of its id
      assertThat(canary.getString("checkout.flow", "?")).isEqualTo("new");
      String placed = plain.get("checkout.flow").orElseThrow().arm();
      assertThat(plain.getString("checkout.flow", "?")).isEqualTo(placed.equals(Choice.CANDIDATE) ? "new" : "old");
      int candidates = 0;
      for (int i = 0; i < 1000; i++) {
        Context who = Context.of("userId", "u" + i);
        String v = plain.getString("cohort", "checkout.flow", "?", who);
        assertThat(plain.getString("cohort", "checkout.flow", "?", who)).as("sticky").isEqualTo(v);
        assertThat(plain.choice("cohort", "checkout.flow", who).orElseThrow().value()).isEqualTo(v);
        candidates += v.equals("new") ? 1 : 0;
      }
      assertThat(candidates).isBetween(400, 600);
    }
  }

  @Test
  void shouldSaveItsSnapshotWithSecretsStillSealed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("snapshot.json");
    SecretKey dataKey = Envelope.newDataKey();
    send("staging", live("saved", "staging", "api.token", Envelope.encrypt(dataKey, 1, "saved|staging|api.token", "s3cret"), ValueType.SECRET, 1).build());
    send("staging", live("saved", "staging", "plain", "visible", ValueType.STRING, 1).build());
    try (HotSwapClient client = client("staging").tenant("saved").dataKey("saved", 1, dataKey.getEncoded()).snapshotFile(file)
        .fileWriteInterval(Duration.ofMillis(100)).build().start()) {
      client.ready().get(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file));
      assertThat(client.getString("api.token", null)).isEqualTo("s3cret");
      send("staging", live("saved", "staging", "plain", "changed", ValueType.STRING, 2).build());
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(file).length() > 0
          && new SnapshotFile(file, "staging", SERDES.liveConfig()).read().records().get("saved|plain").getVersion() == 2);
    }
    String saved = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(saved).doesNotContain("s3cret");
    assertThat(new SnapshotFile(file, "production", SERDES.liveConfig()).read()).as("another environment's file is ignored").isNull();
    try (var entries = Files.list(dir)) {
      assertThat(entries.map(p -> p.getFileName().toString()).toList()).as("no temporary files left").containsExactly("snapshot.json");
    }
  }

  @Test
  void shouldRegisterHeartbeatReportAppliedChangesAndHealthThenDeregister() throws Exception {
    try (KafkaConsumer<String, byte[]> watch = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap), new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String t : List.of(Topics.INSTANCES, Topics.HEALTH)) {
        watch.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
      }
      watch.assign(parts);
      watch.seekToEnd(parts);
      parts.forEach(watch::position);

      List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
      // held before the client starts: reported as LOADED, not as a change
      send("production", live("reporting", "production", "feature.held", "7", ValueType.NUMBER, 3).build());
      try (HotSwapClient client = HotSwapClient.builder().bootstrapServers(bootstrap).environment("production").tenant("reporting")
          .instanceId("checkout-it-1").service("checkout").host("10.0.0.7").port(8080).tags(List.of("eu-west", "canary"))
          .heartbeatPeriod(Duration.ofMillis(300)).build().start()) {
        client.ready().get(30, TimeUnit.SECONDS);
        send("production", live("reporting", "production", "feature.x", "true", ValueType.BOOLEAN, 5).build());
        client.recordRequest(Duration.ofMillis(3), true);
        client.recordRequest(Duration.ofMillis(40), false);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
          watch.poll(Duration.ofMillis(100)).forEach(seen::add);
          List<HealthReport> reports = seen.stream().filter(r -> r.topic().equals(Topics.HEALTH))
              .map(r -> SERDES.healthReport().fromBytes(r.value())).toList();
          return seen.stream().filter(r -> r.topic().equals(Topics.INSTANCES)).count() >= 2
              && reports.stream().anyMatch(h -> h.getKind() == HealthReportKind.APPLIED)
              // after catching up, and once more a heartbeat later (in case the registry read the first before the registration)
              && reports.stream().filter(h -> h.getKind() == HealthReportKind.LOADED).count() >= 2
              && reports.stream().anyMatch(h -> h.getKind() == HealthReportKind.HEALTH && h.getRequests() == 2)
              // quiet periods are reported too (no requests, no p99)
              && reports.stream().anyMatch(h -> h.getKind() == HealthReportKind.HEALTH && h.getRequests() == 0 && h.getP99Ms() == null);
        });
      }
      ServiceInstance registered = SERDES.serviceInstance().fromBytes(seen.stream()
          .filter(r -> r.topic().equals(Topics.INSTANCES)).findFirst().orElseThrow().value());
      assertThat(registered.getInstanceId()).isEqualTo("checkout-it-1");
      assertThat(registered.getService()).isEqualTo("checkout");
      assertThat(registered.getHost()).isEqualTo("10.0.0.7");
      assertThat(registered.getPort()).isEqualTo(8080);
      assertThat(registered.getTags()).containsExactly("eu-west", "canary");
      assertThat(registered.getClientVersion()).isEqualTo(HotSwapClient.VERSION);
      assertThat(registered.getHeartbeatPeriodMs()).isEqualTo(300);
      HealthReport applied = seen.stream().filter(r -> r.topic().equals(Topics.HEALTH)).map(r -> SERDES.healthReport().fromBytes(r.value()))
          .filter(h -> h.getKind() == HealthReportKind.APPLIED).findFirst().orElseThrow();
      assertThat(applied.getTenantId()).isEqualTo("reporting");
      assertThat(applied.getKey()).isEqualTo("feature.x");
      assertThat(applied.getVersion()).isEqualTo(5);
      assertThat(applied.getApplyMicros()).isNotNull().isNotNegative();
      HealthReport loaded = seen.stream().filter(r -> r.topic().equals(Topics.HEALTH)).map(r -> SERDES.healthReport().fromBytes(r.value()))
          .filter(h -> h.getKind() == HealthReportKind.LOADED).findFirst().orElseThrow();
      assertThat(loaded.getLoaded()).containsEntry("reporting|feature.held", 3L).doesNotContainKey("reporting|feature.x");
      List<HealthReport> loads = seen.stream().filter(r -> r.topic().equals(Topics.HEALTH)).map(r -> SERDES.healthReport().fromBytes(r.value()))
          .filter(h -> h.getKind() == HealthReportKind.LOADED).toList();
      assertThat(loads.get(1).getLoaded()).as("the repeat says what the instance holds then").containsEntry("reporting|feature.held", 3L);
      assertThat(Duration.between(loads.get(0).getReportedAt(), loads.get(1).getReportedAt())).as("a heartbeat period apart")
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));
      ServiceInstance firstBeat = SERDES.serviceInstance().fromBytes(seen.stream().filter(r -> r.topic().equals(Topics.INSTANCES))
          .findFirst().orElseThrow().value());
      assertThat(firstBeat.getSentAt()).as("registered before the first report").isBeforeOrEqualTo(loads.get(0).getReportedAt());
      assertThat(seen.stream().filter(r -> r.topic().equals(Topics.HEALTH)).map(r -> SERDES.healthReport().fromBytes(r.value()))
          .filter(h -> h.getKind() == HealthReportKind.APPLIED)).as("a first load is not a change").noneMatch(h -> h.getKey().equals("feature.held"));
      HealthReport health = seen.stream().filter(r -> r.topic().equals(Topics.HEALTH)).map(r -> SERDES.healthReport().fromBytes(r.value()))
          .filter(h -> h.getKind() == HealthReportKind.HEALTH && h.getRequests() == 2).findFirst().orElseThrow();
      assertThat(health.getErrors()).isEqualTo(1);
      assertThat(health.getP99Ms()).isEqualTo(50.0);
      assertThat(health.getLatencyCounts().stream().mapToLong(Long::longValue).sum()).isEqualTo(2);

      // closing deregisters: a tombstone for the instance
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        watch.poll(Duration.ofMillis(100)).forEach(seen::add);
        return seen.stream().anyMatch(r -> r.topic().equals(Topics.INSTANCES) && r.value() == null && r.key().equals("checkout-it-1"));
      });
    }
  }
}
