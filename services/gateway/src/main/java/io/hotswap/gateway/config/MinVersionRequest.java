package io.hotswap.gateway.config;

import io.hotswap.gateway.system.GetRequest;
import jakarta.servlet.http.HttpServletRequest;

/** The GET that reads back a write: same caller and headers, the config's URL, {@code minVersion} set. */
final class MinVersionRequest extends GetRequest {

  /** {@code version} null: a plain read of the current value. */
  MinVersionRequest(HttpServletRequest request, String configId, Long version) {
    super(request, "/api/v1/configs/" + configId, version == null ? null : "minVersion=" + version);
  }
}
