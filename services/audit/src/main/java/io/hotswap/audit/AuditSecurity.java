package io.hotswap.audit;

import io.hotswap.autoconfigure.HotSwapServiceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/** The audit trail is for the roles that may read it (as at the gateway); every other endpoint but health needs a token. */
@Configuration(proxyBeanMethods = false)
class AuditSecurity {

  @Bean
  SecurityFilterChain api(HttpSecurity http) throws Exception {
    return HotSwapServiceAutoConfiguration.stateless(http)
        .authorizeHttpRequests(auth -> {
          auth.requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll();
          auth.requestMatchers("/api/v1/audit-logs", "/api/v1/audit-logs/export", "/api/v1/audit-logs/replay", "/api/v1/audit-logs/verify")
              .hasAnyRole("Admin", "Operator", "Approver", "Viewer", "TenantAdmin", "TenantOwner");
          auth.anyRequest().authenticated();
        })
        .build();
  }
}
