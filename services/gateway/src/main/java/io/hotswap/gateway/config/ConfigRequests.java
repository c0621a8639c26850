package io.hotswap.gateway.config;

import java.util.List;
import tools.jackson.databind.JsonNode;

/** Request bodies of the configuration API. */
final class ConfigRequests {

  private ConfigRequests() {}

  /**
   * {@code POST /api/v1/configs}. {@code value} may be any JSON: a string, a number, a boolean or
   * (for type Json) an object or array, or a string holding JSON text.
   */
  record Create(String tenantId, String key, JsonNode value, String type, String environment, List<String> tags, String description) {}

  /** {@code PUT /api/v1/configs/{configId}}: a new version; null fields keep their values. */
  record Update(JsonNode value, String type, List<String> tags, String description) {}
}
