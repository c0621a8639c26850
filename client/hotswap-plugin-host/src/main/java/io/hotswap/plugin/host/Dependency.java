package io.hotswap.plugin.host;

import org.semver4j.Semver;
import org.semver4j.RangesListFactory;
import org.semver4j.SemverException;

/**
 * One plugin's need for another: the id and an npm-style semantic version range ({@code ^1.2},
 * {@code ~1.2.3}, {@code >=1.0.0 <2.0.0}, {@code 1.x}, an exact version).
 */
public record Dependency(String id, String range) {

  /** Parses {@code id@range}; a bare id accepts any version. */
  public static Dependency parse(String text) throws PluginRejected {
    String t = text.trim();
    int at = t.indexOf('@');
    String id = at < 0 ? t : t.substring(0, at).trim();
    String range = at < 0 ? "*" : t.substring(at + 1).trim();
    if (!PluginManifest.ID.matcher(id).matches() || range.isEmpty()) {
      throw new PluginRejected(PluginRejected.Reason.BAD_MANIFEST,
          "dependency '" + text + "' must be id@range, e.g. text-utils@^1.2");
    }
    boolean understood;
    try {
      understood = !RangesListFactory.create(range).get().isEmpty(); // what it can't read comes back empty
    } catch (SemverException e) {
      understood = false;
    }
    if (!understood) {
      throw new PluginRejected(PluginRejected.Reason.BAD_MANIFEST, "dependency '" + text
          + "': the range is not a semantic version range like ^1.2, ~1.2.3, 1.x or >=1.0.0 <2.0.0");
    }
    return new Dependency(id, range);
  }

  public boolean acceptsVersion(String version) {
    return new Semver(version).satisfies(range);
  }

  @Override
  public String toString() {
    return id + "@" + range;
  }
}
