package io.hotswap.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How much of a key's history is kept: a version stays while any rule keeps it — it is
 * one of the last {@code keepLast}, it carries the tag {@code keepTag}, or it is younger than
 * {@code keepFor}. The current version always stays. Pruning happens when a key gets a new version
 * and is itself audited ({@code CONFIG_VERSIONS_PRUNED}).
 */
public record Retention(int keepLast, String keepTag, Duration keepFor) {

  public static final Retention DEFAULT = new Retention(100, "stable", Duration.ofDays(90));

  public Retention {
    if (keepLast < 1) {
      throw new IllegalArgumentException("hotswap.retention.keep-last must be at least 1");
    }
  }

  /** One version as retention sees it. */
  record Version(long number, List<String> tags, Instant createdAt) {}

  /** Of {@code versions} (oldest first, the last is current), the numbers the policy removes. */
  List<Long> prune(List<Version> versions, Instant now) {
    List<Long> out = new ArrayList<>();
    int firstKept = Math.max(0, versions.size() - keepLast);
    for (int i = 0; i < firstKept; i++) {
      Version v = versions.get(i);
      boolean tagged = keepTag != null && !keepTag.isBlank() && v.tags().contains(keepTag);
      boolean young = v.createdAt().isAfter(now.minus(keepFor));
      if (!tagged && !young) {
        out.add(v.number());
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "keep the last " + keepLast + ", every version tagged " + keepTag + ", and every version from the last " + keepFor;
  }
}
