package io.hotswap.gateway.profile;

import io.hotswap.avro.ConfigProfile;
import io.hotswap.core.json.Json;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** A profile version as the API shows it. */
public record ProfileView(String profileId, String tenantId, String service, String environment, String version, long revision,
                          JsonNode document, String schemaId, String strategy, String description, List<String> tags,
                          String rolledBackFrom, Instant createdAt, String createdBy, Instant updatedAt) {

  public static ProfileView of(ConfigProfile p) {
    return new ProfileView(p.getProfileId(), p.getTenantId(), p.getService(), p.getEnvironment(), p.getVersion(), p.getRevision(),
        Json.MAPPER.readTree(p.getDocument()), p.getSchemaId(), p.getStrategy(), p.getDescription(), List.copyOf(p.getTags()),
        p.getRolledBackFrom(), p.getCreatedAt(), p.getCreatedBy(), p.getUpdatedAt());
  }
}
