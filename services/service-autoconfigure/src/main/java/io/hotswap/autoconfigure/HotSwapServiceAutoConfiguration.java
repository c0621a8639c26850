package io.hotswap.autoconfigure;

import io.hotswap.core.kafka.SchemaRegistrar;
import io.hotswap.core.security.JwtSecrets;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
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
 * What every HotSwap service needs whatever it does: the topic catalogue (created if missing),
 * serdes that know every published schema version, and token verification — HS256 with the shared
 * secret or a JWK Set URI, the issuer checked, roles from the {@code roles} claim. A service
 * declares its own {@link SecurityFilterChain} when some endpoints need roles; otherwise every
 * endpoint but health needs a valid token.
 */
// before Boot's own: its default security chain, user store and JWT decoder step aside for these
@AutoConfiguration(beforeName = {"org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
    "org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration"})
// only in a HotSwap service (its properties name it): an application that merely has this jar on its
// classpath — a service embedding the client in the same test JVM — keeps its own wiring
@org.springframework.boot.autoconfigure.condition.ConditionalOnProperty("hotswap.service-name")
@EnableConfigurationProperties(HotSwapProperties.class)
public class HotSwapServiceAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  Topics topics(HotSwapProperties properties) {
    return new Topics(properties.getKafka().getPartitions(), properties.getKafka().getReplicationFactor());
  }

  @Bean
  org.springframework.kafka.core.KafkaAdmin.NewTopics hotswapTopics(Topics topics) {
    return new org.springframework.kafka.core.KafkaAdmin.NewTopics(topics.newTopics().toArray(NewTopic[]::new));
  }

  /** Serdes whose schema store also knows every schema version published by other services. */
  @Bean
  @ConditionalOnMissingBean
  Serdes serdes(KafkaProperties kafka, HotSwapProperties properties) {
    Serdes serdes = Serdes.create();
    new SchemaRegistrar(kafka.buildAdminProperties(), serdes, properties.getServiceName()).register(Duration.ofSeconds(60));
    return serdes;
  }

  @Bean
  @ConditionalOnMissingBean
  JwtDecoder jwtDecoder(HotSwapProperties properties) {
    return decoder(properties.getSecurity().getJwt());
  }

  /** Verifies signatures (HS256 with the shared secret, or keys from the JWK Set URI) and the token's claims. */
  public static NimbusJwtDecoder decoder(HotSwapProperties.Jwt jwt) {
    NimbusJwtDecoder decoder = jwt.getJwkSetUri().isBlank()
        ? NimbusJwtDecoder.withSecretKey(JwtSecrets.hmacKey(jwt.getSecret())).macAlgorithm(MacAlgorithm.HS256).build()
        : NimbusJwtDecoder.withJwkSetUri(jwt.getJwkSetUri()).build();
    decoder.setJwtValidator(validator(jwt));
    return decoder;
  }

  /** Expiry and not-before, and the issuer when one is configured. */
  public static org.springframework.security.oauth2.core.OAuth2TokenValidator<org.springframework.security.oauth2.jwt.Jwt> validator(
      HotSwapProperties.Jwt jwt) {
    return jwt.getIssuer().isBlank() ? JwtValidators.createDefault() : JwtValidators.createDefaultWithIssuer(jwt.getIssuer());
  }

  /** Every endpoint but health needs a valid token; services whose endpoints need roles declare their own chain. */
  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  @org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication(
      type = org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type.SERVLET)
  static class TokenRequired {

    @Bean
    @ConditionalOnMissingBean(SecurityFilterChain.class)
    SecurityFilterChain tokenRequired(HttpSecurity http) throws Exception {
      return stateless(http)
          .authorizeHttpRequests(auth -> {
            auth.requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll();
            auth.anyRequest().authenticated();
          })
          .build();
    }
  }

  /** No sessions, no CSRF (bearer tokens only), JWTs with roles from the {@code roles} claim: the start of every service's chain. */
  public static HttpSecurity stateless(HttpSecurity http) throws Exception {
    JwtAuthenticationConverter converter = rolesConverter();
    return http.csrf(csrf -> csrf.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.jwtAuthenticationConverter(converter)));
  }

  /** A verified token as an authentication: authorities {@code ROLE_<r>} for each {@code r} of its {@code roles} claim. */
  public static JwtAuthenticationConverter rolesConverter() {
    JwtGrantedAuthoritiesConverter roles = new JwtGrantedAuthoritiesConverter();
    roles.setAuthoritiesClaimName("roles");
    roles.setAuthorityPrefix("ROLE_");
    JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
    converter.setJwtGrantedAuthoritiesConverter(roles);
    return converter;
  }
}
