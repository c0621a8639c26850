package io.hotswap.client.internal;

import io.hotswap.avro.TenantKey;
import io.hotswap.protocol.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code hotswap.live.<env>.v1} (and the tenants' wrapped data keys, given a master key)
 * on a thread of its own: its tenants' partitions from the beginning without a consumer group, staged
 * aside until the end offsets seen on first contact are reached, then swapped in as a whole and
 * tailed one record at a time. Kafka being away means backing off and retrying, never failing.
 */
final class KafkaFeed {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaFeed.class);

  private final ClientEngine engine;
  private final Settings settings;
  private final FeedState state;
  private final String topic;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private Thread thread;

  KafkaFeed(ClientEngine engine, Settings settings, FeedState state) {
    this.engine = engine;
    this.settings = settings;
    this.state = state;
    this.topic = Topics.live(settings.environment());
  }

  void start() {
    thread = new Thread(this::run, "hotswap-client-" + settings.environment());
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    Map<String, Entry> staging = new HashMap<>();
    Map<TopicPartition, Long> target = null;
    long backoffMs = 100;
    long nextCheck = 0;
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaSettings.consumer(settings), new StringDeserializer(),
        new ByteArrayDeserializer())) {
      consumer = c;
      while (!closed) {
        try {
          if (target == null) {
            target = assign(c);
            if (target == null) {
              awaitClose(backoffMs);
              backoffMs = Math.min(backoffMs * 2, settings.reconnectBackoffMax().toMillis());
              continue;
            }
            backoffMs = 100;
          }
          ConsumerRecords<String, byte[]> records = c.poll(settings.pollTimeout());
          long polledAt = System.nanoTime();
          for (ConsumerRecord<String, byte[]> r : records) {
            if (r.topic().equals(Topics.TENANT_KEYS)) {
              acceptKey(r);
            } else if (state.caughtUp) {
              apply(r, polledAt);
            } else {
              stage(staging, r);
            }
          }
          if (!state.caughtUp && reached(c, target)) {
            engine.caughtUp(staging);
            staging = new HashMap<>();
          }
          long now = System.nanoTime();
          if (now >= nextCheck) {
            checkConnection(c, target);
            nextCheck = now + settings.statusInterval().toNanos();
          }
        } catch (WakeupException | InterruptException e) {
          if (!closed) {
            LOG.warn("HotSwap client interrupted while running; stopping");
          }
          break;
        } catch (RuntimeException e) {
          state.lastError = e.toString();
          state.connected = false;
          LOG.warn("HotSwap client: Kafka problem, retrying: {}", e.toString());
          awaitClose(backoffMs);
          backoffMs = Math.min(backoffMs * 2, settings.reconnectBackoffMax().toMillis());
        }
      }
    } finally {
      consumer = null;
      stopped.countDown();
    }
  }

  /**
   * Assigns the partitions of the live topic (and the key topic) that hold this client's tenants,
   * from the beginning; null while unreachable.
   */
  private Map<TopicPartition, Long> assign(KafkaConsumer<String, byte[]> c) {
    List<TopicPartition> partitions = new ArrayList<>();
    try {
      List<String> topics = engine.readsDataKeys() ? List.of(topic, Topics.TENANT_KEYS) : List.of(topic);
      for (String t : topics) {
        List<PartitionInfo> infos = c.partitionsFor(t, settings.connectTimeout());
        if (infos == null || infos.isEmpty()) {
          state.lastError = "topic " + t + " not found";
          return null;
        }
        infos.stream().filter(p -> settings.reads(p.partition(), infos.size()))
            .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions, settings.connectTimeout());
      state.connected = true;
      state.lastError = null;
      LOG.info("HotSwap client reading {} ({} partitions) to offsets {}", topic, partitions.size(), end.values());
      return end;
    } catch (TimeoutException e) {
      state.connected = false;
      state.lastError = "Kafka unreachable: " + e.getMessage();
      LOG.warn("HotSwap client: Kafka unreachable at {} ({}); {}", settings.bootstrapServers(), e.getMessage(),
          state.servingFromFile ? "serving the snapshot file saved at " + state.fileSavedAt : "no snapshot yet");
      return null;
    }
  }

  private boolean reached(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> target) {
    for (Map.Entry<TopicPartition, Long> t : target.entrySet()) {
      if (c.position(t.getKey(), settings.connectTimeout()) < t.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void checkConnection(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> target) {
    state.connected = connectionCount(c) > 0;
    long total = 0;
    for (TopicPartition tp : target.keySet()) {
      var l = c.currentLag(tp);
      if (l.isEmpty()) {
        total = -1;
        break;
      }
      total += l.getAsLong();
    }
    state.lag = total;
    if (state.connected && state.caughtUp) {
      state.freshAt = settings.clock().instant();
    }
  }

  private static double connectionCount(KafkaConsumer<String, byte[]> c) {
    for (Map.Entry<MetricName, ? extends Metric> m : c.metrics().entrySet()) {
      if (m.getKey().name().equals("connection-count") && m.getKey().group().equals("consumer-metrics")) {
        Object v = m.getValue().metricValue();
        return v instanceof Number n ? n.doubleValue() : 0;
      }
    }
    return 0;
  }

  private void acceptKey(ConsumerRecord<String, byte[]> r) {
    try {
      TenantKey key = engine.serdes().tenantKey().fromBytes(r.value());
      if (key != null && settings.wanted(key.getTenantId())) {
        engine.dataKeys().accept(key);
      }
    } catch (RuntimeException e) {
      LOG.warn("HotSwap client: skipped an unreadable data key record at {}-{}@{}", r.topic(), r.partition(), r.offset());
    }
  }

  private void stage(Map<String, Entry> staging, ConsumerRecord<String, byte[]> r) {
    Entry e = entry(r);
    if (e == Entry.SKIP) {
      return;
    }
    if (e == null) {
      staging.remove(r.key());
    } else {
      staging.put(r.key(), e);
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r, long polledAt) {
    Entry e = entry(r);
    if (e == Entry.SKIP) {
      return;
    }
    long micros = (System.nanoTime() - polledAt) / 1_000;
    long propagation = Math.max(0, settings.clock().millis() - r.timestamp());
    int bar = r.key().indexOf('|');
    try (io.hotswap.protocol.KafkaTracing.Hop hop = settings.tracing().receive("client apply", r.headers(), java.util.Map.of(
        "hotswap.tenant", r.key().substring(0, bar), "hotswap.key", r.key().substring(bar + 1),
        "hotswap.environment", settings.environment(), "hotswap.instance", settings.instance().instanceId()))) {
      engine.applied(r.key(), e, micros, propagation);
    }
  }

  /** The entry for a record; null for a tombstone; SKIP for another tenant or an unreadable record (logged). */
  private Entry entry(ConsumerRecord<String, byte[]> r) {
    int bar = r.key() == null ? -1 : r.key().indexOf('|');
    if (bar < 0 || !settings.wanted(r.key().substring(0, bar))) {
      return Entry.SKIP;
    }
    if (r.value() == null) {
      return null;
    }
    try {
      return engine.values().entry(r.key(), engine.serdes().liveConfig().fromBytes(r.value()));
    } catch (RuntimeException e) {
      LOG.warn("HotSwap client: skipped an unreadable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      return Entry.SKIP;
    }
  }

  /** Backs off while Kafka is away; returns early when the client is closed. */
  private void awaitClose(long millis) {
    try {
      closing.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  void close() {
    closed = true;
    closing.countDown();
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      try {
        stopped.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
