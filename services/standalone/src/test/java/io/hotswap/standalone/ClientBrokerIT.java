package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.ValueType;
import io.hotswap.client.Change;
import io.hotswap.client.HotSwapClient;
import io.hotswap.client.Selector;
import io.hotswap.client.Status;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client when the broker is not there: it starts from its snapshot file and says so, catches
 * up when the broker comes, and a broker restart mid-stream costs it no update. A real KRaft broker
 * (Kafka's own server) that keeps its log directory across restarts.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClientBrokerIT {

  private static final Serdes SERDES = Serdes.create();

  private static LiveConfig live(String tenant, String key, String value, long version) {
    return LiveConfig.newBuilder().setTenantId(tenant).setEnvironment("production").setKey(key).setValue(value)
        .setValueType(ValueType.NUMBER).setVersion(version).setUpdatedAt(Instant.now()).build();
  }

  /** A live record where rollout puts it: in its tenant's partition (the client reads only that one). */
  private static ProducerRecord<String, byte[]> record(KafkaProducer<String, byte[]> p, String tenant, String key, io.hotswap.avro.LiveConfig value) {
    String topic = Topics.live("production");
    return new ProducerRecord<>(topic, Topics.partitionOf(tenant, p.partitionsFor(topic).size()), tenant + "|" + key, SERDES.liveConfig().toBytes(value));
  }

  private static KafkaProducer<String, byte[]> producer(KafkaBroker broker) {
    return new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all", "enable.idempotence", true,
        "delivery.timeout.ms", 120_000, "request.timeout.ms", 5_000, "max.block.ms", 120_000), new StringSerializer(), new ByteArraySerializer());
  }

  private static void createTopics(KafkaBroker broker) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(new Topics(3, (short) 1).newTopics().stream()
          .filter(t -> t.name().equals(Topics.live("production")) || t.name().equals(Topics.INSTANCES) || t.name().equals(Topics.HEALTH))
          .toList()).all().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldServeItsFileWhileTheBrokerIsDownAndCatchUpWhenItStarts(@TempDir Path dir) throws Exception {
    int port = PlatformTest.freePort();
    int controller = PlatformTest.freePort();
    Path file = dir.resolve("snapshot.json");
    KafkaBroker broker = new KafkaBroker(dir.resolve("broker"), port, controller).start();
    try {
      createTopics(broker);
      try (KafkaProducer<String, byte[]> p = producer(broker)) {
        p.send(record(p, "offline", "limits.rps", live("offline", "limits.rps", "100", 1))).get();
      }
      try (HotSwapClient first = HotSwapClient.builder().bootstrapServers(broker.bootstrapServers()).environment("production")
          .tenant("offline").snapshotFile(file).fileWriteInterval(Duration.ofMillis(100)).register(false).build().start()) {
        first.ready().get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file));
      }
    } finally {
      broker.close();
    }

    // the broker is down: the client starts from its file and says so
    try (HotSwapClient client = HotSwapClient.builder().bootstrapServers("localhost:" + port).environment("production")
        .tenant("offline").snapshotFile(file).connectTimeout(Duration.ofSeconds(1)).heartbeatPeriod(Duration.ofSeconds(1)).build().start()) {
      List<Change> changes = Collections.synchronizedList(new ArrayList<>());
      client.subscribe(Selector.key("offline", "limits.rps"), changes::add);
      assertThat(client.getLong("limits.rps", -1)).as("served from the file at once").isEqualTo(100);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        Status s = client.status();
        assertThat(s.servingFromFile()).isTrue();
        assertThat(s.connected()).isFalse();
        assertThat(s.caughtUp()).isFalse();
        assertThat(s.fresh()).isFalse();
        assertThat(s.staleFor()).isPositive();
        assertThat(s.lastError()).contains("unreachable");
      });
      assertThat(client.ready()).isNotDone();

      // the broker comes (with its data) and a change is made: the client catches up and hears of it
      broker = new KafkaBroker(dir.resolve("broker"), port, controller).start();
      try (KafkaProducer<String, byte[]> p = producer(broker)) {
        p.send(record(p, "offline", "limits.rps", live("offline", "limits.rps", "250", 2))).get();
      }
      client.ready().get(90, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(client.getLong("limits.rps", -1)).isEqualTo(250);
        Status s = client.status();
        assertThat(s.servingFromFile()).isFalse();
        assertThat(s.fresh()).isTrue();
        assertThat(s.staleFor()).isZero();
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> !changes.isEmpty());
      assertThat(changes.getLast().oldVersion()).isEqualTo(1L);
      assertThat(changes.getLast().newVersion()).isEqualTo(2L);
    } finally {
      broker.close();
    }
  }

  @Test
  void shouldLoseNoUpdateWhenTheBrokerRestartsMidStream(@TempDir Path dir) throws Exception {
    int port = PlatformTest.freePort();
    int controller = PlatformTest.freePort();
    KafkaBroker[] broker = {new KafkaBroker(dir.resolve("broker"), port, controller).start()};
    int keys = 5;
    int versions = 60;
    try {
      createTopics(broker[0]);
      Map<String, List<Long>> seen = new HashMap<>();
      try (HotSwapClient client = HotSwapClient.builder().bootstrapServers(broker[0].bootstrapServers()).environment("production")
          .tenant("restart").register(false).build().start();
           KafkaProducer<String, byte[]> p = producer(broker[0])) {
        client.ready().get(60, TimeUnit.SECONDS);
        client.subscribe(Selector.prefix("restart", ""), c -> {
          synchronized (seen) {
            seen.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c.newVersion());
          }
        });
        for (int v = 1; v <= versions; v++) {
          if (v == versions / 2) {
            broker[0].close();
            broker[0] = new KafkaBroker(dir.resolve("broker"), port, controller).start();
          }
          for (int k = 0; k < keys; k++) {
            String key = "k" + k;
            // acks=all and idempotence: the producer retries through the restart without duplicates
            p.send(record(p, "restart", key, live("restart", key, "" + v, v)));
          }
        }
        p.flush();
        await().atMost(Duration.ofMinutes(2)).until(() -> {
          for (int k = 0; k < keys; k++) {
            if (client.getLong("restart", "k" + k, -1) != versions) {
              return false;
            }
          }
          return true;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          synchronized (seen) {
            return seen.values().stream().mapToInt(List::size).sum() >= keys * versions;
          }
        });
        List<Long> expected = new ArrayList<>();
        for (long v = 1; v <= versions; v++) {
          expected.add(v);
        }
        synchronized (seen) {
          for (int k = 0; k < keys; k++) {
            assertThat(seen.get("k" + k)).as("every version of k%d, once, in order", k).isEqualTo(expected);
          }
        }
        assertThat(client.status().caughtUp()).isTrue();
      }
    } finally {
      broker[0].close();
    }
  }
}
