package io.hotswap.gateway.config;

import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.ValueTypes;
import io.hotswap.gateway.reads.StoreRouter;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.ResponseEntity;

/** What writes of a key need to know first: its declared type (read on the tenant's owner) and the If-Match version. */
public final class CurrentConfig {

  private CurrentConfig() {}

  /** The key's declared type, read where the tenant's partition lives; 404 when the key does not exist. */
  public static ValueType type(StoreRouter router, StoreKeys.ConfigId id, HttpServletRequest request) {
    ResponseEntity<?> current = router.route(id.tenantId(), new MinVersionRequest(request, id.id(), null), partition -> {
      ConfigEntry entry = router.currentEntry(partition, id.storeKey());
      if (entry == null || entry.getDeleted()) {
        throw Rejection.notFound("config-not-found", "No configuration with id '" + id.id() + "'", "configId");
      }
      return ResponseEntity.ok(ConfigView.of(entry));
    });
    if (!current.getStatusCode().is2xxSuccessful()) {
      throw Rejection.notFound("config-not-found", "No configuration with id '" + id.id() + "'", "configId");
    }
    String type = current.getBody() instanceof ConfigView view ? view.type()
        : io.hotswap.core.json.Json.MAPPER.readTree((byte[]) current.getBody()).get("type").asString();
    return ValueTypes.parse(type);
  }

  /** The key as its owner serves it now (masked where secret), or null when it does not exist. */
  public static tools.jackson.databind.JsonNode current(StoreRouter router, StoreKeys.ConfigId id, HttpServletRequest request) {
    ResponseEntity<?> current = router.route(id.tenantId(), new MinVersionRequest(request, id.id(), null), partition -> {
      ConfigEntry entry = router.currentEntry(partition, id.storeKey());
      return entry == null || entry.getDeleted() ? ResponseEntity.notFound().build() : ResponseEntity.ok(ConfigView.of(entry));
    });
    if (!current.getStatusCode().is2xxSuccessful() || current.getBody() == null) {
      return null;
    }
    return current.getBody() instanceof ConfigView view ? io.hotswap.core.json.Json.MAPPER.valueToTree(view)
        : io.hotswap.core.json.Json.MAPPER.readTree((byte[]) current.getBody());
  }

  /** The version an {@code If-Match} header names (ETag form, weak or strong); null for none or {@code *}; 400 when it is not one. */
  public static Long expectedVersion(String ifMatch) {
    if (ifMatch == null || ifMatch.isBlank() || ifMatch.equals("*")) {
      return null;
    }
    String v = ifMatch.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    v = v.replace("\"", "");
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw Rejection.badRequest("invalid-if-match", "If-Match must be a version as returned in ETag, like \"3\" (got '" + ifMatch + "')", "If-Match");
    }
  }
}
