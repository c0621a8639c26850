package io.hotswap.gateway.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.core.domain.Rejection;
import io.hotswap.plugin.host.Sandbox;
import io.hotswap.plugin.host.TrustPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sandbox sessions are cleaned up once their time is over, and bounded per environment. */
class SandboxServiceTest {

  /** A clock the test moves. */
  private static final class Hands extends Clock {
    Instant now = Instant.parse("2026-12-01T10:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void shouldCleanUpASessionAnHourAfterItWasCreated(@TempDir Path dir) {
    Hands clock = new Hands();
    try (SandboxService sandboxes = new SandboxService(TrustPolicy.trusting(Map.of()), dir, 10, Duration.ofHours(1), Duration.ofHours(1), clock)) {
      String id = sandboxes.create("development", "tester", Sandbox.Limits.defaults()).id;
      clock.now = clock.now.plus(Duration.ofMinutes(59));
      sandboxes.sweep();
      assertThat(sandboxes.get(id).expiresAt).isEqualTo(Instant.parse("2026-12-01T11:00:00Z"));
      clock.now = clock.now.plus(Duration.ofMinutes(1));
      sandboxes.sweep();
      assertThatThrownBy(() -> sandboxes.get(id)).isInstanceOf(Rejection.class).hasMessageContaining("expired");
    }
  }

  @Test
  void shouldBoundSessionsPerEnvironment(@TempDir Path dir) {
    try (SandboxService sandboxes = new SandboxService(TrustPolicy.trusting(Map.of()), dir, 2, Duration.ofHours(1), Duration.ofHours(1),
        Clock.systemUTC())) {
      String first = sandboxes.create("qa", "tester", Sandbox.Limits.defaults()).id;
      sandboxes.create("qa", "tester", Sandbox.Limits.defaults());
      assertThatThrownBy(() -> sandboxes.create("qa", "tester", Sandbox.Limits.defaults()))
          .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.status()).isEqualTo(429));
      sandboxes.create("production", "tester", Sandbox.Limits.defaults());
      sandboxes.cleanup(first);
      assertThat(sandboxes.create("qa", "tester", Sandbox.Limits.defaults()).environment).isEqualTo("qa");
    }
  }
}
