package io.hotswap.client.internal;

import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.ServiceInstance;
import io.hotswap.client.Change;
import io.hotswap.client.RequestStats;
import io.hotswap.client.Status;
import io.hotswap.protocol.Envelope;
import io.hotswap.protocol.Serdes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's parts wired together: the values, the listeners, the feed that fills them (Kafka,
 * or a test's hand for an in-memory client), the snapshot file and the reports on the instance's
 * behalf. {@link io.hotswap.client.HotSwapClient} is its public face.
 */
public final class ClientEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClientEngine.class);

  private final Settings settings;
  private final Serdes serdes = Serdes.create();
  private final DataKeys dataKeys;
  private final LiveValues values;
  private final Listeners listeners = new Listeners();
  private final RequestStats stats = new RequestStats();
  private final FeedState state = new FeedState();
  private final LocalSnapshot snapshot;
  private final Reporter reporter;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  /** Saves the snapshot file. */
  private final ScheduledExecutorService io;
  /** Heartbeats and reports: apart from the file, since a send may block while Kafka is away. */
  private final ScheduledExecutorService reports;
  private KafkaFeed feed;
  private boolean started;
  private volatile boolean closed;

  public ClientEngine(Settings settings, String version) {
    this.settings = settings;
    this.dataKeys = new DataKeys(settings.masterKey() == null ? null : Envelope.aesKey(settings.masterKey()));
    settings.dataKeys().forEach(k -> dataKeys.put(k.tenant(), k.version(), Envelope.aesKey(k.key())));
    this.values = new LiveValues(settings, dataKeys);
    this.snapshot = settings.snapshotFile() == null ? null
        : new LocalSnapshot(new SnapshotFile(settings.snapshotFile(), settings.environment(), serdes.liveConfig()), settings, values, state);
    this.io = daemonScheduler("hotswap-client-io-" + settings.environment());
    this.reports = daemonScheduler("hotswap-client-reports-" + settings.environment());
    this.reporter = settings.register() && settings.bootstrapServers() != null ? new Reporter(KafkaSettings.producer(settings), serdes,
        ServiceInstance.newBuilder().setInstanceId(settings.instance().instanceId()).setService(settings.instance().service())
            .setHost(settings.host()).setPort(settings.port()).setEnvironment(settings.environment()).setClientVersion(version)
            .setTags(settings.instance().tags()).setHeartbeatPeriodMs(settings.heartbeatPeriod().toMillis()).setSentAt(Instant.EPOCH),
        stats) : null;
  }

  private static ScheduledExecutorService daemonScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
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

  /** Loads the snapshot file (if any), then starts the feed; without Kafka the client is ready at once. */
  public synchronized void start() {
    if (started || closed) {
      return;
    }
    started = true;
    if (snapshot != null) {
      snapshot.load();
      long every = settings.fileWriteInterval().toMillis();
      io.scheduleWithFixedDelay(safely("snapshot file", snapshot::saveIfDirty), every, every, TimeUnit.MILLISECONDS);
    }
    if (settings.bootstrapServers() == null) {
      // an in-memory client: what it serves is all there is, so it is as fresh as a caught-up one
      state.connected = true;
      caughtUp(Map.of());
      return;
    }
    feed = new KafkaFeed(this, settings, state);
    // the registration goes out before anything the feed makes the instance report (its LOADED
    // report after catching up): the registry ignores reports of instances it does not know
    if (reporter != null) {
      long beat = settings.heartbeatPeriod().toMillis();
      long health = settings.healthPeriod().toMillis();
      reports.scheduleAtFixedRate(safely("heartbeat", () -> reporter.heartbeat(settings.clock().instant())), 0, beat, TimeUnit.MILLISECONDS);
      reports.scheduleAtFixedRate(safely("health report", () -> reporter.health(settings.clock().instant())), health, health,
          TimeUnit.MILLISECONDS);
      listeners.onFailure((change, error) -> {
        Instant now = settings.clock().instant();
        try {
          reports.execute(() -> reporter.applyFailed(change, error, now));
        } catch (RejectedExecutionException e) {
          // closing: the instance is deregistering anyway
        }
      });
    }
    feed.start();
  }

  public CompletableFuture<Void> ready() {
    return ready.copy();
  }

  public LiveValues values() {
    return values;
  }

  public Listeners listeners() {
    return listeners;
  }

  public RequestStats requestStats() {
    return stats;
  }

  public Settings settings() {
    return settings;
  }

  /** Reports (heartbeats, health) the broker didn't take. */
  public long droppedReports() {
    return reporter == null ? 0 : reporter.dropped();
  }

  Serdes serdes() {
    return serdes;
  }

  /** Opens a value sealed for tenant/this environment/key with the tenant's data key (a plugin's credentials). */
  public String openSecret(String tenant, String key, String sealed) {
    return dataKeys.decrypt(tenant, settings.environment(), key, sealed);
  }

  DataKeys dataKeys() {
    return dataKeys;
  }

  boolean readsDataKeys() {
    return dataKeys.readsTopic();
  }

  /** Gives the client a tenant's data key, as the builder's {@code dataKey} does (in-memory clients seal their own secrets). */
  public void dataKey(String tenant, int version, javax.crypto.SecretKey key) {
    dataKeys.put(tenant, version, key);
  }

  public Status status() {
    Instant now = settings.clock().instant();
    boolean fresh = state.connected && state.caughtUp;
    Instant knownFresh = state.freshAt != null ? state.freshAt : state.fileSavedAt;
    Duration staleFor = fresh ? Duration.ZERO : knownFresh == null ? null : Duration.between(knownFresh, now);
    Instant last = state.lastUpdate;
    return new Status(state.connected, state.caughtUp, state.lag, last == null ? null : Duration.between(last, now), state.servingFromFile,
        staleFor, values.size(), state.fileSavedAt, state.lastError);
  }

  /** Applies one record as the feed would (null: a tombstone) — how an in-memory client is fed. */
  public void apply(String liveKey, LiveConfig record) {
    applied(liveKey, record == null ? null : values.entry(liveKey, record), 0, 0L);
  }

  /** A record the feed read once caught up: applied, then listeners and the registry hear of it. */
  void applied(String liveKey, Entry entry, long applyMicros, Long propagationMs) {
    Change change = values.put(liveKey, entry);
    if (change == null) {
      return;
    }
    state.lastUpdate = settings.clock().instant();
    if (snapshot != null) {
      snapshot.changed();
    }
    announce(change, applyMicros, propagationMs);
  }

  /** The feed reached the end offsets it saw first: serve what it staged, and say what differs from the file. */
  void caughtUp(Map<String, Entry> staged) {
    boolean fromFile = state.servingFromFile;
    List<Change> changes = values.replace(staged);
    state.caughtUp = true;
    state.servingFromFile = false;
    state.freshAt = settings.clock().instant();
    state.lag = 0;
    if (snapshot != null) {
      snapshot.changed();
    }
    LOG.info("HotSwap client caught up on {}: {} values{}", settings.environment(), values.size(),
        fromFile ? " (was serving the snapshot file)" : "");
    changes.forEach(c -> announce(c, 0, null));
    if (reporter != null) {
      Map<String, Long> held = values.versions();
      Map<String, String> arms = values.arms();
      Instant now = settings.clock().instant();
      try {
        reports.execute(() -> reporter.loaded(held, arms, now));
        // Once more a heartbeat later, from what the instance holds then. The registration and this
        // report travel on two topics, and the registry may read the report first and drop it (it
        // knows no such instance yet): the instance would then be listed without what it holds
        // until its next change. A heartbeat later it is registered.
        reports.schedule(safely("loaded report", () -> reporter.loaded(values.versions(), values.arms(), settings.clock().instant())),
            settings.heartbeatPeriod().toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // closing: the instance is deregistering anyway
      }
    }
    ready.complete(null);
  }

  private void announce(Change change, long applyMicros, Long propagationMs) {
    listeners.notify(change, applyMicros);
    if (reporter != null && state.caughtUp) {
      Instant now = settings.clock().instant();
      try {
        reports.execute(() -> reporter.applied(change, applyMicros, propagationMs, now));
      } catch (RejectedExecutionException e) {
        // closing: the instance is deregistering anyway
      }
    }
  }

  /** Stops reading, saves the file, deregisters the instance and stops listener threads. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (feed != null) {
      feed.close();
    }
    for (ScheduledExecutorService executor : List.of(io, reports)) {
      executor.shutdown();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (snapshot != null) {
      snapshot.saveIfDirty();
    }
    if (reporter != null) {
      if (feed != null) {
        reporter.deregister(Duration.ofSeconds(3));
      }
      reporter.close();
    }
    listeners.close();
    ready.completeExceptionally(new IllegalStateException("client closed"));
  }
}
