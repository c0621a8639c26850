package io.hotswap.gateway.reads;

import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The gateway's read side: current configuration and its version history as partitioned stores
 * (queried on the instance that owns the tenant's partition), tenants, their wrapped data keys and the
 * instance registry as global stores (every instance has all of them locally). Pure: builds the topology, does no I/O.
 */
public final class ReadTopology {

  public static final String CONFIG_STORE = "gateway-config-by-tenant-env-key-store";
  public static final String VERSIONS_STORE = "gateway-config-versions-store";
  public static final String TENANTS_STORE = "gateway-tenants-global-store";
  public static final String TENANT_KEYS_STORE = "gateway-tenant-keys-global-store";
  public static final String SCHEMAS_STORE = "gateway-schemas-global-store";
  /** The plugin registry: every plugin version, keyed pluginId|sortable version. */
  public static final String PLUGINS_STORE = "gateway-plugins-global-store";
  public static final String PROFILES_STORE = "gateway-profiles-store";
  public static final String INSTANCES_STORE = "gateway-instances-global-store";
  public static final String DEPLOYMENTS_STORE = "gateway-deployments-store";
  public static final String APPROVALS_STORE = "gateway-approvals-global-store";
  /** Wave deployments (few, each spanning tenants): every gateway instance holds all of them. */
  public static final String WAVES_STORE = "gateway-waves-global-store";

  private ReadTopology() {}

  /**
   * Tells {@link StoreUpdates} which version {@code store} now holds for a key, so writes waiting
   * to read their result wake up. The one on the current-value store is also connected to the other
   * read stores to put them in one sub-topology (see {@link #build}).
   */
  private record UpdateSignals(StoreUpdates updates, String store) implements Processor<String, io.hotswap.avro.ConfigEntry, Void, Void> {
    @Override
    public void process(Record<String, io.hotswap.avro.ConfigEntry> record) {
      if (record.value() != null) {
        updates.updated(store, record.key(), record.value().getVersion());
      }
    }
  }

  /**
   * The processor that keeps a partition's read stores in one task: signals current-value updates
   * as {@link UpdateSignals} does, and lends the task's current-value and history stores to {@link OpenViews}
   * while the task runs (Kafka Streams calls {@code init} once the task has restored and starts
   * processing, {@code close} whenever it suspends or closes it, clean or not).
   */
  private static final class CurrentValues implements Processor<String, io.hotswap.avro.ConfigEntry, Void, Void> {
    private final UpdateSignals signals;
    private final OpenViews views;
    private int partition;
    private OpenViews.Lent stores;

    CurrentValues(StoreUpdates updates, OpenViews views) {
      this.signals = new UpdateSignals(updates, CONFIG_STORE);
      this.views = views;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      partition = context.taskId().partition();
      stores = new OpenViews.Lent(context.getStateStore(CONFIG_STORE), context.getStateStore(VERSIONS_STORE));
      views.lend(partition, stores);
    }

    @Override
    public void process(Record<String, io.hotswap.avro.ConfigEntry> record) {
      signals.process(record);
    }

    @Override
    public void close() {
      if (stores != null) {
        views.takeBack(partition, stores);
      }
    }
  }

  /**
   * {@code updates} hears of every record put into the current-value and history stores. Those two
   * stores are not cached: a cached table passes a record downstream only when its cache flushes
   * (at commit), which would delay every write's answer until then. {@code views} borrows each
   * running task's current-value and history stores for reads on this instance.
   */
  public static void build(StreamsBuilder builder, Serdes serdes, StoreUpdates updates, OpenViews views) {
    var keys = org.apache.kafka.common.serialization.Serdes.String();
    KTable<String, io.hotswap.avro.ConfigEntry> state = builder.table(Topics.CONFIG_STATE,
        Consumed.with(keys, serdes.configEntry()).withName("config-state-source"),
        Materialized.<String, io.hotswap.avro.ConfigEntry, KeyValueStore<Bytes, byte[]>>as(CONFIG_STORE)
            .withKeySerde(keys).withValueSerde(serdes.configEntry()).withCachingDisabled());
    KTable<String, io.hotswap.avro.ConfigEntry> versions = builder.table(Topics.CONFIG_VERSIONS,
        Consumed.with(keys, serdes.configEntry()).withName("config-versions-source"),
        Materialized.<String, io.hotswap.avro.ConfigEntry, KeyValueStore<Bytes, byte[]>>as(VERSIONS_STORE)
            .withKeySerde(keys).withValueSerde(serdes.configEntry()).withCachingDisabled());
    versions.toStream(Named.as("config-versions-updates-stream"))
        .process(() -> new UpdateSignals(updates, VERSIONS_STORE), Named.as("config-versions-updates"));
    builder.table(Topics.PROFILES, Consumed.with(keys, serdes.configProfile()).withName("profiles-source"),
        Materialized.<String, io.hotswap.avro.ConfigProfile, KeyValueStore<Bytes, byte[]>>as(PROFILES_STORE)
            .withKeySerde(keys).withValueSerde(serdes.configProfile()));
    builder.table(Topics.DEPLOYMENTS, Consumed.with(keys, serdes.deployment()).withName("deployments-source"),
        Materialized.<String, io.hotswap.avro.Deployment, KeyValueStore<Bytes, byte[]>>as(DEPLOYMENTS_STORE)
            .withKeySerde(keys).withValueSerde(serdes.deployment()));
    // Requests go to the instance that owns the tenant's partition of CONFIG_STORE and read the
    // versions, profiles and deployments stores there too. Four tables are four sub-topologies, whose tasks
    // of one partition may land on different instances; a processor connected to all of them
    // makes them one sub-topology, so one task (one instance) holds a partition of each.
    state.toStream(Named.as("read-stores-co-location-stream"))
        .process(() -> new CurrentValues(updates, views), Named.as("read-stores-co-location"), VERSIONS_STORE, PROFILES_STORE,
            DEPLOYMENTS_STORE, CONFIG_STORE);
    builder.globalTable(Topics.SCHEMAS, Consumed.with(keys, serdes.configSchema()).withName("schemas-source"),
        Materialized.<String, io.hotswap.avro.ConfigSchema, KeyValueStore<Bytes, byte[]>>as(SCHEMAS_STORE)
            .withKeySerde(keys).withValueSerde(serdes.configSchema()));
    builder.globalTable(Topics.TENANTS, Consumed.with(keys, serdes.tenant()).withName("tenants-source"),
        Materialized.<String, io.hotswap.avro.Tenant, KeyValueStore<Bytes, byte[]>>as(TENANTS_STORE)
            .withKeySerde(keys).withValueSerde(serdes.tenant()));
    builder.globalTable(Topics.INSTANCE_REGISTRY, Consumed.with(keys, serdes.instanceState()).withName("instance-registry-source"),
        Materialized.<String, io.hotswap.avro.InstanceState, KeyValueStore<Bytes, byte[]>>as(INSTANCES_STORE)
            .withKeySerde(keys).withValueSerde(serdes.instanceState()));
    builder.globalTable(Topics.APPROVALS, Consumed.with(keys, serdes.approvalRequest()).withName("approvals-source"),
        Materialized.<String, io.hotswap.avro.ApprovalRequest, KeyValueStore<Bytes, byte[]>>as(APPROVALS_STORE)
            .withKeySerde(keys).withValueSerde(serdes.approvalRequest()));
    builder.globalTable(Topics.WAVES, Consumed.with(keys, serdes.waveDeployment()).withName("waves-source"),
        Materialized.<String, io.hotswap.avro.WaveDeployment, KeyValueStore<Bytes, byte[]>>as(WAVES_STORE)
            .withKeySerde(keys).withValueSerde(serdes.waveDeployment()));
    builder.globalTable(Topics.TENANT_KEYS, Consumed.with(keys, serdes.tenantKey()).withName("tenant-keys-source"),
        Materialized.<String, io.hotswap.avro.TenantKey, KeyValueStore<Bytes, byte[]>>as(TENANT_KEYS_STORE)
            .withKeySerde(keys).withValueSerde(serdes.tenantKey()));
    builder.globalTable(Topics.PLUGINS, Consumed.with(keys, serdes.pluginVersion()).withName("plugins-source"),
        Materialized.<String, io.hotswap.avro.PluginVersion, KeyValueStore<Bytes, byte[]>>as(PLUGINS_STORE)
            .withKeySerde(keys).withValueSerde(serdes.pluginVersion()));
  }
}
