package io.hotswap.validation;

import io.hotswap.avro.Command;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ConfigSchema;
import io.hotswap.avro.SchemaPayload;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.schema.ConfigSchemas;
import io.hotswap.core.schema.SchemaJudgments;
import io.hotswap.protocol.AvroSerde;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The schema side of validation: a new schema version is checked (a valid, self-contained JSON
 * Schema with a name and key pattern) and judged against the version in force and every stored
 * value it would govern, on the views of rollout's schemas and config-state. A breaking version of
 * a schema in use is held for an Admin's approval (validation's own record of what waits); of a
 * schema nothing uses, it is refused with what breaks. Rollout judges the version again when it
 * applies it, on its own state.
 */
final class SchemaRules {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SchemaRules.class);

  private final KeyValueStore<String, ConfigSchema> schemas;
  private final KeyValueStore<String, Command> pending;
  private final ReadOnlyKeyValueStore<String, ValueAndTimestamp<byte[]>> configs;
  private final AvroSerde<ConfigEntry> entries;

  SchemaRules(KeyValueStore<String, ConfigSchema> schemas, KeyValueStore<String, Command> pending,
              ReadOnlyKeyValueStore<String, ValueAndTimestamp<byte[]>> configs, AvroSerde<ConfigEntry> entries) {
    this.schemas = schemas;
    this.pending = pending;
    this.configs = configs;
    this.entries = entries;
  }

  /** Judges SCHEMA_REGISTER: passes it, holds it for approval, or refuses it. */
  void register(Command command, Instant now) {
    SchemaPayload s = command.getSchemaChange();
    if (s == null) {
      throw Rejection.badRequest("missing-schema", "schema commands need a schema payload", "schema");
    }
    String tenant = command.getTenantId();
    String name = ConfigSchemas.requireName(s.getName(), "name");
    ConfigSchemas.requireKeyPattern(s.getKeyPattern());
    if (s.getSchemaJson() == null) {
      throw Rejection.badRequest("missing-schema", "a schema (JSON Schema draft 2020-12) or rules are required", "schema");
    }
    ConfigSchemas.parseSchema(s.getSchemaJson());
    String storeKey = StoreKeys.schema(tenant, name);
    if (pending.get(storeKey) != null) {
      throw Rejection.conflict("schema-change-pending", "schema '" + name + "' has a change waiting for an Admin's approval; "
          + "approve or reject it (POST /api/v1/schemas/" + StoreKeys.schemaId(tenant, name) + "/approve or /reject) before registering another",
          "name");
    }
    ConfigSchema previous = schemas.get(storeKey);
    ConfigSchema candidate = ConfigSchemas.nextVersion(command, previous, now);
    SchemaJudgments.Breaks breaks = SchemaJudgments.judge(previous, candidate, latest(tenant), values(tenant));
    if (breaks.none()) {
      return;
    }
    if (breaks.governed() == 0) {
      throw SchemaJudgments.refused(previous, candidate, breaks);
    }
    s.setBreaks(breaks.breaks());
    command.setApprovalRequired(true);
    pending.put(storeKey, command);
  }

  /**
   * Judges SCHEMA_APPROVE (the held version becomes the next one, carried on by this command) and
   * SCHEMA_REJECT (the held version is dropped; the command carries it on for the audit trail).
   */
  void decide(Command command) {
    SchemaPayload s = command.getSchemaChange();
    if (s == null) {
      throw Rejection.badRequest("missing-schema", "schema commands need a schema payload", "schema");
    }
    String storeKey = StoreKeys.schema(command.getTenantId(), s.getName());
    Command held = pending.get(storeKey);
    if (held == null) {
      throw Rejection.notFound("no-pending-change", "schema '" + StoreKeys.schemaId(command.getTenantId(), s.getName())
          + "' has no change waiting for approval", "schemaId");
    }
    command.setSchemaChange(SchemaPayload.newBuilder(held.getSchemaChange())
        .setApprovalId(held.getCommandId())
        .setRequestedBy(held.getActor())
        .setApprovedBy(command.getActor())
        .build());
    pending.delete(storeKey);
  }

  /** The latest version of each of the tenant's schemas, as the view has them. */
  private List<ConfigSchema> latest(String tenant) {
    List<ConfigSchema> latest = new ArrayList<>();
    try (KeyValueIterator<String, ConfigSchema> it = schemas.prefixScan(StoreKeys.tenantPrefix(tenant), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> latest.add(kv.value));
    }
    return latest;
  }

  /** The tenant's live values, as the view has them (a deleted key has no value to judge). */
  private List<SchemaJudgments.StoredValue> values(String tenant) {
    List<SchemaJudgments.StoredValue> values = new ArrayList<>();
    try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> it = configs.prefixScan(StoreKeys.tenantPrefix(tenant), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> {
        ConfigEntry entry = kv.value == null ? null : entry(kv.key, kv.value.value());
        if (entry != null && !entry.getDeleted()) {
          values.add(new SchemaJudgments.StoredValue(kv.key, entry.getValueType(), entry.getValue()));
        }
      });
    }
    return values;
  }

  /** A stored value, decoded; null (and logged) for one that is not a config entry — rollout writes them all, so only damage could. */
  private ConfigEntry entry(String key, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return entries.fromBytes(bytes);
    } catch (RuntimeException unreadable) {
      LOG.warn("validation's view of live values holds an unreadable value at '{}'; judging the schema without it: {}", key, unreadable.toString());
      return null;
    }
  }
}
