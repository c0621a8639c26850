package io.hotswap.gateway.security;

import io.hotswap.autoconfigure.HotSwapProperties;
import io.hotswap.autoconfigure.HotSwapServiceAutoConfiguration;

import io.hotswap.gateway.web.ProblemHandler;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.ProblemDetail;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every endpoint but health and the API docs needs a JWT (Spring Security's OAuth2 resource
 * server): HS256 with the shared secret ({@code hotswap.security.jwt.secret}), or RS256 from a JWK
 * Set URI ({@code hotswap.security.jwt.jwk-set-uri}) for production identity providers. The issuer
 * is checked; roles come from the {@code roles} claim; who may call what comes from {@link
 * AccessMatrix}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

  /**
   * No observation around each security filter, the authentication and the authorization: the
   * filter chain so wrapped showed in 17 % of a loaded gateway's CPU samples (the profile in issue
   * #12) and the observations add nothing to the metrics users read ({@code http.server.requests}
   * stays).
   */
  @Bean
  org.springframework.security.config.observation.SecurityObservationSettings noSecurityObservations() {
    return org.springframework.security.config.observation.SecurityObservationSettings.noObservations();
  }

  /**
   * Requests Spring Security's firewall refuses (a {@code ..} or {@code ;} in the path, a
   * non-printable header) answer 400 with problem details like any other bad request.
   */
  @Bean
  org.springframework.security.web.firewall.RequestRejectedHandler requestRejectedHandler() {
    return (req, res, e) -> problem(res, 400, "request-rejected", "the request was refused before reaching the API: " + e.getMessage());
  }

  /** Tomcat's own error pages (a URL it can't parse) as problem details too. */
  @Bean
  org.springframework.boot.web.server.WebServerFactoryCustomizer<org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory> problemReports() {
    return io.hotswap.gateway.web.ProblemReportValve.installer();
  }

  @Bean
  AccessMatrix accessMatrix() {
    return AccessMatrix.load();
  }

  @Bean
  SecurityFilterChain api(HttpSecurity http, AccessMatrix matrix, PeerSignature peers,
                         @Value("${hotswap.gateway.trusted-proxies:}") java.util.List<String> trustedProxies) throws Exception {
    PeerFilter peerFilter = new PeerFilter(peers, java.time.Clock.systemUTC());
    io.hotswap.autoconfigure.HotSwapServiceAutoConfiguration.stateless(http)
        .addFilterBefore(peerFilter, org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter.class)
        .addFilterAfter(new ClientAddresses(trustedProxies), PeerFilter.class)
        .authorizeHttpRequests(auth -> {
          auth.requestMatchers("/actuator/health", "/actuator/health/**").permitAll();
          auth.requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**").permitAll();
          auth.requestMatchers("/error").permitAll();
          // the web console's own files hold no data: every call they make carries the user's token
          auth.requestMatchers(HttpMethod.GET, "/console", "/console/", "/console/*").permitAll();
          // gateway-to-gateway only: authenticated by PeerFilter's signature, never by a user token
          auth.requestMatchers("/internal/**").hasAuthority(PeerFilter.PEER_AUTHORITY);
          for (AccessMatrix.Row row : matrix.rows()) {
            auth.requestMatchers(HttpMethod.valueOf(row.method()), row.path()).hasAnyRole(row.allowedClaims());
          }
          auth.requestMatchers("/actuator/**").authenticated();
          auth.anyRequest().denyAll();
        })
        .headers(headers -> headers.addHeaderWriter(new org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter(
            org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher.withDefaults().matcher("/console/**"),
            new org.springframework.security.web.header.writers.StaticHeadersWriter("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"))))
        .oauth2ResourceServer(rs -> rs
            .authenticationEntryPoint((req, res, e) -> problem(res, 401, "unauthenticated",
                "a valid bearer token is required (" + e.getMessage() + ")"))
            .accessDeniedHandler((req, res, e) -> problem(res, 403, "forbidden",
                "your roles do not allow " + req.getMethod() + " " + req.getRequestURI())))
        .exceptionHandling(ex -> ex.authenticationEntryPoint((req, res, e) -> problem(res, 401, "unauthenticated",
            "a valid bearer token is required")));
    return http.build();
  }

  @Bean
  JwtDecoder jwtDecoder(io.hotswap.autoconfigure.HotSwapProperties hotswap) {
    // every request carries a token: verified signatures are remembered for a while (VerifiedTokens)
    HotSwapProperties.Jwt jwt = hotswap.getSecurity().getJwt();
    return new VerifiedTokens(HotSwapServiceAutoConfiguration.decoder(jwt), HotSwapServiceAutoConfiguration.validator(jwt),
        java.time.Duration.ofMinutes(5), 100_000);
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();

  static void problem(HttpServletResponse res, int status, String type, String detail) throws IOException {
    ProblemDetail problem = ProblemHandler.problem(status, type, detail, null);
    java.util.Map<String, Object> p = new java.util.LinkedHashMap<>();
    p.put("type", problem.getType().toString());
    p.put("title", problem.getTitle());
    p.put("status", status);
    p.put("detail", detail);
    res.setStatus(status);
    res.setContentType("application/problem+json");
    if (status == 401) {
      res.setHeader("WWW-Authenticate", "Bearer");
    }
    res.getWriter().write(JSON.writeValueAsString(p));
  }

}
