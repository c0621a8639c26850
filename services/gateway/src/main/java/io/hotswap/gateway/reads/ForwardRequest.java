package io.hotswap.gateway.reads;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * The caller's request as it is routed to the instance that owns the tenant: same identity and
 * headers, the given method, URL and query. Forwards carry no body, so what the owner needs (a
 * read-back's minimum version, a rollback's target) travels in the query.
 */
public class ForwardRequest extends HttpServletRequestWrapper {

  private final String method;
  private final String uri;
  private final String query;

  public ForwardRequest(HttpServletRequest request, String method, String uri, String query) {
    super(request);
    this.method = method;
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
    return method;
  }
}
