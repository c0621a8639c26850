package io.hotswap.core.testing;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.TenantPayload;
import io.hotswap.avro.Tier;
import io.hotswap.avro.ValueType;
import java.time.Instant;
import java.util.UUID;

/** Test builders for commands. */
public final class Commands {

  private Commands() {}

  public static Command tenantCreate(String tenant, Tier tier) {
    return base(CommandType.TENANT_CREATE, tenant).setTenant(TenantPayload.newBuilder().setTier(tier).build()).build();
  }

  /** A tenant whose approval policy guards no environment: its changes to staging and production apply directly. */
  public static Command unguardedTenantCreate(String tenant, Tier tier) {
    return base(CommandType.TENANT_CREATE, tenant)
        .setTenant(TenantPayload.newBuilder().setTier(tier).setGuardedEnvironments(java.util.List.of()).build()).build();
  }

  public static Command tenantUpdate(String tenant, TenantPayload payload) {
    return base(CommandType.TENANT_UPDATE, tenant).setTenant(payload).build();
  }

  public static Command tenantDelete(String tenant) {
    return base(CommandType.TENANT_DELETE, tenant).build();
  }

  public static Command config(CommandType type, String tenant, String env, String key, String value, ValueType valueType, Long expectedVersion) {
    return base(type, tenant).setConfig(ConfigPayload.newBuilder()
        .setEnvironment(env).setKey(key).setValue(value).setValueType(valueType).setExpectedVersion(expectedVersion).build()).build();
  }

  /** A CONFIG_BATCH of the given items. */
  public static Command batch(String tenant, io.hotswap.avro.BatchItem... items) {
    return base(CommandType.CONFIG_BATCH, tenant).setBatch(java.util.List.of(items)).build();
  }

  /** One item of a batch. */
  public static io.hotswap.avro.BatchItem item(io.hotswap.avro.BatchOp op, String env, String key, String value, ValueType valueType,
                                               Long expectedVersion) {
    return new io.hotswap.avro.BatchItem(op, ConfigPayload.newBuilder()
        .setEnvironment(env).setKey(key).setValue(value).setValueType(valueType).setExpectedVersion(expectedVersion).build());
  }

  public static Command.Builder base(CommandType type, String tenant) {
    return Command.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setType(type)
        .setTenantId(tenant)
        .setActor("tester")
        .setSourceIp("127.0.0.1")
        .setIssuedAt(Instant.now());
  }
}
