package io.hotswap.client;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * One key's (or profile's) value as a service sees it. For secrets, {@link #text()} decrypts on
 * first use with the tenant's data key; {@link #toString()} never shows a secret.
 */
public final class ConfigValue {

  /** A typed key/value or a whole profile document. */
  public enum Kind { KEY, PROFILE }

  private final String tenantId;
  private final String key;
  private final Kind kind;
  private final String type;
  private final long version;
  private final String semver;
  private final Instant updatedAt;
  private final Supplier<String> text;
  private final String arm;

  /**
   * A value as the client serves it; {@code text} is asked on first use (a secret decrypts then).
   * Public so tests can build the changes their listeners receive.
   */
  public ConfigValue(String tenantId, String key, Kind kind, String type, long version, String semver, Instant updatedAt,
              Supplier<String> text) {
    this(tenantId, key, kind, type, version, semver, updatedAt, text, Choice.STABLE);
  }

  /**
   * A value of one arm of a rollout: {@code arm} is {@link Choice#STABLE}, {@link Choice#CANDIDATE}
   * or an A/B variant's name, and {@code version} that arm's version.
   */
  public ConfigValue(String tenantId, String key, Kind kind, String type, long version, String semver, Instant updatedAt,
                     Supplier<String> text, String arm) {
    this.tenantId = tenantId;
    this.key = key;
    this.kind = kind;
    this.type = type;
    this.version = version;
    this.semver = semver;
    this.updatedAt = updatedAt;
    this.text = text;
    this.arm = arm;
  }

  public String tenantId() {
    return tenantId;
  }

  /** The config key, or the profile's service name for a profile. */
  public String key() {
    return key;
  }

  public Kind kind() {
    return kind;
  }

  /** Declared type: STRING, NUMBER, BOOLEAN, JSON or SECRET (profiles: JSON). */
  public String type() {
    return type;
  }

  public boolean isSecret() {
    return "SECRET".equals(type);
  }

  public long version() {
    return version;
  }

  /** A profile's semantic version; null for keys. */
  public String semver() {
    return semver;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  /**
   * Which arm of a rollout this instance serves: {@code stable} (no rollout, or outside it),
   * {@code candidate}, or an A/B variant's name. The plain getters, JSON, profiles and the Spring
   * property source serve this arm; calls with a {@link Context} choose per caller instead.
   */
  public String arm() {
    return arm;
  }

  /** The value as text (clear text for a secret: handle with care). */
  public String text() {
    return text.get();
  }

  @Override
  public String toString() {
    return "ConfigValue[" + tenantId + '|' + key + " v" + version + (semver == null ? "" : " " + semver)
        + (Choice.STABLE.equals(arm) ? "" : " (" + arm + ")") + ' ' + type + '=' + (isSecret() ? "******" : text()) + ']';
  }
}
