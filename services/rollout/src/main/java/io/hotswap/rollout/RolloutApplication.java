package io.hotswap.rollout;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The rollout service: judges every command before anything changes. */
@SpringBootApplication
public class RolloutApplication {

  /** Reads {@code rollout.properties} from the jar, then the usual {@code application.*} overrides. */
  public static final String CONFIG_NAME = "rollout,application";

  public static SpringApplication application() {
    return new SpringApplicationBuilder(RolloutApplication.class).properties("spring.config.name=" + CONFIG_NAME).build();
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
