package io.hotswap.client.test;

import io.hotswap.client.HotSwapClient;
import io.hotswap.client.Instance;
import io.hotswap.client.internal.ClientAccess;
import io.hotswap.client.internal.ClientEngine;
import io.hotswap.client.internal.Settings;
import io.hotswap.protocol.AvroSchemas;
import io.hotswap.protocol.Envelope;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;

/**
 * A real {@link HotSwapClient} without a broker, fed by your test: values you {@link #put} are
 * applied as if they had arrived from the live topic, so getters, rollouts, listeners and the
 * Spring starter's rebinding all behave as in production. Ready at once.
 *
 * <pre>{@code
 * try (InMemoryHotSwap hotswap = InMemoryHotSwap.forTenant("acme")) {
 *   HotSwapClient client = hotswap.client();
 *   hotswap.put(TestValue.bool("acme", "feature.new_ui", true));
 *   assertThat(client.getBoolean("feature.new_ui", false)).isTrue();
 * }
 * }</pre>
 */
public final class InMemoryHotSwap implements AutoCloseable {

  private static final int KEY_VERSION = 1;

  private final String environment;
  private final ClientEngine engine;
  private final HotSwapClient client;
  private final Map<String, SecretKey> dataKeys = new ConcurrentHashMap<>();

  private InMemoryHotSwap(String environment, String tenant, Instance instance) {
    AvroSchemas.trustGeneratedClasses();
    this.environment = environment;
    Settings settings = new Settings(null, environment, tenant == null ? Set.of() : Set.of(tenant), tenant, instance, "localhost", null,
        null, null, List.of(), Map.of(), false, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(1),
        Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(500), Clock.systemUTC(),
        io.hotswap.protocol.KafkaTracing.NONE);
    this.engine = new ClientEngine(settings, HotSwapClient.VERSION);
    this.client = ClientAccess.client(engine).start();
  }

  /** A client of one tenant in production, the default tenant of its tenant-less getters. */
  public static InMemoryHotSwap forTenant(String tenant) {
    return new InMemoryHotSwap("production", tenant, new Instance("test-instance", "test", List.of()));
  }

  /**
   * A client of one tenant in an environment, speaking for an instance: rollouts that name
   * instance ids or tags choose by it.
   */
  public static InMemoryHotSwap of(String environment, String tenant, Instance instance) {
    return new InMemoryHotSwap(environment, tenant, instance);
  }

  public HotSwapClient client() {
    return client;
  }

  /** Applies a value as the live topic would deliver it: getters see it at once, listeners hear of it. */
  public InMemoryHotSwap put(TestValue value) {
    engine.apply(value.liveKey(), value.toRecord(environment, text -> value.isSecret() ? seal(value, text) : text));
    return this;
  }

  /** Removes a key, as a tombstone on the live topic does. */
  public InMemoryHotSwap remove(String tenant, String key) {
    engine.apply(tenant + '|' + key, null);
    return this;
  }

  /** Removes a tenant's profile of a service. */
  public InMemoryHotSwap removeProfile(String tenant, String service) {
    return remove(tenant, "profile:" + service);
  }

  private String seal(TestValue value, String text) {
    SecretKey key = dataKeys.computeIfAbsent(value.tenant(), t -> {
      SecretKey k = Envelope.newDataKey();
      engine.dataKey(t, KEY_VERSION, k);
      return k;
    });
    return Envelope.encrypt(key, KEY_VERSION, value.liveKey().replace("|", "|" + environment + "|"), text);
  }

  @Override
  public void close() {
    client.close();
  }
}
