package io.hotswap.standalone;

import io.hotswap.approval.ApprovalApplication;
import io.hotswap.audit.AuditApplication;
import io.hotswap.gateway.GatewayApplication;
import io.hotswap.rollout.RolloutApplication;
import io.hotswap.validation.ValidationApplication;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The five services, each its own Spring application context in this JVM, started in pipeline
 * order and stopped in reverse. Each context keeps its own properties; nothing is shared but the
 * JVM.
 */
public final class Platform implements AutoCloseable {

  static final String LOGGING_SYSTEM = "org.springframework.boot.logging.LoggingSystem";

  /** A service's name, how to build it, and its default HTTP port. */
  public record Service(String name, Supplier<SpringApplication> application, int port) {}

  public static final List<Service> SERVICES = List.of(
      new Service("audit", AuditApplication::application, 8084),
      new Service("rollout", RolloutApplication::application, 8083),
      new Service("approval", ApprovalApplication::application, 8082),
      new Service("validation", ValidationApplication::application, 8081),
      new Service("gateway", GatewayApplication::application, 8080));

  static {
    // Several contexts in one JVM: Spring Boot must not (re)initialise Logback per context — done
    // concurrently it races inside Logback, and closing one context would stop logging for all.
    // Logback configures itself once from logback.xml (logback-test.xml in tests).
    if (System.getProperty(LOGGING_SYSTEM) == null) {
      System.setProperty(LOGGING_SYSTEM, "none");
    }
  }

  private final Map<String, Object> common;
  private final Map<String, Map<String, Object>> perService;
  private final Map<String, ConfigurableApplicationContext> running = new LinkedHashMap<>();

  /**
   * @param common properties for every service (Kafka bootstrap, partitions, state dir)
   * @param perService extra properties by service name (ports, datasource)
   */
  public Platform(Map<String, Object> common, Map<String, Map<String, Object>> perService) {
    this.common = Map.copyOf(common);
    this.perService = Map.copyOf(perService);
  }

  /** Services with no database; the standalone classpath has JDBC (for audit), so they must not configure a DataSource. */
  static final String NO_DATABASE = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";

  /**
   * Starts the four pipeline services side by side (they don't depend on each other), then the
   * gateway. Fails, stopping what started, if any service fails.
   */
  public Platform startAll() {
    List<java.util.concurrent.CompletableFuture<Void>> pipeline = SERVICES.stream()
        .filter(s -> !s.name().equals("gateway"))
        .map(s -> java.util.concurrent.CompletableFuture.runAsync(() -> start(s.name()), r -> Thread.ofPlatform().name("start-" + s.name()).start(r)))
        .toList();
    try {
      java.util.concurrent.CompletableFuture.allOf(pipeline.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
      start("gateway");
      awaitStreamsRunning(java.time.Duration.ofSeconds(120));
      awaitPipelineReady(java.time.Duration.ofSeconds(120));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    return this;
  }

  /**
   * Starts one service; a failure names the service and its root cause ("Port 8081 is already in
   * use"), which Spring's own message ("Unable to start web server") leaves three causes deep.
   */
  public ConfigurableApplicationContext start(String name) {
    try {
      return run(name);
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new IllegalStateException(name + " did not start: " + e.getMessage()
          + (root == e ? "" : " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")"), e);
    }
  }

  private ConfigurableApplicationContext run(String name) {
    Service service = SERVICES.stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    ensureTomcatHome();
    Map<String, Object> props = new HashMap<>(common);
    props.put("server.port", service.port());
    props.put("logging.include-application-name", "false");
    props.put("spring.main.banner-mode", "off"); // five banners in one console say nothing; "HotSwap is up" does
    if (!name.equals("audit")) {
      props.put("spring.autoconfigure.exclude", NO_DATABASE);
    }
    props.putAll(perService.getOrDefault(name, Map.of()));
    List<String> args = new ArrayList<>();
    props.forEach((k, v) -> args.add("--" + k + "=" + v));
    ConfigurableApplicationContext ctx = service.application().get().run(args.toArray(String[]::new));
    synchronized (this) {
      running.put(name, ctx);
    }
    return ctx;
  }

  /**
   * Gives the embedded Tomcats of this JVM one home directory that none of them owns. Tomcat reads
   * the JVM-wide {@code catalina.home} property and, when it is unset, sets it to the first
   * server's own base directory. Spring Boot makes that base a temporary directory per server, so
   * once the first server has stopped (a platform restarted in one JVM) the home is gone; the next
   * servers, started side by side, then all try to create it and every one but the first fails
   * with "Unable to create the directory … to use as the home directory".
   */
  static synchronized void ensureTomcatHome() {
    String home = System.getProperty("catalina.home");
    if (home != null && java.nio.file.Files.isDirectory(java.nio.file.Path.of(home))) {
      return;
    }
    try {
      java.io.File dir = java.nio.file.Files.createTempDirectory("hotswap-tomcat-home").toFile();
      dir.deleteOnExit();
      System.setProperty("catalina.home", dir.getAbsolutePath());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("no directory for Tomcat's home", e);
    }
  }

  /**
   * Waits until the gateway is ready in the sense of its readiness probe: a command has made the
   * whole trip through validation, approval and rollout on every partition ({@code
   * PipelineReadiness}), so "up" means a write can succeed; throws when it is not within {@code timeout}.
   */
  public void awaitPipelineReady(java.time.Duration timeout) {
    ConfigurableApplicationContext gateway;
    synchronized (this) {
      gateway = running.get("gateway");
    }
    if (gateway == null) {
      return;
    }
    var readiness = gateway.getBean(io.hotswap.gateway.pipeline.PipelineReadiness.class);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!org.springframework.boot.health.contributor.Status.UP.equals(readiness.health().getStatus())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the pipeline did not answer the gateway's probes within " + timeout + ": "
            + readiness.health().getDetails());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the pipeline", e);
      }
    }
  }

  /**
   * Waits until every service's Kafka Streams instance is RUNNING (partitions assigned, state
   * restored), so "up" means "serving"; throws when one is not within {@code timeout}.
   */
  public void awaitStreamsRunning(java.time.Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (var entry : List.copyOf(running.entrySet())) {
      for (var factory : entry.getValue().getBeansOfType(org.springframework.kafka.config.StreamsBuilderFactoryBean.class).values()) {
        while (factory.getKafkaStreams() == null
            || factory.getKafkaStreams().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(entry.getKey() + " did not reach RUNNING within " + timeout + " (state "
                + (factory.getKafkaStreams() == null ? "NOT_CREATED" : factory.getKafkaStreams().state()) + ")");
          }
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }
      }
    }
  }

  public synchronized void stop(String name) {
    ConfigurableApplicationContext ctx = running.remove(name);
    if (ctx != null) {
      ctx.close();
    }
  }

  public synchronized ConfigurableApplicationContext context(String name) {
    return running.get(name);
  }

  @Override
  public synchronized void close() {
    List<String> names = new ArrayList<>(running.keySet());
    java.util.Collections.reverse(names);
    names.forEach(this::stop);
  }
}
