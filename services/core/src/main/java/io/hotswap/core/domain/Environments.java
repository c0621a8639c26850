package io.hotswap.core.domain;

import io.hotswap.core.kafka.Topics;
import java.util.Locale;

/** The environments, in promotion order: development, qa, staging, production. */
public final class Environments {

  private Environments() {}

  public static boolean isKnown(String environment) {
    return environment != null && Topics.ENVIRONMENTS.contains(environment);
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
