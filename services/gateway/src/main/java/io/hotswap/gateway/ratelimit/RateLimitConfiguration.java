package io.hotswap.gateway.ratelimit;

import io.hotswap.gateway.security.AccessMatrix;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Puts each API endpoint's limit (access matrix) on its requests. */
@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration implements WebMvcConfigurer {

  private final AccessMatrix matrix;

  RateLimitConfiguration(AccessMatrix matrix) {
    this.matrix = matrix;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(new RateLimitInterceptor(matrix)).addPathPatterns("/api/**");
  }
}
