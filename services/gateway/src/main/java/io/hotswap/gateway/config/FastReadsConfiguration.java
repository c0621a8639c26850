package io.hotswap.gateway.config;

import io.hotswap.autoconfigure.HotSwapServiceAutoConfiguration;
import io.hotswap.gateway.ratelimit.RateLimits;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.AccessMatrix;
import io.hotswap.gateway.security.TenantScope;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import tools.jackson.databind.json.JsonMapper;

/** The direct path for config reads ({@link FastConfigReads}), on unless {@code hotswap.gateway.fast-reads=false}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "hotswap.gateway.fast-reads", havingValue = "true", matchIfMissing = true)
class FastReadsConfiguration {

  @Bean
  FilterRegistrationBean<FastConfigReads> fastConfigReads(JwtDecoder tokens, AccessMatrix matrix, TenantScope scope, RateLimits rateLimits,
                                                         StoreRouter router, JsonMapper json, MeterRegistry meters) {
    FilterRegistrationBean<FastConfigReads> registration = new FilterRegistrationBean<>(new FastConfigReads(tokens,
        HotSwapServiceAutoConfiguration.rolesConverter(), matrix, scope, rateLimits, router, json, meters));
    registration.addUrlPatterns("/api/v1/configs/*");
    // after the request context and the HTTP observation (so metrics and traces see every read), just before Spring Security
    registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
    return registration;
  }
}
