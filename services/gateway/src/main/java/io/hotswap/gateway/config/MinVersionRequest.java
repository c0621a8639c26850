package io.hotswap.gateway.config;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/** The GET that reads back a write: same caller and headers, the config's URL, {@code minVersion} set. */
final class MinVersionRequest extends HttpServletRequestWrapper {

  private final String uri;
  private final Long version;

  /** {@code version} null: a plain read of the current value. */
  MinVersionRequest(HttpServletRequest request, String configId, Long version) {
    super(request);
    this.uri = "/api/v1/configs/" + configId;
    this.version = version;
  }

  @Override
  public String getRequestURI() {
    return uri;
  }

  @Override
  public String getQueryString() {
    return version == null ? null : "minVersion=" + version;
  }

  @Override
  public String getMethod() {
    return "GET";
  }
}
