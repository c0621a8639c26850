package io.hotswap.gateway.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.hotswap.avro.ConfigSchema;
import io.hotswap.core.json.Json;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** A schema version as the API shows it; {@code versions} (every version number) on the schema's own page. */
public record SchemaView(String schemaId, String tenantId, String name, int version, String keyPattern, JsonNode schema,
                         String compatibility, String description, Instant createdAt, String createdBy,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String approvedBy,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> versions) {

  public static SchemaView of(ConfigSchema s) {
    return new SchemaView(s.getSchemaId(), s.getTenantId(), s.getName(), s.getVersion(), s.getKeyPattern(),
        Json.MAPPER.readTree(s.getSchemaJson()), s.getCompatibility().name(), s.getDescription(), s.getCreatedAt(), s.getCreatedBy(),
        s.getApprovedBy(), null);
  }

  SchemaView withVersions(List<Integer> all) {
    return new SchemaView(schemaId, tenantId, name, version, keyPattern, schema, compatibility, description, createdAt, createdBy,
        approvedBy, List.copyOf(all));
  }
}
