package io.hotswap.client;

import io.hotswap.client.internal.ClientEngine;
import io.hotswap.client.internal.Settings;
import io.hotswap.protocol.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** How a client is set up ({@link HotSwapClient#builder()}). Only bootstrap servers and environment are required. */
public final class HotSwapClientBuilder {
  private String bootstrapServers;
  private String environment;
  private final Set<String> tenants = new HashSet<>();
  private String defaultTenant;
  private String instanceId;
  private String service = "unknown";
  private String host;
  private Integer port;
  private List<String> tags = List.of();
  private Path snapshotFile;
  private byte[] masterKey;
  private final List<Settings.DataKey> dataKeys = new ArrayList<>();
  private final Map<String, Object> kafka = new HashMap<>();
  private boolean register = true;
  private PluginOptions plugins;
  private Duration heartbeatPeriod = Duration.ofSeconds(30);
  private Duration healthPeriod;
  private Duration fileWriteInterval = Duration.ofSeconds(1);
  private Duration pollTimeout = Duration.ofMillis(200);
  private Duration connectTimeout = Duration.ofSeconds(5);
  private Duration reconnectBackoffMax = Duration.ofSeconds(5);
  private Duration statusInterval = Duration.ofMillis(500);
  private Clock clock = Clock.systemUTC();
  private io.opentelemetry.api.OpenTelemetry openTelemetry;

  HotSwapClientBuilder() {}

  public HotSwapClientBuilder bootstrapServers(String servers) {
    this.bootstrapServers = servers;
    return this;
  }

  /** development, qa, staging or production: the client reads {@code hotswap.live.<env>.v1}. */
  public HotSwapClientBuilder environment(String environment) {
    this.environment = environment;
    return this;
  }

  /** Keeps only this tenant's values and makes it the default of the tenant-less getters. */
  public HotSwapClientBuilder tenant(String tenant) {
    this.defaultTenant = tenant;
    this.tenants.add(tenant);
    return this;
  }

  /** Keeps only these tenants' values (default: every tenant on the topic). */
  public HotSwapClientBuilder tenants(Collection<String> tenants) {
    this.tenants.addAll(tenants);
    return this;
  }

  /** Default: host name + a random suffix. */
  public HotSwapClientBuilder instanceId(String instanceId) {
    this.instanceId = instanceId;
    return this;
  }

  public HotSwapClientBuilder service(String service) {
    this.service = service;
    return this;
  }

  public HotSwapClientBuilder host(String host) {
    this.host = host;
    return this;
  }

  public HotSwapClientBuilder port(Integer port) {
    this.port = port;
    return this;
  }

  /** Canary targets may name tags (region, zone, canary). */
  public HotSwapClientBuilder tags(Collection<String> tags) {
    this.tags = List.copyOf(tags);
    return this;
  }

  /** Where the last snapshot is kept for starts while Kafka is unreachable (none by default). */
  public HotSwapClientBuilder snapshotFile(Path file) {
    this.snapshotFile = file;
    return this;
  }

  /** A tenant data key (32 bytes) the client may decrypt that tenant's secrets with. */
  public HotSwapClientBuilder dataKey(String tenant, int version, byte[] key) {
    this.dataKeys.add(new Settings.DataKey(tenant, version, key.clone()));
    return this;
  }

  /**
   * The master key (32 bytes): the client then reads the tenants' wrapped data keys from
   * {@code hotswap.tenant-keys.v1} and follows rotations. Only for services trusted with every
   * tenant it reads; otherwise give data keys one by one.
   */
  public HotSwapClientBuilder masterKey(byte[] key) {
    this.masterKey = key.clone();
    return this;
  }

  /** {@code masterKey} from base64 text, as HOTSWAP_MASTER_KEY holds it. */
  public HotSwapClientBuilder masterKeyBase64(String key) {
    return masterKey(Base64.getDecoder().decode(key.strip()));
  }

  /** Extra Kafka client properties (security.protocol, sasl.*, ssl.*, ...), for consumer and producer. */
  public HotSwapClientBuilder kafkaProperty(String name, Object value) {
    this.kafka.put(name, value);
    return this;
  }

  public HotSwapClientBuilder kafkaProperties(Map<String, ?> properties) {
    this.kafka.putAll(properties);
    return this;
  }

  /** Register and heartbeat on hotswap.instances.v1, report on hotswap.health.v1 (default true). */
  public HotSwapClientBuilder register(boolean register) {
    this.register = register;
    return this;
  }

  public HotSwapClientBuilder heartbeatPeriod(Duration period) {
    this.heartbeatPeriod = period;
    return this;
  }

  /** How often request health is reported (default: the heartbeat period). */
  public HotSwapClientBuilder healthReportPeriod(Duration period) {
    this.healthPeriod = period;
    return this;
  }

  /** Least time between two snapshot file writes (default 1 s). */
  public HotSwapClientBuilder fileWriteInterval(Duration interval) {
    this.fileWriteInterval = interval;
    return this;
  }

  public HotSwapClientBuilder pollTimeout(Duration timeout) {
    this.pollTimeout = timeout;
    return this;
  }

  /** How long one attempt to reach Kafka may take (default 5 s). */
  public HotSwapClientBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = timeout;
    return this;
  }

  public HotSwapClientBuilder clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  /**
   * Continues the platform's traces here: each change applied is a span ("client apply"), child of
   * the rollout span that published it (the live record's W3C {@code traceparent}), so one trace
   * runs from the REST request that made the change to this instance applying it. Without it (the
   * default) the client records no spans.
   */
  public HotSwapClientBuilder openTelemetry(io.opentelemetry.api.OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    return this;
  }

  /** Runs the tenants' plugins in this service ({@link HotSwapClient#plugins()}). */
  public HotSwapClientBuilder plugins(PluginOptions options) {
    this.plugins = Objects.requireNonNull(options);
    return this;
  }

  public HotSwapClient build() {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(environment, "environment");
    if (!Topics.ENVIRONMENTS.contains(environment)) {
      throw new IllegalArgumentException("environment must be one of " + Topics.ENVIRONMENTS + ", got " + environment);
    }
    String id = instanceId != null ? instanceId : hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    Settings settings = new Settings(bootstrapServers, environment, tenants, defaultTenant, new Instance(id, service, tags),
        host != null ? host : hostName(), port, snapshotFile, masterKey, dataKeys, kafka, register, heartbeatPeriod,
        healthPeriod != null ? healthPeriod : heartbeatPeriod, fileWriteInterval, pollTimeout, connectTimeout, reconnectBackoffMax,
        statusInterval, clock, io.hotswap.protocol.KafkaTracing.of(openTelemetry));
    return new HotSwapClient(new ClientEngine(settings, HotSwapClient.VERSION), plugins);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
