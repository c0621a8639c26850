package io.hotswap.core.security;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** The shared HS256 signing secret: at least 256 bits, as HMAC-SHA256 requires. */
public final class JwtSecrets {

  public static final int MIN_BYTES = 32;

  private JwtSecrets() {}

  public static SecretKey hmacKey(String secret) {
    byte[] bytes = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < MIN_BYTES) {
      throw new IllegalArgumentException("The JWT secret (HOTSWAP_JWT_SECRET / hotswap.security.jwt.secret) must be at least "
          + MIN_BYTES + " bytes; it is " + bytes.length);
    }
    return new SecretKeySpec(bytes, "HmacSHA256");
  }

  /** A new random secret (48 random bytes, base64url): what the embedded default generates on first start. */
  public static String generate() {
    byte[] bytes = new byte[48];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
