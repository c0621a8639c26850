package io.hotswap.gateway.config;

import io.hotswap.autoconfigure.HotSwapServiceAutoConfiguration;
import io.hotswap.gateway.ratelimit.RateLimits;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.AccessMatrix;
import io.hotswap.gateway.security.TenantScope;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationFilter;
import io.micrometer.observation.ObservationPredicate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationProperties;
import org.springframework.core.Ordered;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationConvention;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
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
                                                         StoreRouter router, JsonMapper json, MeterRegistry meters,
                                                         ObservationProperties observations,
                                                         ObjectProvider<ServerRequestObservationConvention> convention,
                                                         ObjectProvider<ObservationFilter> filters,
                                                         ObjectProvider<ObservationPredicate> predicates) {
    // the convention, filters and predicates Spring Boot gives the HTTP observation, so the reads
    // this path answers land in the same http.server.requests series
    DirectReadTimer timer = new DirectReadTimer(meters,
        convention.getIfAvailable(() -> new DefaultServerRequestObservationConvention(observations.getHttp().getServer().getRequests().getName())),
        filters.orderedStream().toList(), predicates.orderedStream().toList(), FastConfigReads.PATH);
    FilterRegistrationBean<FastConfigReads> registration = new FilterRegistrationBean<>(new FastConfigReads(tokens,
        HotSwapServiceAutoConfiguration.rolesConverter(), matrix, scope, rateLimits, router, json, meters, timer));
    registration.addUrlPatterns("/api/v1/configs/*");
    // first of all, ahead of the HTTP observation (Ordered.HIGHEST_PRECEDENCE + 1) and the request
    // context: what it answers needs neither (FastConfigReads says why), what it hands on gets both
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }
}
