package io.hotswap.client;

/**
 * One applied change: the value before ({@code null} when the key is new) and after ({@code null}
 * when the key was removed).
 */
public record Change(String tenantId, String key, ConfigValue.Kind kind, ConfigValue oldValue, ConfigValue newValue) {

  public Long oldVersion() {
    return oldValue == null ? null : oldValue.version();
  }

  public Long newVersion() {
    return newValue == null ? null : newValue.version();
  }

  public boolean removed() {
    return newValue == null;
  }
}
