package io.hotswap.client;

import io.hotswap.client.internal.ClientAccess;
import io.hotswap.client.internal.ClientEngine;
import io.hotswap.client.internal.Entry;
import io.hotswap.client.internal.LiveValues;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * HotSwap's client: reads the compacted {@code hotswap.live.<env>.v1} topic from the beginning
 * into memory, then tails it, so a service always has the current configuration at hand and
 * hears of every change as it happens.
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
 * records are applied one at a time (each atomically); listeners run on their own threads. For
 * tests without a broker, {@code hotswap-client-test} gives an in-memory client fed by hand.
 */
public final class HotSwapClient implements AutoCloseable {

  /** Version reported with the instance registration. */
  public static final String VERSION = Optional.ofNullable(HotSwapClient.class.getPackage().getImplementationVersion()).orElse("0.1.0");

  private static final Logger LOG = LoggerFactory.getLogger(HotSwapClient.class);
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  static {
    ClientAccess.install(HotSwapClient::new);
  }

  private final ClientEngine engine;
  private final LiveValues values;
  private final Instance instance;
  private final String environment;
  private final String defaultTenant;

  private final ClientPlugins plugins;

  HotSwapClient(ClientEngine engine) {
    this(engine, null);
  }

  HotSwapClient(ClientEngine engine, PluginOptions pluginOptions) {
    this.engine = engine;
    // subscribed before the feed starts, so the assignments read while catching up are run too
    this.plugins = pluginOptions == null ? null : new ClientPlugins(engine, pluginOptions);
    this.values = engine.values();
    this.instance = engine.settings().instance();
    this.environment = engine.settings().environment();
    this.defaultTenant = engine.settings().defaultTenant();
  }

  public static HotSwapClientBuilder builder() {
    return new HotSwapClientBuilder();
  }

  /** Loads the local file (if any), then starts reading Kafka in the background. Returns this. */
  public HotSwapClient start() {
    engine.start();
    return this;
  }

  /** Completes when the values have caught up to the end offsets seen when Kafka was first reached. */
  public CompletableFuture<Void> ready() {
    return engine.ready();
  }

  public Instance instance() {
    return instance;
  }

  public String environment() {
    return environment;
  }

  // ---------------------------------------------------------------- getters

  /** The value of a key of the default tenant, or empty. */
  public Optional<ConfigValue> get(String key) {
    return get(defaultTenant(), key);
  }

  public Optional<ConfigValue> get(String tenant, String key) {
    Entry e = values.get(tenant, key);
    return e == null ? Optional.empty() : Optional.of(e.value());
  }

  public String getString(String key, String defaultValue) {
    return getString(defaultTenant(), key, defaultValue);
  }

  public String getString(String tenant, String key, String defaultValue) {
    Entry e = values.get(tenant, key);
    return e == null ? defaultValue : e.value().text();
  }

  /** The value this caller gets: the key's rollout (canary, percentage, A/B) decides. */
  public String getString(String tenant, String key, String defaultValue, Context context) {
    Entry e = values.get(tenant, key);
    if (e == null) {
      return defaultValue;
    }
    Choice choice = e.choose(instance, context);
    if (choice.value() == null) {
      return defaultValue;
    }
    return e.value().isSecret() ? values.decrypt(tenant, key, choice.value()) : choice.value();
  }

  /** Which arm of the key's rollout this caller is in ({@code stable}, {@code candidate} or a variant name). */
  public Optional<Choice> choice(String tenant, String key, Context context) {
    Entry e = values.get(tenant, key);
    return e == null ? Optional.empty() : Optional.of(e.choose(instance, context));
  }

  public long getLong(String key, long defaultValue) {
    return getLong(defaultTenant(), key, defaultValue);
  }

  public long getLong(String tenant, String key, long defaultValue) {
    Number n = number(values.get(tenant, key));
    return n == null ? defaultValue : n.longValue();
  }

  public double getDouble(String key, double defaultValue) {
    return getDouble(defaultTenant(), key, defaultValue);
  }

  public double getDouble(String tenant, String key, double defaultValue) {
    Number n = number(values.get(tenant, key));
    return n == null ? defaultValue : n.doubleValue();
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    return getBoolean(defaultTenant(), key, defaultValue);
  }

  public boolean getBoolean(String tenant, String key, boolean defaultValue) {
    Entry e = values.get(tenant, key);
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
    Entry e = values.get(tenant, key);
    return e == null ? Optional.empty() : Optional.ofNullable(tree(e)).map(JsonNode::deepCopy);
  }

  public Optional<JsonNode> getJson(String key) {
    return getJson(defaultTenant(), key);
  }

  /** A JSON value bound to a class (Jackson), or the default. */
  public <T> T getJson(String tenant, String key, Class<T> type, T defaultValue) {
    Entry e = values.get(tenant, key);
    JsonNode tree = e == null ? null : tree(e);
    return tree == null ? defaultValue : JSON.treeToValue(tree, type);
  }

  /** The tenant's current profile of a service (document, version, semver), or empty. */
  public Optional<ConfigValue> getProfile(String tenant, String service) {
    return get(tenant, "profile:" + service);
  }

  public Optional<JsonNode> getProfileDocument(String tenant, String service) {
    return getJson(tenant, "profile:" + service);
  }

  public <T> T getProfile(String tenant, String service, Class<T> type, T defaultValue) {
    return getJson(tenant, "profile:" + service, type, defaultValue);
  }

  /** Every value of a tenant (keys and profiles), by key ({@code profile:<service>} for profiles). */
  public Map<String, ConfigValue> all(String tenant) {
    return values.all(tenant);
  }

  private Number number(Entry e) {
    if (e == null) {
      return null;
    }
    Object parsed = e.parsed(t -> {
      try {
        return new BigDecimal(t.strip());
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
    if (e.firstMismatch()) {
      ConfigValue v = e.value();
      LOG.warn("HotSwap client: {}|{} (type {}) is not a {}; callers get their default", v.tenantId(), v.key(), v.type(), wanted);
    }
    return fallback;
  }

  private String defaultTenant() {
    if (defaultTenant == null) {
      throw new IllegalStateException("no default tenant: pass the tenant, or build the client with tenant(...)");
    }
    return defaultTenant;
  }

  // ---------------------------------------------------------------- subscriptions, health

  /**
   * Calls the listener for every change the selector picks, from now on, in order, on a thread of
   * the subscription's own. Returns a handle that cancels the subscription.
   */
  public AutoCloseable subscribe(Selector selector, ChangeListener listener) {
    return engine.listeners().subscribe(selector, listener);
  }

  /** Observes every applied change with its apply duration (µs), on the consumer thread: keep it cheap (metrics). */
  public void onApplied(ApplyObserver observer) {
    engine.listeners().observe(observer);
  }

  /** Observer of applied changes. */
  @FunctionalInterface
  public interface ApplyObserver {
    void applied(Change change, long applyMicros);
  }

  /** Records one request this instance served; reported as health on hotswap.health.v1. */
  public void recordRequest(Duration duration, boolean success) {
    engine.requestStats().record(duration, success);
  }

  /** The request counters that the next health report drains (e.g. to feed from Micrometer). */
  public RequestStats requestStats() {
    return engine.requestStats();
  }

  public Status status() {
    return engine.status();
  }

  /** Listener calls that threw. */
  public long listenerErrors() {
    return engine.listeners().errors();
  }

  /** Changes whenever the served values change: lets callers cache what they derive from them. */
  public long revision() {
    return values.revision();
  }

  /** Reports (heartbeats, health) the broker didn't take. */
  public long droppedReports() {
    return engine.droppedReports();
  }

  /**
   * The tenants' plugins this client runs; present when built with {@link HotSwapClientBuilder#plugins}.
   *
   * @throws IllegalStateException when the client was built without plugins
   */
  public ClientPlugins plugins() {
    if (plugins == null) {
      throw new IllegalStateException("this client runs no plugins: build it with plugins(PluginOptions)");
    }
    return plugins;
  }

  /** Stops reading, saves the file, deregisters the instance and stops listener threads (and plugins). */
  @Override
  public void close() {
    engine.close();
    if (plugins != null) {
      plugins.close();
    }
  }
}
