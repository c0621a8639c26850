package io.hotswap.core.domain;

import io.hotswap.core.kafka.Topics;
import java.util.Locale;

/** The environments, in promotion order: development, qa, staging, production. */
public final class Environments {

  private Environments() {}

  public static boolean isKnown(String environment) {
    return environment != null && Topics.ENVIRONMENTS.contains(environment);
  }

  /** The base environment: its values are every other environment's defaults. */
  public static final String DEFAULT = "development";

  /**
   * Where a key's value comes from when an environment has no value of its own, in order (seed
   * 000): Production falls back to Staging, then to the default (Development); QA and Staging fall
   * back to the default; Development has no fallback.
   */
  public static java.util.List<String> fallbacks(String environment) {
    return switch (environment) {
      case "production" -> java.util.List.of("staging", DEFAULT);
      case "qa", "staging" -> java.util.List.of(DEFAULT);
      default -> java.util.List.of();
    };
  }

  /** Accepts any letter case ({@code Production}); returns the canonical lower-case id. */
  public static String require(String environment) {
    String canonical = environment == null ? null : environment.toLowerCase(Locale.ROOT);
    if (!isKnown(canonical)) {
      throw Rejection.badRequest(
          "invalid-environment",
          "environment must be one of " + Topics.ENVIRONMENTS + " (got '" + Texts.abbreviate(environment) + "')",
          "environment");
    }
    return canonical;
  }
}
