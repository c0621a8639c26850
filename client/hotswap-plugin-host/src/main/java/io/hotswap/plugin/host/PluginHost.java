package io.hotswap.plugin.host;

import io.hotswap.plugin.api.Health;
import io.hotswap.plugin.api.Plugin;
import io.hotswap.plugin.api.PluginApi;
import io.hotswap.plugin.api.PluginContext;
import io.hotswap.plugin.api.Probe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs plugins inside a service: installs verified binaries, starts a plugin version per tenant in
 * the version's own class loader, routes calls to each tenant's version, swaps versions without a
 * restart and unloads what nothing uses any more.
 *
 * <ul>
 *   <li><b>Verified before loaded.</b> {@link #install} checks the checksum and the publisher's
 *       signature ({@link TrustPolicy}) and reads the manifest before a single class is defined, and
 *       classes come from exactly the bytes checked.
 *   <li><b>Side by side.</b> Each plugin version has one class loader, shared by every tenant that
 *       runs it (and by the plugins that depend on it); each tenant has its own started instance, with
 *       its own configuration. Tenant A on 1.x and tenant B on 2.x run at once.
 *   <li><b>Swap without a gap.</b> {@link #activate} starts the new version and asks its startup and
 *       readiness probes before it takes any call; then new calls go to it, calls in flight finish on
 *       the old one, and only then is the old one stopped. If the new version fails, the old one
 *       keeps serving.
 *   <li><b>Unload for real.</b> When no tenant and no dependent uses a version, its loader is dropped;
 *       nothing in the host keeps a reference to it, so it is collected (a test proves it 100 times
 *       over).
 * </ul>
 */
public final class PluginHost implements AutoCloseable {

  private final TrustPolicy trust;
  private final ClassLoader service;
  private final List<String> sharedPackages;
  private final Duration lifecycleTimeout;
  private final Duration drainTimeout;
  private final ExecutorService lifecycle;

  /** Installed versions by {@code id@version}. */
  private final Map<String, Installed> installed = new ConcurrentHashMap<>();
  /** Loaded versions by {@code id@version}; guarded by {@code this}. */
  private final Map<String, Loaded> loaded = new HashMap<>();
  /** What each tenant runs, by tenant and plugin id. */
  private final Map<SlotKey, Slot> slots = new ConcurrentHashMap<>();

  private PluginHost(Builder b) {
    this.trust = b.trust;
    this.service = b.service;
    this.sharedPackages = List.copyOf(b.sharedPackages);
    this.lifecycleTimeout = b.lifecycleTimeout;
    this.drainTimeout = b.drainTimeout;
    AtomicInteger n = new AtomicInteger();
    this.lifecycle = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "hotswap-plugin-lifecycle-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public static Builder builder(TrustPolicy trust) {
    return new Builder(trust);
  }

  /**
   * Checks a binary (checksum, signature, manifest, API version) and keeps it, ready to be
   * activated; loads nothing. Installing the same version again with other bytes is refused: a
   * version, once published, is immutable.
   *
   * @return the binary's manifest
   */
  public PluginManifest install(PluginBinary binary) throws PluginRejected {
    return install(binary, trust);
  }

  /**
   * As above, judged by {@code trust} instead of the host's (a tenant's own plugins, signed by the
   * tenant's publishers). A version installed already is refused unless the key that signed it is
   * trusted here too: one tenant's trust never admits a binary for another.
   */
  public PluginManifest install(PluginBinary binary, TrustPolicy trust) throws PluginRejected {
    CheckedBinary checked = CheckedBinary.check(binary, trust); // entries read once, kept for every loader of it
    PluginManifest manifest = checked.manifest();
    Installed fresh = new Installed(manifest, checked.entries(), binary.sha256(), checked.publisher(), checked.signer());
    Installed before = installed.putIfAbsent(manifest.coordinates(), fresh);
    if (before != null && !before.sha256().equals(binary.sha256())) {
      throw new PluginRejected(PluginRejected.Reason.CHECKSUM_MISMATCH, manifest.coordinates()
          + " is installed with other bytes (SHA-256 " + before.sha256() + "); publish a new version instead");
    }
    return manifest;
  }

  /**
   * Whether a version is installed and the key that signed it (or its being unsigned) passes
   * {@code trust}: a binary installed for one tenant runs for another only under that one's trust.
   */
  public boolean installedUnder(String pluginId, String version, TrustPolicy trust) {
    Installed i = installed.get(pluginId + "@" + version);
    return i != null && trust.trusts(i.signer());
  }

  /** Every installed version's manifest. */
  public List<PluginManifest> installed() {
    return installed.values().stream().map(Installed::manifest)
        .sorted(Comparator.comparing(PluginManifest::coordinates)).toList();
  }

  /**
   * Forgets an installed version that nothing runs.
   *
   * @throws IllegalStateException while a tenant or a dependent still runs it
   */
  public synchronized void uninstall(String id, String version) {
    String key = id + "@" + version;
    if (loaded.containsKey(key)) {
      throw new IllegalStateException(key + " is running (" + loaded.get(key).users + " users); deactivate it first");
    }
    installed.remove(key);
  }

  /**
   * Makes a tenant run a plugin version with this configuration, replacing the version (or the
   * configuration) it ran before once the new one is started and ready. On any failure the tenant
   * keeps what it ran and the new version's loader is released.
   */
  public Running activate(String tenant, String pluginId, String version, Map<String, String> config,
      Map<String, String> secrets) throws PluginRejected {
    Instance next;
    Instance previous;
    synchronized (this) {
      Installed target = installed.get(pluginId + "@" + version);
      if (target == null) {
        throw new PluginRejected(PluginRejected.Reason.NOT_INSTALLED, pluginId + "@" + version + " is not installed here");
      }
      Loaded version0 = acquire(target);
      try {
        next = start(version0, tenant, config, secrets);
      } catch (PluginRejected | RuntimeException e) {
        release(version0);
        throw e;
      }
      Slot slot = slots.computeIfAbsent(new SlotKey(tenant, pluginId), k -> new Slot());
      previous = slot.current;
      slot.current = next;
    }
    if (previous != null) {
      retire(previous);
    }
    return next.running();
  }

  /** Stops a tenant's plugin (after its calls in flight) and unloads what nothing else uses. */
  public boolean deactivate(String tenant, String pluginId) {
    Slot slot = slots.remove(new SlotKey(tenant, pluginId));
    Instance previous = slot == null ? null : slot.current;
    if (slot != null) {
      slot.current = null;
    }
    if (previous == null) {
      return false;
    }
    retire(previous);
    return true;
  }

  /**
   * Calls the extension a tenant's plugin provides, on the version the tenant runs at this moment;
   * a swap that starts meanwhile lets this call finish on the version it began on.
   *
   * @throws IllegalStateException when the tenant runs no such plugin, or it has no such extension
   */
  public <T, R> R call(String tenant, String pluginId, Class<T> point, PluginCall<T, R> call) throws Exception {
    Slot slot = slots.get(new SlotKey(tenant, pluginId));
    Instance i = slot == null ? null : slot.enter();
    if (i == null) {
      throw new IllegalStateException("tenant " + tenant + " runs no plugin " + pluginId);
    }
    long start = System.nanoTime();
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(i.version.loader);
    try {
      return call.apply(i.extension(point));
    } catch (Exception | Error e) {
      i.errors.increment();
      throw e;
    } finally {
      thread.setContextClassLoader(before);
      i.calls.increment();
      i.nanos.add(System.nanoTime() - start);
      i.exit();
    }
  }

  /** The version a tenant runs of a plugin, if any. */
  public Optional<String> activeVersion(String tenant, String pluginId) {
    Slot slot = slots.get(new SlotKey(tenant, pluginId));
    Instance i = slot == null ? null : slot.current;
    return i == null ? Optional.empty() : Optional.of(i.version.manifest.version());
  }

  /** Asks a tenant's plugin a health probe; a probe that throws or hangs is down, with the reason. */
  public Health probe(String tenant, String pluginId, Probe probe) {
    Slot slot = slots.get(new SlotKey(tenant, pluginId));
    Instance i = slot == null ? null : slot.enter();
    if (i == null) {
      return Health.down("tenant " + tenant + " runs no plugin " + pluginId);
    }
    try {
      return i.probe(probe);
    } finally {
      i.exit();
    }
  }

  /** What runs now: one row per tenant and plugin. */
  public List<Running> running() {
    List<Running> all = new ArrayList<>();
    for (Slot s : slots.values()) {
      Instance i = s.current;
      if (i != null) {
        all.add(i.running());
      }
    }
    all.sort(Comparator.comparing(Running::tenant).thenComparing(Running::pluginId));
    return all;
  }

  /** How many plugin versions have a class loader now (what the leak test watches go back to zero). */
  public synchronized int loadedVersions() {
    return loaded.size();
  }

  /** Deactivates everything and stops the lifecycle threads. */
  @Override
  public void close() {
    for (SlotKey k : List.copyOf(slots.keySet())) {
      deactivate(k.tenant(), k.pluginId());
    }
    lifecycle.shutdownNow();
  }

  // --- loading ------------------------------------------------------------------------------------

  private Loaded acquire(Installed target) throws PluginRejected {
    Map<String, List<PluginManifest>> available = new HashMap<>();
    for (Installed i : installed.values()) {
      available.computeIfAbsent(i.manifest().id(), k -> new ArrayList<>()).add(i.manifest());
    }
    List<PluginManifest> order = Dependencies.resolve(target.manifest(), available);
    Map<String, Loaded> byId = new HashMap<>();
    Loaded l = null;
    for (PluginManifest m : order) { // dependencies first, so each loader finds its dependencies' loaders
      l = loaded.get(m.coordinates());
      if (l == null) {
        List<Loaded> deps = m.dependencies().stream().map(d -> byId.get(d.id())).toList();
        Installed i = installed.get(m.coordinates());
        l = new Loaded(m, new PluginClassLoader(m, i.entries(), service, sharedPackages, deps.stream().map(d -> d.loader).toList()),
            i.publisher(), deps);
        loaded.put(m.coordinates(), l);
        deps.forEach(d -> d.users++); // a loader that delegates to another keeps it loaded
      }
      byId.put(m.id(), l);
    }
    l.users++; // the root: resolve puts it last
    return l;
  }

  private synchronized void release(Loaded l) {
    if (--l.users == 0) {
      unload(l);
    }
  }

  private void unload(Loaded l) {
    loaded.remove(l.manifest.coordinates());
    for (Loaded d : l.dependencies) {
      if (--d.users == 0) {
        unload(d);
      }
    }
  }

  private Instance start(Loaded version, String tenant, Map<String, String> config, Map<String, String> secrets)
      throws PluginRejected {
    PluginManifest m = version.manifest;
    Plugin plugin = onPluginThread(version, () -> {
      Class<?> entry = Class.forName(m.entryPoint(), true, version.loader);
      if (!Plugin.class.isAssignableFrom(entry)) {
        throw new PluginRejected(PluginRejected.Reason.START_FAILED, m.entryPoint() + " does not implement "
            + Plugin.class.getName());
      }
      return (Plugin) entry.getDeclaredConstructor().newInstance();
    }, "create");
    Context context = new Context(tenant, m.id(), m.version(), Map.copyOf(config), Map.copyOf(secrets));
    onPluginThread(version, () -> {
      plugin.start(context);
      return null;
    }, "start");
    Instance i = new Instance(tenant, version, plugin);
    for (Probe p : List.of(Probe.STARTUP, Probe.READINESS)) {
      Health h = i.probe(p);
      if (!h.healthy()) {
        i.stopQuietly();
        throw new PluginRejected(PluginRejected.Reason.NOT_HEALTHY, m.coordinates() + " started for " + tenant
            + " but its " + p.name().toLowerCase() + " probe failed: " + h.detail());
      }
    }
    return i;
  }

  /** Runs plugin code on a lifecycle thread with the plugin's loader as context, bounded in time. */
  private <V> V onPluginThread(Loaded version, Callable<V> work, String what) throws PluginRejected {
    Future<V> f = lifecycle.submit(() -> {
      Thread t = Thread.currentThread();
      ClassLoader before = t.getContextClassLoader();
      t.setContextClassLoader(version.loader);
      try {
        return work.call();
      } finally {
        t.setContextClassLoader(before);
      }
    });
    try {
      return f.get(lifecycleTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new PluginRejected(PluginRejected.Reason.START_FAILED, version.manifest.coordinates() + ": " + what
          + " took longer than " + lifecycleTimeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof PluginRejected r) {
        throw r;
      }
      throw new PluginRejected(PluginRejected.Reason.START_FAILED, version.manifest.coordinates() + ": " + what
          + " failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PluginRejected(PluginRejected.Reason.START_FAILED, "interrupted while the plugin's " + what + " ran");
    }
  }

  /** Waits for a replaced instance's calls in flight (bounded), stops it and releases its version. */
  private void retire(Instance old) {
    old.drain(drainTimeout);
    old.stopQuietly();
    release(old.version);
  }

  // --- state --------------------------------------------------------------------------------------

  /** What one tenant runs of one plugin. */
  public record Running(String tenant, String pluginId, String version, String publisher, long calls, long errors,
      double meanMillis) {}

  private record SlotKey(String tenant, String pluginId) {}

  private record Installed(PluginManifest manifest, Map<String, byte[]> entries, String sha256, String publisher,
                           java.security.PublicKey signer) {}

  /** A plugin version with its class loader; {@code users} counts tenants' instances and dependents. */
  private static final class Loaded {
    final PluginManifest manifest;
    final PluginClassLoader loader;
    final String publisher;
    final List<Loaded> dependencies;
    int users;

    Loaded(PluginManifest manifest, PluginClassLoader loader, String publisher, List<Loaded> dependencies) {
      this.manifest = manifest;
      this.loader = loader;
      this.publisher = publisher;
      this.dependencies = dependencies;
    }
  }

  private static final class Slot {
    volatile Instance current;

    /** The current instance with one more call in flight, or null when there is none. */
    Instance enter() {
      while (true) {
        Instance i = current;
        if (i == null) {
          return null;
        }
        i.inflight.incrementAndGet();
        if (!i.closing) {
          return i;
        }
        i.exit(); // lost a race with a swap: go to the version that replaced it
        if (current == i) {
          return null;
        }
      }
    }
  }

  private final class Instance {
    final String tenant;
    final Loaded version;
    final Plugin plugin;
    final AtomicInteger inflight = new AtomicInteger();
    final LongAdder calls = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder nanos = new LongAdder();
    final Map<Class<?>, Object> extensions = new ConcurrentHashMap<>();
    volatile boolean closing;

    Instance(String tenant, Loaded version, Plugin plugin) {
      this.tenant = tenant;
      this.version = version;
      this.plugin = plugin;
    }

    <T> T extension(Class<T> point) {
      Object e = extensions.computeIfAbsent(point, p -> plugin.extension(p).orElse(null));
      if (e == null) {
        throw new IllegalStateException(version.manifest.coordinates() + " has no extension " + point.getName());
      }
      return point.cast(e);
    }

    Health probe(Probe probe) {
      try {
        Health h = onPluginThread(version, () -> plugin.health(probe), probe.name().toLowerCase() + " probe");
        return h == null ? Health.down("the probe answered nothing") : h;
      } catch (PluginRejected e) {
        return Health.down(e.getMessage());
      }
    }

    void exit() {
      if (inflight.decrementAndGet() == 0 && closing) {
        synchronized (this) {
          notifyAll();
        }
      }
    }

    void drain(Duration timeout) {
      closing = true;
      long deadline = System.nanoTime() + timeout.toNanos();
      synchronized (this) {
        long left;
        while (inflight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
          try {
            TimeUnit.NANOSECONDS.timedWait(this, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    void stopQuietly() {
      try {
        onPluginThread(version, () -> {
          plugin.stop();
          return null;
        }, "stop");
      } catch (PluginRejected e) {
        System.getLogger(PluginHost.class.getName()).log(System.Logger.Level.WARNING,
            "plugin {0} for tenant {1} did not stop cleanly: {2}", version.manifest.coordinates(), tenant, e.getMessage());
      }
      extensions.clear();
    }

    Running running() {
      long n = calls.sum();
      return new Running(tenant, version.manifest.id(), version.manifest.version(), version.publisher, n, errors.sum(),
          n == 0 ? 0 : nanos.sum() / 1e6 / n);
    }
  }

  private record Context(String tenant, String pluginId, String version, Map<String, String> config,
      Map<String, String> secrets) implements PluginContext {

    @Override
    public Optional<String> secret(String name) {
      return Optional.ofNullable(secrets.get(name));
    }

    @Override
    public System.Logger logger() {
      return System.getLogger("hotswap.plugin." + pluginId);
    }

    @Override
    public String toString() { // never print the secrets
      return "PluginContext[tenant=" + tenant + ", plugin=" + pluginId + "@" + version + "]";
    }
  }

  /** How a host is set up. */
  public static final class Builder {
    private final TrustPolicy trust;
    private ClassLoader service = PluginHost.class.getClassLoader();
    private final List<String> sharedPackages = new ArrayList<>();
    private Duration lifecycleTimeout = Duration.ofSeconds(10);
    private Duration drainTimeout = Duration.ofSeconds(30);

    private Builder(TrustPolicy trust) {
      this.trust = trust;
    }

    /**
     * Packages of the service's typed extension points (e.g. {@code com.acme.billing.spi}): plugins
     * see the service's copy of these, so the service can call them through the interface.
     */
    public Builder sharedPackages(Collection<String> packages) {
      packages.forEach(p -> sharedPackages.add(p.endsWith(".") ? p : p + "."));
      return this;
    }

    /** The class loader that has the API and shared packages (default: the host's own). */
    public Builder serviceClassLoader(ClassLoader loader) {
      this.service = loader;
      return this;
    }

    /** How long create, start, a probe or stop may take before the version counts as failed (10 s). */
    public Builder lifecycleTimeout(Duration timeout) {
      this.lifecycleTimeout = timeout;
      return this;
    }

    /** How long a replaced version's calls in flight may take before it is stopped anyway (30 s). */
    public Builder drainTimeout(Duration timeout) {
      this.drainTimeout = timeout;
      return this;
    }

    public PluginHost build() {
      return new PluginHost(this);
    }
  }
}
