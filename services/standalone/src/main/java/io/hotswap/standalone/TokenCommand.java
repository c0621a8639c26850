package io.hotswap.standalone;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.hotswap.core.security.JwtSecrets;
import io.hotswap.core.security.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code ./hotswap token --role Admin [--tenant acme] [--ttl 1h] [--subject alice]}: prints a
 * signed HS256 token for the embedded platform, signed with {@code HOTSWAP_JWT_SECRET} or the
 * secret the platform generated into {@code ./data/jwt-secret}. For development only: production
 * tokens come from your identity provider.
 */
public final class TokenCommand {

  static final String SECRET_FILE = "jwt-secret";

  private TokenCommand() {}

  /** The secret every service verifies with: the environment's, else the one kept in the data dir (created on first use). */
  static String secret(Map<String, String> env, Path dataDir, boolean create) throws IOException {
    String fromEnv = env.get("HOTSWAP_JWT_SECRET");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    Path file = dataDir.resolve(SECRET_FILE);
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
    if (!create) {
      throw new IllegalStateException("No JWT secret: set HOTSWAP_JWT_SECRET or start the platform once (./hotswap up) to generate "
          + file);
    }
    Files.createDirectories(dataDir);
    String secret = JwtSecrets.generate();
    Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system; the file keeps its default permissions
    }
    return secret;
  }

  /** Parses the arguments after {@code token} and returns the signed token. */
  static String run(List<String> args, Map<String, String> env) throws IOException {
    List<String> roles = new ArrayList<>();
    List<String> tenants = new ArrayList<>();
    Duration ttl = Duration.ofHours(1);
    String subject = env.getOrDefault("USER", "admin");
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = args.get(++i);
      switch (flag) {
        case "--role" -> roles.addAll(Arrays.asList(value.split(",")));
        case "--tenant" -> tenants.addAll(Arrays.asList(value.split(",")));
        case "--ttl" -> ttl = duration(value);
        case "--subject" -> subject = value;
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("--role is required");
    }
    for (String role : roles) {
      if (Role.fromClaim(role).isEmpty()) {
        throw new IllegalArgumentException("unknown role '" + role + "'; roles: "
            + Arrays.stream(Role.values()).map(Role::claim).toList());
      }
    }
    Path data = Path.of(env.getOrDefault("HOTSWAP_DATA_DIR", "./data"));
    String secret = secret(env, data, false);
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .subject(subject)
        .issuer(env.getOrDefault("HOTSWAP_JWT_ISSUER", "hotswap"))
        .jwtID(UUID.randomUUID().toString())
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)))
        .claim("roles", roles);
    if (!tenants.isEmpty()) {
      claims.claim("tenants", tenants);
    }
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
      jwt.sign(new MACSigner(JwtSecrets.hmacKey(secret).getEncoded()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign the token: " + e.getMessage(), e);
    }
  }

  /** {@code 90s}, {@code 30m}, {@code 1h}, {@code 7d}, or ISO-8601 ({@code PT1H}). */
  static Duration duration(String text) {
    if (text.matches("\\d+[smhd]")) {
      long n = Long.parseLong(text.substring(0, text.length() - 1));
      return switch (text.charAt(text.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    return Duration.parse(text);
  }
}
