package io.hotswap.standalone;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./hotswap up}: the whole platform in one JVM on its embedded default — a real KRaft
 * Kafka broker (unless {@code HOTSWAP_KAFKA_BOOTSTRAP} names one), PostgreSQL (from {@code
 * HOTSWAP_DB_URL}, else embedded) and the five services. Data under {@code HOTSWAP_DATA_DIR}
 * ({@code ./data}) survives restarts; Ctrl-C stops everything cleanly.
 *
 * <p>Environment: {@code HOTSWAP_DATA_DIR}, {@code HOTSWAP_KAFKA_BOOTSTRAP}, {@code
 * HOTSWAP_KAFKA_PORT} (9092), {@code HOTSWAP_KAFKA_CONTROLLER_PORT} (9093), {@code HOTSWAP_DB_URL},
 * {@code HOTSWAP_DB_USER}, {@code HOTSWAP_DB_PASSWORD}, {@code HOTSWAP_DB_PORT} (5433, embedded),
 * {@code HOTSWAP_S3_ENDPOINT} (else a local S3 API on {@code HOTSWAP_S3_PORT}, 8085; see {@link ObjectStorage}),
 * {@code HOTSWAP_PARTITIONS} (3), {@code HOTSWAP_JWT_SECRET} (else generated into {@code
 * <data>/jwt-secret}), {@code HOTSWAP_MASTER_KEY} (else generated into {@code <data>/master-key}), {@code HOTSWAP_<SERVICE>_PORT} (gateway 8080, validation 8081,
 * approval 8082, rollout 8083, audit 8084).
 */
public final class HotSwapStandalone implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HotSwapStandalone.class);

  private final Backing backing;
  private final Platform platform;
  private final Map<String, Integer> ports;

  private HotSwapStandalone(Backing backing, Platform platform, Map<String, Integer> ports) {
    this.backing = backing;
    this.platform = platform;
    this.ports = ports;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("token")) {
      try {
        System.out.println(TokenCommand.run(java.util.List.of(args).subList(1, args.length), System.getenv()));
      } catch (IllegalArgumentException | IllegalStateException e) {
        System.err.println("hotswap token: " + e.getMessage());
        System.exit(2);
      }
      return;
    }
    if (args.length > 0 && args[0].equals("plugin")) {
      io.hotswap.plugin.host.PluginTool.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    // Tomcat logs through java.util.logging: into Logback with everything else, not to stderr in its own format
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    if (args.length > 0 && args[0].equals("cluster")) {
      ProcessCluster.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && (args[0].equals("backup") || args[0].equals("restore"))) {
      int status = Backup.main(args[0], java.util.List.of(args).subList(1, args.length), System.getenv());
      if (status != 0) {
        System.exit(status);
      }
      return;
    }
    // five contexts in one JVM: logging is configured once, by logback.xml (see Platform)
    System.setProperty(Platform.LOGGING_SYSTEM, "none");
    HotSwapStandalone running = start(System.getenv());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("hotswap-shutdown").unstarted(() -> {
      LOG.info("Stopping HotSwap...");
      running.close();
      stopped.countDown();
    }));
    stopped.await();
  }

  /** Starts everything; {@code env} is the process environment (a map in tests). */
  public static HotSwapStandalone start(Map<String, String> env) throws Exception {
    long started = System.nanoTime();
    Path data = Path.of(get(env, "HOTSWAP_DATA_DIR", "./data")).toAbsolutePath().normalize();
    Files.createDirectories(data);
    Backing backing = Backing.start(env, data);
    try {
      String bootstrap = backing.bootstrap();
      Postgres postgres = backing.postgres();

      Map<String, Object> common = new HashMap<>();
      common.put("spring.kafka.bootstrap-servers", bootstrap);
      common.put("hotswap.security.jwt.secret", TokenCommand.secret(env, data, true));
      common.put("hotswap.security.master-key", masterKey(env, data));
      common.put("hotswap.kafka.partitions", get(env, "HOTSWAP_PARTITIONS", "3"));
      Map<String, Map<String, Object>> perService = new HashMap<>();
      Map<String, Integer> ports = new HashMap<>();
      for (Platform.Service s : Platform.SERVICES) {
        int port = Integer.parseInt(get(env, "HOTSWAP_" + s.name().toUpperCase(Locale.ROOT) + "_PORT", Integer.toString(s.port())));
        ports.put(s.name(), port);
        perService.put(s.name(), new HashMap<>(Map.of(
            "server.port", port,
            "spring.kafka.streams.state-dir", data.resolve("state").resolve(s.name()).toString())));
      }
      perService.get("audit").putAll(Map.of(
          "spring.datasource.url", postgres.url(),
          "spring.datasource.username", postgres.user(),
          "spring.datasource.password", postgres.password()));
      perService.get("gateway").put("hotswap.gateway.audit-url", "http://localhost:" + ports.get("audit"));
      perService.get("gateway").putAll(backing.storage().gatewayProperties());

      Platform platform = new Platform(common, perService).startAll();
      LOG.info("HotSwap is up in {} ms: gateway http://localhost:{} (health: /actuator/health, API docs: /swagger-ui.html), Kafka {}, PostgreSQL {}",
          (System.nanoTime() - started) / 1_000_000, ports.get("gateway"), bootstrap, postgres.url().replaceAll("\\?.*", ""));
      return new HotSwapStandalone(backing, platform, Map.copyOf(ports));
    } catch (Exception | Error e) {
      backing.close();
      throw e;
    }
  }

  /** {@code HOTSWAP_MASTER_KEY}, else the key generated into {@code <data>/master-key} on first start (base64 of 32 random bytes). */
  static String masterKey(Map<String, String> env, Path data) throws java.io.IOException {
    String fromEnv = env.get("HOTSWAP_MASTER_KEY");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.strip();
    }
    Path file = data.resolve("master-key");
    if (!Files.exists(file)) {
      Files.writeString(file, java.util.Base64.getEncoder().encodeToString(io.hotswap.protocol.Envelope.newDataKey().getEncoded()) + "\n");
      try {
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system; the file keeps its default permissions
      }
    }
    return Files.readString(file).strip();
  }

  public Platform platform() {
    return platform;
  }

  public int port(String service) {
    return ports.get(service);
  }

  @Override
  public void close() {
    platform.close();
    backing.close();
  }

  private static String get(Map<String, String> env, String name, String fallback) {
    return Backing.get(env, name, fallback);
  }
}
