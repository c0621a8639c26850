package io.hotswap.audit;

import io.hotswap.core.security.JwtSecrets;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Every endpoint but health needs a JWT, verified as the gateway verifies it (HS256 shared secret
 * or a JWK Set URI; issuer checked; roles from the {@code roles} claim).
 */
@Configuration(proxyBeanMethods = false)
class AuditSecurity {

  @Bean
  SecurityFilterChain api(HttpSecurity http) throws Exception {
    JwtGrantedAuthoritiesConverter roles = new JwtGrantedAuthoritiesConverter();
    roles.setAuthoritiesClaimName("roles");
    roles.setAuthorityPrefix("ROLE_");
    JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
    converter.setJwtGrantedAuthoritiesConverter(roles);
    http.csrf(csrf -> csrf.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .authorizeHttpRequests(auth -> {
          auth.requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll();
          auth.requestMatchers("/api/v1/audit-logs", "/api/v1/audit-logs/export", "/api/v1/audit-logs/replay", "/api/v1/audit-logs/verify")
              .hasAnyRole("Admin", "Operator", "Approver", "Viewer", "TenantAdmin", "TenantOwner");
          auth.anyRequest().authenticated();
        })
        .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.jwtAuthenticationConverter(converter)));
    return http.build();
  }

  @Bean
  JwtDecoder jwtDecoder(@Value("${hotswap.security.jwt.secret:}") String secret,
                        @Value("${hotswap.security.jwt.jwk-set-uri:}") String jwkSetUri,
                        @Value("${hotswap.security.jwt.issuer:hotswap}") String issuer) {
    NimbusJwtDecoder decoder = jwkSetUri.isBlank()
        ? NimbusJwtDecoder.withSecretKey(JwtSecrets.hmacKey(secret)).macAlgorithm(MacAlgorithm.HS256).build()
        : NimbusJwtDecoder.withJwkSetUri(jwkSetUri).build();
    decoder.setJwtValidator(issuer.isBlank() ? JwtValidators.createDefault() : JwtValidators.createDefaultWithIssuer(issuer));
    return decoder;
  }
}
