package io.hotswap.validation;

import io.hotswap.avro.Command;
import io.hotswap.avro.ConfigSchema;
import io.hotswap.avro.SchemaPayload;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.json.Json;
import io.hotswap.core.schema.Compatibility;
import io.hotswap.core.schema.ConfigSchemas;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import tools.jackson.databind.JsonNode;

/**
 * The schema side of validation: which schema governs a key, checking a value against it (with
 * defaults filled in), and judging a new schema version — compatibility with the previous version
 * and every value stored under it. A breaking version of a schema in use is held for an Admin's
 * approval; of a schema nothing uses, it is refused with what breaks.
 */
final class SchemaRules {

  private final KeyValueStore<String, ConfigSchema> schemas;
  private final KeyValueStore<String, Command> pending;
  private final KeyValueStore<String, String> keys;
  private final KeyValueStore<String, String> values;

  SchemaRules(KeyValueStore<String, ConfigSchema> schemas, KeyValueStore<String, Command> pending,
              KeyValueStore<String, String> keys, KeyValueStore<String, String> values) {
    this.schemas = schemas;
    this.pending = pending;
    this.keys = keys;
    this.values = values;
  }

  /** The schema in force for a key: of the tenant's schemas whose pattern matches, the most specific. */
  ConfigSchema governing(String tenant, String key) {
    return ConfigSchemas.governing(latest(tenant), key);
  }

  /** The latest version of each of the tenant's schemas. */
  private List<ConfigSchema> latest(String tenant) {
    List<ConfigSchema> latest = new ArrayList<>();
    try (KeyValueIterator<String, ConfigSchema> it = schemas.prefixScan(StoreKeys.tenantPrefix(tenant), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> latest.add(kv.value));
    }
    return latest;
  }

  /**
   * Checks a value against the schema in force for its key and returns it with the schema's
   * defaults filled in (the text to store). Secrets are ciphertext here and are not checked.
   */
  String check(String tenant, String key, ValueType type, String value) {
    if (type == ValueType.SECRET || value == null) {
      return value;
    }
    ConfigSchema schema = governing(tenant, key);
    if (schema == null) {
      return value;
    }
    JsonNode instance = ConfigSchemas.instance(type, value);
    if (type == ValueType.JSON) {
      instance = ConfigSchemas.applyDefaults(schema.getSchemaJson(), instance);
    }
    List<String> errors = ConfigSchemas.validate(schema.getSchemaJson(), instance);
    if (!errors.isEmpty()) {
      throw new Rejection(422, "schema-violation", "value of '" + key + "' does not satisfy schema '" + schema.getName() + "' v"
          + schema.getVersion() + ": " + errors.get(0), "value").withErrors(errors);
    }
    return type == ValueType.JSON ? Json.MAPPER.writeValueAsString(instance) : value;
  }

  /** Keeps the value a key now has, for checking later schema versions against stored values. */
  void remember(String storeKey, ValueType type, String value) {
    if (type == ValueType.SECRET || value == null) {
      values.delete(storeKey);
    } else {
      values.put(storeKey, value);
    }
  }

  void forget(String storeKey) {
    values.delete(storeKey);
  }

  /** Judges SCHEMA_REGISTER: passes it (recording the new version), holds it for approval, or refuses it. */
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
    JsonNode next = ConfigSchemas.parseSchema(s.getSchemaJson());
    String storeKey = StoreKeys.schema(tenant, name);
    if (pending.get(storeKey) != null) {
      throw Rejection.conflict("schema-change-pending", "schema '" + name + "' has a change waiting for an Admin's approval; "
          + "approve or reject it (POST /api/v1/schemas/" + StoreKeys.schemaId(tenant, name) + "/approve or /reject) before registering another",
          "name");
    }
    ConfigSchema previous = schemas.get(storeKey);
    List<String> breaks = new ArrayList<>();
    if (previous != null) {
      breaks.addAll(Compatibility.breakingChanges(Json.MAPPER.readTree(previous.getSchemaJson()), next, previous.getCompatibility()));
    }
    ConfigSchema candidate = ConfigSchemas.nextVersion(command, previous, now);
    List<String> governed = governedKeys(tenant, candidate);
    for (String storeKeyOfValue : governed) {
      ValueType type = ValueType.valueOf(keys.get(storeKeyOfValue));
      JsonNode instance = ConfigSchemas.instance(type, values.get(storeKeyOfValue));
      if (type == ValueType.JSON) {
        instance = ConfigSchemas.applyDefaults(s.getSchemaJson(), instance);
      }
      for (String error : ConfigSchemas.validate(s.getSchemaJson(), instance)) {
        // store keys are tenant|env|key; the public id is tenant:env:key
        breaks.add("stored value " + storeKeyOfValue.replace(StoreKeys.SEP, ':') + " " + error);
      }
    }
    if (breaks.isEmpty()) {
      schemas.put(storeKey, candidate);
      return;
    }
    if (governed.isEmpty()) {
      throw new Rejection(422, "breaking-schema-change", "version " + candidate.getVersion() + " of schema '" + name + "' breaks "
          + previous.getCompatibility() + " compatibility with version " + previous.getVersion() + ": " + breaks.get(0)
          + (breaks.size() > 1 ? " (and " + (breaks.size() - 1) + " more)" : "")
          + ". Register the current schema with compatibility NONE first to allow breaking changes.", "schema").withErrors(breaks);
    }
    s.setBreaks(breaks);
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
    SchemaPayload approved = SchemaPayload.newBuilder(held.getSchemaChange())
        .setApprovalId(held.getCommandId())
        .setRequestedBy(held.getActor())
        .setApprovedBy(command.getActor())
        .build();
    command.setSchemaChange(approved);
    if (command.getType() == io.hotswap.avro.CommandType.SCHEMA_APPROVE) {
      schemas.put(storeKey, ConfigSchemas.nextVersion(command, schemas.get(storeKey), command.getIssuedAt()));
    }
    pending.delete(storeKey);
  }

  /** Whether a schema of the tenant with this name exists. */
  ConfigSchema named(String tenant, String name) {
    return schemas.get(StoreKeys.schema(tenant, name));
  }

  /** Store keys of the values the candidate would govern: its pattern matches, and no more specific schema does. */
  private List<String> governedKeys(String tenant, ConfigSchema candidate) {
    List<String> out = new ArrayList<>();
    if (candidate.getKeyPattern() == null) {
      return out;
    }
    List<ConfigSchema> others = latest(tenant);
    try (KeyValueIterator<String, String> it = values.prefixScan(StoreKeys.tenantPrefix(tenant), Serdes.String().serializer())) {
      while (it.hasNext()) {
        String storeKey = it.next().key;
        String key = storeKey.substring(storeKey.lastIndexOf(StoreKeys.SEP) + 1);
        if (!ConfigSchemas.matches(candidate.getKeyPattern(), key)) {
          continue;
        }
        ConfigSchema current = ConfigSchemas.governing(others, key);
        if (current == null || current.getName().equals(candidate.getName())
            || ConfigSchemas.specificity(current.getKeyPattern()) <= ConfigSchemas.specificity(candidate.getKeyPattern())) {
          out.add(storeKey);
        }
      }
    }
    return out;
  }
}
