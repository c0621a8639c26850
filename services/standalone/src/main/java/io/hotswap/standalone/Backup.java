package io.hotswap.standalone;

import io.hotswap.protocol.Topics;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Backup and restore of the platform's state: what the platform knows lives in two places, and a
 * backup takes both.
 *
 * <ul>
 *   <li><b>Kafka's compacted topics</b> are the source of truth for state: tenants, their keys,
 *       configurations and their versions, schemas, profiles, deployments, approvals, waves, the
 *       live topics the clients read, and the changelogs of the services' state stores (what
 *       validation, approval and rollout judge by). Every compacted topic is copied — record by
 *       record, with its partition, timestamp, key, value and headers, as committed
 *       ({@code read_committed}) — together with its partition count and the settings it was
 *       created with. Topics with delete retention are streams of work in flight (commands, their
 *       results, health reports, the audit topic) and are left out.</li>
 *   <li><b>PostgreSQL</b> holds the audit trail: {@code audit_log} and the hash chain's heads, copied
 *       whole ({@code COPY}, CSV).</li>
 * </ul>
 *
 * <p>Restore goes into an empty platform only (no records in any topic it restores, no rows in the
 * trail), before its services start: topics are created as they were and each record is written to
 * the partition it came from, so every tenant stays where the services' state expects it; the
 * services then rebuild their stores from the restored changelogs when they start, and each one
 * goes on reading where it had read (every consumer group's position is kept, translated to the
 * restored topics' offsets) instead of replaying history through its logic. A backup of a
 * running platform is consistent per topic; changes made while it runs may be in some topics and
 * not yet in others — take it while no one writes for a copy that agrees across topics.
 *
 * <p>On disk: {@code manifest.json} (topics, their settings and record counts, the consumer
 * groups' positions, row counts),
 * {@code topics/<topic>.records} (length-prefixed records) and {@code audit_log.csv},
 * {@code audit_chain_head.csv}.
 */
public final class Backup {

  private static final Logger LOG = LoggerFactory.getLogger(Backup.class);
  private static final List<String> TABLES = List.of("audit_log", "audit_chain_head");
  private static final int FORMAT = 1;

  private Backup() {}

  /** What a backup holds, as its manifest says. */
  public record Manifest(Instant takenAt, Map<String, Long> records, Map<String, Long> rows) {
    public long totalRecords() {
      return records.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Copies every compacted topic of the cluster at {@code bootstrap} and the audit tables into {@code dir} (created; must be empty). */
  public static Manifest backup(String bootstrap, Postgres db, Path dir) throws Exception {
    Files.createDirectories(dir.resolve("topics"));
    try (var listing = Files.list(dir.resolve("topics"))) {
      if (listing.findAny().isPresent() || Files.exists(dir.resolve("manifest.json"))) {
        throw new IllegalArgumentException(dir + " already holds a backup; give an empty directory");
      }
    }
    ObjectNode manifest = io.hotswap.core.json.Json.MAPPER.createObjectNode();
    manifest.put("format", FORMAT);
    Instant takenAt = Instant.now();
    manifest.put("takenAt", takenAt.toString());
    Map<String, Long> counts = new TreeMap<>();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
         KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
      Map<String, TopicDescription> topics = admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get();
      Map<String, Map<String, String>> settings = settings(admin, topics.keySet());
      // read before the records are copied, so a copy holds at least what each service had read when
      // it is restored: a change in flight is read again, and the pipeline's idempotency memory
      // (restored with the stores) knows it was handled
      Map<TopicPartition, Map<String, Long>> committed = committedOffsets(admin);
      Map<String, Map<TopicPartition, Long>> positions = new TreeMap<>();
      ObjectNode described = manifest.putObject("topics");
      for (String topic : new java.util.TreeSet<>(topics.keySet())) {
        Map<String, String> own = settings.get(topic);
        if (topic.startsWith("__") || !own.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, "delete").contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
          continue;
        }
        long n = copyOut(consumer, topic, topics.get(topic).partitions().size(), dir.resolve("topics").resolve(topic + ".records"),
            committed, positions);
        counts.put(topic, n);
        ObjectNode t = described.putObject(topic);
        t.put("partitions", topics.get(topic).partitions().size());
        t.put("records", n);
        own.forEach(t.putObject("config")::put);
      }
      ObjectNode groups = manifest.putObject("groups");
      positions.forEach((group, at) -> {
        ObjectNode g = groups.putObject(group);
        at.forEach((tp, offset) -> g.withObjectProperty(tp.topic()).put(Integer.toString(tp.partition()), offset));
      });
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      for (String table : TABLES) {
        try (Writer out = Files.newBufferedWriter(dir.resolve(table + ".csv"))) {
          rows.put(table, copy.copyOut("COPY " + table + " TO STDOUT WITH (FORMAT csv, HEADER)", out));
        }
      }
    }
    rows.forEach(manifest.putObject("rows")::put);
    Files.writeString(dir.resolve("manifest.json"), manifest.toPrettyString());
    LOG.info("Backup in {}: {} records of {} topics, {} audit rows", dir, counts.values().stream().mapToLong(Long::longValue).sum(),
        counts.size(), rows.get("audit_log"));
    return new Manifest(takenAt, counts, rows);
  }

  /**
   * Restores the backup in {@code dir} into the empty platform at {@code bootstrap} and {@code db};
   * refuses (nothing written) when a topic it restores already holds records or the trail has rows.
   */
  public static Manifest restore(Path dir, String bootstrap, Postgres db) throws Exception {
    JsonNode manifest = io.hotswap.core.json.Json.MAPPER.readTree(Files.readString(dir.resolve("manifest.json")));
    if (manifest.path("format").asInt() != FORMAT) {
      throw new IllegalArgumentException(dir + " is not a HotSwap backup of format " + FORMAT);
    }
    Map<String, Long> counts = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
         Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      io.hotswap.audit.AuditSchema.apply(new org.springframework.jdbc.core.JdbcTemplate(
          new org.springframework.jdbc.datasource.SingleConnectionDataSource(c, true)));
      requireEmpty(c, admin, manifest.path("topics"));
      List<NewTopic> missing = new ArrayList<>();
      var existing = admin.listTopics().names().get();
      for (Map.Entry<String, JsonNode> t : manifest.path("topics").properties()) {
        if (!existing.contains(t.getKey())) {
          Map<String, String> config = new HashMap<>();
          t.getValue().path("config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asString()));
          missing.add(new NewTopic(t.getKey(), Optional.of(t.getValue().path("partitions").asInt()), Optional.empty()).configs(config));
        }
      }
      admin.createTopics(missing).all().get();
      try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
        java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
        for (Map.Entry<String, JsonNode> t : manifest.path("topics").properties()) {
          awaitLeaders(producer, t.getKey());
          counts.put(t.getKey(), copyIn(producer, t.getKey(), dir.resolve("topics").resolve(t.getKey() + ".records"), failed));
        }
        producer.flush();
        if (failed.get() != null) {
          // a record that could not be written makes the restored platform differ from the backup: say so
          throw new IOException("restore could not write every record: " + failed.get().getMessage(), failed.get());
        }
      }
      // each service goes on from where it had read, not from the first record: reading the
      // restored topics again would replay their history through the services' logic
      for (Map.Entry<String, JsonNode> g : manifest.path("groups").properties()) {
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> at = new HashMap<>();
        g.getValue().properties().forEach(t -> t.getValue().properties().forEach(p -> at.put(
            new TopicPartition(t.getKey(), Integer.parseInt(p.getKey())), new org.apache.kafka.clients.consumer.OffsetAndMetadata(p.getValue().asLong()))));
        admin.alterConsumerGroupOffsets(g.getKey(), at).all().get();
      }
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      for (String table : TABLES) {
        try (Reader in = Files.newBufferedReader(dir.resolve(table + ".csv"))) {
          copy.copyIn("COPY " + table + " FROM STDIN WITH (FORMAT csv, HEADER)", in);
        }
      }
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    manifest.path("rows").properties().forEach(e -> rows.put(e.getKey(), e.getValue().asLong()));
    LOG.info("Restored {} into {}: {} records of {} topics, {} audit rows", dir, bootstrap, counts.values().stream().mapToLong(Long::longValue).sum(),
        counts.size(), rows.get("audit_log"));
    return new Manifest(Instant.parse(manifest.path("takenAt").asString()), counts, rows);
  }

  /** The settings each topic was created with (not the broker's defaults): what restore gives it again. */
  private static Map<String, Map<String, String>> settings(Admin admin, java.util.Set<String> topics) throws Exception {
    List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
    Map<String, Map<String, String>> out = new HashMap<>();
    configs.forEach((r, config) -> {
      Map<String, String> own = new TreeMap<>();
      for (ConfigEntry e : config.entries()) {
        if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG && e.value() != null) {
          own.put(e.name(), e.value());
        }
      }
      out.put(r.name(), own);
    });
    return out;
  }

  private static void requireEmpty(Connection c, Admin admin, JsonNode topics) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_log")) {
      rs.next();
      if (rs.getLong(1) > 0) {
        throw new IllegalStateException("the audit trail already has " + rs.getLong(1) + " rows: restore goes into an empty platform only");
      }
    }
    var existing = admin.listTopics().names().get();
    List<TopicPartition> partitions = new ArrayList<>();
    for (Map.Entry<String, TopicDescription> d : admin.describeTopics(topics.propertyNames().stream().filter(existing::contains).toList())
        .allTopicNames().get().entrySet()) {
      d.getValue().partitions().forEach(p -> partitions.add(new TopicPartition(d.getKey(), p.partition())));
    }
    if (partitions.isEmpty()) {
      return;
    }
    var ends = admin.listOffsets(partitions.stream().collect(java.util.stream.Collectors.toMap(p -> p,
        p -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
    for (var e : ends.entrySet()) {
      if (e.getValue().offset() > 0) {
        throw new IllegalStateException("topic " + e.getKey().topic() + " already holds records: restore goes into an empty platform only");
      }
    }
  }

  /** Where each consumer group (each service's stream application, each plain consumer) had read, by partition. */
  private static Map<TopicPartition, Map<String, Long>> committedOffsets(Admin admin) throws Exception {
    Map<TopicPartition, Map<String, Long>> committed = new HashMap<>();
    for (var group : admin.listGroups(org.apache.kafka.clients.admin.ListGroupsOptions.forConsumerGroups()).all().get()) {
      admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata().get().forEach((tp, at) -> {
        if (at != null) {
          committed.computeIfAbsent(tp, k -> new TreeMap<>()).put(group.groupId(), at.offset());
        }
      });
    }
    return committed;
  }

  /**
   * Writes every committed record of {@code topic} to {@code file}; returns how many. A restored
   * topic's offsets are dense (its records numbered from 0, without the gaps compaction and
   * transaction markers left), so each group's position is translated as it goes: the number of
   * copied records before the offset the group had reached.
   */
  private static long copyOut(KafkaConsumer<byte[], byte[]> consumer, String topic, int partitions, Path file,
      Map<TopicPartition, Map<String, Long>> committed, Map<String, Map<TopicPartition, Long>> positions) throws IOException {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    consumer.assign(tps);
    consumer.seekToBeginning(tps);
    Map<TopicPartition, Long> ends = consumer.endOffsets(tps); // read_committed: the last stable offsets
    for (TopicPartition tp : tps) {
      committed.getOrDefault(tp, Map.of()).keySet().forEach(group -> positions.computeIfAbsent(group, g -> new TreeMap<>(
          java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition))).put(tp, 0L));
    }
    long n = 0;
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.offset() >= ends.get(new TopicPartition(r.topic(), r.partition()))) {
            continue;
          }
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          committed.getOrDefault(tp, Map.of()).forEach((group, offset) -> {
            if (r.offset() < offset) {
              positions.get(group).merge(tp, 1L, Long::sum);
            }
          });
          out.writeInt(r.partition());
          out.writeLong(r.timestamp());
          bytes(out, r.key());
          bytes(out, r.value());
          Header[] headers = r.headers().toArray();
          out.writeInt(headers.length);
          for (Header h : headers) {
            out.writeUTF(h.key());
            bytes(out, h.value());
          }
          n++;
        }
      }
    }
    consumer.unsubscribe();
    return n;
  }

  /** Writes the records of {@code file} to {@code topic}, each to its partition; returns how many. */
  /**
   * Waits until every partition of a just-created topic has a leader: writing before that gets
   * "invalid metadata" answers, and an idempotent producer retrying through them can lose its
   * sequence (the broker then refuses the partition's next batches until the delivery timeout).
   */
  private static void awaitLeaders(KafkaProducer<byte[], byte[]> producer, String topic) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    while (producer.partitionsFor(topic).stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the partitions of " + topic + " got no leader within 60 s");
      }
      Thread.sleep(50); // metadata refreshes on its own schedule; nothing to wait on but time
    }
  }

  private static long copyIn(KafkaProducer<byte[], byte[]> producer, String topic, Path file,
      java.util.concurrent.atomic.AtomicReference<Exception> failed) throws Exception {
    long n = 0;
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      while (true) {
        int partition;
        try {
          partition = in.readInt();
        } catch (EOFException end) {
          break;
        }
        long timestamp = in.readLong();
        byte[] key = bytes(in);
        byte[] value = bytes(in);
        RecordHeaders headers = new RecordHeaders();
        for (int h = in.readInt(); h > 0; h--) {
          headers.add(in.readUTF(), bytes(in));
        }
        producer.send(new ProducerRecord<>(topic, partition, timestamp, key, value, headers), (meta, e) -> {
          if (e != null) {
            failed.compareAndSet(null, e);
          }
        });
        n++;
      }
    }
    return n;
  }

  private static void bytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b == null ? -1 : b.length);
    if (b != null) {
      out.write(b);
    }
  }

  private static byte[] bytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    return n < 0 ? null : in.readNBytes(n);
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES,
        // one request in flight per partition: strict order, and no sequence to rebuild after a retry
        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
        ProducerConfig.LINGER_MS_CONFIG, 20), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** {@code ./hotswap backup <dir>} and {@code ./hotswap restore <dir>}. */
  static int main(String command, List<String> args, Map<String, String> env) throws Exception {
    if (args.size() != 1) {
      System.err.println("usage: ./hotswap " + command + " <directory>");
      return 2;
    }
    Path dir = Path.of(args.getFirst()).toAbsolutePath();
    Path data = Path.of(Backing.get(env, "HOTSWAP_DATA_DIR", "./data")).toAbsolutePath().normalize();
    try {
      if (command.equals("backup")) {
        // of the running platform: its broker and database, embedded on their default ports unless named
        String bootstrap = Backing.get(env, "HOTSWAP_KAFKA_BOOTSTRAP", "localhost:" + Backing.get(env, "HOTSWAP_KAFKA_PORT", "9092"));
        String url = Backing.get(env, "HOTSWAP_DB_URL", "jdbc:postgresql://localhost:" + Backing.get(env, "HOTSWAP_DB_PORT", "5433") + "/hotswap");
        Postgres db = Postgres.external(url, Backing.get(env, "HOTSWAP_DB_USER", env.get("HOTSWAP_DB_URL") == null ? "postgres" : "hotswap"),
            Backing.get(env, "HOTSWAP_DB_PASSWORD", env.get("HOTSWAP_DB_URL") == null ? "postgres" : "hotswap"));
        Manifest m = backup(bootstrap, db, dir);
        System.out.printf("backup written to %s: %d records of %d topics, %d audit rows%n", dir, m.totalRecords(), m.records().size(),
            m.rows().get("audit_log"));
      } else {
        // into the platform's data directory (or the broker and database the environment names), before it starts
        try (Backing backing = Backing.start(env, data)) {
          Manifest m = restore(dir, backing.bootstrap(), backing.postgres());
          System.out.printf("restored %s into %s: %d records of %d topics, %d audit rows; start it with ./hotswap up%n", dir, data,
              m.totalRecords(), m.records().size(), m.rows().get("audit_log"));
        }
      }
      return 0;
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("hotswap " + command + ": " + e.getMessage());
      return 1;
    }
  }
}
