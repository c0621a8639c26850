package io.hotswap.core.schema;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON Schema (draft 2020-12) for configuration values and profiles: parsing and checking a schema,
 * the short rule form, validating a value (errors carry the JSON Pointer of what is wrong),
 * filling in defaults, and which keys a schema governs. Pure and thread-safe; compiled schemas are
 * cached by their text.
 */
public final class ConfigSchemas {

  private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
  private static final Pattern KEY_PATTERN = Pattern.compile("[A-Za-z0-9_*.-]{1,256}");
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      registry -> registry.schemaRegistryConfig(SchemaRegistryConfig.builder().regularExpressionFactory(BoundedRegex.INSTANCE).build()));
  private static final Schema META = REGISTRY.getSchema(SchemaLocation.of(META_SCHEMA));
  private static final int CACHE_SIZE = 512;
  private static final Map<String, Schema> COMPILED = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Schema> eldest) {
      return size() > CACHE_SIZE;
    }
  });

  private ConfigSchemas() {}

  /** Schema and profile-service names: 1-64 of {@code [a-z0-9-]}, starting with a letter or digit. */
  public static String requireName(String name, String field) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw Rejection.badRequest("invalid-name", field + " must be 1 to 64 of a-z, 0-9 and '-', starting with a letter or digit (got '"
          + io.hotswap.core.domain.Texts.abbreviate(name) + "')", field);
    }
    return name;
  }

  /** A key pattern: dot-notation key characters and {@code *} (any run of characters). */
  public static String requireKeyPattern(String pattern) {
    if (pattern == null) {
      return null;
    }
    if (!KEY_PATTERN.matcher(pattern).matches()) {
      throw Rejection.badRequest("invalid-key-pattern", "keyPattern must be key characters and '*', like database.* (got '"
          + io.hotswap.core.domain.Texts.abbreviate(pattern) + "')", "keyPattern");
    }
    return pattern;
  }

  /** Whether {@code pattern} ({@code *} matches any run of characters, dots included) covers {@code key}. */
  public static boolean matches(String pattern, String key) {
    if (pattern == null || key == null) {
      return false;
    }
    String[] parts = pattern.split("\\*", -1);
    if (parts.length == 1) {
      return pattern.equals(key);
    }
    if (!key.startsWith(parts[0]) || !key.endsWith(parts[parts.length - 1])
        || key.length() < parts[0].length() + parts[parts.length - 1].length()) {
      return false;
    }
    int at = parts[0].length();
    int end = key.length() - parts[parts.length - 1].length();
    for (int i = 1; i < parts.length - 1; i++) {
      int found = key.indexOf(parts[i], at);
      if (found < 0 || found + parts[i].length() > end) {
        return false;
      }
      at = found + parts[i].length();
    }
    return true;
  }

  /** How specific a pattern is: more literal characters win; an exact key beats any wildcard. */
  public static int specificity(String pattern) {
    int literal = pattern.replace("*", "").length();
    return pattern.contains("*") ? literal : literal + 10_000;
  }

  /** Of a tenant's schemas (their latest versions), the one in force for {@code key}: its pattern matches, most specific first. */
  public static io.hotswap.avro.ConfigSchema governing(Iterable<io.hotswap.avro.ConfigSchema> latest, String key) {
    if (io.hotswap.protocol.PluginAssignment.pluginOf(key) != null) {
      return null; // a plugin assignment's form is the platform's, its settings the plugin's own schema's
    }
    io.hotswap.avro.ConfigSchema best = null;
    for (io.hotswap.avro.ConfigSchema s : latest) {
      if (matches(s.getKeyPattern(), key) && (best == null || specificity(s.getKeyPattern()) > specificity(best.getKeyPattern()))) {
        best = s;
      }
    }
    return best;
  }

  /**
   * The version a SCHEMA_REGISTER or SCHEMA_APPROVE command makes of its schema: the one after
   * {@code previous}, created by whoever asked for it, approved by the Admin who approved it.
   */
  public static io.hotswap.avro.ConfigSchema nextVersion(io.hotswap.avro.Command command, io.hotswap.avro.ConfigSchema previous,
                                                        java.time.Instant now) {
    io.hotswap.avro.SchemaPayload s = command.getSchemaChange();
    return io.hotswap.avro.ConfigSchema.newBuilder()
        .setSchemaId(io.hotswap.core.domain.StoreKeys.schemaId(command.getTenantId(), s.getName()))
        .setTenantId(command.getTenantId())
        .setName(s.getName())
        .setVersion(previous == null ? 1 : previous.getVersion() + 1)
        .setKeyPattern(s.getKeyPattern())
        .setSchemaJson(s.getSchemaJson())
        .setCompatibility(s.getCompatibility())
        .setDescription(s.getDescription())
        .setCreatedAt(now)
        .setCreatedBy(s.getRequestedBy() != null ? s.getRequestedBy() : command.getActor())
        .setApprovedBy(s.getApprovedBy())
        .setCommandId(command.getCommandId())
        .build();
  }

  /**
   * Parses a schema text and checks it: JSON, an object or boolean schema, valid against the
   * draft 2020-12 meta-schema, and self-contained (only local {@code $ref}s: HotSwap never fetches
   * a schema from elsewhere).
   */
  public static JsonNode parseSchema(String text) {
    JsonNode schema;
    try {
      schema = Json.MAPPER.readTree(text);
    } catch (JacksonException e) {
      throw Rejection.unprocessable("invalid-schema", "schema is not valid JSON: " + e.getOriginalMessage(), "schema");
    }
    requireValidSchema(schema);
    return schema;
  }

  public static void requireValidSchema(JsonNode schema) {
    if (schema == null || !(schema.isObject() || schema.isBoolean())) {
      throw Rejection.unprocessable("invalid-schema", "schema must be a JSON Schema object", "schema");
    }
    if (schema.has("$schema") && !META_SCHEMA.equals(schema.get("$schema").asString())) {
      throw Rejection.unprocessable("invalid-schema", "only JSON Schema draft 2020-12 is supported ($schema "
          + META_SCHEMA + ")", "schema");
    }
    List<String> remote = new ArrayList<>();
    collectRemoteRefs(schema, "", remote);
    if (!remote.isEmpty()) {
      throw new Rejection(422, "invalid-schema", "schemas must be self-contained: only local references (#...) are allowed", "schema")
          .withErrors(remote);
    }
    List<String> errors = errors(META.validate(schema));
    if (!errors.isEmpty()) {
      throw new Rejection(422, "invalid-schema", "schema is not a valid JSON Schema (draft 2020-12): " + errors.get(0), "schema")
          .withErrors(errors);
    }
  }

  private static void collectRemoteRefs(JsonNode node, String pointer, List<String> out) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String p = pointer + "/" + escape(e.getKey());
        if ((e.getKey().equals("$ref") || e.getKey().equals("$dynamicRef")) && e.getValue().isString() && !e.getValue().asString().startsWith("#")) {
          out.add(p + ": remote reference '" + e.getValue().asString() + "' is not allowed");
        }
        collectRemoteRefs(e.getValue(), p, out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectRemoteRefs(node.get(i), pointer + "/" + i, out);
      }
    }
  }

  /**
   * Seed 000's rule form, {@code {"type": "number", "min": 1, "max": 100, "regex": "...",
   * "required": true, "default": 10}}, as a JSON Schema. {@code required} (default true) refuses
   * null; min/max bound numbers, or lengths for strings.
   */
  public static JsonNode fromRules(JsonNode rules) {
    if (rules == null || !rules.isObject()) {
      throw Rejection.badRequest("invalid-rules", "rules must be an object like {\"type\": \"number\", \"min\": 1, \"max\": 100}", "rules");
    }
    for (String field : rules.propertyNames()) {
      if (!List.of("type", "min", "max", "regex", "required", "default", "enum").contains(field)) {
        throw Rejection.badRequest("invalid-rules", "unknown rule '" + field + "'; rules are type, min, max, regex, required, default, enum", "rules." + field);
      }
    }
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode schema = f.objectNode();
    String type = rules.has("type") ? rules.get("type").asString().toLowerCase(java.util.Locale.ROOT) : null;
    String jsonType = switch (type == null ? "" : type) {
      case "string", "secret" -> "string";
      case "number" -> "number";
      case "integer" -> "integer";
      case "boolean" -> "boolean";
      case "json", "object" -> "object";
      case "array" -> "array";
      case "" -> null;
      default -> throw Rejection.badRequest("invalid-rules", "rule type must be string, number, integer, boolean, object or array (got '"
          + io.hotswap.core.domain.Texts.abbreviate(type) + "')", "rules.type");
    };
    boolean required = !rules.has("required") || rules.get("required").asBoolean();
    if (jsonType != null) {
      if (required) {
        schema.put("type", jsonType);
      } else {
        schema.putArray("type").add(jsonType).add("null");
      }
    }
    boolean lengths = "string".equals(jsonType);
    if (rules.has("min")) {
      requireNumber(rules.get("min"), "rules.min");
      schema.set(lengths ? "minLength" : "minimum", rules.get("min"));
    }
    if (rules.has("max")) {
      requireNumber(rules.get("max"), "rules.max");
      schema.set(lengths ? "maxLength" : "maximum", rules.get("max"));
    }
    if (rules.has("regex")) {
      try {
        Pattern.compile(rules.get("regex").asString());
      } catch (java.util.regex.PatternSyntaxException e) {
        throw Rejection.badRequest("invalid-rules", "regex does not compile: " + e.getDescription(), "rules.regex");
      }
      schema.put("pattern", rules.get("regex").asString());
    }
    if (rules.has("enum")) {
      schema.set("enum", rules.get("enum"));
    }
    if (rules.has("default")) {
      schema.set("default", rules.get("default"));
    }
    requireValidSchema(schema);
    return schema;
  }

  private static void requireNumber(JsonNode n, String field) {
    if (!n.isNumber()) {
      throw Rejection.badRequest("invalid-rules", field + " must be a number", field);
    }
  }

  /** A typed value as the JSON instance schemas see: numbers as numbers, Json as its tree. */
  public static JsonNode instance(ValueType type, String value) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (value == null) {
      return f.nullNode();
    }
    return switch (type) {
      case NUMBER -> f.numberNode(new BigDecimal(value));
      case BOOLEAN -> f.booleanNode(Boolean.parseBoolean(value));
      case JSON -> Json.MAPPER.readTree(value);
      case STRING, SECRET -> f.stringNode(value);
    };
  }

  /** Every violation of {@code schema} by {@code instance}, as {@code "<JSON Pointer>: <message>"}; empty when valid. */
  public static List<String> validate(String schemaJson, JsonNode instance) {
    Schema schema = COMPILED.computeIfAbsent(schemaJson, text -> REGISTRY.getSchema(text, com.networknt.schema.InputFormat.JSON));
    try {
      return errors(schema.validate(instance));
    } catch (BoundedRegex.TooSlow e) {
      return List.of("/: pattern '" + io.hotswap.core.domain.Texts.abbreviate(e.pattern()) + "' did not finish within "
          + BoundedRegex.BUDGET.toMillis() + " ms on this value (catastrophic backtracking); simplify the pattern in the schema");
    }
  }

  private static List<String> errors(List<Error> errors) {
    List<String> out = new ArrayList<>();
    for (Error e : errors) {
      String pointer = pointer(e.getInstanceLocation());
      if ("required".equals(e.getKeyword()) && e.getProperty() != null) {
        pointer = pointer + "/" + escape(e.getProperty());
      }
      String message = e.getMessage();
      // the library prefixes messages with the JSON path; the pointer says where, keep what
      int colon = message.indexOf(": ");
      if (message.startsWith("$") && colon > 0) {
        message = message.substring(colon + 2);
      }
      out.add((pointer.isEmpty() ? "/" : pointer) + ": " + message);
    }
    return out;
  }

  static String pointer(NodePath path) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < path.getNameCount(); i++) {
      sb.append('/').append(escape(String.valueOf(path.getElement(i))));
    }
    return sb.toString();
  }

  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  /**
   * Fills in the {@code default} of every property an object value omits, recursively through
   * properties that are present (or just defaulted) objects. Returns a new tree; the input is not
   * changed.
   */
  public static JsonNode applyDefaults(String schemaJson, JsonNode instance) {
    JsonNode schema = Json.MAPPER.readTree(schemaJson);
    JsonNode copy = instance.deepCopy();
    if (copy.isNull() && schema.has("default")) {
      return schema.get("default").deepCopy();
    }
    fill(schema, copy);
    return copy;
  }

  private static void fill(JsonNode schema, JsonNode instance) {
    if (!instance.isObject() || !schema.isObject() || !schema.has("properties")) {
      return;
    }
    ObjectNode object = (ObjectNode) instance;
    for (Map.Entry<String, JsonNode> p : schema.get("properties").properties()) {
      JsonNode sub = p.getValue();
      if (!object.has(p.getKey()) && sub.has("default")) {
        object.set(p.getKey(), sub.get("default").deepCopy());
      }
      if (object.has(p.getKey())) {
        fill(sub, object.get(p.getKey()));
      }
    }
  }

  /** Iterates a schema's property names (helper for compatibility checks). */
  static Iterator<String> names(JsonNode node) {
    return node == null || !node.isObject() ? Collections.emptyIterator() : node.propertyNames().iterator();
  }
}
