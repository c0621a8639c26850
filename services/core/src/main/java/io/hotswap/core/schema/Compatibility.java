package io.hotswap.core.schema;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Breaking-change detection between two versions of a JSON Schema. A change is breaking for
 * BACKWARD compatibility when some value valid under the old version is invalid under the new
 * (the new version narrows: a type dropped, a member newly required, a bound tightened, an enum
 * value removed, extra members forbidden, ...); FORWARD is the same check the other way round;
 * FULL is both; NONE accepts anything. The check is structural and conservative: each finding is
 * a reason with the JSON Pointer (into the schema) where it happens.
 */
public final class Compatibility {

  private Compatibility() {}

  public static List<String> breakingChanges(JsonNode previous, JsonNode next, io.hotswap.avro.Compatibility mode) {
    List<String> out = new ArrayList<>();
    switch (mode) {
      case BACKWARD -> narrowing(previous, next, "", out, "");
      case FORWARD -> narrowing(next, previous, "", out, "forward: ");
      case FULL -> {
        narrowing(previous, next, "", out, "");
        narrowing(next, previous, "", out, "forward: ");
      }
      default -> { }
    }
    return out;
  }

  /** Reasons why some value valid under {@code wide} would be invalid under {@code narrow}. */
  private static void narrowing(JsonNode wide, JsonNode narrow, String at, List<String> out, String prefix) {
    if (narrow == null || narrow.isMissingNode() || (narrow.isBoolean() && narrow.asBoolean())) {
      return; // accepts everything
    }
    if (wide == null || wide.isMissingNode() || (wide.isBoolean() && wide.asBoolean())) {
      if (narrow.isBoolean() || constrains(narrow)) {
        out.add(prefix + root(at) + ": constraints added where anything was allowed");
      }
      return;
    }
    if (narrow.isBoolean()) {
      out.add(prefix + root(at) + ": now rejects every value");
      return;
    }
    Set<String> wideTypes = types(wide);
    Set<String> narrowTypes = types(narrow);
    if (!narrowTypes.isEmpty()) {
      Set<String> lost = new HashSet<>(wideTypes.isEmpty() ? Set.of("any") : wideTypes);
      lost.removeIf(t -> narrowTypes.contains(t) || (t.equals("integer") && narrowTypes.contains("number")));
      if (!lost.isEmpty()) {
        out.add(prefix + where(at) + "/type: no longer accepts " + String.join(", ", new java.util.TreeSet<>(lost))
            + " (was " + (wideTypes.isEmpty() ? "any type" : String.join(", ", new java.util.TreeSet<>(wideTypes))) + ", now "
            + String.join(", ", new java.util.TreeSet<>(narrowTypes)) + ")");
      }
    }
    tighterLower(wide, narrow, "minimum", at, out, prefix);
    tighterLower(wide, narrow, "exclusiveMinimum", at, out, prefix);
    tighterLower(wide, narrow, "minLength", at, out, prefix);
    tighterLower(wide, narrow, "minItems", at, out, prefix);
    tighterLower(wide, narrow, "minProperties", at, out, prefix);
    tighterUpper(wide, narrow, "maximum", at, out, prefix);
    tighterUpper(wide, narrow, "exclusiveMaximum", at, out, prefix);
    tighterUpper(wide, narrow, "maxLength", at, out, prefix);
    tighterUpper(wide, narrow, "maxItems", at, out, prefix);
    tighterUpper(wide, narrow, "maxProperties", at, out, prefix);
    sameOrAbsent(wide, narrow, "pattern", at, out, prefix);
    sameOrAbsent(wide, narrow, "const", at, out, prefix);
    sameOrAbsent(wide, narrow, "format", at, out, prefix);
    sameOrAbsent(wide, narrow, "multipleOf", at, out, prefix);
    if (narrow.has("enum")) {
      if (!wide.has("enum")) {
        out.add(prefix + where(at) + "/enum: values are now restricted to " + narrow.get("enum"));
      } else {
        for (JsonNode v : wide.get("enum")) {
          if (!contains(narrow.get("enum"), v)) {
            out.add(prefix + where(at) + "/enum: value " + v + " was removed");
          }
        }
      }
    }
    Set<String> wideRequired = strings(wide.get("required"));
    for (String r : strings(narrow.get("required"))) {
      if (!wideRequired.contains(r)) {
        out.add(prefix + where(at) + "/required: member '" + r + "' is now required");
      }
    }
    JsonNode wideProps = wide.get("properties");
    JsonNode narrowProps = narrow.get("properties");
    boolean closed = narrow.has("additionalProperties") && narrow.get("additionalProperties").isBoolean()
        && !narrow.get("additionalProperties").asBoolean();
    boolean wasClosed = wide.has("additionalProperties") && wide.get("additionalProperties").isBoolean()
        && !wide.get("additionalProperties").asBoolean();
    if (closed && !wasClosed) {
      out.add(prefix + where(at) + "/additionalProperties: members not listed in properties are no longer allowed");
    }
    if (wideProps != null && wideProps.isObject()) {
      for (String name : wideProps.propertyNames()) {
        JsonNode next = narrowProps == null ? null : narrowProps.get(name);
        if (next == null) {
          if (closed) {
            out.add(prefix + where(at) + "/properties/" + ConfigSchemas.escape(name) + ": member was removed and extra members are not allowed");
          }
          continue;
        }
        narrowing(wideProps.get(name), next, at + "/properties/" + ConfigSchemas.escape(name), out, prefix);
      }
    }
    if (closed && narrowProps != null && wideProps != null) {
      // members that were only allowed as additional properties
      for (String name : narrowProps.propertyNames()) {
        if (!wideProps.has(name) && wide.has("additionalProperties") && wide.get("additionalProperties").isObject()) {
          narrowing(wide.get("additionalProperties"), narrowProps.get(name), at + "/properties/" + ConfigSchemas.escape(name), out, prefix);
        }
      }
    }
    if (wide.has("items") || narrow.has("items")) {
      narrowing(wide.get("items"), narrow.get("items"), at + "/items", out, prefix);
    }
  }

  private static boolean constrains(JsonNode schema) {
    for (String k : List.of("type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
        "maxLength", "pattern", "required", "additionalProperties", "minItems", "maxItems", "not", "allOf", "anyOf", "oneOf", "format")) {
      if (schema.has(k)) {
        return true;
      }
    }
    JsonNode props = schema.get("properties");
    if (props != null) {
      for (String name : props.propertyNames()) {
        if (props.get(name).isBoolean() ? !props.get(name).asBoolean() : constrains(props.get(name))) {
          return true;
        }
      }
    }
    return false;
  }

  private static void tighterLower(JsonNode wide, JsonNode narrow, String keyword, String at, List<String> out, String prefix) {
    if (!narrow.has(keyword) || !narrow.get(keyword).isNumber()) {
      return;
    }
    JsonNode before = wide.get(keyword);
    if (before == null || !before.isNumber() || narrow.get(keyword).decimalValue().compareTo(before.decimalValue()) > 0) {
      out.add(prefix + where(at) + "/" + keyword + ": raised " + (before == null ? "from none" : "from " + before) + " to " + narrow.get(keyword));
    }
  }

  private static void tighterUpper(JsonNode wide, JsonNode narrow, String keyword, String at, List<String> out, String prefix) {
    if (!narrow.has(keyword) || !narrow.get(keyword).isNumber()) {
      return;
    }
    JsonNode before = wide.get(keyword);
    if (before == null || !before.isNumber() || narrow.get(keyword).decimalValue().compareTo(before.decimalValue()) < 0) {
      out.add(prefix + where(at) + "/" + keyword + ": lowered " + (before == null ? "from none" : "from " + before) + " to " + narrow.get(keyword));
    }
  }

  private static void sameOrAbsent(JsonNode wide, JsonNode narrow, String keyword, String at, List<String> out, String prefix) {
    if (narrow.has(keyword) && !narrow.get(keyword).equals(wide.get(keyword))) {
      out.add(prefix + where(at) + "/" + keyword + ": " + (wide.has(keyword) ? "changed from " + wide.get(keyword) + " to " : "added ")
          + narrow.get(keyword));
    }
  }

  private static Set<String> types(JsonNode schema) {
    Set<String> out = new HashSet<>();
    JsonNode t = schema.get("type");
    if (t == null) {
      return out;
    }
    if (t.isArray()) {
      t.forEach(x -> out.add(x.asString()));
    } else {
      out.add(t.asString());
    }
    return out;
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new HashSet<>();
    if (array != null && array.isArray()) {
      array.forEach(x -> out.add(x.asString()));
    }
    return out;
  }

  private static boolean contains(JsonNode array, JsonNode value) {
    for (JsonNode v : array) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static String root(String at) {
    return at.isEmpty() ? "/" : at;
  }

  private static String where(String at) {
    return at.isEmpty() ? "" : at;
  }
}
