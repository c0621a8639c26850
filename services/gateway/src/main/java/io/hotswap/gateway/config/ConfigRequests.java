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

  /**
   * {@code POST /api/v1/configs:batch}: up to 1,000 changes of one tenant, applied together or not
   * at all. {@code environment} (default development) applies to items that name none.
   */
  record Batch(String tenantId, String environment, List<BatchEntry> items) {}

  /**
   * One change of a batch. {@code op}: {@code upsert} (default: create the key, or update it when
   * it exists), {@code create}, {@code update} or {@code delete}. {@code type} is needed to create;
   * {@code expectedVersion} is the batch's If-Match for this key.
   */
  record BatchEntry(String op, String key, String environment, JsonNode value, String type, List<String> tags, String description,
                    Long expectedVersion) {}
}
