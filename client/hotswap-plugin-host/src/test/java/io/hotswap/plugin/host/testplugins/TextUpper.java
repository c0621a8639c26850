package io.hotswap.plugin.host.testplugins;

/** A library class the "text-utils" plugin carries and its dependents use. */
public final class TextUpper {
  private TextUpper() {}

  public static String upper(String s) {
    return s.toUpperCase(java.util.Locale.ROOT) + "!";
  }
}
