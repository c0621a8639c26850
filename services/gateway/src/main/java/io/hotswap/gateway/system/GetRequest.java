package io.hotswap.gateway.system;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * A GET on another URL with the caller's identity and headers: how a write reads back its result
 * on the instance that owns the tenant (forwards carry no body, so what they need is in the query).
 */
public class GetRequest extends HttpServletRequestWrapper {

  private final String uri;
  private final String query;

  public GetRequest(HttpServletRequest request, String uri, String query) {
    super(request);
    this.uri = uri;
    this.query = query;
  }

  @Override
  public String getRequestURI() {
    return uri;
  }

  @Override
  public String getQueryString() {
    return query;
  }

  @Override
  public String getMethod() {
    return "GET";
  }
}
