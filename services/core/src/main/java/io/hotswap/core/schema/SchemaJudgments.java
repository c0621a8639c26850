package io.hotswap.core.schema;

import io.hotswap.avro.ConfigSchema;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The judgments a schema registry makes, on whatever view of the schemas and stored values the
 * caller holds: validation judges a new schema version on its read-only view (to decide early
 * whether it needs an Admin's approval), rollout judges values and schema versions on the state
 * it owns, when it applies them.
 */
public final class SchemaJudgments {

  private SchemaJudgments() {}

  /** A stored value a schema could govern: its store key ({@code tenant|env|key}), type and text. */
  public record StoredValue(String storeKey, ValueType type, String value) {

    String key() {
      return storeKey.substring(storeKey.lastIndexOf(StoreKeys.SEP) + 1);
    }
  }

  /**
   * Checks a value against the schema in force for its key (of the tenant's {@code latest}
   * schemas) and returns it with the schema's defaults filled in: the text to store. Secrets are
   * ciphertext and are not checked.
   */
  public static String checkValue(Iterable<ConfigSchema> latest, String key, ValueType type, String value) {
    if (type == ValueType.SECRET || value == null) {
      return value;
    }
    ConfigSchema schema = ConfigSchemas.governing(latest, key);
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

  /** What a new version of a schema breaks, and how many stored values it would govern. */
  public record Breaks(List<String> breaks, int governed) {

    public boolean none() {
      return breaks.isEmpty();
    }
  }

  /**
   * Judges {@code candidate} (the next version of a schema, {@code previous} the current one or
   * null): its compatibility with the previous version, and every stored value it would govern —
   * its pattern matches the key and no more specific schema of the tenant does.
   */
  public static Breaks judge(ConfigSchema previous, ConfigSchema candidate, Iterable<ConfigSchema> latest, Iterable<StoredValue> values) {
    List<String> breaks = new ArrayList<>();
    if (previous != null) {
      breaks.addAll(Compatibility.breakingChanges(Json.MAPPER.readTree(previous.getSchemaJson()),
          ConfigSchemas.parseSchema(candidate.getSchemaJson()), previous.getCompatibility()));
    }
    int governed = 0;
    if (candidate.getKeyPattern() != null) {
      for (StoredValue v : values) {
        if (v.type() == ValueType.SECRET || !ConfigSchemas.matches(candidate.getKeyPattern(), v.key())) {
          continue;
        }
        ConfigSchema current = ConfigSchemas.governing(latest, v.key());
        if (current != null && !current.getName().equals(candidate.getName())
            && ConfigSchemas.specificity(current.getKeyPattern()) > ConfigSchemas.specificity(candidate.getKeyPattern())) {
          continue;
        }
        governed++;
        JsonNode instance = ConfigSchemas.instance(v.type(), v.value());
        if (v.type() == ValueType.JSON) {
          instance = ConfigSchemas.applyDefaults(candidate.getSchemaJson(), instance);
        }
        for (String error : ConfigSchemas.validate(candidate.getSchemaJson(), instance)) {
          // store keys are tenant|env|key; the public id is tenant:env:key
          breaks.add("stored value " + v.storeKey().replace(StoreKeys.SEP, ':') + " " + error);
        }
      }
    }
    return new Breaks(breaks, governed);
  }

  /** The refusal of a breaking version that governs no stored value (an Admin could not approve values that don't exist). */
  public static Rejection refused(ConfigSchema previous, ConfigSchema candidate, Breaks b) {
    return new Rejection(422, "breaking-schema-change", "version " + candidate.getVersion() + " of schema '" + candidate.getName() + "' breaks "
        + previous.getCompatibility() + " compatibility with version " + previous.getVersion() + ": " + b.breaks().get(0)
        + (b.breaks().size() > 1 ? " (and " + (b.breaks().size() - 1) + " more)" : "")
        + ". Register the current schema with compatibility NONE first to allow breaking changes.", "schema").withErrors(b.breaks());
  }
}
