package io.hotswap.gateway.watch;

import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.LiveKind;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.kafka.PollLoop;
import io.hotswap.gateway.config.ConfigView;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Changes as they go live, for watchers ({@code GET /api/v1/watch}: the CLI's {@code tail}, the
 * console). Every gateway instance reads the live topics itself — from their end, with a plain
 * consumer outside any group — so a watcher sees every tenant's changes on whichever instance it
 * reached, without forwarding. The consumer runs only while someone watches. Each watcher has its own
 * bounded queue and sender, so a slow client delays no one else; one that falls too far behind is
 * told so and closed (it reconnects and reads the current values from the REST API).
 */
public final class LiveWatch {

  /** Events a watcher may lag behind before it is closed. */
  static final int QUEUE = 10_000;
  private static final Duration KEEPALIVE = Duration.ofSeconds(15);

  private final Map<String, Object> clientProps;
  private final Serdes serdes;
  private final int maxWatchers;
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private PollLoop<String, byte[]> loop;
  private long lastKeepalive = System.nanoTime();

  public LiveWatch(Map<String, Object> clientProps, Serdes serdes, int maxWatchers) {
    this.clientProps = clientProps;
    this.serdes = serdes;
    this.maxWatchers = maxWatchers;
  }

  /**
   * What one watcher follows: {@code tenants} null for every tenant the caller may see (a
   * platform token), {@code environments} those whose live topics it follows.
   */
  record Filter(Set<String> tenants, Set<String> environments) {
    boolean accepts(String tenantId, String environment) {
      return (tenants == null || tenants.contains(tenantId)) && environments.contains(environment);
    }
  }

  /** One watcher: its filter, its queue, the thread that writes to its response. */
  private final class Watcher {
    final Filter filter;
    final SseEmitter emitter;
    final BlockingQueue<SseEmitter.SseEventBuilder> queue = new ArrayBlockingQueue<>(QUEUE);
    volatile boolean open = true;
    volatile boolean overflowed;

    Watcher(Filter filter, SseEmitter emitter) {
      this.filter = filter;
      this.emitter = emitter;
    }

    void offer(SseEmitter.SseEventBuilder event) {
      if (open && !queue.offer(event)) {
        overflowed = true;
        open = false; // its sender sends what is queued, tells the client, and ends the stream
      }
    }

    void send() {
      try {
        while (open || !queue.isEmpty()) {
          SseEmitter.SseEventBuilder event = queue.poll(1, TimeUnit.SECONDS);
          if (event != null) {
            emitter.send(event);
          } else if (!open) {
            break;
          }
        }
        if (overflowed) {
          emitter.send(SseEmitter.event().name("overflow").data(Map.of("detail",
              "more than " + QUEUE + " changes waited for this watcher; read the current values and watch again")));
        }
        emitter.complete();
      } catch (IOException | IllegalStateException e) {
        emitter.completeWithError(e); // the client went away
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        emitter.complete();
      } finally {
        remove(this);
      }
    }
  }

  /**
   * Starts a watcher: the consumer is positioned at the live topics' ends before this returns,
   * so every change after the {@code ready} event reaches it. False when the gateway has as many
   * watchers as it takes.
   */
  public synchronized boolean watch(Filter filter, SseEmitter emitter) {
    if (watchers.size() >= maxWatchers) {
      return false;
    }
    if (loop == null) {
      loop = startConsumer();
    }
    Watcher watcher = new Watcher(filter, emitter);
    emitter.onCompletion(() -> watcher.open = false);
    emitter.onTimeout(() -> watcher.open = false);
    emitter.onError(e -> watcher.open = false);
    watchers.add(watcher);
    Map<String, Object> ready = new LinkedHashMap<>();
    ready.put("tenants", filter.tenants() == null ? "*" : filter.tenants());
    ready.put("environments", filter.environments());
    watcher.offer(SseEmitter.event().name("ready").data(ready));
    Thread.ofVirtual().name("hotswap-watch").start(watcher::send);
    return true;
  }

  /** Watchers now connected (a gauge). */
  public int watchers() {
    return watchers.size();
  }

  private synchronized void remove(Watcher watcher) {
    watchers.remove(watcher);
    if (watchers.isEmpty() && loop != null) {
      PollLoop<String, byte[]> stopping = loop;
      loop = null;
      Thread.ofVirtual().start(() -> stopping.stop(false)); // not on a sender's thread: stop waits for the poll thread
    }
  }

  /** Ends every watch (the gateway is stopping): each client is told by the end of its stream. */
  public synchronized void close() {
    watchers.forEach(w -> w.open = false);
    if (loop != null) {
      loop.stop(false);
      loop = null;
    }
  }

  private PollLoop<String, byte[]> startConsumer() {
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // what clients see: committed changes only
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c);
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : Topics.liveTopics()) {
      consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolved now: a change sent after a watcher's ready event is never missed
    return PollLoop.start("hotswap-live-watch", consumer, this::dispatch, "live watch stopped; watchers get no further changes");
  }

  private void dispatch(ConsumerRecords<String, byte[]> records) {
    for (ConsumerRecord<String, byte[]> r : records) {
      Map<String, Object> change = change(r);
      if (change == null) {
        continue;
      }
      String tenant = (String) change.get("tenantId");
      String env = (String) change.get("environment");
      String eventId = r.topic() + "-" + r.partition() + "-" + r.offset();
      for (Watcher w : watchers) {
        if (w.filter.accepts(tenant, env)) {
          w.offer(SseEmitter.event().name("change").id(eventId).data(change));
        }
      }
    }
    if (System.nanoTime() - lastKeepalive > KEEPALIVE.toNanos()) {
      lastKeepalive = System.nanoTime();
      watchers.forEach(w -> w.offer(SseEmitter.event().comment("keepalive")));
    }
  }

  /** A live record as a watcher sees it (secrets masked, plugin credentials by name only); null for what is not a change. */
  Map<String, Object> change(ConsumerRecord<String, byte[]> r) {
    String environment = r.topic().substring("hotswap.live.".length(), r.topic().length() - ".v1".length());
    Map<String, Object> change = new LinkedHashMap<>();
    if (r.value() == null) {
      int bar = r.key() == null ? -1 : r.key().indexOf('|');
      if (bar < 0) {
        return null;
      }
      String tenant = r.key().substring(0, bar);
      String key = r.key().substring(bar + 1);
      change.put("tenantId", tenant);
      change.put("environment", environment);
      change.put("key", key);
      change.put("configId", id(tenant, environment, key));
      change.put("deleted", true);
      change.put("at", Instant.ofEpochMilli(r.timestamp()));
      return change;
    }
    LiveConfig live = serdes.liveConfig().deserializer().deserialize(r.topic(), r.value());
    boolean profile = live.getKind() == LiveKind.PROFILE;
    change.put("tenantId", live.getTenantId());
    change.put("environment", live.getEnvironment());
    change.put("key", live.getKey());
    change.put("configId", id(live.getTenantId(), live.getEnvironment(), live.getKey()));
    change.put("kind", profile ? "profile" : "key");
    change.put("version", live.getVersion());
    if (live.getSemver() != null) {
      change.put("semver", live.getSemver());
    }
    change.put("type", io.hotswap.core.domain.ValueTypes.display(live.getValueType()));
    change.put("value", ConfigView.shown(live.getKey(), live.getValueType(), live.getValue()));
    change.put("deleted", false);
    change.put("at", live.getUpdatedAt());
    if (live.getRollout() != null) {
      Map<String, Object> rollout = new LinkedHashMap<>();
      rollout.put("deploymentId", StoreKeys.deploymentId(live.getTenantId(), live.getRollout().getRolloutId()));
      rollout.put("candidateVersion", live.getRollout().getCandidateVersion());
      rollout.put("percentage", live.getRollout().getPercentage());
      rollout.put("variants", live.getRollout().getVariants().stream().map(v -> Map.of("name", v.getName(), "weight", v.getWeight())).toList());
      change.put("rollout", rollout);
    }
    return change;
  }

  /** A key's config id, or a profile's id for a profile's record ({@code profile:<service>}). */
  private static String id(String tenant, String environment, String key) {
    String service = StoreKeys.profileService(key);
    return service != null ? StoreKeys.profileId(tenant, service, environment) : StoreKeys.configId(tenant, environment, key);
  }
}
