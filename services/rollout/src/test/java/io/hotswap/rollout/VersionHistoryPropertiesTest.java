package io.hotswap.rollout;

import static io.hotswap.core.testing.Commands.config;
import static io.hotswap.core.testing.Commands.tenantCreate;
import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.Tier;
import io.hotswap.avro.ValueType;
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Any sequence of updates and rollbacks keeps a key's versions strictly increasing (1, 2, 3, …)
 * with every version kept, and a rollback's new version holds exactly the target's value.
 */
class VersionHistoryPropertiesTest {

  private static final Serdes SERDES = Serdes.create();

  /** One step: update to a value, or roll back to the version at this fraction of the history. */
  record Step(boolean rollback, int value, double target) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    return Arbitraries.integers().between(0, 99).flatMap(v -> Arbitraries.of(true, false).flatMap(rb ->
        Arbitraries.doubles().between(0, 0.99).map(t -> new Step(rb, v, t)))).list().ofMinSize(1).ofMaxSize(25);
  }

  @Property(tries = 60)
  void shouldKeepVersionsStrictlyIncreasingWithNothingLost(@ForAll("steps") List<Step> steps) {
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "rollout-props"));
    try (TopologyTestDriver driver = new TopologyTestDriver(RolloutTopologyTest.topology(SERDES), props)) {
      var in = driver.createInputTopic(Topics.CHANGES, new StringSerializer(), SERDES.command().serializer());
      var versions = driver.createOutputTopic(Topics.CONFIG_VERSIONS, new StringDeserializer(), SERDES.configEntry().deserializer());
      in.pipeInput("acme", tenantCreate("acme", Tier.PRO));
      in.pipeInput("acme", config(CommandType.CONFIG_CREATE, "acme", "qa", "k", "0", ValueType.NUMBER, null));
      List<String> expectedValues = new ArrayList<>(List.of("0"));
      for (Step step : steps) {
        Command c;
        if (step.rollback()) {
          int target = 1 + (int) (step.target() * expectedValues.size());
          c = config(CommandType.CONFIG_UPDATE, "acme", "qa", "k", expectedValues.get(target - 1), null, null);
          c.getConfig().setRollbackToVersion((long) target);
          expectedValues.add(expectedValues.get(target - 1));
        } else {
          c = config(CommandType.CONFIG_UPDATE, "acme", "qa", "k", Integer.toString(step.value()), null, null);
          expectedValues.add(Integer.toString(step.value()));
        }
        in.pipeInput("acme", c);
      }
      List<ConfigEntry> history = versions.readValuesToList();
      assertThat(history).extracting(ConfigEntry::getVersion)
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, expectedValues.size()).boxed().toList());
      assertThat(history).extracting(ConfigEntry::getValue).containsExactlyElementsOf(expectedValues);
    }
  }
}
