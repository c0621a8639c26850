package io.hotswap.gateway.plugin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.hotswap.avro.PluginVersion;
import java.time.Instant;
import java.util.List;

/** A registered plugin version as the API shows it ({@code tenantId}: the owner of a tenant's own plugin; absent for the platform's). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PluginView(String pluginId, String version, String type, String entryPoint, String apiVersion, List<String> dependencies,
                         String sha256, long size, String publisher, boolean signed, String description, tools.jackson.databind.JsonNode configSchema,
                         String status,
                         String deprecationReason, Instant createdAt, String createdBy, String traceId, String binary,
                         String tenantId, List<String> deprecationNotified) {

  public static PluginView of(PluginVersion v) {
    return new PluginView(v.getPluginId(), v.getVersion(), v.getType(), v.getEntryPoint(), v.getApiVersion(), List.copyOf(v.getDependencies()),
        v.getSha256(), v.getSize(), v.getPublisher(), v.getSignature() != null, v.getDescription(),
        v.getConfigSchema() == null ? null : io.hotswap.core.json.Json.MAPPER.readTree(v.getConfigSchema()), v.getDeprecated() ? "Deprecated" : "Active",
        v.getDeprecationReason(), v.getCreatedAt(), v.getCreatedBy(), v.getTraceId(),
        "/api/v1/plugins/" + v.getPluginId() + "/versions/" + v.getVersion() + "/binary",
        v.getTenantId(), v.getDeprecationNotified().isEmpty() ? null : List.copyOf(v.getDeprecationNotified()));
  }

  /** A plugin with all its versions, newest last. */
  public record Plugin(String pluginId, String latestVersion, String type, String description, List<PluginView> versions) {
    static Plugin of(List<PluginVersion> versions) {
      PluginVersion latest = versions.get(versions.size() - 1);
      return new Plugin(latest.getPluginId(), latest.getVersion(), latest.getType(), latest.getDescription(),
          versions.stream().map(PluginView::of).toList());
    }
  }
}
