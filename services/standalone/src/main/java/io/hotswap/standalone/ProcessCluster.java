package io.hotswap.standalone;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code ./hotswap cluster}: the platform in its production shape on this machine — each service
 * its own JVM from its own executable jar (the one the Dockerfile copies), several instances of
 * the ones that scale out, on a shared Kafka and PostgreSQL (embedded here, or external through
 * {@code HOTSWAP_KAFKA_BOOTSTRAP} and {@code HOTSWAP_DB_URL}).
 *
 * <p>Each process gets exactly the environment {@code docker-compose.yml} gives that service (read
 * from the file, anchors merged), so the two cannot drift; only what is about this machine rather
 * than the service is replaced: the addresses of Kafka, PostgreSQL and the audit service, the HTTP
 * port and state directory of each instance (instances share a host here), the gateway's
 * advertised host, the tracing collector (compose's Jaeger; here {@code
 * MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT} when set, else none), and the secrets (from the data directory, as {@code ./hotswap up} keeps them,
 * unless the environment gives them). {@code DeploymentManifestsTest} keeps compose, the Helm chart
 * and the names the services read in step.
 *
 * <p>Instances: {@code HOTSWAP_CLUSTER} ({@code gateway=2,validation=2,rollout=2}; approval and
 * audit run once unless named). Ports: instance {@code i} of a service listens on its default
 * port (gateway 8080 … audit 8084) + {@code 10·i}. Logs: {@code <data>/cluster/logs/<instance>.log}.
 */
public final class ProcessCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessCluster.class);
  /** Where the services send their spans (OTLP over HTTP); Spring Boot's setting, by its environment name. */
  static final String OTLP_ENDPOINT = "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT";
  /** Services in start order, as the embedded platform starts them: the sink and the pipeline first, the gateway last. */
  static final List<String> ORDER = Platform.SERVICES.stream().map(Platform.Service::name).toList();
  /** What each service JVM runs with unless {@code HOTSWAP_SERVICE_JAVA_OPTS} says otherwise: small, as eight share two cores here. */
  static final String DEFAULT_JAVA_OPTS = "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k " + quietJvm();

  /**
   * Flags that keep the JDK's own warnings out of the logs, as {@code ./hotswap} gives them: RocksDB
   * loads a native library; on JDK 23+ Kafka unmaps its log segments through sun.misc.Unsafe.
   */
  static String quietJvm() {
    return "--enable-native-access=ALL-UNNAMED" + (Runtime.version().feature() >= 23 ? " --sun-misc-unsafe-memory-access=allow" : "");
  }

  /** One running service instance: {@code gateway-1} and so on. */
  public static final class Instance {
    private final String service;
    private final int index;
    private final int port;
    private final Map<String, String> env;
    private final Path log;
    private Process process;

    Instance(String service, int index, int port, Map<String, String> env, Path log) {
      this.service = service;
      this.index = index;
      this.port = port;
      this.env = env;
      this.log = log;
    }

    public String name() {
      return service + "-" + index;
    }

    public int port() {
      return port;
    }

    public Map<String, String> env() {
      return env;
    }

    public boolean alive() {
      return process != null && process.isAlive();
    }
  }

  private final Path data;
  private final Path repository;
  private final List<String> javaCommand;
  private final Backing backing;
  private final Map<String, List<Instance>> instances = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ProcessCluster(Path data, Path repository, List<String> javaCommand, Backing backing) {
    this.data = data;
    this.repository = repository;
    this.javaCommand = javaCommand;
    this.backing = backing;
  }

  public static void main(String[] args) throws Exception {
    ProcessCluster cluster = start(System.getenv(), Path.of("."));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("hotswap-cluster-shutdown").unstarted(() -> {
      LOG.info("Stopping the HotSwap cluster...");
      cluster.close();
      stopped.countDown();
    }));
    stopped.await();
  }

  /**
   * Starts Kafka and PostgreSQL (unless the environment names them) and every instance, each
   * waited for until ready; {@code repository} is where {@code docker-compose.yml} and the
   * services' jars are.
   */
  public static ProcessCluster start(Map<String, String> env, Path repository) throws Exception {
    long started = System.nanoTime();
    Path data = Path.of(get(env, "HOTSWAP_DATA_DIR", "./data")).toAbsolutePath().normalize();
    Files.createDirectories(data.resolve("cluster/logs"));
    Backing backing = Backing.start(env, data);
    ProcessCluster cluster = null;
    try {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = new ArrayList<>(List.of(java));
      command.addAll(List.of(get(env, "HOTSWAP_SERVICE_JAVA_OPTS", DEFAULT_JAVA_OPTS).trim().split("\\s+")));
      cluster = new ProcessCluster(data, repository.toAbsolutePath().normalize(), command, backing);
      cluster.plan(env, counts(get(env, "HOTSWAP_CLUSTER", "gateway=2,validation=2,rollout=2")));
      cluster.startAll(Duration.ofSeconds(Long.parseLong(get(env, "HOTSWAP_CLUSTER_START_TIMEOUT_S", "300"))));
      LOG.info("HotSwap cluster is up in {} ms: {}; Kafka {}, PostgreSQL {}", (System.nanoTime() - started) / 1_000_000,
          cluster.describe(), backing.bootstrap(), backing.postgres().url().replaceAll("\\?.*", ""));
      return cluster;
    } catch (Exception | Error e) {
      if (cluster != null) {
        cluster.close();
      } else {
        backing.close();
      }
      throw e;
    }
  }

  /** {@code gateway=2,rollout=2} → instances per service; every service runs at least once. */
  static Map<String, Integer> counts(String spec) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    ORDER.forEach(s -> counts.put(s, 1));
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      String[] kv = part.trim().split("=", 2);
      if (!counts.containsKey(kv[0]) || kv.length != 2) {
        throw new IllegalArgumentException("HOTSWAP_CLUSTER: expected service=count for " + ORDER + ", got '" + part + "'");
      }
      int n = Integer.parseInt(kv[1].trim());
      if (n < 1 || n > 9) {
        throw new IllegalArgumentException("HOTSWAP_CLUSTER: 1 to 9 instances of " + kv[0] + ", got " + n);
      }
      counts.put(kv[0], n);
    }
    return counts;
  }

  /** The environment every instance gets: compose's for its service, with this machine's addresses, ports and secrets. */
  private void plan(Map<String, String> env, Map<String, Integer> counts) throws IOException {
    Map<String, Map<String, String>> compose = composeEnvironments(repository.resolve("docker-compose.yml"));
    String jwtSecret = TokenCommand.secret(env, data, true);
    String masterKey = HotSwapStandalone.masterKey(env, data);
    int auditPort = port(env, "audit", 0);
    for (String service : ORDER) {
      List<Instance> list = new ArrayList<>();
      for (int i = 0; i < counts.get(service); i++) {
        int port = port(env, service, i);
        Map<String, String> e = new LinkedHashMap<>(compose.get(service));
        e.put("HOTSWAP_KAFKA_BOOTSTRAP", backing.bootstrap());
        e.put("HOTSWAP_STATE_DIR", data.resolve("cluster").resolve(service + "-" + i).resolve("state").toString());
        e.put("HOTSWAP_" + service.toUpperCase(Locale.ROOT) + "_PORT", Integer.toString(port));
        e.put("HOTSWAP_JWT_SECRET", jwtSecret);
        e.put("HOTSWAP_MASTER_KEY", masterKey);
        if (e.containsKey("HOTSWAP_DB_URL")) {
          e.put("HOTSWAP_DB_URL", backing.postgres().url());
          e.put("HOTSWAP_DB_USER", backing.postgres().user());
          e.put("HOTSWAP_DB_PASSWORD", backing.postgres().password());
        }
        if (e.containsKey("HOTSWAP_AUDIT_URL")) {
          e.put("HOTSWAP_AUDIT_URL", "http://localhost:" + auditPort);
        }
        if (service.equals("gateway")) {
          // compose's gateways use its MinIO; these use the object storage started beside the broker
          e.putAll(backing.storage().gatewayEnvironment());
        }
        if (e.containsKey("HOTSWAP_GATEWAY_ADVERTISED_HOST")) {
          e.put("HOTSWAP_GATEWAY_ADVERTISED_HOST", "localhost");
        }
        // compose sends traces to its Jaeger; here only to a collector the environment names
        if (env.get(OTLP_ENDPOINT) != null) {
          e.put(OTLP_ENDPOINT, env.get(OTLP_ENDPOINT));
        } else {
          e.remove(OTLP_ENDPOINT);
        }
        list.add(new Instance(service, i, port, Map.copyOf(e), data.resolve("cluster/logs").resolve(service + "-" + i + ".log")));
      }
      instances.put(service, list);
    }
  }

  /** Instance {@code i} of {@code service}: {@code HOTSWAP_<SERVICE>_PORT} (or the default) + 10·i. */
  private static int port(Map<String, String> env, String service, int i) {
    int fallback = Platform.SERVICES.stream().filter(s -> s.name().equals(service)).findFirst().orElseThrow().port();
    return Integer.parseInt(get(env, "HOTSWAP_" + service.toUpperCase(Locale.ROOT) + "_PORT", Integer.toString(fallback))) + 10 * i;
  }

  /**
   * Each service's {@code environment} in a compose file, with YAML merge keys resolved and
   * values as text; {@code env_file} entries (the secrets) are the launcher's to give.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, String>> composeEnvironments(Path composeFile) throws IOException {
    Map<String, Object> root = new Yaml().load(Files.readString(composeFile));
    Map<String, Object> services = (Map<String, Object>) root.get("services");
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String service : ORDER) {
      Map<String, Object> definition = (Map<String, Object>) services.get(service);
      if (definition == null) {
        throw new IllegalStateException(composeFile + " has no service " + service);
      }
      Map<String, String> env = new LinkedHashMap<>();
      Object environment = definition.get("environment");
      if (environment instanceof Map<?, ?> map) {
        map.forEach((k, v) -> env.put(k.toString(), v == null ? "" : v.toString()));
      }
      out.put(service, env);
    }
    return out;
  }

  /**
   * Starts every instance side by side — a gateway's JVM and Spring context come up while the
   * pipeline's streams start, and its readiness waits for the pipeline to answer anyway — then waits
   * for the pipeline's instances and last for the gateways.
   */
  private void startAll(Duration timeout) throws IOException {
    List<Instance> pipeline = instances.entrySet().stream().filter(e -> !e.getKey().equals("gateway"))
        .flatMap(e -> e.getValue().stream()).toList();
    for (Instance instance : pipeline) {
      launch(instance);
    }
    for (Instance instance : instances.get("gateway")) {
      launch(instance);
    }
    for (Instance instance : pipeline) {
      awaitReady(instance, timeout);
    }
    for (Instance instance : instances.get("gateway")) {
      awaitReady(instance, timeout);
    }
  }

  private void launch(Instance instance) throws IOException {
    List<String> command = new ArrayList<>(javaCommand);
    command.add("-jar");
    command.add(jar(instance.service).toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(instance.log.toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith("HOTSWAP_"));
    builder.environment().putAll(instance.env);
    instance.process = builder.start();
    LOG.info("started {} (pid {}) on port {}", instance.name(), instance.process.pid(), instance.port);
  }

  /** The service's executable jar, as the Dockerfile copies it. */
  private Path jar(String service) throws IOException {
    Path target = repository.resolve("services").resolve(service).resolve("target");
    try (var files = Files.list(target)) {
      return files.filter(p -> p.getFileName().toString().matches("hotswap-" + service + "-.*-exec\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no executable jar of " + service + " in " + target + ": build first (./hotswap build)"));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalStateException("no " + target + ": build first (./hotswap build)", e);
    }
  }

  /** Waits until the instance's readiness probe answers 200 (for a gateway: a command made the whole trip). */
  private void awaitReady(Instance instance, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpRequest probe = HttpRequest.newBuilder(URI.create("http://localhost:" + instance.port + "/actuator/health/readiness"))
        .timeout(Duration.ofSeconds(2)).build();
    while (true) {
      if (!instance.alive()) {
        throw new IllegalStateException(instance.name() + " exited with " + instance.process.exitValue() + " while starting; see " + instance.log);
      }
      try {
        if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          LOG.info("{} is ready", instance.name());
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + instance.name(), e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(instance.name() + " was not ready within " + timeout + "; see " + instance.log);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + instance.name(), e);
      }
    }
  }

  public Instance instance(String service, int index) {
    return instances.get(service).get(index);
  }

  public List<Instance> instances(String service) {
    return List.copyOf(instances.get(service));
  }

  public String bootstrapServers() {
    return backing.bootstrap();
  }

  public Postgres postgres() {
    return backing.postgres();
  }

  /** Kills the instance's process with SIGKILL: no shutdown hook, no flush, no transaction committed. */
  public void kill(Instance instance) throws InterruptedException {
    instance.process.destroyForcibly();
    instance.process.waitFor(30, TimeUnit.SECONDS);
    LOG.info("killed {} (SIGKILL)", instance.name());
  }

  /**
   * Starts stopped instances again, side by side, each with its environment and state directory as
   * before, and waits until they are ready.
   */
  public void restart(Duration timeout, Instance... stopped) throws IOException {
    for (Instance instance : stopped) {
      if (instance.alive()) {
        throw new IllegalStateException(instance.name() + " is running");
      }
    }
    for (Instance instance : stopped) {
      launch(instance);
    }
    for (Instance instance : stopped) {
      awaitReady(instance, timeout);
    }
  }

  private String describe() {
    List<String> parts = new ArrayList<>();
    instances.values().forEach(list -> list.forEach(i -> parts.add(i.name() + " http://localhost:" + i.port)));
    return String.join(", ", parts);
  }

  /** Stops every instance (SIGTERM, then SIGKILL after 30 s), gateways first, then Kafka and PostgreSQL. */
  @Override
  public void close() {
    List<String> reverse = new ArrayList<>(ORDER);
    java.util.Collections.reverse(reverse);
    for (String service : reverse) {
      for (Instance instance : instances.getOrDefault(service, List.of())) {
        if (instance.alive()) {
          instance.process.destroy();
        }
      }
      for (Instance instance : instances.getOrDefault(service, List.of())) {
        try {
          if (instance.process != null && !instance.process.waitFor(30, TimeUnit.SECONDS)) {
            instance.process.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          instance.process.destroyForcibly();
        }
      }
    }
    backing.close();
  }

  private static String get(Map<String, String> env, String name, String fallback) {
    return Backing.get(env, name, fallback);
  }
}
