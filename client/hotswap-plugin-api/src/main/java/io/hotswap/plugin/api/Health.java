package io.hotswap.plugin.api;

import java.util.Objects;

/**
 * A plugin's answer to a health probe.
 *
 * @param healthy whether the plugin passes the probe
 * @param detail why, in words an operator reads in the plugin's health report (empty when up)
 */
public record Health(boolean healthy, String detail) {

  public Health {
    Objects.requireNonNull(detail, "detail");
  }

  public static Health up() {
    return new Health(true, "");
  }

  public static Health down(String detail) {
    return new Health(false, detail);
  }
}
