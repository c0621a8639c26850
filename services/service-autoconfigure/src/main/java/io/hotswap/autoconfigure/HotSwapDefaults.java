package io.hotswap.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.ResourcePropertySource;

/**
 * The settings every service starts from ({@code hotswap-defaults.properties}: the environment
 * variables operators set once for the whole platform — {@code HOTSWAP_KAFKA_BOOTSTRAP},
 * {@code HOTSWAP_JWT_SECRET}, {@code HOTSWAP_MASTER_KEY} … — and the management endpoints),
 * added last so that a service's own file and anything set from outside win. Only for a HotSwap
 * service (one whose properties set {@code hotswap.service-name}).
 */
public class HotSwapDefaults implements EnvironmentPostProcessor {

  static final String RESOURCE = "hotswap-defaults.properties";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    if (!environment.containsProperty("hotswap.service-name")) {
      return;
    }
    try {
      environment.getPropertySources().addLast(new ResourcePropertySource("hotswapDefaults", new ClassPathResource(RESOURCE, HotSwapDefaults.class)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
