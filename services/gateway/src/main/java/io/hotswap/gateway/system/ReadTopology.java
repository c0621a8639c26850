package io.hotswap.gateway.system;

import io.hotswap.core.avro.Serdes;
import io.hotswap.core.kafka.Topics;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
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
  public static final String PROFILES_STORE = "gateway-profiles-store";
  public static final String INSTANCES_STORE = "gateway-instances-global-store";

  private ReadTopology() {}

  public static void build(StreamsBuilder builder, Serdes serdes) {
    var keys = org.apache.kafka.common.serialization.Serdes.String();
    builder.table(Topics.CONFIG_STATE, Consumed.with(keys, serdes.configEntry()).withName("config-state-source"),
        Materialized.<String, io.hotswap.avro.ConfigEntry, KeyValueStore<Bytes, byte[]>>as(CONFIG_STORE)
            .withKeySerde(keys).withValueSerde(serdes.configEntry()));
    builder.table(Topics.CONFIG_VERSIONS, Consumed.with(keys, serdes.configEntry()).withName("config-versions-source"),
        Materialized.<String, io.hotswap.avro.ConfigEntry, KeyValueStore<Bytes, byte[]>>as(VERSIONS_STORE)
            .withKeySerde(keys).withValueSerde(serdes.configEntry()));
    builder.table(Topics.PROFILES, Consumed.with(keys, serdes.configProfile()).withName("profiles-source"),
        Materialized.<String, io.hotswap.avro.ConfigProfile, KeyValueStore<Bytes, byte[]>>as(PROFILES_STORE)
            .withKeySerde(keys).withValueSerde(serdes.configProfile()));
    builder.globalTable(Topics.SCHEMAS, Consumed.with(keys, serdes.configSchema()).withName("schemas-source"),
        Materialized.<String, io.hotswap.avro.ConfigSchema, KeyValueStore<Bytes, byte[]>>as(SCHEMAS_STORE)
            .withKeySerde(keys).withValueSerde(serdes.configSchema()));
    builder.globalTable(Topics.TENANTS, Consumed.with(keys, serdes.tenant()).withName("tenants-source"),
        Materialized.<String, io.hotswap.avro.Tenant, KeyValueStore<Bytes, byte[]>>as(TENANTS_STORE)
            .withKeySerde(keys).withValueSerde(serdes.tenant()));
    builder.globalTable(Topics.INSTANCE_REGISTRY, Consumed.with(keys, serdes.instanceState()).withName("instance-registry-source"),
        Materialized.<String, io.hotswap.avro.InstanceState, KeyValueStore<Bytes, byte[]>>as(INSTANCES_STORE)
            .withKeySerde(keys).withValueSerde(serdes.instanceState()));
    builder.globalTable(Topics.TENANT_KEYS, Consumed.with(keys, serdes.tenantKey()).withName("tenant-keys-source"),
        Materialized.<String, io.hotswap.avro.TenantKey, KeyValueStore<Bytes, byte[]>>as(TENANT_KEYS_STORE)
            .withKeySerde(keys).withValueSerde(serdes.tenantKey()));
  }
}
