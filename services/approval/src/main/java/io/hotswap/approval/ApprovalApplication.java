package io.hotswap.approval;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The approval service: judges every command before anything changes. */
@SpringBootApplication
public class ApprovalApplication {

  /** Reads {@code approval.properties} from the jar, then the usual {@code application.*} overrides. */
  public static final String CONFIG_NAME = "approval,application";

  public static SpringApplication application() {
    return new SpringApplicationBuilder(ApprovalApplication.class).properties("spring.config.name=" + CONFIG_NAME).build();
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
