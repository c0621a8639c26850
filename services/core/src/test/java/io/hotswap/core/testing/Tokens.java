package io.hotswap.core.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Signed test tokens, shaped like those of {@code ./hotswap token}. */
public final class Tokens {

  /** The secret every test context is configured with. */
  public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";
  public static final String ISSUER = "hotswap";
  /** The master key (base64 of 32 bytes) every test gateway wraps data keys with. */
  public static final String MASTER_KEY = java.util.Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  private Tokens() {}

  public static String admin() {
    return token("it-tester", List.of("Admin"), List.of());
  }

  public static String token(String subject, List<String> roles, List<String> tenants) {
    return sign(SECRET, ISSUER, subject, roles, tenants, Instant.now(), Duration.ofHours(1));
  }

  public static String sign(String secret, String issuer, String subject, List<String> roles, List<String> tenants,
                            Instant notBefore, Duration ttl) {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .subject(subject)
        .issuer(issuer)
        .issueTime(Date.from(notBefore))
        .notBeforeTime(Date.from(notBefore))
        .expirationTime(Date.from(notBefore.plus(ttl)))
        .claim("roles", roles);
    if (!tenants.isEmpty()) {
      claims.claim("tenants", tenants);
    }
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
      jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
