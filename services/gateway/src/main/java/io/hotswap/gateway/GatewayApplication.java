package io.hotswap.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The REST gateway: admins' entry point; turns requests into commands and answers reads from state stores. */
@SpringBootApplication
public class GatewayApplication {

  /** Reads {@code gateway.properties} from the jar, then the usual {@code application.*} overrides. */
  public static final String CONFIG_NAME = "gateway,application";

  public static SpringApplication application() {
    return new SpringApplicationBuilder(GatewayApplication.class).properties("spring.config.name=" + CONFIG_NAME).build();
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
