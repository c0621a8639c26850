package io.hotswap.client.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotswap.client.Change;
import io.hotswap.client.Choice;
import io.hotswap.client.ConfigValue;
import io.hotswap.client.Context;
import io.hotswap.client.Instance;
import io.hotswap.client.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Which arm an instance serves to calls without a context — the plain getters, JSON, profiles (and
 * so the Spring property source): a rollout reaches instances, not only callers who pass one.
 */
class InstanceCohortsTest {

  private static InMemoryHotSwap instance(String id, String... tags) {
    return InMemoryHotSwap.of("production", "acme", new Instance(id, "web", List.of(tags)));
  }

  /** The instances (of {@code count}, ids web-0…) whose plain getter serves the candidate of a canary at {@code percentage}. */
  private static Set<String> reached(int count, double percentage) {
    Set<String> reached = new TreeSet<>();
    for (int i = 0; i < count; i++) {
      try (InMemoryHotSwap hotswap = instance("web-" + i)) {
        hotswap.put(TestValue.string("acme", "checkout.flow", "old").version(4).canary("new", percentage, "userId"));
        if (hotswap.client().getString("checkout.flow", null).equals("new")) {
          reached.add("web-" + i);
          assertThat(hotswap.client().get("checkout.flow")).map(ConfigValue::version).contains(5L);
          assertThat(hotswap.client().get("checkout.flow")).map(ConfigValue::arm).contains(Choice.CANDIDATE);
        }
      }
    }
    return reached;
  }

  @Test
  void shouldGiveAPercentageOfInstancesTheCandidateAndKeepThemInAsItGrows() {
    Set<String> tenPercent = reached(400, 10);
    Set<String> quarter = reached(400, 25);
    assertThat(tenPercent.size()).as("about 10 %% of 400 instances").isBetween(24, 56);
    assertThat(quarter.size()).as("about 25 %% of 400 instances").isBetween(76, 124);
    assertThat(quarter).as("sticky: raising the share keeps those already in").containsAll(tenPercent);
    assertThat(reached(50, 0)).isEmpty();
    assertThat(reached(50, 100)).hasSize(50);
  }

  @Test
  void shouldGiveNamedInstancesAndTagsTheCandidateInEveryContextFreeReadPath() {
    try (InMemoryHotSwap green = instance("web-green", "green"); InMemoryHotSwap blue = instance("web-blue")) {
      for (InMemoryHotSwap hotswap : List.of(green, blue)) {
        hotswap.put(TestValue.json("acme", "limits", "{\"rps\": 10}").forTags("{\"rps\": 50}", "green"))
            .put(TestValue.bool("acme", "feature.x", false).forInstances("true", "web-green"))
            .put(TestValue.profile("acme", "web", "{\"theme\": \"blue\"}", "1.0.0").forTags("{\"theme\": \"green\"}", "green"));
      }
      assertThat(green.client().getJson("limits").orElseThrow().get("rps").asInt()).isEqualTo(50);
      assertThat(green.client().getBoolean("feature.x", false)).isTrue();
      assertThat(green.client().getProfileDocument("acme", "web").orElseThrow().get("theme").asString()).isEqualTo("green");
      assertThat(green.client().all("acme")).allSatisfy((k, v) -> assertThat(v.arm()).isEqualTo(Choice.CANDIDATE));
      assertThat(blue.client().getJson("limits").orElseThrow().get("rps").asInt()).isEqualTo(10);
      assertThat(blue.client().getBoolean("feature.x", true)).isFalse();
      assertThat(blue.client().getProfileDocument("acme", "web").orElseThrow().get("theme").asString()).isEqualTo("blue");
      // a call with a context is still placed per caller: a user of the blue instance, outside any percentage, gets stable
      assertThat(blue.client().getString("acme", "feature.x", null, Context.of("userId", "u1"))).isEqualTo("false");
    }
  }

  @Test
  void shouldSplitInstancesOverAnAbTestsVariants() {
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      try (InMemoryHotSwap hotswap = instance("web-" + i)) {
        hotswap.put(TestValue.string("acme", "theme", "plain")
            .variants("userId", TestValue.Variant.of("A", 1, "a"), TestValue.Variant.of("B", 1, "b")));
        served.add(hotswap.client().get("theme").orElseThrow().arm());
      }
    }
    assertThat(served).containsOnly("A", "B");
    assertThat(served.stream().filter("B"::equals).count()).as("about half of 200").isBetween(70L, 130L);
  }

  @Test
  void shouldTellListenersWhenTheInstanceChangesArm() {
    try (InMemoryHotSwap green = instance("web-green", "green")) {
      List<Change> heard = new CopyOnWriteArrayList<>();
      green.client().subscribe(Selector.key("acme", "web.theme"), heard::add);
      green.put(TestValue.string("acme", "web.theme", "blue").version(3));
      green.put(TestValue.string("acme", "web.theme", "blue").version(3).forTags("green", "green")); // the deployment starts
      green.put(TestValue.string("acme", "web.theme", "green").version(4));                          // everyone switched
      await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 3);
      assertThat(heard.get(1).oldValue().arm()).isEqualTo(Choice.STABLE);
      assertThat(heard.get(1).newValue().arm()).isEqualTo(Choice.CANDIDATE);
      assertThat(heard.get(1).newValue().text()).isEqualTo("green");
      assertThat(heard.get(1).newVersion()).isEqualTo(4L);
      assertThat(heard.get(2).newValue().arm()).isEqualTo(Choice.STABLE);
    }
  }
}
