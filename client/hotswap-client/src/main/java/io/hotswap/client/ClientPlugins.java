package io.hotswap.client;

import io.hotswap.client.internal.ClientEngine;
import io.hotswap.plugin.api.Health;
import io.hotswap.plugin.api.Probe;
import io.hotswap.plugin.host.PluginBinary;
import io.hotswap.plugin.host.PluginCall;
import io.hotswap.plugin.host.PluginHost;
import io.hotswap.plugin.host.PluginRejected;
import io.hotswap.plugin.host.PluginSignatures;
import io.hotswap.protocol.PluginAssignment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenants' plugins this client runs ({@link HotSwapClient#plugins()}): each tenant's assignment
 * ({@code plugin:<id>}, pushed like any value, the arm of a plugin deployment this instance serves)
 * is made real here — binaries fetched (cached by SHA-256) and verified before a class is loaded,
 * dependencies installed first, the version started for the tenant and swapped in once ready (calls
 * in flight finish on the old one), stopped and unloaded when the tenant no longer has it.
 *
 * <p>A version that fails to install or start is reported as not applied; one that starts but then
 * fails {@link PluginOptions#failedChecks} liveness checks in a row is reported the same way. Either
 * rolls back the plugin deployment that brought it: the previous version comes back as a change.
 */
public final class ClientPlugins implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClientPlugins.class);

  private final PluginHost host;
  private final PluginOptions options;
  private final ClientEngine engine;
  private final AutoCloseable subscription;
  private final ScheduledExecutorService liveness;
  /** Applies assignments one at a time, in the order they came (the current ones first, once caught up). */
  private final java.util.concurrent.ExecutorService applier;
  /** The assignment version each tenant plugin runs, by {@code tenant|pluginId}: a change seen twice is applied once. */
  private final Map<String, Long> appliedVersions = new ConcurrentHashMap<>();
  /** What each running tenant plugin came from, and its failed liveness checks in a row; by {@code tenant|pluginId}. */
  private final Map<String, Watch> watched = new ConcurrentHashMap<>();

  private static final class Watch {
    final Change change;
    final String version;
    int failures;
    boolean reported;

    Watch(Change change, String version) {
      this.change = change;
      this.version = version;
    }
  }

  ClientPlugins(ClientEngine engine, PluginOptions options) {
    this.engine = engine;
    this.options = options;
    this.host = PluginHost.builder(options.trust()).sharedPackages(options.sharedPackages()).build();
    this.liveness = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("hotswap-plugin-liveness").factory());
    long every = options.livenessPeriod().toMillis();
    liveness.scheduleWithFixedDelay(this::checkLiveness, every, every, TimeUnit.MILLISECONDS);
    this.applier = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("hotswap-plugin-applier").factory());
    // a client's first catch-up announces no changes (there is nothing to change from): the
    // assignments it holds then are applied first, and what changes afterwards in order after them
    this.subscription = engine.listeners().subscribe(Selector.pluginAssignments(), change -> applier.execute(() -> applyReporting(change)));
    engine.ready().thenRun(() -> applier.execute(() -> engine.values().current(Selector.pluginAssignments()).forEach(this::applyReporting)));
  }

  /** Applies one assignment; a failure is reported as the change not applied (which rolls back the deployment that brought it). */
  private void applyReporting(Change change) {
    String slot = change.tenantId() + '|' + PluginAssignment.pluginOf(change.key());
    Long version = change.newVersion();
    if (version != null && version.equals(appliedVersions.get(slot))) {
      return;
    }
    try {
      apply(change);
      if (version == null) {
        appliedVersions.remove(slot);
      } else {
        appliedVersions.put(slot, version);
      }
    } catch (Exception e) {
      appliedVersions.remove(slot);
      LOG.warn("HotSwap plugins: tenant {} could not run {} v{}: {}", change.tenantId(), change.key(), version, e.toString());
      engine.listeners().reportFailure(change, e);
    }
  }

  /** Calls a tenant's plugin through one of its extension points, on the version the tenant runs now. */
  public <T, R> R call(String tenant, String pluginId, Class<T> point, PluginCall<T, R> call) throws Exception {
    if (!options.callsAsRequests()) {
      return host.call(tenant, pluginId, point, call);
    }
    long start = System.nanoTime();
    boolean ok = false;
    try {
      R result = host.call(tenant, pluginId, point, call);
      ok = true;
      return result;
    } finally {
      engine.requestStats().record(java.time.Duration.ofNanos(System.nanoTime() - start), ok);
    }
  }

  public Optional<String> activeVersion(String tenant, String pluginId) {
    return host.activeVersion(tenant, pluginId);
  }

  /** What runs here now: tenant, plugin, version, publisher, calls, errors. */
  public List<PluginHost.Running> running() {
    return host.running();
  }

  /** The host underneath, for probes and what is installed. */
  public PluginHost host() {
    return host;
  }

  private void apply(Change change) throws Exception {
    String tenant = change.tenantId();
    String pluginId = PluginAssignment.pluginOf(change.key());
    String slot = tenant + '|' + pluginId;
    if (change.removed() || change.newValue() == null) {
      watched.remove(slot);
      host.deactivate(tenant, pluginId);
      LOG.info("HotSwap plugins: {} no longer runs {}", tenant, pluginId);
      return;
    }
    PluginAssignment assignment = PluginAssignment.parse(change.key(), change.newValue().text());
    if (!assignment.enabled()) {
      watched.remove(slot);
      host.deactivate(tenant, pluginId);
      LOG.info("HotSwap plugins: {} disabled {}", tenant, pluginId);
      return;
    }
    for (PluginAssignment.Artifact artifact : assignment.artifacts()) {
      install(artifact, options.trust(tenant));
    }
    Map<String, String> secrets = new LinkedHashMap<>();
    assignment.credentials().forEach((name, sealed) -> secrets.put(name, engine.openSecret(tenant, change.key(), sealed)));
    PluginHost.Running running = host.activate(tenant, pluginId, assignment.version(), assignment.config(), secrets);
    watched.put(slot, new Watch(change, running.version()));
    LOG.info("HotSwap plugins: {} runs {}@{}", tenant, pluginId, running.version());
  }

  /** Installs a binary unless installed: from the cache when it holds those bytes, else from the source. */
  private void install(PluginAssignment.Artifact artifact, io.hotswap.plugin.host.TrustPolicy trust) throws IOException, PluginRejected {
    if (host.installedUnder(artifact.pluginId(), artifact.version(), trust)) {
      return;
    }
    byte[] bytes = cached(artifact.sha256());
    if (bytes == null) {
      bytes = options.source().fetch(artifact.pluginId(), artifact.version(), artifact.sha256());
      cache(artifact.sha256(), bytes);
    }
    byte[] signature = artifact.signature() == null ? null : Base64.getDecoder().decode(artifact.signature());
    host.install(new PluginBinary(bytes, artifact.sha256(), signature), trust);
  }

  private byte[] cached(String sha256) throws IOException {
    Path dir = options.cacheDirectory();
    Path file = dir == null ? null : dir.resolve(sha256 + ".jar");
    if (file == null || !Files.exists(file)) {
      return null;
    }
    byte[] bytes = Files.readAllBytes(file);
    return PluginSignatures.sha256(bytes).equals(sha256) ? bytes : null; // a damaged file is fetched again
  }

  private void cache(String sha256, byte[] bytes) throws IOException {
    Path dir = options.cacheDirectory();
    if (dir == null || !PluginSignatures.sha256(bytes).equals(sha256)) {
      return;
    }
    Files.createDirectories(dir);
    Path partial = Files.createTempFile(dir, sha256, ".part");
    Files.write(partial, bytes);
    Files.move(partial, dir.resolve(sha256 + ".jar"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Asks every running plugin its liveness; reports a version that failed too many checks in a row, once. */
  private void checkLiveness() {
    for (Map.Entry<String, Watch> e : watched.entrySet()) {
      Watch w = e.getValue();
      String tenant = w.change.tenantId();
      String pluginId = PluginAssignment.pluginOf(w.change.key());
      try {
        Health health = host.probe(tenant, pluginId, Probe.LIVENESS);
        if (health.healthy()) {
          w.failures = 0;
          continue;
        }
        w.failures++;
        if (w.failures >= options.failedChecks() && !w.reported) {
          w.reported = true;
          String why = pluginId + "@" + w.version + " failed " + w.failures + " liveness checks in a row: " + health.detail();
          LOG.warn("HotSwap plugins: tenant {}: {}", tenant, why);
          engine.listeners().reportFailure(w.change, new IllegalStateException(why));
        }
      } catch (RuntimeException ex) {
        LOG.warn("HotSwap plugins: liveness check of {} for {} failed: {}", pluginId, tenant, ex.toString());
      }
    }
  }

  @Override
  public void close() {
    try {
      subscription.close();
    } catch (Exception e) {
      LOG.debug("HotSwap plugins: unsubscribing failed: {}", e.toString());
    }
    liveness.shutdownNow();
    applier.shutdownNow();
    host.close();
  }
}
