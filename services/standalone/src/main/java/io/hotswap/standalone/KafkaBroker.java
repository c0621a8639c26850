package io.hotswap.standalone;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (combined broker + controller, KRaft) from Apache Kafka's own server
 * jar, running in this JVM. Formats its log directory on first start and reuses it afterwards, so
 * topics and offsets survive a restart.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

  private final Path dataDir;
  private final int port;
  private final int controllerPort;
  private KafkaRaftServer server;
  private int saslPort;
  private java.util.Map<String, String> saslUsers = java.util.Map.of();

  public KafkaBroker(Path dataDir, int port, int controllerPort) {
    this.dataDir = dataDir;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  public String bootstrapServers() {
    return "localhost:" + port;
  }

  /**
   * Adds a SASL_PLAINTEXT listener (mechanism PLAIN) for the given users, as a secured production
   * cluster would have; the PLAINTEXT listener stays for the broker itself.
   */
  public KafkaBroker withSaslPlain(int port, java.util.Map<String, String> users) {
    this.saslPort = port;
    this.saslUsers = java.util.Map.copyOf(users);
    return this;
  }

  public String saslBootstrapServers() {
    return "localhost:" + saslPort;
  }

  /** The prefix of system properties that set the embedded broker's own settings. */
  static final String OVERRIDE_PREFIX = "hotswap.kafka.broker.";

  /**
   * Broker settings given as {@code -Dhotswap.kafka.broker.<setting>=<value>} (through
   * {@code HOTSWAP_JAVA_OPTS}), e.g. {@code num.io.threads}: they win over the defaults {@link #start}
   * sets, so the embedded broker can be sized for a machine without a build.
   */
  static java.util.Map<String, String> overrides(Properties system) {
    java.util.Map<String, String> settings = new java.util.TreeMap<>();
    for (String name : system.stringPropertyNames()) {
      if (name.startsWith(OVERRIDE_PREFIX) && name.length() > OVERRIDE_PREFIX.length()) {
        settings.put(name.substring(OVERRIDE_PREFIX.length()), system.getProperty(name));
      }
    }
    return settings;
  }

  public KafkaBroker start() throws Exception {
    RetriedAppendErrors.install(LoggerFactory.getILoggerFactory());
    Path logDir = dataDir.resolve("kafka");
    Files.createDirectories(logDir);
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@localhost:" + controllerPort);
    props.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    if (saslPort > 0) {
      props.put("listeners", props.get("listeners") + ",SASL_PLAINTEXT://localhost:" + saslPort);
      props.put("advertised.listeners", props.get("advertised.listeners") + ",SASL_PLAINTEXT://localhost:" + saslPort);
      props.put("listener.security.protocol.map", props.get("listener.security.protocol.map") + ",SASL_PLAINTEXT:SASL_PLAINTEXT");
      props.put("sasl.enabled.mechanisms", "PLAIN");
      StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
      saslUsers.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
      props.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
    }
    props.put("log.dirs", logDir.toString());
    props.put("num.partitions", "3");
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "3");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "3");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    props.put("message.max.bytes", Integer.toString(4 * 1024 * 1024 + 1024));
    props.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    // Kafka's 8 request handlers and 3 network threads are sized for a dedicated broker; this one
    // shares its JVM and cores with the five services. On two cores, 2 and 1 cut the platform's CPU
    // at 300 writes/s from 1.41 to 1.13 cores and let it hold 700 writes/s where the defaults held
    // 500 (load-tests/RESULTS.md, session 25): fewer threads waking for each small request. One of
    // each per core, network threads half that, Kafka's defaults as the ceiling.
    int cores = Runtime.getRuntime().availableProcessors();
    props.put("num.io.threads", Integer.toString(Math.clamp(cores, 2, 8)));
    props.put("num.network.threads", Integer.toString(Math.clamp(cores / 2, 1, 3)));
    props.putAll(overrides(System.getProperties()));
    KafkaConfig config = new KafkaConfig(props, false);
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(logDir);
    }
    server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    LOG.info("Kafka (KRaft, single node) listening on {}; data in {}", bootstrapServers(), logDir);
    return this;
  }

  private void format(Path logDir) throws Exception {
    Formatter formatter = new Formatter()
        // the formatter narrates the bootstrap metadata; the first start needs no such line on the console
        .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
        .setClusterId(Uuid.randomUuid().toString())
        .setNodeId(1)
        .setControllerListenerName("CONTROLLER")
        .setMetadataLogDirectory(logDir.toString())
        .setDirectories(Set.of(logDir.toString()))
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION);
    formatter.run();
  }

  @Override
  public void close() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }
}
