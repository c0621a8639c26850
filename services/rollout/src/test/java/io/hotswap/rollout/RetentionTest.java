package io.hotswap.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionTest {

  static final Instant NOW = Instant.parse("2026-11-23T00:00:00Z");

  static List<Retention.Version> history(int count, long daysBetween) {
    List<Retention.Version> out = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      out.add(new Retention.Version(i, i == 3 ? List.of("stable") : List.of(), NOW.minus(Duration.ofDays(daysBetween * (count - i)))));
    }
    return out;
  }

  @Test
  void shouldKeepTheLastVersionsTaggedOnesAndRecentOnes() {
    Retention policy = new Retention(5, "stable", Duration.ofDays(90));
    // 10 versions, 30 days apart: 1..6 are older than the last 5; 3 is stable; 8..10 are within 90 days anyway
    assertThat(policy.prune(history(10, 30), NOW)).containsExactly(1L, 2L, 4L, 5L);
    // everything younger than 90 days stays, however many versions there are
    assertThat(policy.prune(history(10, 1), NOW)).isEmpty();
    assertThat(Retention.DEFAULT.prune(history(100, 1000), NOW)).isEmpty();
    assertThat(Retention.DEFAULT.prune(history(102, 1000), NOW)).containsExactly(1L, 2L);
  }

  @Test
  void shouldNeverPruneTheCurrentVersion() {
    Retention policy = new Retention(1, "", Duration.ZERO);
    assertThat(policy.prune(history(3, 0), NOW)).containsExactly(1L, 2L);
    assertThat(policy.prune(history(1, 0), NOW)).isEmpty();
    assertThatThrownBy(() -> new Retention(0, "stable", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
