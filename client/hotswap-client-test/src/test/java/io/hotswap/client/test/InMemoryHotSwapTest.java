package io.hotswap.client.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotswap.client.Change;
import io.hotswap.client.Choice;
import io.hotswap.client.ConfigValue;
import io.hotswap.client.Context;
import io.hotswap.client.HotSwapClient;
import io.hotswap.client.Instance;
import io.hotswap.client.Selector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a service's own tests get from hotswap-client-test: a real client, fed by hand, no broker. */
class InMemoryHotSwapTest {

  record Limits(int rps, String region) {}

  @Test
  void shouldServeWhatTheTestPutsThroughTheClientsOwnGetters() throws Exception {
    try (InMemoryHotSwap hotswap = InMemoryHotSwap.forTenant("acme")) {
      HotSwapClient client = hotswap.client();
      client.ready().get();
      assertThat(client.status().fresh()).as("ready and fresh at once").isTrue();
      assertThat(client.getBoolean("feature.new_ui", false)).isFalse();

      hotswap.put(TestValue.bool("acme", "feature.new_ui", true).version(4))
          .put(TestValue.number("acme", "limits.rps", 250))
          .put(TestValue.json("acme", "limits", "{\"rps\": 10, \"region\": \"eu\"}"))
          .put(TestValue.profile("acme", "checkout", "{\"timeoutMs\": 250}", "1.2.0"));

      assertThat(client.getBoolean("feature.new_ui", false)).isTrue();
      assertThat(client.get("feature.new_ui")).map(ConfigValue::version).contains(4L);
      assertThat(client.getLong("limits.rps", 0)).isEqualTo(250);
      assertThat(client.getJson("acme", "limits", Limits.class, null)).isEqualTo(new Limits(10, "eu"));
      assertThat(client.getProfile("acme", "checkout")).map(ConfigValue::semver).contains("1.2.0");
      assertThat(client.getProfileDocument("acme", "checkout").orElseThrow().get("timeoutMs").asInt()).isEqualTo(250);
      assertThat(client.all("acme")).containsOnlyKeys("feature.new_ui", "limits.rps", "limits", "profile:checkout");

      hotswap.remove("acme", "limits.rps").removeProfile("acme", "checkout");
      assertThat(client.getLong("limits.rps", -1)).isEqualTo(-1);
      assertThat(client.getProfile("acme", "checkout")).isEmpty();
    }
  }

  @Test
  void shouldTellListenersOfEveryChangeInOrder() {
    try (InMemoryHotSwap hotswap = InMemoryHotSwap.forTenant("acme")) {
      List<Change> heard = new CopyOnWriteArrayList<>();
      hotswap.client().subscribe(Selector.prefix("acme", "feature."), heard::add);
      hotswap.put(TestValue.bool("acme", "feature.x", false))
          .put(TestValue.bool("acme", "feature.x", true).version(2))
          .put(TestValue.string("acme", "other", "not heard"))
          .remove("acme", "feature.x");
      await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 3);
      assertThat(heard).extracting(Change::oldVersion, Change::newVersion)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(null, 1L), org.assertj.core.groups.Tuple.tuple(1L, 2L),
              org.assertj.core.groups.Tuple.tuple(2L, null));
      assertThat(heard.get(2).removed()).isTrue();
    }
  }

  @Test
  void shouldSealSecretsLikeThePlatformAndOpenThemInTheClient() {
    try (InMemoryHotSwap hotswap = InMemoryHotSwap.forTenant("acme")) {
      hotswap.put(TestValue.secret("acme", "db.password", "hunter2"))
          .put(TestValue.secret("acme", "api.token", "old-token").canary("new-token", 100.0, "userId"));
      HotSwapClient client = hotswap.client();
      assertThat(client.getString("db.password", null)).isEqualTo("hunter2");
      assertThat(client.get("db.password").orElseThrow().toString()).doesNotContain("hunter2");
      assertThat(client.getString("api.token", null)).as("the candidate this instance serves, opened").isEqualTo("new-token");
      assertThat(client.getString("acme", "api.token", null, Context.of("userId", "u1"))).as("and a caller's, opened").isEqualTo("new-token");
      assertThat(client.choice("acme", "api.token", Context.of("userId", "u1")).orElseThrow().value())
          .as("a choice carries the value as the topic does").startsWith("hsenc:");
    }
  }

  @Test
  void shouldChooseRolloutArmsByInstanceAndCaller() {
    Instance canary = new Instance("checkout-7", "checkout", List.of("canary"));
    try (InMemoryHotSwap hotswap = InMemoryHotSwap.of("staging", "acme", canary)) {
      HotSwapClient client = hotswap.client();
      assertThat(client.environment()).isEqualTo("staging");
      hotswap.put(TestValue.string("acme", "by.tag", "old").forTags("new", "canary"))
          .put(TestValue.string("acme", "by.id", "old").forInstances("new", "checkout-1"))
          .put(TestValue.string("acme", "ab", "old").variants("userId", TestValue.Variant.of("A", 1, "a"), TestValue.Variant.of("B", 0, "b")));
      assertThat(client.choice("acme", "by.tag", Context.EMPTY).map(Choice::arm)).contains(Choice.CANDIDATE);
      assertThat(client.choice("acme", "by.id", Context.EMPTY).map(Choice::arm)).contains(Choice.STABLE);
      assertThat(client.getString("acme", "ab", null, Context.of("userId", "anyone"))).as("a zero weight never wins").isEqualTo("a");
      assertThat(client.getString("acme", "ab", null, Context.EMPTY)).as("no sticky attribute: stable").isEqualTo("old");
    }
  }

  @Test
  void shouldWriteSnapshotFilesARealClientStartsFrom(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("snapshot.json");
    TestSnapshots.write(file, "production", TestValue.string("acme", "greeting", "hello").version(7));
    try (HotSwapClient client = HotSwapClient.builder().bootstrapServers("localhost:1").environment("production").tenant("acme")
        .register(false).snapshotFile(file).build().start()) {
      assertThat(client.getString("greeting", null)).isEqualTo("hello");
      assertThat(client.status().servingFromFile()).isTrue();
    }
    assertThatThrownBy(() -> TestSnapshots.write(file, "production", List.of(TestValue.secret("acme", "s", "x"))))
        .hasMessageContaining("InMemoryHotSwap");
  }
}
