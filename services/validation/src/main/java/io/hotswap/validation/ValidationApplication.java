package io.hotswap.validation;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The validation service: judges every command before anything changes. */
@SpringBootApplication
public class ValidationApplication {

  /** Reads {@code validation.properties} from the jar, then the usual {@code application.*} overrides. */
  public static final String CONFIG_NAME = "validation,application";

  public static SpringApplication application() {
    return new SpringApplicationBuilder(ValidationApplication.class).properties("spring.config.name=" + CONFIG_NAME).build();
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
