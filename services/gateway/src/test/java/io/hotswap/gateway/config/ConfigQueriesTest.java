package io.hotswap.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreUpdates;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The config reads on the gateway's real read topology, fed the way rollout feeds it. */
class ConfigQueriesTest {

  private final Serdes serdes = Serdes.create();
  private TopologyTestDriver driver;
  private TestInputTopic<String, ConfigEntry> state;
  private TestInputTopic<String, ConfigEntry> versions;
  private KeyValueStore<String, ConfigEntry> current;
  private KeyValueStore<String, ConfigEntry> history;

  @BeforeEach
  void start() {
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "gateway-test"));
    StreamsBuilder builder = new StreamsBuilder();
    ReadTopology.build(builder, serdes, new StoreUpdates(), new io.hotswap.gateway.reads.OpenViews());
    driver = new TopologyTestDriver(builder.build(), props);
    state = driver.createInputTopic(Topics.CONFIG_STATE, new StringSerializer(), serdes.configEntry().serializer());
    versions = driver.createInputTopic(Topics.CONFIG_VERSIONS, new StringSerializer(), serdes.configEntry().serializer());
    current = driver.getKeyValueStore(ReadTopology.CONFIG_STORE);
    history = driver.getKeyValueStore(ReadTopology.VERSIONS_STORE);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void write(String tenant, String env, String key, long version, String value, boolean deleted, String... tags) {
    Instant now = Instant.now();
    ConfigEntry e = ConfigEntry.newBuilder().setConfigId(tenant + ":" + env + ":" + key).setTenantId(tenant).setEnvironment(env)
        .setKey(key).setValue(value).setValueType(ValueType.STRING).setVersion(version).setDeleted(deleted).setTags(List.of(tags))
        .setCreatedAt(now).setUpdatedAt(now).setUpdatedBy("t").setCommandId("c" + version).build();
    state.pipeInput(StoreKeys.config(tenant, env, key), e);
    versions.pipeInput(StoreKeys.version(tenant, env, key, version), e);
  }

  private static Map<String, String> bySource(List<ConfigView> views) {
    Map<String, String> out = new java.util.TreeMap<>();
    views.forEach(v -> out.put(v.key(), v.value().asString() + " from " + v.source()));
    return out;
  }

  @Test
  void shouldServeAnEnvironmentsOwnValuesOverThoseItInherits() {
    write("acme", "development", "db.pool", 1, "10", false);
    write("acme", "development", "ui.theme", 1, "light", false, "ui");
    write("acme", "staging", "db.pool", 1, "20", false);
    write("acme", "production", "ui.theme", 1, "dark", false, "ui");
    write("acme", "production", "old.key", 2, null, true);
    write("globex", "production", "db.pool", 1, "99", false);

    ConfigQueries.Filter all = new ConfigQueries.Filter(null, null, false);
    assertThat(bySource(ConfigQueries.effective(current, "acme", "production", all)))
        .containsExactly(Map.entry("db.pool", "20 from staging"), Map.entry("ui.theme", "dark from override"));
    assertThat(bySource(ConfigQueries.effective(current, "acme", "qa", all)))
        .containsExactly(Map.entry("db.pool", "10 from default"), Map.entry("ui.theme", "light from default"));
    assertThat(bySource(ConfigQueries.effective(current, "acme", "production", new ConfigQueries.Filter(null, null, true))))
        .as("deleted in the environment itself: shown only when asked for").containsKey("old.key");
    assertThat(bySource(ConfigQueries.effective(current, "acme", "production", new ConfigQueries.Filter("ui", null, false))))
        .containsOnlyKeys("ui.theme");
    assertThat(bySource(ConfigQueries.effective(current, "acme", "production", new ConfigQueries.Filter(null, "db.", false))))
        .containsOnlyKeys("db.pool");

    assertThat(ConfigQueries.all(current, "acme", all)).as("every environment, no other tenant, no deleted key").hasSize(4)
        .allSatisfy(v -> assertThat(v.tenantId()).isEqualTo("acme"));
  }

  @Test
  void shouldListAKeysVersionsOldestFirst() {
    write("acme", "qa", "f.x", 1, "a", false);
    write("acme", "qa", "f.x", 2, "b", false);
    write("acme", "qa", "f.xy", 1, "other key, same prefix", false);
    assertThat(ConfigQueries.versions(history, new StoreKeys.ConfigId("acme", "qa", "f.x"))).extracting(ConfigView::version)
        .containsExactly(1L, 2L);
    assertThat(ConfigQueries.versions(history, new StoreKeys.ConfigId("acme", "qa", "never"))).isEmpty();
  }
}
