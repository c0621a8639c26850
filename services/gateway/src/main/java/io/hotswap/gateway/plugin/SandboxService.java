package io.hotswap.gateway.plugin;

import io.hotswap.avro.PluginVersion;
import io.hotswap.core.domain.Rejection;
import io.hotswap.plugin.host.PluginBinary;
import io.hotswap.plugin.host.PluginRejected;
import io.hotswap.plugin.host.Sandbox;
import io.hotswap.plugin.host.TrustPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes for trying a registered plugin version before any tenant gets it: each one a session
 * on this gateway instance (create, load a version, execute test cases, read the results, clean
 * up), whose runs happen in a child JVM with memory, CPU and wall-time limits and no network
 * ({@link Sandbox}). At most {@code maxPerEnvironment} sessions per environment at once; a session
 * is cleaned up {@code ttl} after it was created whatever its state. Sessions are not shared
 * between gateway instances: a sandbox is a short-lived test run, kept where it was created.
 */
public final class SandboxService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SandboxService.class);

  public enum Status { CREATED, LOADED, RUNNING, COMPLETED }

  /** One sandbox: what it loaded, how it is limited, and its last run's result. */
  public static final class Session {
    final String id;
    final String environment;
    final String createdBy;
    final Instant createdAt;
    final Instant expiresAt;
    final Sandbox.Limits limits;
    volatile Status status = Status.CREATED;
    volatile PluginVersion plugin;
    volatile byte[] binary;
    volatile TrustPolicy trust;
    volatile Map<String, String> config = Map.of();
    volatile Sandbox.Result result;
    volatile Instant finishedAt;

    Session(String id, String environment, String createdBy, Instant createdAt, Instant expiresAt, Sandbox.Limits limits) {
      this.id = id;
      this.environment = environment;
      this.createdBy = createdBy;
      this.createdAt = createdAt;
      this.expiresAt = expiresAt;
      this.limits = limits;
    }
  }

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Sandbox sandbox;
  private final TrustPolicy trust;
  private final int maxPerEnvironment;
  private final Duration ttl;
  private final Clock clock;
  private final ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().daemon().name("hotswap-sandbox-sweeper").factory());

  public SandboxService(TrustPolicy trust, Path workDir, int maxPerEnvironment, Duration ttl, Duration sweepEvery, Clock clock) {
    this.trust = trust;
    this.maxPerEnvironment = maxPerEnvironment;
    this.ttl = ttl;
    this.clock = clock;
    // one slot per possible session: the limit that matters is the sessions' own, per environment
    this.sandbox = new Sandbox(trust, workDir, maxPerEnvironment * io.hotswap.protocol.Topics.ENVIRONMENTS.size());
    sweeper.scheduleWithFixedDelay(this::sweep, sweepEvery.toMillis(), sweepEvery.toMillis(), TimeUnit.MILLISECONDS);
  }

  public Session create(String environment, String actor, Sandbox.Limits limits) {
    return create(environment, actor, limits, null);
  }

  /** As above; {@code ownerTag} (after a '.') names this gateway instance in the id, so its peers can relay calls here. */
  public Session create(String environment, String actor, Sandbox.Limits limits, String ownerTag) {
    synchronized (sessions) {
      long inEnvironment = sessions.values().stream().filter(s -> s.environment.equals(environment)).count();
      if (inEnvironment >= maxPerEnvironment) {
        throw new Rejection(429, "sandbox-limit", maxPerEnvironment + " sandboxes are open in " + environment
            + "; clean one up (POST /api/v1/sandbox/{id}/cleanup) or wait for one to expire", "environment");
      }
      Instant now = clock.instant();
      Session s = new Session("sb-" + UUID.randomUUID().toString().substring(0, 13).replace("-", "") + (ownerTag == null ? "" : "." + ownerTag),
          environment, actor, now, now.plus(ttl), limits);
      sessions.put(s.id, s);
      return s;
    }
  }

  /** Whether this instance holds the session. */
  public boolean holds(String id) {
    return sessions.containsKey(id);
  }

  public Session get(String id) {
    Session s = id == null ? null : sessions.get(id);
    if (s == null) {
      throw Rejection.notFound("sandbox-not-found", "No sandbox '" + io.hotswap.core.domain.Texts.abbreviate(id)
          + "' (cleaned up, expired, or created on another gateway instance)", "id");
    }
    return s;
  }

  /** Loads a registered version's binary, checked as a host would check it, with the settings its test runs start with. */
  public Session load(String id, PluginVersion version, byte[] binary, Map<String, String> config) {
    return load(id, version, binary, config, trust);
  }

  /** As above, the signature judged by {@code trust} (a tenant's own plugin: the tenant's trust). */
  public Session load(String id, PluginVersion version, byte[] binary, Map<String, String> config, TrustPolicy trust) {
    Session s = get(id);
    if (s.status == Status.RUNNING) {
      throw Rejection.conflict("sandbox-busy", "sandbox " + id + " is running its test cases", "id");
    }
    try {
      trust.verify(binary(version, binary));
    } catch (PluginRejected e) {
      throw Rejection.badRequest(e.reason().code(), e.getMessage(), "version");
    }
    s.plugin = version;
    s.binary = binary;
    s.trust = trust;
    s.config = Map.copyOf(config);
    s.result = null;
    s.status = Status.LOADED;
    return s;
  }

  /** Starts the test cases in the child JVM; the results come with {@link #get} once it ends. */
  public Session execute(String id, List<Sandbox.TestCase> cases) {
    Session s = get(id);
    synchronized (s) {
      if (s.plugin == null) {
        throw Rejection.conflict("sandbox-empty", "load a plugin version into sandbox " + id + " first (POST /api/v1/sandbox/" + id + "/load)",
            "id");
      }
      if (s.status == Status.RUNNING) {
        throw Rejection.conflict("sandbox-busy", "sandbox " + id + " is running its test cases", "id");
      }
      s.status = Status.RUNNING;
      s.result = null;
    }
    PluginBinary binary = binary(s.plugin, s.binary);
    runs.execute(() -> {
      Sandbox.Result result;
      try {
        result = sandbox.run(binary, s.config, cases, s.limits, s.trust);
      } catch (RuntimeException e) {
        result = new Sandbox.Result(Sandbox.Outcome.CRASHED, "the sandbox could not run: " + e.getMessage(), List.of(), "",
            Duration.ZERO, Duration.ZERO, false);
      }
      s.result = result;
      s.finishedAt = clock.instant();
      s.status = Status.COMPLETED;
      LOG.info("Sandbox {} ran {}@{}: {} ({})", s.id, s.plugin.getPluginId(), s.plugin.getVersion(), result.outcome(), result.reason());
    });
    return s;
  }

  /** Runs test cases in a sandbox of its own and waits for the result (a deployment that requires a passing run). */
  public Sandbox.Result runNow(PluginVersion version, byte[] binary, Map<String, String> config, List<Sandbox.TestCase> cases,
                               TrustPolicy trust) {
    return sandbox.run(binary(version, binary), config, cases, Sandbox.Limits.defaults(), trust);
  }

  public boolean cleanup(String id) {
    Session s = get(id);
    sessions.remove(s.id);
    s.binary = null;
    return true;
  }

  /** Sessions past their time: cleaned up (a run still going finishes into a session nobody can read). */
  void sweep() {
    Instant now = clock.instant();
    sessions.values().removeIf(s -> {
      boolean expired = !now.isBefore(s.expiresAt);
      if (expired) {
        LOG.info("Sandbox {} expired ({} after it was created) and was cleaned up", s.id, ttl);
      }
      return expired;
    });
  }

  private static PluginBinary binary(PluginVersion v, byte[] bytes) {
    return new PluginBinary(bytes, v.getSha256(), v.getSignature() == null ? null : Base64.getDecoder().decode(v.getSignature()));
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    runs.shutdownNow();
  }
}
