package io.hotswap.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hotswap.avro.LiveRollout;
import io.hotswap.avro.LiveVariant;
import io.hotswap.client.Choice;
import io.hotswap.client.Context;
import io.hotswap.client.Instance;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CohortsTest {

  @org.junit.jupiter.api.BeforeAll
  static void trustAvro() {
    io.hotswap.protocol.AvroSchemas.trustGeneratedClasses();
  }

  private static final String SALT = "acme|checkout.flow";
  private static final Instance PLAIN = new Instance("checkout-7", "checkout", List.of("eu-west"));

  private static LiveRollout.Builder rollout() {
    return LiveRollout.newBuilder().setRolloutId("dep-1").setStickyBy("userId").setCandidate("new").setCandidateVersion(8L);
  }

  @Test
  void shouldGiveEveryoneTheStableValueWithoutARollout() {
    assertThat(Cohorts.choose(SALT, "old", 7, null, PLAIN, Context.of("userId", "u1")))
        .isEqualTo(new Choice("old", 7L, "stable"));
  }

  @Test
  void shouldGiveCanaryTargetsTheCandidateByInstanceIdOrTag() {
    LiveRollout byId = rollout().setTargetInstances(List.of("checkout-7")).build();
    LiveRollout byTag = rollout().setTargetTags(List.of("canary", "eu-west")).build();
    LiveRollout elsewhere = rollout().setTargetInstances(List.of("checkout-1")).setTargetTags(List.of("us-east")).build();

    assertThat(Cohorts.choose(SALT, "old", 7, byId, PLAIN, Context.EMPTY).arm()).isEqualTo("candidate");
    assertThat(Cohorts.choose(SALT, "old", 7, byTag, PLAIN, Context.EMPTY)).isEqualTo(new Choice("new", 8L, "candidate"));
    assertThat(Cohorts.choose(SALT, "old", 7, elsewhere, PLAIN, Context.EMPTY).value()).isEqualTo("old");
  }

  @Test
  void shouldKeepACallerInTheSameBucketAcrossCallsAndGrowingPercentages() {
    Map<String, Boolean> atTen = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      String user = "user-" + i;
      boolean in = "candidate".equals(Cohorts.choose(SALT, "old", 7, rollout().setPercentage(10.0).build(), PLAIN, Context.of("userId", user)).arm());
      atTen.put(user, in);
      // sticky: asking again answers the same
      assertThat(Cohorts.choose(SALT, "old", 7, rollout().setPercentage(10.0).build(), PLAIN, Context.of("userId", user)).arm())
          .isEqualTo(in ? "candidate" : "stable");
    }
    // monotone: whoever was in at 10% stays in at 25%, 50% and 100%
    for (double step : new double[] {25, 50, 100}) {
      LiveRollout wider = rollout().setPercentage(step).build();
      atTen.forEach((user, in) -> {
        if (in) {
          assertThat(Cohorts.choose(SALT, "old", 7, wider, PLAIN, Context.of("userId", user)).arm()).isEqualTo("candidate");
        }
      });
    }
    assertThat(Cohorts.choose(SALT, "old", 7, rollout().setPercentage(0.0).build(), PLAIN, Context.of("userId", "u")).arm()).isEqualTo("stable");
  }

  @Test
  void shouldPlaceAPercentageOfCallersWithinOnePercentOverAHundredThousandKeys() {
    for (double percentage : new double[] {10, 25, 50}) {
      LiveRollout r = rollout().setPercentage(percentage).build();
      int in = 0;
      for (int i = 0; i < 100_000; i++) {
        if ("candidate".equals(Cohorts.choose(SALT, "old", 7, r, PLAIN, Context.of("userId", "user-" + i)).arm())) {
          in++;
        }
      }
      assertThat(in / 1000.0).as("share at %s%%", percentage).isCloseTo(percentage, within(1.0));
    }
  }

  @Test
  void shouldSplitWeightedVariantsWithinOnePercentOverAHundredThousandKeys() {
    LiveRollout ab = rollout().setCandidate(null).setVariants(List.of(
        LiveVariant.newBuilder().setName("A").setWeight(70).setValue("a").setVersion(8L).build(),
        LiveVariant.newBuilder().setName("B").setWeight(20).setValue("b").setVersion(9L).build(),
        LiveVariant.newBuilder().setName("C").setWeight(10).setValue("c").setVersion(10L).build(),
        LiveVariant.newBuilder().setName("off").setWeight(0).setValue("x").build())).build();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      Choice c = Cohorts.choose(SALT, "old", 7, ab, PLAIN, Context.of("userId", "user-" + i));
      counts.merge(c.arm(), 1, Integer::sum);
      assertThat(Cohorts.choose(SALT, "old", 7, ab, PLAIN, Context.of("userId", "user-" + i))).as("sticky").isEqualTo(c);
    }
    assertThat(counts.get("A") / 1000.0).isCloseTo(70.0, within(1.0));
    assertThat(counts.get("B") / 1000.0).isCloseTo(20.0, within(1.0));
    assertThat(counts.get("C") / 1000.0).isCloseTo(10.0, within(1.0));
    assertThat(counts).doesNotContainKey("off");
  }

  @Test
  void shouldGiveCallersWithoutTheStickyAttributeTheStableValue() {
    LiveRollout half = rollout().setPercentage(50.0).build();
    assertThat(Cohorts.choose(SALT, "old", 7, half, PLAIN, Context.of("requestId", "r1")).arm()).isEqualTo("stable");
    assertThat(Cohorts.choose(SALT, "old", 7, half, PLAIN, null).arm()).isEqualTo("stable");
    LiveRollout byRequest = rollout().setStickyBy("requestId").setPercentage(100.0).build();
    assertThat(Cohorts.choose(SALT, "old", 7, byRequest, PLAIN, Context.of("requestId", "r1")).arm()).isEqualTo("candidate");
  }

  @Test
  void shouldBucketKeysIndependently() {
    int same = 0;
    for (int i = 0; i < 10_000; i++) {
      boolean a = Cohorts.bucket("acme|a", "user-" + i) < 1000;
      boolean b = Cohorts.bucket("acme|b", "user-" + i) < 1000;
      if (a && b) {
        same++;
      }
    }
    // independent 10% cohorts overlap on about 1% of callers, not 10%
    assertThat(same).isBetween(50, 200);
  }
}
