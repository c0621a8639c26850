package io.hotswap.gateway.schema;

import io.hotswap.avro.ConfigSchema;
import io.hotswap.core.schema.ConfigSchemas;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The answer of a dry run: valid or not, every error with its JSON Pointer, and the value with defaults filled in. */
public final class DryRun {

  private DryRun() {}

  public static Map<String, Object> report(ConfigSchema schema, JsonNode value) {
    JsonNode withDefaults = ConfigSchemas.applyDefaults(schema.getSchemaJson(), value);
    List<String> errors = ConfigSchemas.validate(schema.getSchemaJson(), withDefaults);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("valid", errors.isEmpty());
    answer.put("errors", errors);
    answer.put("schemaId", schema.getSchemaId());
    answer.put("schemaVersion", schema.getVersion());
    answer.put("value", withDefaults);
    return answer;
  }
}
