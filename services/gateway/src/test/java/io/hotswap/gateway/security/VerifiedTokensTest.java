package io.hotswap.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.core.testing.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidators;

/** A token's signature is checked once, but its lifetime on every use. */
class VerifiedTokensTest {

  private final JwtDecoder real = new SecurityConfiguration().jwtDecoder(JwtDecoderTest.settings(Tokens.SECRET, "", Tokens.ISSUER));

  @Test
  void shouldVerifyAKnownTokenOnceAndStillRefuseItOnceExpired() {
    AtomicInteger verifications = new AtomicInteger();
    Instant[] now = {Instant.now()};
    var validator = JwtValidators.createDefaultWithIssuer(Tokens.ISSUER);
    VerifiedTokens tokens = new VerifiedTokens(token -> {
      verifications.incrementAndGet();
      return real.decode(token);
    }, validator, Duration.ofMinutes(5), 100);
    String token = Tokens.sign(Tokens.SECRET, Tokens.ISSUER, "alice", List.of("Admin"), List.of(), now[0].minusSeconds(1), Duration.ofSeconds(2));

    assertThat(tokens.decode(token).getSubject()).isEqualTo("alice");
    assertThat(tokens.decode(token).getSubject()).isEqualTo("alice");
    assertThat(verifications).as("the second use is not verified again").hasValue(1);

    // the default validator allows 60 s of clock skew: a token that expired longer ago than that is refused, cached or not
    String expired = Tokens.sign(Tokens.SECRET, Tokens.ISSUER, "bob", List.of("Admin"), List.of(), now[0].minus(Duration.ofMinutes(10)),
        Duration.ofMinutes(1));
    assertThatThrownBy(() -> tokens.decode(expired)).isInstanceOf(JwtException.class);
  }

  @Test
  void shouldRefuseACachedTokenWhoseLifetimeEndedSinceItWasVerified() {
    AtomicInteger uses = new AtomicInteger();
    VerifiedTokens tokens = new VerifiedTokens(real, jwt -> uses.incrementAndGet() == 1
        ? org.springframework.security.oauth2.core.OAuth2TokenValidatorResult.success()
        : org.springframework.security.oauth2.core.OAuth2TokenValidatorResult.failure(
            new org.springframework.security.oauth2.core.OAuth2Error("invalid_token", "Jwt expired at " + jwt.getExpiresAt(), null)),
        Duration.ofMinutes(5), 100);
    String token = Tokens.admin();
    tokens.decode(token);
    tokens.decode(token);
    assertThatThrownBy(() -> tokens.decode(token)).as("checked again on every use: now past its lifetime")
        .isInstanceOf(JwtException.class).hasMessageContaining("expired");
  }

  @Test
  void shouldNotRememberAForgedToken() {
    VerifiedTokens tokens = new VerifiedTokens(real, JwtValidators.createDefaultWithIssuer(Tokens.ISSUER), Duration.ofMinutes(5), 100);
    String forged = Tokens.sign("another-secret-another-secret-another-secret", Tokens.ISSUER, "mallory", List.of("Admin"), List.of(),
        Instant.now(), Duration.ofHours(1));
    assertThatThrownBy(() -> tokens.decode(forged)).isInstanceOf(JwtException.class);
    assertThatThrownBy(() -> tokens.decode(forged)).isInstanceOf(JwtException.class);
  }
}
