package io.hotswap.rollout;

import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.Tenant;
import io.hotswap.core.kafka.TenantPartitioner;
import io.hotswap.core.stream.Stores;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * {@code changes → change-applier → tenants | tenant-keys | config-state | config-versions | live.<env> |
 * plugins | audit | command-results}. Everything one change produces leaves in one transaction. Beside it:
 * the instance registry, and the wave deployments' coordinator ({@link WaveCoordinator}).
 */
public final class RolloutTopology {

  public static final String CONFIG_STORE = "rollout-config-by-tenant-env-key-store";
  public static final String TENANTS_STORE = "rollout-tenants-store";
  public static final String OUTCOMES_STORE = "rollout-outcomes-store";
  public static final String KEYS_STORE = "rollout-tenant-keys-store";
  public static final String SCHEMAS_STORE = "rollout-schemas-store";
  public static final String PROFILES_STORE = "rollout-profiles-store";
  public static final String HISTORY_STORE = "rollout-config-history-store";
  /** Live keys per tenant ({@code tenant|}) and per tenant and environment ({@code tenant|env|}): what quotas are checked against. */
  public static final String USAGE_STORE = "rollout-usage-store";
  public static final String DEPLOYMENTS_STORE = "rollout-deployments-store";
  /** Config store key (tenant|env|key) → deployment store key, for RUNNING and PAUSED deployments only. */
  public static final String ACTIVE_DEPLOYMENTS_STORE = "rollout-active-deployments-store";
  /** The plugin registry (every version, keyed pluginId|sortable version), held by the task of tenant * (see PluginApplier). */
  public static final String PLUGINS_STORE = "rollout-plugins-store";
  /** The instance registry as every task sees it (a global store fed by hotswap.instance-registry.v1): the audience of deployments. */
  public static final String REGISTRY_GLOBAL_STORE = "rollout-instance-registry-global-store";

  private RolloutTopology() {}

  public static void build(StreamsBuilder builder, Serdes serdes, Duration idempotencyWindow) {
    build(builder, serdes, idempotencyWindow, Retention.DEFAULT);
  }

  public static void build(StreamsBuilder builder, Serdes serdes, Duration idempotencyWindow, Retention retention) {
    build(builder, serdes, idempotencyWindow, retention, InstanceRegistry.Policy.DEFAULT);
  }

  public static void build(StreamsBuilder builder, Serdes serdes, Duration idempotencyWindow, Retention retention,
                           InstanceRegistry.Policy instances) {
    build(builder, serdes, idempotencyWindow, retention, instances, DeploymentApplier.Policy.DEFAULT);
  }

  public static void build(StreamsBuilder builder, Serdes serdes, Duration idempotencyWindow, Retention retention,
                           InstanceRegistry.Policy instances, DeploymentApplier.Policy deployments) {
    build(builder, serdes, idempotencyWindow, retention, instances, deployments, RolloutMetrics.NONE);
  }

  static void build(StreamsBuilder builder, Serdes serdes, Duration idempotencyWindow, Retention retention,
                    InstanceRegistry.Policy instances, DeploymentApplier.Policy deployments, RolloutMetrics metrics) {
    Serde<String> keys = org.apache.kafka.common.serialization.Serdes.String();
    builder.addStateStore(Stores.keyValue(CONFIG_STORE, serdes.configEntry()));
    builder.addStateStore(Stores.keyValue(TENANTS_STORE, serdes.tenant()));
    builder.addStateStore(io.hotswap.core.stream.RememberedOutcomes.store(OUTCOMES_STORE, serdes.commandResult(), idempotencyWindow));
    builder.addStateStore(Stores.keyValue(KEYS_STORE, serdes.tenantKey()));
    builder.addStateStore(Stores.keyValue(SCHEMAS_STORE, serdes.configSchema()));
    builder.addStateStore(Stores.keyValue(PROFILES_STORE, serdes.configProfile()));
    builder.addStateStore(Stores.keyValue(HISTORY_STORE, serdes.configEntry()));
    builder.addStateStore(Stores.keyValue(USAGE_STORE, org.apache.kafka.common.serialization.Serdes.Long()));
    builder.addStateStore(Stores.keyValue(DEPLOYMENTS_STORE, serdes.deployment()));
    builder.addStateStore(Stores.keyValue(ACTIVE_DEPLOYMENTS_STORE, org.apache.kafka.common.serialization.Serdes.String()));
    builder.addStateStore(Stores.keyValue(PLUGINS_STORE, serdes.pluginVersion()));

    BranchedKStream<String, Output> outputs = builder
        .stream(Topics.CHANGES, Consumed.with(keys, serdes.command()).withName("changes-source"))
        .process(() -> new ChangeApplier(idempotencyWindow, retention, deployments, metrics), Named.as("change-applier"), CONFIG_STORE, TENANTS_STORE,
            OUTCOMES_STORE, KEYS_STORE, SCHEMAS_STORE, PROFILES_STORE, HISTORY_STORE, DEPLOYMENTS_STORE, ACTIVE_DEPLOYMENTS_STORE, USAGE_STORE,
            PLUGINS_STORE)
        .split(Named.as("output-"));

    outputs.branch((k, o) -> o.kind() == Output.Kind.TENANT, sink("tenant", Topics.TENANTS, Tenant.class,
        Produced.with(keys, serdes.tenant()).withName("tenants-sink")));
    outputs.branch((k, o) -> o.kind() == Output.Kind.TENANT_KEY, sink("tenant-key", Topics.TENANT_KEYS, io.hotswap.avro.TenantKey.class,
        Produced.with(keys, serdes.tenantKey()).withStreamPartitioner(new TenantPartitioner<>()).withName("tenant-keys-sink")));
    outputs.branch((k, o) -> o.kind() == Output.Kind.CONFIG_STATE, sink("config-state", Topics.CONFIG_STATE, ConfigEntry.class,
        Produced.with(keys, serdes.configEntry()).withStreamPartitioner(new TenantPartitioner<>()).withName("config-state-sink")));
    outputs.branch((k, o) -> o.kind() == Output.Kind.CONFIG_VERSION, sink("config-version", Topics.CONFIG_VERSIONS, ConfigEntry.class,
        Produced.with(keys, serdes.configEntry()).withStreamPartitioner(new TenantPartitioner<>()).withName("config-versions-sink")));
    outputs.branch((k, o) -> o.kind() == Output.Kind.SCHEMA, sink("schema", Topics.SCHEMAS, io.hotswap.avro.ConfigSchema.class,
        Produced.with(keys, serdes.configSchema()).withStreamPartitioner(new TenantPartitioner<>()).withName("schemas-sink")));
    outputs.branch((k, o) -> o.kind() == Output.Kind.DEPLOYMENT, sink("deployment", Topics.DEPLOYMENTS, io.hotswap.avro.Deployment.class,
        Produced.with(keys, serdes.deployment()).withStreamPartitioner(new TenantPartitioner<>()).withName("deployments-sink")));
    outputs.branch((k, o) -> o.kind() == Output.Kind.PROFILE, sink("profile", Topics.PROFILES, io.hotswap.avro.ConfigProfile.class,
        Produced.with(keys, serdes.configProfile()).withStreamPartitioner(new TenantPartitioner<>()).withName("profiles-sink")));
    outputs.branch((k, o) -> o.kind() == Output.Kind.PLUGIN, sink("plugin", Topics.PLUGINS, io.hotswap.avro.PluginVersion.class,
        Produced.with(keys, serdes.pluginVersion()).withName("plugins-sink")));
    for (String env : Topics.ENVIRONMENTS) {
      outputs.branch((k, o) -> o.kind() == Output.Kind.LIVE && env.equals(o.environment()), sink("live-" + env, Topics.live(env), LiveConfig.class,
          Produced.with(keys, serdes.liveConfig()).withStreamPartitioner(new TenantPartitioner<>()).withName("live-" + env + "-sink")));
    }
    outputs.branch((k, o) -> o.kind() == Output.Kind.AUDIT, sink("audit", Topics.AUDIT, AuditEvent.class,
        Produced.with(keys, serdes.auditEvent()).withName("audit-sink")));
    outputs.branch((k, o) -> o.kind() == Output.Kind.RESULT, sink("result", Topics.COMMAND_RESULTS, CommandResult.class,
        Produced.with(keys, serdes.commandResult()).withName("results-sink")));
    instanceRegistry(builder, serdes, instances, metrics);
    waveDeployments(builder, serdes, idempotencyWindow, deployments.tick());
    builder.addGlobalStore(Stores.keyValue(REGISTRY_GLOBAL_STORE, serdes.instanceState()).withLoggingDisabled(), Topics.INSTANCE_REGISTRY,
        Consumed.with(keys, serdes.instanceState()).withName("instance-registry-global-source"), RegistryMirror::new);
  }

  /** The wave deployments' coordinator: see {@link WaveCoordinator}. */
  private static void waveDeployments(StreamsBuilder builder, Serdes serdes, Duration idempotencyWindow, Duration tick) {
    Serde<String> keys = org.apache.kafka.common.serialization.Serdes.String();
    builder.addStateStore(Stores.keyValue(WaveCoordinator.STORE, serdes.waveDeployment()));
    builder.addStateStore(io.hotswap.core.stream.RememberedOutcomes.store(WaveCoordinator.OUTCOMES_STORE, serdes.commandResult(),
        idempotencyWindow));

    KStream<String, Output> fromCommands = builder
        .stream(Topics.WAVE_COMMANDS, Consumed.with(keys, serdes.command()).withName("wave-commands-source"))
        .process(() -> new WaveCoordinator.Commands(idempotencyWindow), Named.as("wave-commands-applier"), WaveCoordinator.STORE,
            WaveCoordinator.OUTCOMES_STORE);
    // every deployment change and command result passes by here: the key alone says whether it is a
    // wave's (a tenant's deployment id, a wave command id), so the others are never deserialized
    Serde<byte[]> raw = org.apache.kafka.common.serialization.Serdes.ByteArray();
    KStream<String, io.hotswap.avro.WaveSignal> fromDeployments = builder
        .stream(Topics.DEPLOYMENTS, Consumed.with(keys, raw).withName("wave-deployments-source"))
        .flatMap((k, v) -> WaveCoordinator.isWaveDeploymentKey(k) && v != null
            ? WaveCoordinator.signal(serdes.deployment().fromBytes(v)) : java.util.List.of(), Named.as("wave-deployment-signals"));
    KStream<String, io.hotswap.avro.WaveSignal> fromResults = builder
        .stream(Topics.COMMAND_RESULTS, Consumed.with(keys, raw).withName("wave-results-source"))
        .flatMap((k, v) -> io.hotswap.core.deploy.WaveMachine.waveOfCommand(k) != null && v != null
            ? WaveCoordinator.signal(serdes.commandResult().fromBytes(v)) : java.util.List.of(), Named.as("wave-result-signals"));
    KStream<String, Output> fromSignals = fromDeployments.merge(fromResults, Named.as("wave-signals-merge"))
        .repartition(Repartitioned.with(keys, serdes.waveSignal()).withName("wave-signals"))
        .process(() -> new WaveCoordinator.Signals(tick), Named.as("wave-signals-applier"), WaveCoordinator.STORE);

    BranchedKStream<String, Output> outputs = fromCommands.merge(fromSignals, Named.as("wave-outputs")).split(Named.as("wave-output-"));
    outputs.branch((k, o) -> o.kind() == Output.Kind.WAVE, sink("wave", Topics.WAVES, io.hotswap.avro.WaveDeployment.class,
        Produced.with(keys, serdes.waveDeployment()).withName("waves-sink")));
    outputs.branch((k, o) -> o.kind() == Output.Kind.COMMAND, sink("command", Topics.COMMANDS, io.hotswap.avro.Command.class,
        Produced.with(keys, serdes.command()).withName("wave-tenant-commands-sink")));
    outputs.branch((k, o) -> o.kind() == Output.Kind.AUDIT, sink("wave-audit", Topics.AUDIT, AuditEvent.class,
        Produced.with(keys, serdes.auditEvent()).withName("wave-audit-sink")));
    outputs.branch((k, o) -> o.kind() == Output.Kind.RESULT, sink("wave-result", Topics.COMMAND_RESULTS, CommandResult.class,
        Produced.with(keys, serdes.commandResult()).withName("wave-results-sink")));
  }

  /** Keeps the global copy of the instance registry (the registry's own store is partitioned by instance id). */
  private static final class RegistryMirror implements org.apache.kafka.streams.processor.api.Processor<String, io.hotswap.avro.InstanceState, Void, Void> {
    private org.apache.kafka.streams.state.KeyValueStore<String, io.hotswap.avro.InstanceState> store;

    @Override
    public void init(org.apache.kafka.streams.processor.api.ProcessorContext<Void, Void> context) {
      store = context.getStateStore(REGISTRY_GLOBAL_STORE);
    }

    @Override
    public void process(org.apache.kafka.streams.processor.api.Record<String, io.hotswap.avro.InstanceState> record) {
      if (record.value() == null) {
        store.delete(record.key());
      } else {
        store.put(record.key(), record.value());
      }
    }
  }

  /**
   * {@code instances + health → instance registry (punctuated) → instance-registry | instances
   * (eviction tombstones)}. Both sources are keyed by instance id with the same partition count.
   */
  private static void instanceRegistry(StreamsBuilder builder, Serdes serdes, InstanceRegistry.Policy policy, RolloutMetrics metrics) {
    Serde<String> keys = org.apache.kafka.common.serialization.Serdes.String();
    builder.addStateStore(Stores.keyValue(InstanceRegistry.STORE, serdes.instanceState()));
    KStream<String, Object> fromHeartbeats = builder
        .stream(Topics.INSTANCES, Consumed.with(keys, serdes.serviceInstance()).withName("instances-source"))
        .process(() -> InstanceRegistry.Updates.heartbeats(policy), Named.as("instance-heartbeats"), InstanceRegistry.STORE);
    KStream<String, Object> fromReports = builder
        .stream(Topics.HEALTH, Consumed.with(keys, serdes.healthReport()).withName("health-source"))
        .process(() -> InstanceRegistry.Updates.reports(policy, metrics), Named.as("instance-reports"), InstanceRegistry.STORE);
    BranchedKStream<String, Object> views = fromHeartbeats.merge(fromReports, Named.as("instance-views")).split(Named.as("instance-"));
    views.branch((k, v) -> v instanceof InstanceRegistry.Evicted, Branched.<String, Object>withConsumer(s -> s
        .mapValues(v -> (io.hotswap.avro.ServiceInstance) null, Named.as("evicted-tombstone"))
        .to(Topics.INSTANCES, Produced.with(keys, serdes.serviceInstance()).withName("evictions-sink"))).withName("evicted"));
    views.defaultBranch(Branched.<String, Object>withConsumer(s -> s
        .mapValues(v -> (io.hotswap.avro.InstanceState) v, Named.as("registry-value"))
        .to(Topics.INSTANCE_REGISTRY, Produced.with(keys, serdes.instanceState()).withName("instance-registry-sink"))).withName("view"));
  }

  private static <T> Branched<String, Output> sink(String name, String topic, Class<T> type, Produced<String, T> produced) {
    return Branched.<String, Output>withConsumer((KStream<String, Output> s) -> s
            .mapValues(o -> o.valueAs(type), Named.as(name + "-value"))
            .to(topic, produced))
        .withName(name);
  }
}
