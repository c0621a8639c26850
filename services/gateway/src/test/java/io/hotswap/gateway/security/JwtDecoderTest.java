package io.hotswap.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.hotswap.core.testing.Tokens;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/** Both key modes of the gateway's decoder: the shared HS256 secret and RS256 from an identity provider's JWK Set. */
class JwtDecoderTest {

  private final SecurityConfiguration config = new SecurityConfiguration();

  @Test
  void shouldAcceptRs256TokensSignedByAKeyOfTheJwkSetAndRefuseOthers() throws Exception {
    RSAKey idpKey = new RSAKeyGenerator(2048).keyID("idp-1").generate();
    RSAKey strangerKey = new RSAKeyGenerator(2048).keyID("idp-1").generate();
    HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] body = ("{\"keys\":[" + idpKey.toPublicJWK().toJSONString() + "]}").getBytes(StandardCharsets.UTF_8);
    jwks.createContext("/jwks", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    jwks.start();
    try {
      JwtDecoder decoder = config.jwtDecoder(settings("", "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks", "https://idp.example"));

      Jwt jwt = decoder.decode(rs256(idpKey, "https://idp.example", "carol", List.of("Operator")));
      assertThat(jwt.getSubject()).isEqualTo("carol");
      assertThat(jwt.getClaimAsStringList("roles")).containsExactly("Operator");

      assertThatThrownBy(() -> decoder.decode(rs256(strangerKey, "https://idp.example", "mallory", List.of("Admin"))))
          .isInstanceOf(JwtException.class);
      assertThatThrownBy(() -> decoder.decode(rs256(idpKey, "https://elsewhere.example", "carol", List.of("Operator"))))
          .isInstanceOf(JwtException.class).hasMessageContaining("iss");
      assertThatThrownBy(() -> decoder.decode(Tokens.admin())).as("an HS256 token is not accepted in JWK mode")
          .isInstanceOf(JwtException.class);
    } finally {
      jwks.stop(0);
    }
  }

  @Test
  void shouldAcceptHs256TokensSignedWithTheSharedSecretAndRefuseOthers() {
    JwtDecoder decoder = config.jwtDecoder(settings(Tokens.SECRET, "", "hotswap"));
    assertThat(decoder.decode(Tokens.admin()).getSubject()).isEqualTo("it-tester");
    assertThatThrownBy(() -> decoder.decode(Tokens.sign("a-different-secret-a-different-secret-0000", "hotswap", "x",
        List.of("Admin"), List.of(), Instant.now(), Duration.ofMinutes(5)))).isInstanceOf(JwtException.class);
    assertThatThrownBy(() -> decoder.decode(Tokens.sign(Tokens.SECRET, "hotswap", "x", List.of("Admin"), List.of(),
        Instant.now().minus(Duration.ofHours(3)), Duration.ofMinutes(5)))).isInstanceOf(JwtException.class).hasMessageContaining("expired");
    assertThatThrownBy(() -> config.jwtDecoder(settings("too-short", "", "hotswap"))).hasMessageContaining("at least 32 bytes");
  }

  private static String rs256(RSAKey key, String issuer, String subject, List<String> roles) throws Exception {
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
        new JWTClaimsSet.Builder().issuer(issuer).subject(subject).issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(600))).claim("roles", roles).build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  /** The token settings a service binds from {@code hotswap.security.jwt.*}. */
  static io.hotswap.autoconfigure.HotSwapProperties settings(String secret, String jwkSetUri, String issuer) {
    io.hotswap.autoconfigure.HotSwapProperties properties = new io.hotswap.autoconfigure.HotSwapProperties();
    properties.getSecurity().getJwt().setSecret(secret);
    properties.getSecurity().getJwt().setJwkSetUri(jwkSetUri);
    properties.getSecurity().getJwt().setIssuer(issuer);
    return properties;
  }
}
