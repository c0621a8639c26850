package io.hotswap.core.domain;

import java.util.regex.Pattern;

/**
 * Configuration keys in dot notation: segments of letters, digits, '_' and '-', separated by
 * single dots, starting with a letter, at most 256 characters ({@code feature.new_ui}).
 */
public final class ConfigKeys {

  public static final int MAX_LENGTH = 256;
  private static final Pattern VALID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*");

  private ConfigKeys() {}

  public static boolean isValid(String key) {
    return key != null && key.length() <= MAX_LENGTH && VALID.matcher(key).matches();
  }

  public static String require(String key) {
    if (!isValid(key)) {
      throw Rejection.badRequest(
          "invalid-key",
          "key must be dot-notation segments of letters, digits, '_' or '-', starting with a letter, at most "
              + MAX_LENGTH + " characters, like feature.new_ui (got '" + Texts.abbreviate(key) + "')",
          "key");
    }
    return key;
  }
}
