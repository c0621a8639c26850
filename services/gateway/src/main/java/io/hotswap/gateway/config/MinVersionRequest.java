package io.hotswap.gateway.config;

import io.hotswap.gateway.reads.ForwardRequest;
import jakarta.servlet.http.HttpServletRequest;

/** The GET that reads back a write: same caller and headers, the config's URL, {@code minVersion} set. */
final class MinVersionRequest extends ForwardRequest {

  /** {@code version} null: a plain read of the current value. */
  MinVersionRequest(HttpServletRequest request, String configId, Long version) {
    super(request, "GET", "/api/v1/configs/" + configId, version == null ? null : "minVersion=" + version);
  }
}
