package io.hotswap.gateway.config;

import io.hotswap.gateway.ratelimit.RateLimits;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.AccessMatrix;
import io.hotswap.gateway.security.ClientAddresses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.Method;
import org.springframework.core.MethodParameter;
import org.springframework.core.convert.converter.Converter;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.support.HandlerMethodReturnValueHandlerComposite;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerExceptionResolver;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's hottest write — {@code POST /api/v1/configs}, a new key — taken past Spring
 * Security's filter chain and Spring MVC's dispatch to the controller's own method. Of a write's
 * request-thread CPU at 700 writes/s the controller was a quarter; the filter chain, the handler
 * look-up, reading the body through the message converters and writing the answer through the
 * return-value handlers most of the rest (load-tests/RESULTS.md). This filter does the same checks
 * with the same parts — the gateway's {@link JwtDecoder}, the roles converter, the access matrix's
 * row for the endpoint — then calls {@link ConfigController#create} itself, so what a write does
 * (tenant scope, rate limit, validation of the body, sealing a secret, the command, read-your-writes)
 * is the controller's, not a copy of it.
 *
 * <p>It runs after the HTTP observation and the request context: a write it takes is traced and
 * timed like any other, and its trace goes on with the command. It takes only a plain request: a
 * valid bearer token whose roles may write configs, a JSON body with a length, plain HTTP, no query,
 * not forwarded, proxied or cross-origin, no larger than 64 KB. Everything else goes on,
 * untouched, to the filter chain and the controller ({@code FastWritesIT} compares the two ways'
 * answers). Once it has taken a request it answers it whatever happens, as Spring MVC would: an
 * exception goes to the application's exception handlers (problem details), any answer other than
 * the created key through Spring MVC's return-value handlers. Turn it off with
 * {@code hotswap.gateway.fast-writes=false}.
 */
final class FastConfigWrites extends OncePerRequestFilter {

  static final String PATH = "/api/v1/configs";
  /** The largest body this path reads itself; larger ones (a profile-sized JSON value) go the full way. */
  private static final int MAX_BODY = 64 * 1024;

  private final DirectCallers callers;
  private final JsonMapper json;
  private final java.util.function.Supplier<Mvc> mvc;
  private final Counter served;
  private final Counter passed;
  private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

  /**
   * The parts of Spring MVC this path uses: the controller and its method, the application's
   * exception handlers, and the return-value handlers. Looked up on the first write, as Spring MVC
   * is ready only once the web server has started, after this filter was made.
   */
  record Mvc(ConfigController controller, HandlerMethod handler, HandlerExceptionResolver exceptions,
             HandlerMethodReturnValueHandlerComposite answers) {

    static Mvc of(ConfigController controller, HandlerExceptionResolver exceptions,
                  java.util.List<org.springframework.web.method.support.HandlerMethodReturnValueHandler> answers) {
      try {
        Method create = ConfigController.class.getDeclaredMethod("create", ConfigRequests.Create.class, HttpServletRequest.class,
            HttpServletResponse.class);
        return new Mvc(controller, new HandlerMethod(controller, create), exceptions,
            new HandlerMethodReturnValueHandlerComposite().addHandlers(answers));
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException("ConfigController has no create method to call", e);
      }
    }

    MethodParameter returnType() {
      return handler.getReturnType();
    }
  }

  FastConfigWrites(JwtDecoder tokens, Converter<Jwt, AbstractAuthenticationToken> authentication, AccessMatrix matrix,
                   JsonMapper json, java.util.function.Supplier<Mvc> mvc, MeterRegistry meters) {
    this.callers = new DirectCallers(tokens, authentication, matrix, "POST", PATH);
    this.json = json;
    this.mvc = mvc;
    this.served = DirectCallers.outcome(meters, "config.writes.fast", "served", "POST " + PATH + " taken by the gateway's direct path");
    this.passed = DirectCallers.outcome(meters, "config.writes.fast", "passed", "POST " + PATH + " handed on to the filter chain and controller");
  }

  @Override
  protected String getAlreadyFilteredAttributeName() {
    return FILTERED;
  }

  private static final String FILTERED = FastConfigWrites.class.getName() + ".FILTERED";

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !"POST".equals(request.getMethod()) || !PATH.equals(request.getRequestURI());
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    AbstractAuthenticationToken caller = plainCaller(request);
    if (caller == null) {
      passed.increment();
      chain.doFilter(request, response);
      return;
    }
    served.increment();
    contexts.getContext().setAuthentication(caller);
    try {
      take(request, response);
    } finally {
      contexts.clearContext();
    }
  }

  /** The caller of a request this path takes, else null: the checks here are all made before the body is read. */
  private AbstractAuthenticationToken plainCaller(HttpServletRequest request) {
    if (request.getQueryString() != null || request.isSecure() || !request.getContextPath().isEmpty()
        || !"application/json".equals(request.getContentType())
        || request.getContentLengthLong() <= 0 || request.getContentLengthLong() > MAX_BODY
        || !acceptsJson(request.getHeader("Accept"))
        || request.getHeader(StoreRouter.FORWARDED_HEADER) != null || request.getHeader("X-HotSwap-Peer") != null
        || request.getHeader("Forwarded") != null || request.getHeader("X-Forwarded-For") != null
        || request.getHeader("Origin") != null) {
      return null;
    }
    return callers.of(request);
  }

  /** An {@code Accept} Spring MVC answers with JSON whatever the outcome: none, anything, or JSON. */
  private static boolean acceptsJson(String accept) {
    return accept == null || accept.equals("*/*") || accept.equals("application/json");
  }

  /** Reads the body, calls the controller and answers, as the dispatcher would. */
  private void take(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
    Mvc mvc = this.mvc.get();
    // what the filter chain would have written and resolved on the way in
    FastConfigReads.SECURITY_HEADERS.forEach(writer -> writer.writeHeaders(request, response));
    request.setAttribute(ClientAddresses.ATTRIBUTE, request.getRemoteAddr());
    request.setAttribute(RateLimits.LIMIT_ATTRIBUTE, callers.limit());
    ServerHttpObservationFilter.findObservationContext(request).ifPresent(context -> context.setPathPattern(PATH));
    ResponseEntity<?> answer;
    try {
      ConfigRequests.Create body;
      try {
        body = json.readValue(request.getInputStream(), ConfigRequests.Create.class);
      } catch (JacksonException unreadable) {
        // the message converter's own wrapping, so the problem's detail is the one the controller's path gives
        throw new HttpMessageNotReadableException("JSON parse error: " + unreadable.getOriginalMessage(), unreadable,
            new ServletServerHttpRequest(request));
      }
      if (body == null) {
        // a JSON null: the argument resolver's answer for a required body that is missing
        throw new HttpMessageNotReadableException("Required request body is missing: " + mvc.handler().getMethod().toGenericString(),
            new ServletServerHttpRequest(request));
      }
      answer = mvc.controller().create(body, request, response);
    } catch (Exception e) {
      if (mvc.exceptions().resolveException(request, response, mvc.handler(), e) == null) {
        throw new ServletException(e);
      }
      return;
    }
    if (answer.getStatusCode().is2xxSuccessful() && answer.getBody() instanceof ConfigView view) {
      byte[] bytes = json.writeValueAsBytes(view);
      response.setStatus(answer.getStatusCode().value());
      answer.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
      response.setContentType("application/json");
      response.setContentLength(bytes.length);
      response.getOutputStream().write(bytes);
      return;
    }
    try {
      mvc.answers().handleReturnValue(answer, mvc.returnType(), new ModelAndViewContainer(), new ServletWebRequest(request, response));
    } catch (Exception e) {
      throw new ServletException(e);
    }
  }
}
