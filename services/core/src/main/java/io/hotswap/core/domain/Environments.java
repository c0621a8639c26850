package io.hotswap.core.domain;

import io.hotswap.protocol.Topics;
import java.util.Locale;

/** The environments, in promotion order: development, qa, staging, production. */
public final class Environments {

  private Environments() {}

  public static boolean isKnown(String environment) {
    return environment != null && Topics.ENVIRONMENTS.contains(environment);
  }

  /** Environments whose changes need approval unless a tenant's policy says otherwise. */
  public static final java.util.Set<String> GUARDED_BY_DEFAULT = java.util.Set.of("staging", "production");

  /** {@link #GUARDED_BY_DEFAULT} in promotion order: a new tenant's approval policy. */
  public static final java.util.List<String> GUARDED_BY_DEFAULT_ORDERED = java.util.List.of("staging", "production");

  /** Position in the promotion order (development 0 … production 3). */
  public static int order(String environment) {
    return Topics.ENVIRONMENTS.indexOf(environment);
  }

  /** The environment after this one, or null for production. */
  public static String next(String environment) {
    int i = order(environment);
    return i < 0 || i + 1 >= Topics.ENVIRONMENTS.size() ? null : Topics.ENVIRONMENTS.get(i + 1);
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
