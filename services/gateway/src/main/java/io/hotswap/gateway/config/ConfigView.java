package io.hotswap.gateway.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.ValueTypes;
import io.hotswap.core.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** A configuration key's version as the API shows it; secrets are masked. */
public record ConfigView(
    String configId, String tenantId, String environment, String key, JsonNode value, String type,
    List<String> tags, String description, long version, boolean deleted,
    Instant createdAt, Instant updatedAt, String updatedBy,
    @JsonInclude(JsonInclude.Include.NON_NULL) String source) {

  public static final String MASK = "******";

  public static ConfigView of(ConfigEntry e) {
    return new ConfigView(e.getConfigId(), e.getTenantId(), e.getEnvironment(), e.getKey(),
        shown(e.getKey(), e.getValueType(), e.getValue()), ValueTypes.display(e.getValueType()), List.copyOf(e.getTags()),
        e.getDescription(), e.getVersion(), e.getDeleted(), e.getCreatedAt(), e.getUpdatedAt(), e.getUpdatedBy(), null);
  }

  /**
   * The view of an effective value: {@code source} says where it came from — {@code override}
   * (the environment's own value), {@code staging} (inherited, Production only) or {@code default}
   * (Development's value).
   */
  public ConfigView from(String source) {
    return new ConfigView(configId, tenantId, environment, key, value, type, tags, description, version, deleted,
        createdAt, updatedAt, updatedBy, source);
  }

  /**
   * A stored value as callers see it: typed, a Secret masked, a plugin assignment with its
   * credentials' names but never their (sealed) values.
   */
  public static JsonNode shown(String key, ValueType type, String value) {
    if (io.hotswap.protocol.PluginAssignment.pluginOf(key) != null && value != null) {
      io.hotswap.protocol.PluginAssignment a = io.hotswap.protocol.PluginAssignment.parse(key, value);
      return Json.MAPPER.readTree(a.withCredentials(a.maskedCredentials(MASK)).toJson());
    }
    return typed(type, value);
  }

  public static JsonNode typed(ValueType type, String value) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (value == null) {
      return f.nullNode();
    }
    return switch (type) {
      case SECRET -> f.stringNode(MASK);
      case NUMBER -> f.numberNode(new BigDecimal(value));
      case BOOLEAN -> f.booleanNode(Boolean.parseBoolean(value));
      case JSON -> Json.MAPPER.readTree(value);
      case STRING -> f.stringNode(value);
    };
  }

  /** The value of a request as text: strings as they are, anything else as its JSON text. */
  public static String text(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    return value.isString() ? value.stringValue() : Json.MAPPER.writeValueAsString(value);
  }
}
