package io.hotswap.client;

import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.LiveKind;
import io.hotswap.avro.ServiceInstance;
import io.hotswap.avro.TenantKey;
import io.hotswap.core.avro.Serdes;
import io.hotswap.core.kafka.Topics;
import io.hotswap.core.security.Envelope;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * HotSwap's client: reads the compacted {@code hotswap.live.<env>.v1} topic from the beginning
 * into an in-memory snapshot, then tails it, so a service always has the current configuration in
 * memory and hears of every change as it happens.
 *
 * <pre>{@code
 * try (HotSwapClient client = HotSwapClient.builder()
 *     .bootstrapServers("localhost:9092").environment("production").tenant("acme")
 *     .service("checkout").snapshotFile(Path.of("/var/lib/checkout/hotswap.json"))
 *     .build().start()) {
 *   client.ready().get(30, SECONDS);
 *   boolean newUi = client.getBoolean("feature.new_ui", false);
 *   client.subscribe(Selector.prefix("acme", "feature."), change -> log.info("{}", change));
 * }
 * }</pre>
 *
 * <p>Never silently stale: {@link #status()} says whether it is connected, caught up, how far
 * behind, and whether it serves its local file. Getters never block and never touch the network;
 * records are applied one at a time (each atomically); listeners run on their own threads.
 */
public final class HotSwapClient implements AutoCloseable {

  /** Version reported with the instance registration. */
  public static final String VERSION = Optional.ofNullable(HotSwapClient.class.getPackage().getImplementationVersion()).orElse("0.1.0");

  private static final Logger LOG = LoggerFactory.getLogger(HotSwapClient.class);
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Builder config;
  private final Serdes serdes = Serdes.create();
  private final String topic;
  private final Instance instance;
  private final DataKeys dataKeys;
  private final SnapshotFile file;
  private final RequestStats stats = new RequestStats();
  private final Reporter reporter;
  private final Clock clock;

  /** The snapshot getters read; replaced as a whole once when catching up, then updated per record. */
  private volatile Map<String, Entry> snapshot = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final List<ApplyObserver> observers = new CopyOnWriteArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicLong listenerErrors = new AtomicLong();
  /** Bumped whenever the served snapshot changes (a record applied, the caught-up snapshot swapped in). */
  private final AtomicLong revision = new AtomicLong();
  /** Saves the snapshot file. */
  private final ScheduledExecutorService io;
  /** Heartbeats and reports: apart from the file, since a send may block while Kafka is away. */
  private final ScheduledExecutorService reports;

  private volatile boolean closed;
  private volatile boolean connected;
  private volatile boolean caughtUp;
  private volatile boolean servingFromFile;
  private volatile long lag = -1;
  private volatile Instant lastUpdate;
  private volatile Instant freshAt;
  private volatile Instant fileSavedAt;
  private volatile String lastError;
  private volatile boolean dirty;
  private Thread consumerThread;
  private KafkaConsumer<String, byte[]> consumer;

  private HotSwapClient(Builder b) {
    this.config = b;
    this.topic = Topics.live(b.environment);
    this.clock = b.clock;
    this.instance = new Instance(b.instanceId, b.service, b.tags);
    this.dataKeys = new DataKeys(b.masterKey == null ? null : Envelope.aesKey(b.masterKey));
    b.dataKeys.forEach(k -> dataKeys.put(k.tenant(), k.version(), Envelope.aesKey(k.key())));
    this.file = b.snapshotFile == null ? null : new SnapshotFile(b.snapshotFile, b.environment, serdes.liveConfig());
    this.io = daemonScheduler("hotswap-client-io-" + b.environment);
    this.reports = daemonScheduler("hotswap-client-reports-" + b.environment);
    this.reporter = b.register ? new Reporter(producerConfig(b), serdes, ServiceInstance.newBuilder()
        .setInstanceId(b.instanceId).setService(b.service).setHost(b.host).setPort(b.port).setEnvironment(b.environment)
        .setClientVersion(VERSION).setTags(b.tags).setHeartbeatPeriodMs(b.heartbeatPeriod.toMillis()).setSentAt(Instant.EPOCH), stats) : null;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A periodic task that logs its failure instead of silently ending its schedule. */
  private static Runnable safely(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("HotSwap client: {} failed: {}", what, e.toString(), e);
      }
    };
  }

  private static ScheduledExecutorService daemonScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  /** Loads the local file (if any), then starts reading Kafka in the background. Returns this. */
  public synchronized HotSwapClient start() {
    if (consumerThread != null) {
      return this;
    }
    loadFile();
    consumerThread = new Thread(this::run, "hotswap-client-" + config.environment);
    consumerThread.setDaemon(true);
    consumerThread.start();
    io.scheduleWithFixedDelay(this::saveIfDirty, config.fileWriteInterval.toMillis(), config.fileWriteInterval.toMillis(), TimeUnit.MILLISECONDS);
    if (reporter != null) {
      reports.scheduleAtFixedRate(safely("heartbeat", () -> reporter.heartbeat(clock.instant())), 0, config.heartbeatPeriod.toMillis(),
          TimeUnit.MILLISECONDS);
      reports.scheduleAtFixedRate(safely("health report", () -> reporter.health(clock.instant())), config.healthPeriod.toMillis(),
          config.healthPeriod.toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** Completes when the snapshot has caught up to the end offsets seen when Kafka was first reached. */
  public CompletableFuture<Void> ready() {
    return ready.copy();
  }

  public Instance instance() {
    return instance;
  }

  public String environment() {
    return config.environment;
  }

  // ---------------------------------------------------------------- getters

  /** The value of a key of the default tenant, or empty. */
  public Optional<ConfigValue> get(String key) {
    return get(defaultTenant(), key);
  }

  public Optional<ConfigValue> get(String tenant, String key) {
    Entry e = snapshot.get(tenant + '|' + key);
    return e == null ? Optional.empty() : Optional.of(e.value);
  }

  public String getString(String key, String defaultValue) {
    return getString(defaultTenant(), key, defaultValue);
  }

  public String getString(String tenant, String key, String defaultValue) {
    Entry e = snapshot.get(tenant + '|' + key);
    return e == null ? defaultValue : e.value.text();
  }

  /** The value this caller gets: the record's rollout (canary, percentage, A/B) decides. */
  public String getString(String tenant, String key, String defaultValue, Context context) {
    Entry e = snapshot.get(tenant + '|' + key);
    if (e == null) {
      return defaultValue;
    }
    Cohorts.Choice choice = choose(e, context);
    if (choice.value() == null) {
      return defaultValue;
    }
    return e.value.isSecret() ? dataKeys.decrypt(e.tenant, config.environment, e.value.key(), choice.value()) : choice.value();
  }

  /** Which arm of the key's rollout this caller is in ({@code stable}, {@code candidate} or a variant name). */
  public Optional<Cohorts.Choice> choice(String tenant, String key, Context context) {
    Entry e = snapshot.get(tenant + '|' + key);
    return e == null ? Optional.empty() : Optional.of(choose(e, context));
  }

  private Cohorts.Choice choose(Entry e, Context context) {
    LiveConfig r = e.record;
    return Cohorts.choose(e.liveKey, r.getValue(), r.getVersion(), r.getRollout(), instance, context);
  }

  public long getLong(String key, long defaultValue) {
    return getLong(defaultTenant(), key, defaultValue);
  }

  public long getLong(String tenant, String key, long defaultValue) {
    Number n = number(snapshot.get(tenant + '|' + key));
    return n == null ? defaultValue : n.longValue();
  }

  public double getDouble(String key, double defaultValue) {
    return getDouble(defaultTenant(), key, defaultValue);
  }

  public double getDouble(String tenant, String key, double defaultValue) {
    Number n = number(snapshot.get(tenant + '|' + key));
    return n == null ? defaultValue : n.doubleValue();
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    return getBoolean(defaultTenant(), key, defaultValue);
  }

  public boolean getBoolean(String tenant, String key, boolean defaultValue) {
    Entry e = snapshot.get(tenant + '|' + key);
    if (e == null) {
      return defaultValue;
    }
    Object parsed = e.parsed(t -> "true".equalsIgnoreCase(t) ? Boolean.TRUE : "false".equalsIgnoreCase(t) ? Boolean.FALSE : null);
    return parsed instanceof Boolean b ? b : mismatch(e, "boolean", defaultValue);
  }

  public boolean getBoolean(String tenant, String key, boolean defaultValue, Context context) {
    String text = getString(tenant, key, null, context);
    if ("true".equalsIgnoreCase(text)) {
      return true;
    }
    return "false".equalsIgnoreCase(text) ? false : defaultValue;
  }

  /** A JSON value as a tree (a copy: change it freely), or empty. */
  public Optional<JsonNode> getJson(String tenant, String key) {
    Entry e = snapshot.get(tenant + '|' + key);
    return e == null ? Optional.empty() : Optional.ofNullable(tree(e)).map(JsonNode::deepCopy);
  }

  public Optional<JsonNode> getJson(String key) {
    return getJson(defaultTenant(), key);
  }

  /** A JSON value bound to a class (Jackson), or the default. */
  public <T> T getJson(String tenant, String key, Class<T> type, T defaultValue) {
    Entry e = snapshot.get(tenant + '|' + key);
    JsonNode tree = e == null ? null : tree(e);
    return tree == null ? defaultValue : JSON.treeToValue(tree, type);
  }

  /** The tenant's current profile of a service (document, version, semver), or empty. */
  public Optional<ConfigValue> getProfile(String tenant, String service) {
    Entry e = snapshot.get(tenant + "|profile:" + service);
    return e == null ? Optional.empty() : Optional.of(e.value);
  }

  public Optional<JsonNode> getProfileDocument(String tenant, String service) {
    Entry e = snapshot.get(tenant + "|profile:" + service);
    return e == null ? Optional.empty() : Optional.ofNullable(tree(e)).map(JsonNode::deepCopy);
  }

  public <T> T getProfile(String tenant, String service, Class<T> type, T defaultValue) {
    Entry e = snapshot.get(tenant + "|profile:" + service);
    JsonNode tree = e == null ? null : tree(e);
    return tree == null ? defaultValue : JSON.treeToValue(tree, type);
  }

  /** Every value of a tenant (keys and profiles), by key ({@code profile:<service>} for profiles). */
  public Map<String, ConfigValue> all(String tenant) {
    Map<String, ConfigValue> out = new LinkedHashMap<>();
    String prefix = tenant + '|';
    snapshot.forEach((k, e) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), e.value);
      }
    });
    return out;
  }

  private Number number(Entry e) {
    if (e == null) {
      return null;
    }
    Object parsed = e.parsed(t -> {
      try {
        return new java.math.BigDecimal(t.strip());
      } catch (NumberFormatException ex) {
        return null;
      }
    });
    return parsed instanceof Number n ? n : mismatch(e, "number", null);
  }

  private JsonNode tree(Entry e) {
    Object parsed = e.parsed(t -> {
      try {
        return JSON.readTree(t);
      } catch (RuntimeException ex) {
        return null;
      }
    });
    return parsed instanceof JsonNode n ? n : mismatch(e, "JSON", null);
  }

  private <T> T mismatch(Entry e, String wanted, T fallback) {
    if (e.warned.compareAndSet(false, true)) {
      LOG.warn("HotSwap client: {}|{} (type {}) is not a {}; callers get their default", e.tenant, e.value.key(), e.value.type(), wanted);
    }
    return fallback;
  }

  private String defaultTenant() {
    if (config.defaultTenant == null) {
      throw new IllegalStateException("no default tenant: pass the tenant, or build the client with tenant(...)");
    }
    return config.defaultTenant;
  }

  // ---------------------------------------------------------------- subscriptions, health

  /**
   * Calls the listener for every change the selector picks, from now on, in order, on a thread of
   * the subscription's own. Returns a handle that cancels the subscription.
   */
  public AutoCloseable subscribe(Selector selector, ChangeListener listener) {
    Subscription s = new Subscription(Objects.requireNonNull(selector), Objects.requireNonNull(listener));
    subscriptions.add(s);
    return () -> {
      subscriptions.remove(s);
      s.executor.shutdown();
    };
  }

  /** Observes every applied change with its apply duration (µs), on the consumer thread: keep it cheap (metrics). */
  public void onApplied(ApplyObserver observer) {
    observers.add(observer);
  }

  /** Observer of applied changes. */
  @FunctionalInterface
  public interface ApplyObserver {
    void applied(Change change, long applyMicros);
  }

  /** Records one request this instance served; reported as health on hotswap.health.v1. */
  public void recordRequest(Duration duration, boolean success) {
    stats.record(duration, success);
  }

  /** The request counters that the next health report drains (e.g. to feed from Micrometer). */
  public RequestStats requestStats() {
    return stats;
  }

  public Status status() {
    Instant now = clock.instant();
    boolean fresh = connected && caughtUp;
    Instant knownFresh = freshAt != null ? freshAt : fileSavedAt;
    Duration staleFor = fresh ? Duration.ZERO : knownFresh == null ? null : Duration.between(knownFresh, now);
    Instant last = lastUpdate;
    return new Status(connected, caughtUp, lag, last == null ? null : Duration.between(last, now), servingFromFile,
        staleFor, snapshot.size(), fileSavedAt, lastError);
  }

  /** Listener calls that threw. */
  public long listenerErrors() {
    return listenerErrors.get();
  }

  /** Changes whenever the served snapshot changes: lets callers cache what they derive from it. */
  public long revision() {
    return revision.get();
  }

  /** Reports (heartbeats, health) the broker didn't take. */
  public long droppedReports() {
    return reporter == null ? 0 : reporter.dropped();
  }

  // ---------------------------------------------------------------- the consumer thread

  private void run() {
    Map<String, Entry> staging = new HashMap<>();
    Map<TopicPartition, Long> target = null;
    long backoffMs = 100;
    long nextCheck = 0;
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig(config), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      while (!closed) {
        try {
          if (target == null) {
            target = assign(c);
            if (target == null) {
              awaitClose(backoffMs);
              backoffMs = Math.min(backoffMs * 2, config.reconnectBackoffMax.toMillis());
              continue;
            }
            backoffMs = 100;
          }
          ConsumerRecords<String, byte[]> records = c.poll(config.pollTimeout);
          long polledAt = System.nanoTime();
          for (ConsumerRecord<String, byte[]> r : records) {
            if (r.topic().equals(Topics.TENANT_KEYS)) {
              acceptKey(r);
            } else if (caughtUp) {
              applyLive(r, polledAt);
            } else {
              stage(staging, r);
            }
          }
          if (!caughtUp && reached(c, target)) {
            finishCatchUp(staging);
            staging = new HashMap<>();
          }
          long now = System.nanoTime();
          if (now >= nextCheck) {
            checkConnection(c, target);
            nextCheck = now + config.statusInterval.toNanos();
          }
        } catch (WakeupException | InterruptException e) {
          if (!closed) {
            LOG.warn("HotSwap client interrupted while running; stopping");
          }
          break;
        } catch (RuntimeException e) {
          lastError = e.toString();
          connected = false;
          LOG.warn("HotSwap client: Kafka problem, retrying: {}", e.toString());
          awaitClose(backoffMs);
          backoffMs = Math.min(backoffMs * 2, config.reconnectBackoffMax.toMillis());
        }
      }
    } finally {
      consumer = null;
      stopped.countDown();
    }
  }

  /** Assigns every partition of the live topic (and the key topic), from the beginning; null while unreachable. */
  private Map<TopicPartition, Long> assign(KafkaConsumer<String, byte[]> c) {
    List<TopicPartition> partitions = new ArrayList<>();
    try {
      List<String> topics = dataKeys.readsTopic() ? List.of(topic, Topics.TENANT_KEYS) : List.of(topic);
      for (String t : topics) {
        List<PartitionInfo> infos = c.partitionsFor(t, config.connectTimeout);
        if (infos == null || infos.isEmpty()) {
          lastError = "topic " + t + " not found";
          return null;
        }
        infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions, config.connectTimeout);
      connected = true;
      lastError = null;
      LOG.info("HotSwap client reading {} ({} partitions) to offsets {}", topic, partitions.size(), end.values());
      return end;
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      connected = false;
      lastError = "Kafka unreachable: " + e.getMessage();
      LOG.warn("HotSwap client: Kafka unreachable at {} ({}); {}", config.bootstrapServers, e.getMessage(),
          servingFromFile ? "serving the snapshot file saved at " + fileSavedAt : "no snapshot yet");
      return null;
    }
  }

  private boolean reached(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> target) {
    for (Map.Entry<TopicPartition, Long> t : target.entrySet()) {
      if (c.position(t.getKey(), config.connectTimeout) < t.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void checkConnection(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> target) {
    connected = connectionCount(c) > 0;
    long total = 0;
    for (TopicPartition tp : target.keySet()) {
      var l = c.currentLag(tp);
      if (l.isEmpty()) {
        total = -1;
        break;
      }
      total += l.getAsLong();
    }
    lag = total;
    if (connected && caughtUp) {
      freshAt = clock.instant();
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
      TenantKey key = serdes.tenantKey().fromBytes(r.value());
      if (key != null && wanted(key.getTenantId())) {
        dataKeys.accept(key);
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

  private void finishCatchUp(Map<String, Entry> staged) {
    Map<String, Entry> before = snapshot;
    Map<String, Entry> after = new ConcurrentHashMap<>(staged);
    snapshot = after;
    revision.incrementAndGet();
    boolean fromFile = servingFromFile;
    caughtUp = true;
    servingFromFile = false;
    freshAt = clock.instant();
    lag = 0;
    dirty = true;
    LOG.info("HotSwap client caught up on {}: {} values{}", topic, after.size(), fromFile ? " (was serving the snapshot file)" : "");
    if (!before.isEmpty()) {
      announceDifferences(before, after);
    }
    reportLoaded(after);
    ready.complete(null);
  }

  /** Tells the registry what this instance holds now; later changes follow as APPLIED reports. */
  private void reportLoaded(Map<String, Entry> held) {
    if (reporter == null) {
      return;
    }
    Map<String, Long> versions = new HashMap<>();
    held.values().forEach(e -> versions.put(e.tenant + '|' + Reporter.reportedKey(e.value.key(), e.value.kind()), e.record.getVersion()));
    Instant now = clock.instant();
    reports.execute(() -> reporter.loaded(versions, now));
  }

  /** What changed against what was served (the file) is announced like any change; a first load is not a change. */
  private void announceDifferences(Map<String, Entry> before, Map<String, Entry> after) {
    Set<String> keys = new HashSet<>(before.keySet());
    keys.addAll(after.keySet());
    for (String k : keys) {
      Entry old = before.get(k);
      Entry now = after.get(k);
      if (old != null && now != null && old.record.getVersion() == now.record.getVersion()
          && Objects.equals(old.record.getValue(), now.record.getValue())) {
        continue;
      }
      Entry any = now != null ? now : old;
      notify(new Change(any.tenant, any.value.key(), any.value.kind(), old == null ? null : old.value, now == null ? null : now.value), 0, null);
    }
  }

  private void applyLive(ConsumerRecord<String, byte[]> r, long polledAt) {
    Entry e = entry(r);
    if (e == Entry.SKIP) {
      return;
    }
    Entry old = e == null ? snapshot.remove(r.key()) : snapshot.put(r.key(), e);
    if (e == null && old == null) {
      return;
    }
    Entry any = e != null ? e : old;
    lastUpdate = clock.instant();
    dirty = true;
    revision.incrementAndGet();
    long micros = (System.nanoTime() - polledAt) / 1_000;
    long propagation = Math.max(0, clock.millis() - r.timestamp());
    notify(new Change(any.tenant, any.value.key(), any.value.kind(), old == null ? null : old.value, e == null ? null : e.value), micros,
        propagation);
  }

  private void notify(Change change, long micros, Long propagationMs) {
    for (Subscription s : subscriptions) {
      if (s.selector.matches(change.tenantId(), change.key(), change.kind())) {
        s.deliver(change);
      }
    }
    for (ApplyObserver o : observers) {
      try {
        o.applied(change, micros);
      } catch (RuntimeException ex) {
        LOG.warn("HotSwap client: apply observer failed: {}", ex.toString());
      }
    }
    if (reporter != null && caughtUp) {
      Instant now = clock.instant();
      try {
        reports.execute(() -> reporter.applied(change, micros, propagationMs, now));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  /** The entry for a record; null for a tombstone; SKIP for another tenant or an unreadable record (logged). */
  private Entry entry(ConsumerRecord<String, byte[]> r) {
    int bar = r.key() == null ? -1 : r.key().indexOf('|');
    if (bar < 0 || !wanted(r.key().substring(0, bar))) {
      return Entry.SKIP;
    }
    if (r.value() == null) {
      return null;
    }
    try {
      return entry(r.key(), serdes.liveConfig().fromBytes(r.value()));
    } catch (RuntimeException e) {
      LOG.warn("HotSwap client: skipped an unreadable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      return Entry.SKIP;
    }
  }

  private Entry entry(String liveKey, LiveConfig record) {
    boolean profile = record.getKind() == LiveKind.PROFILE;
    String key = profile ? record.getKey().substring("profile:".length()) : record.getKey();
    String type = record.getValueType().name();
    String raw = record.getValue();
    java.util.function.Supplier<String> text = "SECRET".equals(type) && raw != null
        ? memo(() -> dataKeys.decrypt(record.getTenantId(), record.getEnvironment(), record.getKey(), raw))
        : () -> raw;
    ConfigValue value = new ConfigValue(record.getTenantId(), key, profile ? ConfigValue.Kind.PROFILE : ConfigValue.Kind.KEY, type,
        record.getVersion(), record.getSemver(), record.getUpdatedAt(), text);
    return new Entry(liveKey, record, value);
  }

  private static java.util.function.Supplier<String> memo(java.util.function.Supplier<String> s) {
    return new java.util.function.Supplier<>() {
      private volatile String value;

      @Override
      public String get() {
        String v = value;
        if (v == null) {
          v = s.get();
          value = v;
        }
        return v;
      }
    };
  }

  private boolean wanted(String tenant) {
    return config.tenants.isEmpty() || config.tenants.contains(tenant);
  }

  // ---------------------------------------------------------------- the local file

  private void loadFile() {
    if (file == null) {
      return;
    }
    try {
      SnapshotFile.Loaded loaded = file.read();
      if (loaded == null) {
        return;
      }
      Map<String, Entry> fromFile = new ConcurrentHashMap<>();
      loaded.records().forEach((k, r) -> {
        if (wanted(r.getTenantId())) {
          fromFile.put(k, entry(k, r));
        }
      });
      snapshot = fromFile;
      revision.incrementAndGet();
      servingFromFile = true;
      fileSavedAt = loaded.savedAt();
      LOG.info("HotSwap client serving {} values from {} (saved {}) until Kafka confirms them", fromFile.size(), file.path(), loaded.savedAt());
    } catch (IOException | RuntimeException e) {
      LOG.warn("HotSwap client: ignoring unreadable snapshot file {}: {}", file.path(), e.toString());
    }
  }

  private void saveIfDirty() {
    if (file == null || !dirty || !caughtUp) {
      return;
    }
    dirty = false;
    Map<String, LiveConfig> records = new LinkedHashMap<>();
    snapshot.forEach((k, e) -> records.put(k, e.record));
    try {
      Instant now = clock.instant();
      file.write(records, now);
      fileSavedAt = now;
    } catch (IOException | RuntimeException e) {
      dirty = true;
      LOG.warn("HotSwap client: could not save the snapshot file {}: {}", file.path(), e.toString());
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Backs off while Kafka is away; returns early when the client is closed. */
  private void awaitClose(long millis) {
    try {
      closing.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  /** Stops reading, saves the file, deregisters the instance and stops listener threads. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closing.countDown();
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (consumerThread != null) {
      try {
        stopped.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (ScheduledExecutorService executor : List.of(io, reports)) {
      executor.shutdown();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    saveIfDirty();
    if (reporter != null) {
      if (consumerThread != null) {
        reporter.deregister(Duration.ofSeconds(3));
      }
      reporter.close();
    }
    subscriptions.forEach(s -> s.executor.shutdown());
    ready.completeExceptionally(new IllegalStateException("client closed"));
  }

  private static Map<String, Object> consumerConfig(Builder b) {
    Map<String, Object> props = new HashMap<>(b.kafka);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "hotswap-client-" + b.instanceId);
    // a fetch returns as soon as a committed record arrives; the wait only sets how often an idle
    // client asks (Kafka's default): no latency cost, a tenth of the requests of 50 ms per instance
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
    props.putIfAbsent(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG); // no group: every instance reads every partition
    return props;
  }

  private static Map<String, Object> producerConfig(Builder b) {
    Map<String, Object> props = new HashMap<>(b.kafka);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "hotswap-client-reporter-" + b.instanceId);
    props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
    props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000);
    props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.remove(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
    return props;
  }

  // ---------------------------------------------------------------- internals

  /** One applied value with its lazily parsed form. */
  static final class Entry {
    static final Entry SKIP = new Entry(null, null, null);

    final String liveKey;
    final String tenant;
    final LiveConfig record;
    final ConfigValue value;
    final java.util.concurrent.atomic.AtomicBoolean warned = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Object parsed;
    private volatile boolean isParsed;

    Entry(String liveKey, LiveConfig record, ConfigValue value) {
      this.liveKey = liveKey;
      this.tenant = record == null ? null : record.getTenantId();
      this.record = record;
      this.value = value;
    }

    Object parsed(Function<String, Object> parser) {
      if (!isParsed) {
        String text = value.text();
        parsed = text == null ? null : parser.apply(text);
        isParsed = true;
      }
      return parsed;
    }
  }

  private final class Subscription {
    final Selector selector;
    final ChangeListener listener;
    final ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("hotswap-listener-", 0).factory());

    Subscription(Selector selector, ChangeListener listener) {
      this.selector = selector;
      this.listener = listener;
    }

    void deliver(Change change) {
      try {
        executor.execute(() -> {
          try {
            listener.onChange(change);
          } catch (Throwable t) {
            listenerErrors.incrementAndGet();
            LOG.warn("HotSwap client: a listener for {} failed on {}|{} v{}: {}", selector, change.tenantId(), change.key(),
                change.newVersion(), t.toString());
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // unsubscribed or closing
      }
    }
  }

  /** A data key handed to the builder. */
  private record GivenKey(String tenant, int version, byte[] key) {}

  /** How a client is set up. Only bootstrap servers and environment are required. */
  public static final class Builder {
    private String bootstrapServers;
    private String environment;
    private final Set<String> tenants = new HashSet<>();
    private String defaultTenant;
    private String instanceId;
    private String service = "unknown";
    private String host;
    private Integer port;
    private List<String> tags = List.of();
    private Path snapshotFile;
    private byte[] masterKey;
    private final List<GivenKey> dataKeys = new ArrayList<>();
    private final Map<String, Object> kafka = new HashMap<>();
    private boolean register = true;
    private Duration heartbeatPeriod = Duration.ofSeconds(30);
    private Duration healthPeriod;
    private Duration fileWriteInterval = Duration.ofSeconds(1);
    private Duration pollTimeout = Duration.ofMillis(200);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration reconnectBackoffMax = Duration.ofSeconds(5);
    private Duration statusInterval = Duration.ofMillis(500);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    public Builder bootstrapServers(String servers) {
      this.bootstrapServers = servers;
      return this;
    }

    /** development, qa, staging or production: the client reads {@code hotswap.live.<env>.v1}. */
    public Builder environment(String environment) {
      this.environment = environment;
      return this;
    }

    /** Keeps only this tenant's values and makes it the default of the tenant-less getters. */
    public Builder tenant(String tenant) {
      this.defaultTenant = tenant;
      this.tenants.add(tenant);
      return this;
    }

    /** Keeps only these tenants' values (default: every tenant on the topic). */
    public Builder tenants(Collection<String> tenants) {
      this.tenants.addAll(tenants);
      return this;
    }

    /** Default: host name + a random suffix. */
    public Builder instanceId(String instanceId) {
      this.instanceId = instanceId;
      return this;
    }

    public Builder service(String service) {
      this.service = service;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder port(Integer port) {
      this.port = port;
      return this;
    }

    /** Canary targets may name tags (region, zone, canary). */
    public Builder tags(Collection<String> tags) {
      this.tags = List.copyOf(tags);
      return this;
    }

    /** Where the last snapshot is kept for starts while Kafka is unreachable (none by default). */
    public Builder snapshotFile(Path file) {
      this.snapshotFile = file;
      return this;
    }

    /** A tenant data key (32 bytes) the client may decrypt that tenant's secrets with. */
    public Builder dataKey(String tenant, int version, byte[] key) {
      this.dataKeys.add(new GivenKey(tenant, version, key.clone()));
      return this;
    }

    /**
     * The master key (32 bytes): the client then reads the tenants' wrapped data keys from
     * {@code hotswap.tenant-keys.v1} and follows rotations. Only for services trusted with every
     * tenant it reads; otherwise give data keys one by one.
     */
    public Builder masterKey(byte[] key) {
      this.masterKey = key.clone();
      return this;
    }

    /** {@code masterKey} from base64 text, as HOTSWAP_MASTER_KEY holds it. */
    public Builder masterKeyBase64(String key) {
      return masterKey(Base64.getDecoder().decode(key.strip()));
    }

    /** Extra Kafka client properties (security.protocol, sasl.*, ssl.*, ...), for consumer and producer. */
    public Builder kafkaProperty(String name, Object value) {
      this.kafka.put(name, value);
      return this;
    }

    public Builder kafkaProperties(Map<String, ?> properties) {
      this.kafka.putAll(properties);
      return this;
    }

    /** Register and heartbeat on hotswap.instances.v1, report on hotswap.health.v1 (default true). */
    public Builder register(boolean register) {
      this.register = register;
      return this;
    }

    public Builder heartbeatPeriod(Duration period) {
      this.heartbeatPeriod = period;
      return this;
    }

    /** How often request health is reported (default: the heartbeat period). */
    public Builder healthReportPeriod(Duration period) {
      this.healthPeriod = period;
      return this;
    }

    /** Least time between two snapshot file writes (default 1 s). */
    public Builder fileWriteInterval(Duration interval) {
      this.fileWriteInterval = interval;
      return this;
    }

    public Builder pollTimeout(Duration timeout) {
      this.pollTimeout = timeout;
      return this;
    }

    /** How long one attempt to reach Kafka may take (default 5 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public HotSwapClient build() {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(environment, "environment");
      if (!Topics.ENVIRONMENTS.contains(environment)) {
        throw new IllegalArgumentException("environment must be one of " + Topics.ENVIRONMENTS + ", got " + environment);
      }
      if (instanceId == null) {
        instanceId = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
      }
      if (host == null) {
        host = hostName();
      }
      if (healthPeriod == null) {
        healthPeriod = heartbeatPeriod;
      }
      return new HotSwapClient(this);
    }

    private static String hostName() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        return "localhost";
      }
    }
  }
}
