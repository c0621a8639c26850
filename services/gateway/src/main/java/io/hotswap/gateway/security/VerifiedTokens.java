package io.hotswap.gateway.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/**
 * A {@link JwtDecoder} that checks a token's signature once: a client sends the same token with
 * every request, and parsing and verifying it was ~9 % of the gateway's request CPU in a write
 * profile (load-tests/RESULTS.md, capacity). The exact token
 * text (signature included) maps to what verifying it gave; the time and issuer claims are still
 * checked on every use, so an expired token is refused as before. Entries are forgotten after
 * {@code ttl} (an identity provider's rotated-out key stops being trusted within that time) and
 * beyond {@code maxTokens}.
 */
final class VerifiedTokens implements JwtDecoder {

  private final JwtDecoder delegate;
  private final OAuth2TokenValidator<Jwt> validator;
  private final Cache<String, Jwt> verified;

  VerifiedTokens(JwtDecoder delegate, OAuth2TokenValidator<Jwt> validator, Duration ttl, long maxTokens) {
    this.delegate = delegate;
    this.validator = validator;
    this.verified = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxTokens).build();
  }

  @Override
  public Jwt decode(String token) {
    Jwt known = verified.getIfPresent(token);
    if (known == null) {
      Jwt jwt = delegate.decode(token);
      verified.put(token, jwt);
      return jwt;
    }
    OAuth2TokenValidatorResult result = validator.validate(known);
    if (result.hasErrors()) {
      verified.invalidate(token);
      throw new JwtValidationException("An error occurred while attempting to decode the Jwt: "
          + result.getErrors().iterator().next().getDescription(), result.getErrors());
    }
    return known;
  }
}
