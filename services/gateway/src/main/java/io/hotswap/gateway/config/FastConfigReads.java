package io.hotswap.gateway.config;

import io.hotswap.avro.ConfigEntry;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.gateway.ratelimit.RateLimits;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.AccessMatrix;
import io.hotswap.gateway.security.TenantScope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's hottest call — {@code GET /api/v1/configs/{configId}} of a key this gateway owns —
 * answered before the general servlet stack. Of a read's CPU, Spring Security's filter chain, Spring
 * MVC's handler look-up (matching ~100 path patterns) and its return-value handling took about
 * two thirds, the store look-up under a tenth (load-tests/RESULTS.md); this filter does the same
 * checks with the same parts — the gateway's {@link JwtDecoder}, the roles converter, the access
 * matrix's row for the endpoint, {@link TenantScope}, {@link RateLimits}, the owner's store, the
 * MVC's {@link JsonMapper} — and nothing else.
 *
 * <p>It answers only the plain success: a valid bearer token whose roles may read, a tenant the
 * caller may see and this instance owns, a key that exists, a read token left. Everything else —
 * a bad or missing token, a query ({@code minVersion}), a conditional request, a forwarded one,
 * TLS, an unusual character in the path, a missing key, an exhausted limit — goes on, untouched,
 * to the filter chain and the controller, which answer it as they answer every other request
 * (their answers are the reference: {@code FastReadsIT} compares the two byte for byte). Turn it
 * off with {@code hotswap.gateway.fast-reads=false}.
 *
 * <p>It runs first, ahead of Spring's HTTP observation too: a read it answers starts no trace (a
 * read changes nothing; a change's trace starts at its write) and is counted in the observation's
 * own {@code http.server.requests} timer by {@link DirectReadTimer}. A read that carries a trace
 * context ({@code traceparent}, B3) goes on to the observed chain, so it joins the caller's trace.
 */
final class FastConfigReads extends OncePerRequestFilter {

  static final String PATH = "/api/v1/configs/{configId}";
  private static final String PREFIX = "/api/v1/configs/";
  /**
   * The headers Spring Security writes on every answer of the API, by its own writers (its
   * defaults: no sniffing, no XSS auditor, no caching, no framing; HSTS over TLS only, which
   * this path does not serve).
   */
  static final java.util.List<org.springframework.security.web.header.HeaderWriter> SECURITY_HEADERS = java.util.List.of(
      new org.springframework.security.web.header.writers.XContentTypeOptionsHeaderWriter(),
      new org.springframework.security.web.header.writers.XXssProtectionHeaderWriter(),
      new org.springframework.security.web.header.writers.CacheControlHeadersWriter(),
      new org.springframework.security.web.header.writers.frameoptions.XFrameOptionsHeaderWriter(
          org.springframework.security.web.header.writers.frameoptions.XFrameOptionsHeaderWriter.XFrameOptionsMode.DENY));

  private final DirectCallers callers;
  private final AccessMatrix.Limit limit;
  private final TenantScope scope;
  private final RateLimits rateLimits;
  private final StoreRouter router;
  private final JsonMapper json;
  private final String servedBy;
  private final Counter served;
  private final Counter passed;
  private final DirectReadTimer timer;
  private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

  FastConfigReads(JwtDecoder tokens, Converter<Jwt, AbstractAuthenticationToken> authentication, AccessMatrix matrix,
                  TenantScope scope, RateLimits rateLimits, StoreRouter router, JsonMapper json, MeterRegistry meters,
                  DirectReadTimer timer) {
    this.timer = timer;
    this.rateLimits = rateLimits;
    this.callers = new DirectCallers(tokens, authentication, matrix, "GET", PATH);
    this.limit = callers.limit();
    this.scope = scope;
    this.router = router;
    this.json = json;
    this.servedBy = router.self().host() + ":" + router.self().port();
    this.served = DirectCallers.outcome(meters, "config.reads.fast", "served", "GET " + PATH + " answered by the gateway's direct path");
    this.passed = DirectCallers.outcome(meters, "config.reads.fast", "passed", "GET " + PATH + " handed on to the filter chain and controller");
  }

  /** Spring builds this name anew on every request; the filter is registered once, so one constant does. */
  @Override
  protected String getAlreadyFilteredAttributeName() {
    return FILTERED;
  }

  private static final String FILTERED = FastConfigReads.class.getName() + ".FILTERED";

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    // one path segment after the prefix: the lists and a key's history are other endpoints, not counted here
    String uri = request.getRequestURI();
    return !"GET".equals(request.getMethod()) || !uri.startsWith(PREFIX) || uri.indexOf('/', PREFIX.length()) >= 0;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long start = System.nanoTime();
    byte[] body = null;
    try {
      body = answer(request, response);
    } finally {
      contexts.clearContext();
    }
    if (body == null) {
      RateLimits.forget(request);
      passed.increment();
      chain.doFilter(request, response);
      return;
    }
    served.increment();
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    timer.record(request, response, System.nanoTime() - start);
  }

  /** The body of a successful answer, its status and headers set; null when the request is not for this path. */
  private byte[] answer(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String configId = plainConfigId(request);
    AbstractAuthenticationToken caller = configId == null ? null : callers.of(request);
    if (caller == null) {
      return null;
    }
    contexts.getContext().setAuthentication(caller);
    StoreKeys.ConfigId id;
    try {
      id = StoreKeys.parseConfigId(configId);
    } catch (Rejection malformed) {
      return null;
    }
    if (!scope.canSee(id.tenantId())) {
      return null;
    }
    int partition = router.ownedPartition(id.tenantId());
    if (partition < 0) {
      return null;
    }
    ConfigEntry entry;
    try {
      entry = router.currentEntry(partition, id.storeKey());
    } catch (InvalidStateStoreException moved) {
      return null;
    }
    if (entry == null || entry.getDeleted()) {
      return null;
    }
    request.setAttribute(RateLimits.LIMIT_ATTRIBUTE, limit);
    try {
      rateLimits.charge(id.tenantId(), request, response);
    } catch (RateLimits.RateLimited | StoreRouter.StoreUnavailable | Rejection refused) {
      return null;
    }
    byte[] body = json.writeValueAsBytes(ConfigView.of(entry));
    // what the controller's answer carries: ETag and the instance that served it
    response.setStatus(HttpServletResponse.SC_OK);
    SECURITY_HEADERS.forEach(writer -> writer.writeHeaders(request, response));
    response.setHeader("ETag", "\"" + entry.getVersion() + "\"");
    response.setHeader(StoreRouter.SERVED_BY_HEADER, servedBy);
    if (!safeExtension(request, configId)) {
      response.setHeader("Content-Disposition", "inline;filename=f.txt");
    }
    response.setContentType("application/json");
    return body;
  }

  /** Spring MVC's own list of extensions it knows to be safe (AbstractMessageConverterMethodProcessor). */
  private static final Set<String> SAFE_EXTENSIONS = Set.of("txt", "text", "yml", "properties", "csv", "json", "xml", "atom", "rss",
      "png", "jpe", "jpeg", "jpg", "gif", "wbmp", "bmp");
  private final java.util.Map<String, Boolean> extensions = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Spring MVC's defence against reflected file download, as the controller's answer has it: a path
   * whose last segment ends in an extension not known to be safe (a config id's key often does:
   * {@code db.password}) gets {@code Content-Disposition: inline;filename=f.txt}, so a browser
   * never saves the JSON as a file of that type. Known safe: Spring's list, and audio, image,
   * video and XML media types by the servlet container's or Spring's type map.
   */
  private boolean safeExtension(HttpServletRequest request, String configId) {
    int dot = configId.lastIndexOf('.');
    if (dot < 0 || dot == configId.length() - 1) {
      return true;
    }
    String extension = configId.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
    if (SAFE_EXTENSIONS.contains(extension)) {
      return true;
    }
    Boolean known = extensions.get(extension);
    if (known == null) {
      String raw = request.getServletContext().getMimeType("file." + extension);
      org.springframework.http.MediaType type = raw == null || raw.isBlank() ? null : org.springframework.http.MediaType.parseMediaType(raw);
      if (type == null || org.springframework.http.MediaType.APPLICATION_OCTET_STREAM.equals(type)) {
        type = org.springframework.http.MediaTypeFactory.getMediaType("file." + extension).orElse(null);
      }
      known = type != null && (Set.of("audio", "image", "video").contains(type.getType()) || type.getSubtype().endsWith("+xml"));
      if (extensions.size() < 10_000) {
        extensions.put(extension, known);
      }
    }
    return known;
  }

  /**
   * The config id of a request this path may answer, else null: no query, no conditional,
   * forwarded, traced or cross-origin request, plain HTTP (over TLS the chain adds HSTS), and an id of characters a config
   * id is made of (so nothing Spring Security's firewall would refuse or decode gets through).
   */
  private static String plainConfigId(HttpServletRequest request) {
    if (request.getQueryString() != null || request.isSecure()
        || request.getHeader("If-None-Match") != null || request.getHeader("If-Modified-Since") != null
        || request.getHeader("If-Match") != null || request.getHeader("If-Unmodified-Since") != null
        || request.getHeader(StoreRouter.FORWARDED_HEADER) != null || request.getHeader("X-HotSwap-Peer") != null
        || request.getHeader("Origin") != null
        || request.getHeader("traceparent") != null || request.getHeader("b3") != null || request.getHeader("X-B3-TraceId") != null) {
      return null;
    }
    String uri = request.getRequestURI();
    if (uri.length() == PREFIX.length() || !request.getContextPath().isEmpty()) {
      return null;
    }
    for (int i = PREFIX.length(); i < uri.length(); i++) {
      char c = uri.charAt(i);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == ':' || c == '.' || c == '_' || c == '-';
      if (!plain) {
        return null;
      }
    }
    return uri.substring(PREFIX.length());
  }
}
