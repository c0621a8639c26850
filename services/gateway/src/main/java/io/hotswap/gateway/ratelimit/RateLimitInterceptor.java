package io.hotswap.gateway.ratelimit;

import io.hotswap.gateway.security.AccessMatrix;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.HashMap;
import java.util.Map;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Tells {@link RateLimits} what the request's endpoint costs, from its row in the access matrix;
 * the token itself is taken once the request's tenant is known and visible to the caller
 * ({@link RateLimits#charge}), which for a write is only after its body was read.
 */
public final class RateLimitInterceptor implements HandlerInterceptor {

  private final Map<String, AccessMatrix.Limit> limits = new HashMap<>();

  public RateLimitInterceptor(AccessMatrix matrix) {
    matrix.rows().forEach(r -> limits.put(r.method() + ' ' + r.path(), r.limit()));
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
    AccessMatrix.Limit limit = pattern == null ? null : limits.get(request.getMethod() + ' ' + pattern);
    if (limit != null && limit != AccessMatrix.Limit.NONE) {
      request.setAttribute(RateLimits.LIMIT_ATTRIBUTE, limit);
    }
    return true;
  }
}
