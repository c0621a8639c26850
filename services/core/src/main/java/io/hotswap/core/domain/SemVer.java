package io.hotswap.core.domain;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A profile's semantic version, {@code MAJOR.MINOR.PATCH} (no pre-release or build parts: tag a
 * version {@code beta} instead). Ordered numerically; {@link #sortable()} is its store-key form,
 * which sorts the same way as text.
 */
public record SemVer(long major, long minor, long patch) implements Comparable<SemVer> {

  private static final Pattern FORM = Pattern.compile("(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})");

  public static SemVer parse(String text, String field) {
    Matcher m = text == null ? null : FORM.matcher(text.trim());
    if (m == null || !m.matches()) {
      throw Rejection.badRequest("invalid-version", field + " must be a semantic version MAJOR.MINOR.PATCH like 1.0.1 (got '"
          + Texts.abbreviate(text) + "')", field);
    }
    return new SemVer(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
  }

  public static SemVer fromSortable(String sortable) {
    String[] p = sortable.split("\\.");
    return new SemVer(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]));
  }

  public String sortable() {
    return String.format("%09d.%09d.%09d", major, minor, patch);
  }

  public SemVer nextPatch() {
    return new SemVer(major, minor, patch + 1);
  }

  @Override
  public int compareTo(SemVer o) {
    int c = Long.compare(major, o.major);
    if (c == 0) {
      c = Long.compare(minor, o.minor);
    }
    return c == 0 ? Long.compare(patch, o.patch) : c;
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
