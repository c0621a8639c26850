package io.hotswap.standalone;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The platform the feature integration tests run on: a real in-process KRaft broker, a real
 * PostgreSQL, the five services, and a local webhook for approval notifications. Started once for
 * every test class that runs on it (the JUnit root store closes it after the last); a class marked
 * {@link OwnPlatform} — one that stops and starts services — gets a platform of its own, closed
 * after it. Before each class the {@link PlatformTest} fields point at that class's platform.
 */
final class SharedPlatform implements BeforeAllCallback {

  /**
   * A test class that restarts services runs on a platform of its own, so no other class sees its
   * restarts. Its tag keeps it out of the test run in which the shared platform's classes run
   * side by side (services/standalone/pom.xml).
   */
  @org.junit.jupiter.api.Tag("own-platform")
  @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
  @java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE)
  @interface OwnPlatform {}

  /**
   * Runs the classes on the shared platform after all others (keeping each group's order): the
   * shared platform starts with the first of them and stays up to the end, so nothing else
   * runs beside it.
   */
  public static final class Last implements org.junit.jupiter.api.ClassOrderer {
    @Override
    public void orderClasses(org.junit.jupiter.api.ClassOrdererContext context) {
      context.getClassDescriptors().sort(java.util.Comparator.comparingInt(d -> onSharedPlatform(d.getTestClass()) ? 1 : 0));
    }

    static boolean onSharedPlatform(Class<?> testClass) {
      return PlatformTest.class.isAssignableFrom(testClass) && !testClass.isAnnotationPresent(OwnPlatform.class);
    }
  }

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedPlatform.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    boolean own = context.getRequiredTestClass().isAnnotationPresent(OwnPlatform.class);
    ExtensionContext.Store store = (own ? context : context.getRoot()).getStore(NAMESPACE);
    Running running = store.computeIfAbsent("platform", k -> Running.start(), Running.class);
    running.use();
  }

  /** One running platform and everything it needs; closing it stops all of it. */
  static final class Running implements AutoCloseable {
    final EmbeddedKafkaKraftBroker broker;
    final com.sun.net.httpserver.HttpServer webhook;
    /** What the webhook received: body and headers per notification. */
    final List<Map<String, String>> notifications;
    final EmbeddedPostgres postgres;
    final Path stateDir;
    final Platform platform;
    final Api api;
    final ObjectStorage storage;

    private Running(EmbeddedKafkaKraftBroker broker, com.sun.net.httpserver.HttpServer webhook, List<Map<String, String>> notifications,
                    EmbeddedPostgres postgres, Path stateDir, Platform platform, Api api, ObjectStorage storage) {
      this.broker = broker;
      this.webhook = webhook;
      this.notifications = notifications;
      this.postgres = postgres;
      this.stateDir = stateDir;
      this.platform = platform;
      this.api = api;
      this.storage = storage;
    }

    static Running start() {
      EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 3);
      broker.brokerProperties(Map.of("message.max.bytes", "5242880", "auto.create.topics.enable", "false",
          "transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1", "group.initial.rebalance.delay.ms", "0"));
      broker.afterPropertiesSet();
      try {
        List<Map<String, String>> notifications = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer webhook = webhook(notifications);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        Path stateDir = Files.createTempDirectory("hotswap-it-state");
        Map<String, Object> common = new HashMap<>();
        common.put("spring.kafka.bootstrap-servers", broker.getBrokersAsString());
        common.put("hotswap.kafka.partitions", 3);
        // every request traced, so TracingIT sees the whole trip (CapturedSpans collects the spans)
        common.put("management.tracing.sampling.probability", "1.0");
        common.put("hotswap.gateway.command-timeout", "PT30S");
        common.put("hotswap.security.jwt.secret", io.hotswap.core.testing.Tokens.SECRET);
        common.put("hotswap.security.master-key", io.hotswap.core.testing.Tokens.MASTER_KEY);
        // retention with a short history so pruning is seen (no other test writes more than 10 versions of a key)
        common.put("hotswap.retention.keep-last", 12);
        common.put("hotswap.retention.keep-for", "PT0S");
        // the instance registry on a short clock: re-rated every 0.5 s, silent instances evicted after 6 s
        common.put("hotswap.instances.check-period", "PT0.5S");
        common.put("hotswap.instances.evict-after", "PT6S");
        // bake times checked every 0.2 s, so a canary with 1 s steps completes within seconds
        common.put("hotswap.deployments.tick", "PT0.2S");
        // held changes checked for expiry twice a second, and notified to a local webhook
        common.put("hotswap.approval.check-period", "PT0.5S");
        common.put("hotswap.notifications.webhook-url", "http://localhost:" + webhook.getAddress().getPort() + "/hooks/approvals");
        common.put("hotswap.notifications.webhook-secret", "it-webhook-secret");
        common.put("hotswap.notifications.start-from", "earliest");
        common.put("hotswap.notifications.retry-backoff", "PT0.2S");
        PlatformTest.RATE_LIMITS.forEach(common::put);
        // requests from 127.0.0.1 come "through a proxy": their X-Forwarded-For names the client; from anywhere else it is ignored
        common.put("hotswap.gateway.trusted-proxies", "127.0.0.1/32");
        Map<String, Map<String, Object>> perService = new HashMap<>();
        for (Platform.Service s : Platform.SERVICES) {
          perService.put(s.name(), new HashMap<>(Map.of(
              "server.port", PlatformTest.freePort(),
              "spring.kafka.streams.state-dir", stateDir.resolve(s.name()).toString())));
        }
        perService.get("audit").putAll(Map.of(
            "spring.datasource.url", postgres.getJdbcUrl("postgres", "postgres"),
            "spring.datasource.username", "postgres",
            "spring.datasource.password", "postgres"));
        perService.get("gateway").put("hotswap.gateway.audit-url", "http://localhost:" + perService.get("audit").get("server.port"));
        // plugin binaries in a real local S3 API, as ./hotswap up runs it; one trusted publisher whose private key the tests hold
        ObjectStorage storage = ObjectStorage.start(Map.of("HOTSWAP_S3_PORT", Integer.toString(PlatformTest.freePort())), stateDir);
        perService.get("gateway").putAll(storage.gatewayProperties());
        perService.get("gateway").put("hotswap.plugins.publishers." + PlatformTest.PUBLISHER,
            io.hotswap.plugin.host.PluginSignatures.encode(PlatformTest.PUBLISHER_KEYS.getPublic()));
        Platform platform = new Platform(common, perService).startAll();
        return new Running(broker, webhook, notifications, postgres, stateDir, platform,
            new Api((Integer) perService.get("gateway").get("server.port")), storage);
      } catch (Exception e) {
        broker.destroy();
        throw new IllegalStateException("the test platform did not start", e);
      }
    }

    /**
     * A local webhook for approval notifications. The first notification of tenant it-approve
     * fails once (503): the notifier must deliver it again, not drop it.
     */
    private static com.sun.net.httpserver.HttpServer webhook(List<Map<String, String>> received) throws java.io.IOException {
      com.sun.net.httpserver.HttpServer webhook = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("localhost", 0), 0);
      java.util.concurrent.atomic.AtomicBoolean failedOnce = new java.util.concurrent.atomic.AtomicBoolean();
      webhook.createContext("/hooks/approvals", exchange -> {
        String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int status = body.contains("\"tenantId\":\"it-approve\"") && failedOnce.compareAndSet(false, true) ? 503 : 204;
        received.add(Map.of("body", body, "signature", String.valueOf(exchange.getRequestHeaders().getFirst("X-HotSwap-Signature")),
            "delivery", String.valueOf(exchange.getRequestHeaders().getFirst("X-HotSwap-Delivery")), "status", Integer.toString(status)));
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
      });
      webhook.start();
      return webhook;
    }

    /** Points the test classes' fields at this platform. */
    void use() {
      PlatformTest.platform = platform;
      PlatformTest.postgres = postgres;
      PlatformTest.bootstrap = broker.getBrokersAsString();
      PlatformTest.stateDir = stateDir;
      PlatformTest.api = api;
      PlatformTest.NOTIFICATIONS = notifications;
    }

    @Override
    public void close() throws Exception {
      try {
        platform.close();
      } finally {
        storage.close();
        postgres.close();
        webhook.stop(0);
        broker.destroy();
      }
    }
  }
}
