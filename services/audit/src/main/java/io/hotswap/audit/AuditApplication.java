package io.hotswap.audit;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The audit service: sinks hotswap.audit.v1 into an append-only PostgreSQL table and serves queries on it. */
@SpringBootApplication
public class AuditApplication {

  /** Reads {@code audit.properties} from the jar, then the usual {@code application.*} overrides. */
  public static final String CONFIG_NAME = "audit,application";

  public static SpringApplication application() {
    return new SpringApplicationBuilder(AuditApplication.class).properties("spring.config.name=" + CONFIG_NAME).build();
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
