package io.hotswap.gateway.config;

import io.hotswap.autoconfigure.HotSwapServiceAutoConfiguration;
import io.hotswap.gateway.security.AccessMatrix;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import tools.jackson.databind.json.JsonMapper;

/** The direct path for new keys ({@link FastConfigWrites}), on unless {@code hotswap.gateway.fast-writes=false}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "hotswap.gateway.fast-writes", havingValue = "true", matchIfMissing = true)
class FastWritesConfiguration {

  /**
   * After the HTTP observation and the request context (Spring Boot orders them at
   * {@code Ordered.HIGHEST_PRECEDENCE + 1} and -105), before Spring Security's filter chain (-100):
   * a write taken here is observed and has its request context, and skips only the chain.
   */
  static final int ORDER = -101;

  @Bean
  FilterRegistrationBean<FastConfigWrites> fastConfigWrites(JwtDecoder tokens, AccessMatrix matrix, JsonMapper json, MeterRegistry meters,
                                                           ObjectProvider<ConfigController> controller,
                                                           @Qualifier("handlerExceptionResolver") ObjectProvider<HandlerExceptionResolver> exceptions,
                                                           ObjectProvider<RequestMappingHandlerAdapter> adapter) {
    java.util.function.Supplier<FastConfigWrites.Mvc> mvc = org.springframework.util.function.SingletonSupplier.of(() -> FastConfigWrites.Mvc.of(
        controller.getObject(), exceptions.getObject(), adapter.getObject().getReturnValueHandlers()));
    FilterRegistrationBean<FastConfigWrites> registration = new FilterRegistrationBean<>(new FastConfigWrites(tokens,
        HotSwapServiceAutoConfiguration.rolesConverter(), matrix, json, mvc, meters));
    registration.addUrlPatterns(FastConfigWrites.PATH);
    registration.setOrder(ORDER);
    return registration;
  }
}
