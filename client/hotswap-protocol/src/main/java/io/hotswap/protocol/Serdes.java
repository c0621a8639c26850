package io.hotswap.protocol;

import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.AvroSchemaRecord;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.Tenant;

/** One serde per record type, all sharing one schema store. Immutable; build one per service. */
public record Serdes(
    HotSwapSchemaStore schemaStore,
    AvroSerde<Command> command,
    AvroSerde<CommandResult> commandResult,
    AvroSerde<Tenant> tenant,
    AvroSerde<ConfigEntry> configEntry,
    AvroSerde<LiveConfig> liveConfig,
    AvroSerde<AuditEvent> auditEvent,
    AvroSerde<AvroSchemaRecord> schemaRecord,
    AvroSerde<io.hotswap.avro.TenantKey> tenantKey,
    AvroSerde<io.hotswap.avro.ApprovalRequest> approvalRequest,
    AvroSerde<io.hotswap.avro.ConfigSchema> configSchema,
    AvroSerde<io.hotswap.avro.ConfigProfile> configProfile,
    AvroSerde<io.hotswap.avro.ServiceInstance> serviceInstance,
    AvroSerde<io.hotswap.avro.HealthReport> healthReport,
    AvroSerde<io.hotswap.avro.InstanceState> instanceState,
    AvroSerde<io.hotswap.avro.Deployment> deployment,
    AvroSerde<io.hotswap.avro.WaveDeployment> waveDeployment,
    AvroSerde<io.hotswap.avro.WaveSignal> waveSignal,
    AvroSerde<io.hotswap.avro.PluginVersion> pluginVersion) {

  public static Serdes create(HotSwapSchemaStore store) {
    return new Serdes(
        store,
        new AvroSerde<>(Command.class, store),
        new AvroSerde<>(CommandResult.class, store),
        new AvroSerde<>(Tenant.class, store),
        new AvroSerde<>(ConfigEntry.class, store),
        new AvroSerde<>(LiveConfig.class, store),
        new AvroSerde<>(AuditEvent.class, store),
        new AvroSerde<>(AvroSchemaRecord.class, store),
        new AvroSerde<>(io.hotswap.avro.TenantKey.class, store),
        new AvroSerde<>(io.hotswap.avro.ApprovalRequest.class, store),
        new AvroSerde<>(io.hotswap.avro.ConfigSchema.class, store),
        new AvroSerde<>(io.hotswap.avro.ConfigProfile.class, store),
        new AvroSerde<>(io.hotswap.avro.ServiceInstance.class, store),
        new AvroSerde<>(io.hotswap.avro.HealthReport.class, store),
        new AvroSerde<>(io.hotswap.avro.InstanceState.class, store),
        new AvroSerde<>(io.hotswap.avro.Deployment.class, store),
        new AvroSerde<>(io.hotswap.avro.WaveDeployment.class, store),
        new AvroSerde<>(io.hotswap.avro.WaveSignal.class, store),
        new AvroSerde<>(io.hotswap.avro.PluginVersion.class, store));
  }

  public static Serdes create() {
    return create(HotSwapSchemaStore.withShippedSchemas());
  }
}
