package io.hotswap.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The typed catalogue of HotSwap's topics. Names are a user-facing contract and carry a version
 * suffix: a breaking change is a new topic. Partition counts and replication come from
 * configuration; everything tenant-scoped is partitioned by tenant (see {@link TenantPartitioner}).
 */
public record Topics(int partitions, short replicationFactor) {

  public static final String COMMANDS = "hotswap.commands.v1";
  public static final String VALIDATED = "hotswap.validated.v1";
  public static final String CHANGES = "hotswap.changes.v1";
  public static final String COMMAND_RESULTS = "hotswap.command-results.v1";
  public static final String TENANTS = "hotswap.tenants.v1";
  public static final String CONFIG_STATE = "hotswap.config-state.v1";
  public static final String CONFIG_VERSIONS = "hotswap.config-versions.v1";
  public static final String AUDIT = "hotswap.audit.v1";
  public static final String DLQ = "hotswap.dlq.v1";
  public static final String AVRO_SCHEMAS = "hotswap.avro-schemas.v1";
  /** Wrapped per-tenant data keys, keyed tenant|version (zero-padded); compacted; written by rollout only. */
  public static final String TENANT_KEYS = "hotswap.tenant-keys.v1";
  /** Changes held for approval, keyed by approval id; compacted; written by approval only. */
  public static final String APPROVALS = "hotswap.approvals.v1";

  /** Versions of tenants' configuration schemas, keyed tenant|name|version; compacted; written by rollout only. */
  public static final String SCHEMAS = "hotswap.schemas.v1";
  /** Versions of config profiles, keyed tenant|service.env|semver; compacted; written by rollout only. */
  public static final String PROFILES = "hotswap.profiles.v1";

  /** Running service instances, keyed by instance id; compacted; heartbeats from clients and the gateway, tombstones deregister. */
  public static final String INSTANCES = "hotswap.instances.v1";
  /** Applied changes and request health from instances, keyed by instance id; deleted after a day. */
  public static final String HEALTH = "hotswap.health.v1";
  /** The registry's view of instances (status, applied versions), keyed by instance id; compacted; written by rollout only. */
  public static final String INSTANCE_REGISTRY = "hotswap.instance-registry.v1";

  /** Deployments (strategy, step, status), keyed tenant|deploymentId; compacted; written by rollout only. */
  public static final String DEPLOYMENTS = "hotswap.deployments.v1";

  /**
   * Requests to start and steer wave deployments (one key across many tenants, wave by wave), keyed
   * by wave deployment id; from the gateway to rollout, which answers on command-results.
   */
  public static final String WAVE_COMMANDS = "hotswap.wave-commands.v1";
  /** Wave deployments (waves, each tenant's status), keyed by wave deployment id; compacted; written by rollout only. */
  public static final String WAVES = "hotswap.waves.v1";

  /**
   * The plugin registry: every registered plugin version (metadata; the binaries lie in object
   * storage), keyed pluginId|version; compacted; written by rollout only.
   */
  public static final String PLUGINS = "hotswap.plugins.v1";

  /** Largest record HotSwap writes: a 1 MB value with its previous value in an audit event. */
  public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  /** Environments whose live topics exist, in promotion order. */
  public static final List<String> ENVIRONMENTS = List.of("development", "qa", "staging", "production");

  public Topics {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1");
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replicationFactor must be >= 1");
    }
  }

  /** {@code hotswap.live.<env>.v1}: compacted, what client SDKs in that environment consume. */
  public static String live(String environment) {
    return "hotswap.live." + environment + ".v1";
  }

  public static List<String> liveTopics() {
    return ENVIRONMENTS.stream().map(Topics::live).toList();
  }

  /** Every topic with its cleanup policy, for provisioning by any service at start-up. */
  public List<NewTopic> newTopics() {
    List<NewTopic> topics = new ArrayList<>();
    topics.add(delete(COMMANDS, -1));
    topics.add(delete(VALIDATED, -1));
    topics.add(delete(CHANGES, -1));
    topics.add(delete(COMMAND_RESULTS, 60 * 60 * 1000L));
    topics.add(compact(TENANTS));
    topics.add(compact(CONFIG_STATE));
    topics.add(compact(CONFIG_VERSIONS));
    topics.add(compact(TENANT_KEYS));
    topics.add(compact(APPROVALS));
    topics.add(compact(SCHEMAS));
    topics.add(compact(PROFILES));
    liveTopics().forEach(t -> topics.add(compact(t)));
    topics.add(compact(INSTANCES));
    topics.add(delete(HEALTH, 24 * 60 * 60 * 1000L));
    topics.add(compact(INSTANCE_REGISTRY));
    topics.add(compact(DEPLOYMENTS));
    topics.add(delete(WAVE_COMMANDS, -1));
    topics.add(compact(WAVES));
    topics.add(compact(PLUGINS));
    topics.add(delete(AUDIT, -1));
    topics.add(delete(DLQ, 14L * 24 * 60 * 60 * 1000));
    topics.add(single(AVRO_SCHEMAS));
    return List.copyOf(topics);
  }

  private NewTopic single(String name) {
    return new NewTopic(name, 1, replicationFactor).configs(withSize(Map.of("cleanup.policy", "compact")));
  }

  private NewTopic compact(String name) {
    return new NewTopic(name, partitions, replicationFactor)
        .configs(withSize(Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "60000")));
  }

  private NewTopic delete(String name, long retentionMs) {
    return new NewTopic(name, partitions, replicationFactor)
        .configs(withSize(Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(retentionMs))));
  }

  private static Map<String, String> withSize(Map<String, String> configs) {
    var all = new java.util.HashMap<>(configs);
    all.put("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    return Map.copyOf(all);
  }

  /**
   * The partition that holds a tenant's records on every topic partitioned by tenant (commands,
   * the state topics, the live topics, the tenants' data keys): the tenant id hashed as Kafka's
   * default partitioner hashes a key, so a reader that wants one tenant reads one partition.
   */
  public static int partitionOf(String tenant, int partitions) {
    return org.apache.kafka.common.utils.Utils.toPositive(
        org.apache.kafka.common.utils.Utils.murmur2(tenant.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
  }
}
