package io.hotswap.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.AuditEventType;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

/** The audit sink on a real broker and a real PostgreSQL. */
@Tag("integration")
@SpringBootTest(classes = AuditApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.config.name=audit", "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "hotswap.security.jwt.secret=" + io.hotswap.core.testing.Tokens.SECRET})
@EmbeddedKafka(partitions = 3, brokerProperties = {"transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1"})
class AuditSinkIT {

  /** The database's files and port stay the same across a stop and start (the outage test). */
  static final java.nio.file.Path PG_DATA = tempDir();
  static final int PG_PORT = freePort();
  static volatile EmbeddedPostgres postgres = start();
  static final Serdes SERDES = Serdes.create();

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired JdbcTemplate jdbc;
  @Autowired org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory<byte[], byte[]> listeners;
  @LocalServerPort int port;

  static EmbeddedPostgres start() {
    try {
      return EmbeddedPostgres.builder().setDataDirectory(PG_DATA).setCleanDataDirectory(false).setPort(PG_PORT).start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static java.nio.file.Path tempDir() {
    try {
      return java.nio.file.Files.createTempDirectory("audit-it-pg");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> postgres.getJdbcUrl("postgres", "postgres"));
    registry.add("spring.datasource.username", () -> "postgres");
    registry.add("spring.datasource.password", () -> "postgres");
    registry.add("hotswap.security.master-key", () -> io.hotswap.core.testing.Tokens.MASTER_KEY);
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  static AuditEvent event(String tenant, String id, Instant at) {
    return AuditEvent.newBuilder().setEventId(id).setEventType(AuditEventType.CONFIG_CREATED).setTenantId(tenant)
        .setEnvironment("development").setKey("a.b").setResourceId(tenant + ":development:a.b").setNewValue("1").setVersion(1)
        .setActor("alice").setSourceIp("10.0.0.1").setTraceId("t-" + id).setCommandId(id).setOccurredAt(at).build();
  }

  private KafkaProducer<String, byte[]> transactionalProducer() {
    KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "audit-it-" + UUID.randomUUID(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    p.initTransactions();
    return p;
  }

  static int status(RestClient client, String uri) {
    Integer status = client.get().uri(uri).exchange((req, res) -> res.getStatusCode().value());
    return status == null ? -1 : status;
  }

  long rows(String tenant) {
    return jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE tenant_id = ?", Long.class, tenant);
  }

  @Test
  void shouldStoreCommittedEventsOnceAndIgnoreAbortedOnes() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    AuditEvent a = event("audit-once", "e-1", now);
    try (KafkaProducer<String, byte[]> p = transactionalProducer()) {
      p.beginTransaction();
      p.send(new ProducerRecord<>(Topics.AUDIT, "audit-once", SERDES.auditEvent().toBytes(a)));
      p.send(new ProducerRecord<>(Topics.AUDIT, "audit-once", SERDES.auditEvent().toBytes(a))); // redelivered duplicate
      p.commitTransaction();
      p.beginTransaction();
      p.send(new ProducerRecord<>(Topics.AUDIT, "audit-once", SERDES.auditEvent().toBytes(event("audit-once", "aborted", now))));
      p.abortTransaction();
      p.beginTransaction();
      p.send(new ProducerRecord<>(Topics.AUDIT, "audit-once", SERDES.auditEvent().toBytes(event("audit-once", "e-2", now.plusSeconds(1)))));
      p.commitTransaction();
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> rows("audit-once") == 2);
    assertThat(jdbc.queryForList("SELECT event_id FROM audit_log WHERE tenant_id = 'audit-once' ORDER BY event_id", String.class))
        .containsExactly("e-1", "e-2");
    Map<String, Object> row = jdbc.queryForMap("SELECT * FROM audit_log WHERE event_id = 'e-1'");
    assertThat(row).containsEntry("actor", "alice").containsEntry("source_ip", "10.0.0.1").containsEntry("config_key", "a.b");
  }

  /**
   * The sink waits for a batch worth a database transaction (64 KiB or 100 ms) rather than taking
   * each pipeline commit's few events on their own; a burst is stored whole, in large batches.
   */
  @Test
  void shouldStoreABurstInLargeBatches() {
    assertThat(listeners.getConsumerFactory().getConfigurationProperties())
        .containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, AuditConfiguration.FETCH_MIN_BYTES)
        .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, AuditConfiguration.FETCH_MAX_WAIT_MS);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    try (KafkaProducer<String, byte[]> p = transactionalProducer()) {
      p.beginTransaction();
      for (int i = 0; i < 400; i++) {
        p.send(new ProducerRecord<>(Topics.AUDIT, "audit-burst", SERDES.auditEvent().toBytes(event("audit-burst", "burst-" + i, now.plusMillis(i)))));
      }
      p.commitTransaction();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> rows("audit-burst") == 400);
    String scraped = RestClient.create("http://localhost:" + port).get().uri("/actuator/prometheus")
        .header("Authorization", "Bearer " + io.hotswap.core.testing.Tokens.admin()).retrieve().body(String.class);
    java.util.regex.Matcher max = java.util.regex.Pattern.compile("(?m)^hotswap_audit_batch_size_events_max(?:\\{[^}]*\\})? ([0-9.Ee+]+)$").matcher(scraped);
    assertThat(max.find()).as("the batch size summary on /actuator/prometheus").isTrue();
    assertThat(Double.parseDouble(max.group(1))).as("events stored in one database transaction").isGreaterThanOrEqualTo(100);
  }

  /**
   * PostgreSQL away for a minute while events keep coming: producing them never waits for the
   * database, the sink's health shows it failing and its lag growing, and once the database is
   * back every event is stored exactly once.
   */
  @Test
  void shouldStoreEveryEventOnceAfterPostgresWasAwayForAMinuteUnderLoad() throws Exception {
    RestClient http = RestClient.create("http://localhost:" + port);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    int perSecond = 20;
    long outage = Long.getLong("hotswap.audit.outage-seconds", 60);
    postgres.close();
    java.util.concurrent.atomic.AtomicInteger produced = new java.util.concurrent.atomic.AtomicInteger();
    try {
      outage(http, now, perSecond, outage, produced);
    } finally {
      postgres = start(); // back whatever happened above: the other tests need it
    }
    // the pool's first connections after the restart may still be refused for a moment
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> rows("audit-outage") == produced.get());
    assertThat(jdbc.queryForObject("SELECT count(DISTINCT event_id) FROM audit_log WHERE tenant_id = 'audit-outage'", Long.class))
        .isEqualTo(produced.get());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(healthText(http)).contains("\"storing\":true").doesNotContain("failingSince"));
    // and the retried batches extended the chain once each: it is whole and as long as what was produced
    Map<?, ?> chain = verify("audit-outage");
    assertThat(chain.get("valid")).as("%s", chain).isEqualTo(true);
    assertThat(((Number) chain.get("checkedRows")).longValue()).isEqualTo(produced.get());
  }

  /** {@code GET /api/v1/audit-logs/verify} as an auditor (Viewer) sees it. */
  Map<?, ?> verify(String tenant) {
    return RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeader("Authorization", "Bearer " + io.hotswap.core.testing.Tokens.token("auditor", List.of("Viewer"), List.of())).build()
        .get().uri("/api/v1/audit-logs/verify?tenantId={t}", tenant).retrieve().body(Map.class);
  }

  /** Runs statements as the database superuser with the append-only triggers switched off, as an intruder with that power would. */
  void tamper(String... statements) {
    jdbc.execute((org.springframework.jdbc.core.ConnectionCallback<Void>) con -> {
      try (var st = con.createStatement()) {
        st.execute("SET session_replication_role = replica");
        for (String sql : statements) {
          st.execute(sql);
        }
        st.execute("SET session_replication_role = origin");
      }
      return null;
    });
  }

  /**
   * Each tenant's trail is hash-chained with a key PostgreSQL does not hold: a superuser who
   * switches the triggers off can edit, delete or reorder rows, and verify names the first row
   * that no longer fits; a trail no one touched verifies, and keeps growing from its head.
   */
  @Test
  void shouldNameTheFirstBrokenLinkWhenRowsAreEditedDeletedOrReordered() {
    List<String> tenants = List.of("chain-whole", "chain-edit", "chain-delete", "chain-reorder", "chain-tail");
    Instant base = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    try (KafkaProducer<String, byte[]> p = transactionalProducer()) {
      for (int i = 1; i <= 5; i++) {
        p.beginTransaction(); // one event per transaction: the sink sees them in several batches
        for (String t : tenants) {
          p.send(new ProducerRecord<>(Topics.AUDIT, t, SERDES.auditEvent().toBytes(AuditEvent.newBuilder(event(t, t + "-" + i, base.plusSeconds(i)))
              .setVersion(i).setNewValue("v" + i).build())));
        }
        p.commitTransaction();
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> tenants.stream().allMatch(t -> rows(t) == 5));
    for (String t : tenants) {
      Map<?, ?> whole = verify(t);
      assertThat(whole.get("valid")).as("%s", whole).isEqualTo(true);
      assertThat(whole.get("checkedRows")).isEqualTo(5);
      assertThat(jdbc.queryForList("SELECT chain_seq FROM audit_log WHERE tenant_id = ? ORDER BY occurred_at", Long.class, t))
          .containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    tamper("UPDATE audit_log SET new_value = 'v999' WHERE tenant_id = 'chain-edit' AND chain_seq = 3",
        "DELETE FROM audit_log WHERE tenant_id = 'chain-delete' AND chain_seq = 2",
        // two rows change places (the unique place index forbids a direct swap)
        "UPDATE audit_log SET chain_seq = -4 WHERE tenant_id = 'chain-reorder' AND chain_seq = 4",
        "UPDATE audit_log SET chain_seq = 4 WHERE tenant_id = 'chain-reorder' AND chain_seq = 2",
        "UPDATE audit_log SET chain_seq = 2 WHERE tenant_id = 'chain-reorder' AND chain_seq = -4",
        "DELETE FROM audit_log WHERE tenant_id = 'chain-tail' AND chain_seq = 5");

    assertThat(verify("chain-whole").get("valid")).isEqualTo(true);
    assertBroken(verify("chain-edit"), 3, "chain-edit-3", "altered");
    assertBroken(verify("chain-delete"), 2, "chain-delete-3", "row 2 is missing");
    assertBroken(verify("chain-reorder"), 2, "chain-reorder-4", "does not follow row 1");
    assertBroken(verify("chain-tail"), 5, null, "rows 5 to 5 are missing");

    // the sink goes on appending to an edited chain; verify still names the first break
    try (KafkaProducer<String, byte[]> p = transactionalProducer()) {
      p.beginTransaction();
      p.send(new ProducerRecord<>(Topics.AUDIT, "chain-edit", SERDES.auditEvent().toBytes(event("chain-edit", "chain-edit-6", base.plusSeconds(6)))));
      p.commitTransaction();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> rows("chain-edit") == 6);
    assertBroken(verify("chain-edit"), 3, "chain-edit-3", "altered");
    // an auditor can read each row's place and link, to keep the head elsewhere
    Map<?, ?> page = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeader("Authorization", "Bearer " + io.hotswap.core.testing.Tokens.admin()).build()
        .get().uri("/api/v1/audit-logs?tenantId=chain-whole&size=10").retrieve().body(Map.class);
    Map<?, ?> last = (Map<?, ?>) ((List<?>) page.get("items")).getLast();
    assertThat(last.get("chainSeq")).isEqualTo(5);
    assertThat(last.get("rowHash")).isEqualTo(((Map<?, ?>) verify("chain-whole").get("head")).get("hash"));

    RestClient viewer = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeader("Authorization", "Bearer " + io.hotswap.core.testing.Tokens.token("auditor", List.of("Viewer"), List.of())).build();
    assertThat(status(viewer, "/api/v1/audit-logs/verify")).as("a chain is a tenant's").isEqualTo(400);
    RestClient otherTenant = RestClient.builder().baseUrl("http://localhost:" + port).defaultHeader("Authorization", "Bearer "
        + io.hotswap.core.testing.Tokens.token("ta", List.of("TenantAdmin"), List.of("someone-else"))).build();
    assertThat(status(otherTenant, "/api/v1/audit-logs/verify?tenantId=chain-edit")).isEqualTo(404);
    assertThat(status(RestClient.create("http://localhost:" + port), "/api/v1/audit-logs/verify?tenantId=chain-edit")).isEqualTo(401);
  }

  private static void assertBroken(Map<?, ?> verification, long seq, String eventId, String problem) {
    assertThat(verification.get("valid")).as("%s", verification).isEqualTo(false);
    Map<?, ?> link = (Map<?, ?>) verification.get("firstBrokenLink");
    assertThat(((Number) link.get("seq")).longValue()).isEqualTo(seq);
    assertThat(link.get("eventId")).isEqualTo(eventId);
    assertThat((String) link.get("problem")).contains(problem);
  }

  /** Produces events at {@code perSecond} for {@code seconds} while the database is away, checking what the sink reports. */
  private void outage(RestClient http, Instant now, int perSecond, long outage, java.util.concurrent.atomic.AtomicInteger produced)
      throws Exception {
    try (KafkaProducer<String, byte[]> p = transactionalProducer();
         var clock = java.util.concurrent.Executors.newSingleThreadScheduledExecutor()) {
      var load = clock.scheduleAtFixedRate(() -> {
        int n = produced.getAndIncrement();
        p.beginTransaction();
        p.send(new ProducerRecord<>(Topics.AUDIT, "audit-outage", SERDES.auditEvent().toBytes(event("audit-outage", "o-" + n, now.plusMillis(n)))));
        p.commitTransaction();
      }, 0, 1000 / perSecond, java.util.concurrent.TimeUnit.MILLISECONDS);
      // while the database is away the sink says so, with its lag
      await().atMost(Duration.ofSeconds(outage)).untilAsserted(() -> {
        // the database's own indicator is DOWN meanwhile, so the endpoint answers 503: read the body whatever the status
        assertThat(healthText(http)).contains("\"auditSink\"").contains("\"storing\":false").contains("failingSince");
      });
      await().atMost(Duration.ofSeconds(outage + 30)).until(() -> produced.get() >= outage * perSecond);
      load.cancel(false);
    }
    assertThat(http.get().uri("/actuator/prometheus").header("Authorization", "Bearer " + io.hotswap.core.testing.Tokens.admin())
        .retrieve().body(String.class)).contains("hotswap_audit_sink_failing_seconds").contains("hotswap_audit_sink_lag_records");
  }

  /** The health document whatever its status (503 while a component is DOWN). */
  static String healthText(RestClient http) {
    String body = http.get().uri("/actuator/health").exchange((req, res) -> new String(res.getBody().readAllBytes(), StandardCharsets.UTF_8));
    return body == null ? "" : body;
  }

  @Test
  void shouldRefuseUpdatesDeletesAndTruncatesInTheDatabaseItself() {
    try (KafkaProducer<String, byte[]> p = transactionalProducer()) {
      p.beginTransaction();
      p.send(new ProducerRecord<>(Topics.AUDIT, "audit-immutable", SERDES.auditEvent().toBytes(event("audit-immutable", "imm-1", Instant.now()))));
      p.commitTransaction();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> rows("audit-immutable") == 1);

    assertThatThrownBy(() -> jdbc.update("UPDATE audit_log SET actor = 'mallory' WHERE event_id = 'imm-1'"))
        .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbc.update("DELETE FROM audit_log WHERE event_id = 'imm-1'"))
        .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbc.execute("TRUNCATE audit_log")).isInstanceOf(DataAccessException.class);
    assertThat(jdbc.queryForObject("SELECT actor FROM audit_log WHERE event_id = 'imm-1'", String.class)).isEqualTo("alice");
  }

  @Test
  void shouldDeadLetterAnUndecodableEventAndKeepSinking() throws Exception {
    try (KafkaProducer<String, byte[]> p = transactionalProducer()) {
      p.beginTransaction();
      p.send(new ProducerRecord<>(Topics.AUDIT, "audit-poison", "garbage".getBytes(StandardCharsets.UTF_8)));
      p.send(new ProducerRecord<>(Topics.AUDIT, "audit-poison", SERDES.auditEvent().toBytes(event("audit-poison", "after-poison", Instant.now()))));
      p.commitTransaction();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> rows("audit-poison") == 1);

    try (KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
      List<TopicPartition> parts = dlq.partitionsFor(Topics.DLQ).stream().map(i -> new TopicPartition(Topics.DLQ, i.partition())).toList();
      dlq.assign(parts);
      dlq.seekToBeginning(parts);
      List<String> reasons = new java.util.ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        dlq.poll(Duration.ofMillis(200)).forEach(r -> {
          if ("garbage".equals(new String(r.value(), StandardCharsets.UTF_8))) {
            reasons.add(new String(r.headers().lastHeader(AuditSink.REASON_HEADER).value(), StandardCharsets.UTF_8));
          }
        });
        return !reasons.isEmpty();
      });
      assertThat(reasons.getFirst()).contains("Cannot decode AuditEvent");
    }
  }

  @Test
  void shouldListEventsByTenantAndTimeRangeOldestFirst() {
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    try (KafkaProducer<String, byte[]> p = transactionalProducer()) {
      p.beginTransaction();
      for (int i = 0; i < 5; i++) {
        p.send(new ProducerRecord<>(Topics.AUDIT, "audit-query", SERDES.auditEvent().toBytes(event("audit-query", "q-" + i, base.plus(i, ChronoUnit.HOURS)))));
      }
      p.commitTransaction();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> rows("audit-query") == 5);

    RestClient http = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeader("Authorization", "Bearer " + io.hotswap.core.testing.Tokens.token("auditor", List.of("Viewer"), List.of())).build();
    Map<?, ?> page = http.get().uri("/api/v1/audit-logs?tenantId=audit-query&from=2026-01-01T01:00:00Z&to=2026-01-01T04:00:00Z&size=2")
        .retrieve().body(Map.class);
    assertThat(page.get("totalItems")).isEqualTo(3);
    assertThat(page.get("totalPages")).isEqualTo(2);
    List<Object> ids = ((List<?>) page.get("items")).stream().map(i -> ((Map<?, ?>) i).get("eventId")).map(Object.class::cast).toList();
    assertThat(ids).containsExactly("q-1", "q-2");

    var bad = status(http, "/api/v1/audit-logs?from=yesterday");
    assertThat(bad).isEqualTo(400);
    var badSize = status(http, "/api/v1/audit-logs?size=0");
    assertThat(badSize).isEqualTo(400);

    // a token is required, the role must allow reading audit, and a tenant-scoped token sees only its tenants
    RestClient anonymous = RestClient.create("http://localhost:" + port);
    assertThat(status(anonymous, "/api/v1/audit-logs")).isEqualTo(401);
    RestClient developer = RestClient.builder().baseUrl("http://localhost:" + port).defaultHeader("Authorization", "Bearer "
        + io.hotswap.core.testing.Tokens.token("dev", List.of("Developer"), List.of())).build();
    assertThat(status(developer, "/api/v1/audit-logs")).isEqualTo(403);
    RestClient otherTenant = RestClient.builder().baseUrl("http://localhost:" + port).defaultHeader("Authorization", "Bearer "
        + io.hotswap.core.testing.Tokens.token("ta", List.of("TenantAdmin"), List.of("someone-else"))).build();
    assertThat(status(otherTenant, "/api/v1/audit-logs?tenantId=audit-query")).isEqualTo(404);
    assertThat(status(otherTenant, "/api/v1/audit-logs")).isEqualTo(404);
    assertThat(status(anonymous, "/actuator/health")).isEqualTo(200);
  }

  @Test
  void shouldExportARangeAsCsvOrJsonAndReplayWhatWasLiveAtAnInstant() throws Exception {
    Instant t0 = Instant.parse("2026-02-01T10:00:00Z");
    java.util.function.BiFunction<String, Integer, AuditEvent.Builder> at = (id, minutes) -> AuditEvent.newBuilder(event("audit-replay", id,
        t0.plus(minutes, ChronoUnit.MINUTES)));
    List<AuditEvent> trail = List.of(
        at.apply("r-1", 0).setKey("checkout.timeout_ms").setNewValue("500").setVersion(1).build(),
        at.apply("r-2", 10).setEventType(AuditEventType.CONFIG_UPDATED).setKey("checkout.timeout_ms").setOldValue("500").setNewValue("600")
            .setVersion(2).build(),
        at.apply("r-3", 20).setEventType(AuditEventType.DEPLOYMENT_STARTED).setKey("checkout.timeout_ms").setResourceId("audit-replay:d1")
            .setOldValue("600").setNewValue("800").setVersion(3).setDetail("running, canary, step 1/4 at 10 %").build(),
        at.apply("r-4", 30).setEventType(AuditEventType.DEPLOYMENT_COMPLETED).setKey("checkout.timeout_ms").setResourceId("audit-replay:d1")
            .setNewValue(null).setVersion(3).build(),
        at.apply("r-5", 5).setKey("feature.beta").setNewValue("=HYPERLINK(\"http://x\")").setVersion(1).build(),
        at.apply("r-6", 25).setEventType(AuditEventType.CONFIG_DELETED).setKey("feature.beta").setNewValue(null).setVersion(2).build(),
        at.apply("r-7", 7).setKey("note.text").setNewValue("a, \"quoted\"\nline").setVersion(1).build());
    try (KafkaProducer<String, byte[]> p = transactionalProducer()) {
      p.beginTransaction();
      trail.forEach(e -> p.send(new ProducerRecord<>(Topics.AUDIT, "audit-replay", SERDES.auditEvent().toBytes(e))));
      p.commitTransaction();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> rows("audit-replay") == trail.size());
    RestClient http = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeader("Authorization", "Bearer " + io.hotswap.core.testing.Tokens.token("auditor", List.of("Viewer"), List.of())).build();

    // export: CSV with a header, every row of the range, quoting and formula cells defused; JSON the same rows
    var csv = http.get().uri("/api/v1/audit-logs/export?tenantId=audit-replay&format=csv").retrieve().toEntity(String.class);
    assertThat(csv.getHeaders().getContentType().toString()).startsWith("text/csv");
    assertThat(csv.getHeaders().getFirst("Content-Disposition")).isEqualTo("attachment; filename=\"audit-audit-replay.csv\"");
    List<String> lines = List.of(csv.getBody().split("\r\n"));
    assertThat(lines.getFirst()).isEqualTo(String.join(",", AuditExport.COLUMNS));
    assertThat(csv.getBody()).contains("'=HYPERLINK(\"\"http://x\"\")").contains("\"a, \"\"quoted\"\"\nline\"");
    assertThat(lines.get(1)).startsWith("r-1,CONFIG_CREATED,audit-replay,development,checkout.timeout_ms,");
    List<?> json = http.get().uri("/api/v1/audit-logs/export?tenantId=audit-replay&format=json&from=2026-02-01T10:06:00Z").retrieve()
        .body(List.class);
    assertThat(json.stream().<Object>map(r -> ((Map<?, ?>) r).get("eventId")).toList()).containsExactly("r-7", "r-2", "r-3", "r-6", "r-4");
    assertThat(status(http, "/api/v1/audit-logs/export?format=xml")).isEqualTo(400);

    // replay: what was live at each instant
    Map<?, ?> before = http.get().uri("/api/v1/audit-logs/replay?tenantId=audit-replay&at=2026-02-01T10:12:00Z").retrieve().body(Map.class);
    assertThat(((List<?>) before.get("items")).stream().map(i -> ((Map<?, ?>) i).get("key") + "=" + ((Map<?, ?>) i).get("value") + "@v"
        + ((Map<?, ?>) i).get("version")).toList()).containsExactly("checkout.timeout_ms=600@v2", "feature.beta==HYPERLINK(\"http://x\")@v1",
        "note.text=a, \"quoted\"\nline@v1");
    Map<?, ?> during = http.get().uri("/api/v1/audit-logs/replay?tenantId=audit-replay&at=2026-02-01T10:26:00Z").retrieve().body(Map.class);
    List<?> items = (List<?>) during.get("items");
    assertThat(items.stream().<Object>map(i -> ((Map<?, ?>) i).get("key")).toList()).containsExactly("checkout.timeout_ms", "note.text");
    Map<?, ?> canary = (Map<?, ?>) items.getFirst();
    assertThat(canary.get("value")).as("most callers still had the stable value").isEqualTo("600");
    assertThat(((Map<?, ?>) canary.get("deployment")).get("candidateValue")).isEqualTo("800");
    Map<?, ?> after = http.get().uri("/api/v1/audit-logs/replay?tenantId=audit-replay&at=2026-02-01T10:31:00Z&environment=development")
        .retrieve().body(Map.class);
    Map<?, ?> done = (Map<?, ?>) ((List<?>) after.get("items")).getFirst();
    assertThat(done.get("value")).isEqualTo("800");
    assertThat(done.get("version")).isEqualTo(3);
    assertThat(done.get("deployment")).isNull();

    assertThat(status(http, "/api/v1/audit-logs/replay")).as("a replay is of one tenant").isEqualTo(400);
    RestClient otherTenant = RestClient.builder().baseUrl("http://localhost:" + port).defaultHeader("Authorization", "Bearer "
        + io.hotswap.core.testing.Tokens.token("ta", List.of("TenantAdmin"), List.of("someone-else"))).build();
    assertThat(status(otherTenant, "/api/v1/audit-logs/replay?tenantId=audit-replay")).isEqualTo(404);
    assertThat(status(otherTenant, "/api/v1/audit-logs/export?tenantId=audit-replay")).isEqualTo(404);
    assertThat(status(otherTenant, "/api/v1/audit-logs/export")).as("never the whole trail").isEqualTo(404);
  }
}
