package io.hotswap.gateway.reads;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.Tenant;
import io.hotswap.avro.TenantStatus;
import io.hotswap.avro.Tier;
import io.hotswap.avro.ValueType;
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.core.testing.TopologyDocs;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class ReadTopologyTest {

  private final Serdes serdes = Serdes.create();

  static Topology topology(Serdes serdes) {
    return topology(serdes, new StoreUpdates());
  }

  static Topology topology(Serdes serdes, StoreUpdates updates) {
    StreamsBuilder builder = new StreamsBuilder();
    ReadTopology.build(builder, serdes, updates, new OpenViews());
    return builder.build();
  }

  @Test
  void shouldWakeAWriteWaitingForItsVersionOnceBothStoresHoldIt() {
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "gateway-test"));
    StoreUpdates updates = new StoreUpdates();
    try (TopologyTestDriver driver = new TopologyTestDriver(topology(serdes, updates), props)) {
      var state = driver.createInputTopic(Topics.CONFIG_STATE, new StringSerializer(), serdes.configEntry().serializer());
      var versions = driver.createInputTopic(Topics.CONFIG_VERSIONS, new StringSerializer(), serdes.configEntry().serializer());
      var current = updates.expect(ReadTopology.CONFIG_STORE, "acme|development|f.x", 2);
      var history = updates.expect(ReadTopology.VERSIONS_STORE, "acme|development|f.x|0000000000000000002", 0);
      state.pipeInput("acme|development|f.x", entry(1, "true"));
      assertThat(current).as("version 1 does not answer a write of version 2").isNotDone();
      state.pipeInput("acme|development|f.x", entry(2, "false"));
      assertThat(current).isDone();
      assertThat(history).isNotDone();
      versions.pipeInput("acme|development|f.x|0000000000000000002", entry(2, "false"));
      assertThat(history).isDone();
      updates.forget(ReadTopology.CONFIG_STORE, "acme|development|f.x", current);
      updates.forget(ReadTopology.VERSIONS_STORE, "acme|development|f.x|0000000000000000002", history);
      assertThat(updates.waiting()).isZero();
    }
  }

  @Test
  void shouldMaterialiseCurrentConfigHistoryAndTenantsForQueries() {
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "gateway-test"));
    try (TopologyTestDriver driver = new TopologyTestDriver(topology(serdes), props)) {
      ConfigEntry v1 = entry(1, "true");
      ConfigEntry v2 = entry(2, "false");
      var state = driver.createInputTopic(Topics.CONFIG_STATE, new StringSerializer(), serdes.configEntry().serializer());
      var versions = driver.createInputTopic(Topics.CONFIG_VERSIONS, new StringSerializer(), serdes.configEntry().serializer());
      var tenants = driver.createInputTopic(Topics.TENANTS, new StringSerializer(), serdes.tenant().serializer());
      state.pipeInput("acme|development|f.x", v1);
      state.pipeInput("acme|development|f.x", v2);
      versions.pipeInput("acme|development|f.x|0000000000000000001", v1);
      versions.pipeInput("acme|development|f.x|0000000000000000002", v2);
      Instant now = Instant.now();
      tenants.pipeInput("acme", Tenant.newBuilder().setTenantId("acme").setName("Acme").setTier(Tier.PRO).setStatus(TenantStatus.ACTIVE)
          .setMaxConfigs(10).setMaxEnvironments(4).setVersion(1).setCreatedAt(now).setUpdatedAt(now).setUpdatedBy("t").build());

      KeyValueStore<String, ConfigEntry> current = driver.getKeyValueStore(ReadTopology.CONFIG_STORE);
      assertThat(current.get("acme|development|f.x").getVersion()).isEqualTo(2);
      KeyValueStore<String, ConfigEntry> history = driver.getKeyValueStore(ReadTopology.VERSIONS_STORE);
      List<Long> listed = new java.util.ArrayList<>();
      try (var it = history.prefixScan("acme|development|f.x|", new StringSerializer())) {
        it.forEachRemaining(kv -> listed.add(kv.value.getVersion()));
      }
      assertThat(listed).containsExactly(1L, 2L);
      KeyValueStore<String, Tenant> tenantStore = driver.getKeyValueStore(ReadTopology.TENANTS_STORE);
      assertThat(tenantStore.get("acme").getTier()).isEqualTo(Tier.PRO);
    }
  }

  @Test
  void shouldLendTheRunningTasksCurrentValueStoreToReadsAndTakeItBackWhenTheTaskCloses() {
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "gateway-test"));
    OpenViews views = new OpenViews();
    StreamsBuilder builder = new StreamsBuilder();
    ReadTopology.build(builder, serdes, new StoreUpdates(), views);
    TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props);
    try {
      var state = driver.createInputTopic(Topics.CONFIG_STATE, new StringSerializer(), serdes.configEntry().serializer());
      state.pipeInput("acme|development|f.x", entry(1, "true"));
      state.pipeInput("acme|development|f.x", entry(2, "false"));
      // the test driver runs one task, of partition 0
      assertThat(views.current(0)).as("the running task's store is lent").isNotNull();
      assertThat(views.current(0).get("acme|development|f.x").value().getVersion()).isEqualTo(2);
      assertThat(views.current(1)).as("a partition no task here runs").isNull();
    } finally {
      driver.close();
    }
    assertThat(views.current(0)).as("a closed task's store is no longer lent").isNull();
  }

  @Test
  void shouldKeepATenantsCurrentValuesHistoryAndProfilesInOneTask() {
    // requests are routed to the owner of the tenant's CONFIG_STORE partition and read the other two
    // stores there: with two gateway instances they must not be spread over different tasks
    var withStores = topology(serdes).describe().subtopologies().stream()
        .filter(st -> st.nodes().stream().anyMatch(n -> n instanceof org.apache.kafka.streams.TopologyDescription.Processor p
            && p.stores().contains(ReadTopology.CONFIG_STORE)))
        .toList();
    assertThat(withStores).singleElement().satisfies(st -> assertThat(st.nodes().stream()
        .filter(n -> n instanceof org.apache.kafka.streams.TopologyDescription.Processor)
        .flatMap(n -> ((org.apache.kafka.streams.TopologyDescription.Processor) n).stores().stream()))
        .contains(ReadTopology.CONFIG_STORE, ReadTopology.VERSIONS_STORE, ReadTopology.PROFILES_STORE, ReadTopology.DEPLOYMENTS_STORE));
  }

  @Test
  void shouldKeepTopologyDocsTrueToTheCode() throws Exception {
    TopologyDocs.assertDocumented("gateway", topology(serdes));
  }

  private static ConfigEntry entry(long version, String value) {
    Instant now = Instant.now();
    return ConfigEntry.newBuilder().setConfigId("acme:development:f.x").setTenantId("acme").setEnvironment("development")
        .setKey("f.x").setValue(value).setValueType(ValueType.BOOLEAN).setVersion(version)
        .setCreatedAt(now).setUpdatedAt(now).setUpdatedBy("t").setCommandId("c" + version).build();
  }
}
