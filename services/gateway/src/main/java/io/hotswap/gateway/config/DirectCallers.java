package io.hotswap.gateway.config;

import io.hotswap.gateway.security.AccessMatrix;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Who calls an endpoint that has a direct path ({@link FastConfigReads}, {@link FastConfigWrites}),
 * decided with the parts Spring Security's chain uses — the gateway's {@link JwtDecoder}, the roles
 * converter — and the access matrix's row for the endpoint. Only the plain success is decided
 * here: a request without a well-formed bearer token, with a token the decoder refuses, or whose
 * roles the row does not allow, has no caller, and the direct path hands it to the chain, which
 * answers it (401, 403) as it answers every other request.
 */
final class DirectCallers {

  private final JwtDecoder tokens;
  private final Converter<Jwt, AbstractAuthenticationToken> authentication;
  private final Set<String> allowedAuthorities;
  private final AccessMatrix.Limit limit;
  /**
   * The authentication of each verified token: the decoder hands back the same {@link Jwt} for the
   * same token while it remembers it (it still checks the token's time on every use), so its
   * roles are read once, not on every request.
   */
  private final com.github.benmanes.caffeine.cache.Cache<Jwt, AbstractAuthenticationToken> callers =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().weakKeys().maximumSize(100_000).build();

  DirectCallers(JwtDecoder tokens, Converter<Jwt, AbstractAuthenticationToken> authentication, AccessMatrix matrix, String method,
                String path) {
    this.tokens = tokens;
    this.authentication = authentication;
    AccessMatrix.Row row = matrix.rows().stream().filter(r -> r.method().equals(method) && r.path().equals(path)).findFirst()
        .orElseThrow(() -> new IllegalStateException("the access matrix has no row for " + method + " " + path));
    this.allowedAuthorities = row.allowed().stream().map(r -> "ROLE_" + r.claim()).collect(java.util.stream.Collectors.toUnmodifiableSet());
    this.limit = row.limit();
  }

  /** What the endpoint costs the tenant, from its row. */
  AccessMatrix.Limit limit() {
    return limit;
  }

  /** The caller of a valid bearer token whose roles may call the endpoint; null for anything else. */
  AbstractAuthenticationToken of(HttpServletRequest request) {
    String token = bearerToken(request.getHeader("Authorization"));
    if (token == null) {
      return null;
    }
    AbstractAuthenticationToken caller;
    try {
      caller = callers.get(tokens.decode(token), authentication::convert);
    } catch (JwtException | IllegalArgumentException invalid) {
      return null;
    }
    if (caller == null) {
      return null;
    }
    for (GrantedAuthority authority : caller.getAuthorities()) {
      if (allowedAuthorities.contains(authority.getAuthority())) {
        return caller;
      }
    }
    return null;
  }

  /** The token of an {@code Authorization: Bearer <token>} header in the form RFC 6750 allows, else null. */
  static String bearerToken(String header) {
    if (header == null || !header.startsWith("Bearer ") || header.length() == 7) {
      return null;
    }
    int end = header.length();
    while (end > 7 && header.charAt(end - 1) == '=') {
      end--;
    }
    if (end == 7) {
      return null;
    }
    for (int i = 7; i < end; i++) {
      char c = header.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
      if (!allowed) {
        return null;
      }
    }
    return header.substring(7);
  }

  /** {@code name{outcome=served|passed}}: requests a direct path answered, and those it handed to the chain. */
  static Counter outcome(MeterRegistry meters, String name, String outcome, String description) {
    return Counter.builder(name).tag("outcome", outcome).description(description).register(meters);
  }
}
