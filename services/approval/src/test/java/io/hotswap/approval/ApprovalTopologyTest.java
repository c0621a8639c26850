package io.hotswap.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.avro.Command;
import io.hotswap.avro.Tier;
import io.hotswap.core.avro.Serdes;
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.core.kafka.Topics;
import io.hotswap.core.testing.Commands;
import io.hotswap.core.testing.TopologyDocs;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

class ApprovalTopologyTest {

  private final Serdes serdes = Serdes.create();

  static Topology topology(Serdes serdes) {
    StreamsBuilder builder = new StreamsBuilder();
    ApprovalTopology.build(builder, serdes);
    return builder.build();
  }

  @Test
  void shouldPassValidatedChangesOnUnchangedAndInOrderWhileNoEnvironmentIsGuarded() {
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "approval-test"));
    try (TopologyTestDriver driver = new TopologyTestDriver(topology(serdes), props)) {
      var in = driver.createInputTopic(Topics.VALIDATED, new StringSerializer(), serdes.command().serializer());
      var out = driver.createOutputTopic(Topics.CHANGES, new StringDeserializer(), serdes.command().deserializer());
      Command first = Commands.tenantCreate("acme", Tier.PRO);
      Command second = Commands.tenantDelete("acme");
      in.pipeInput("acme", first);
      in.pipeInput("acme", second);
      var changes = out.readKeyValuesToList();
      assertThat(changes).extracting(kv -> kv.key).containsExactly("acme", "acme");
      assertThat(changes).extracting(kv -> kv.value).containsExactly(first, second);
    }
  }

  @Test
  void shouldHoldAChangeMarkedForApprovalAndAnswerItPending() {
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "approval-test"));
    try (TopologyTestDriver driver = new TopologyTestDriver(topology(serdes), props)) {
      var in = driver.createInputTopic(Topics.VALIDATED, new StringSerializer(), serdes.command().serializer());
      var changes = driver.createOutputTopic(Topics.CHANGES, new StringDeserializer(), serdes.command().deserializer());
      var approvals = driver.createOutputTopic(Topics.APPROVALS, new StringDeserializer(), serdes.approvalRequest().deserializer());
      var results = driver.createOutputTopic(Topics.COMMAND_RESULTS, new StringDeserializer(), serdes.commandResult().deserializer());
      Command promote = Commands.config(io.hotswap.avro.CommandType.CONFIG_PROMOTE, "acme", "production", "a.b", "1",
          io.hotswap.avro.ValueType.NUMBER, null);
      promote.setApprovalRequired(true);
      in.pipeInput("acme", promote);

      assertThat(changes.isEmpty()).isTrue();
      var held = approvals.readKeyValue();
      assertThat(held.key).isEqualTo(promote.getCommandId());
      assertThat(held.value.getStatus()).isEqualTo(io.hotswap.avro.ApprovalStatus.PENDING);
      assertThat(held.value.getEnvironment()).isEqualTo("production");
      assertThat(held.value.getCommand()).isEqualTo(promote);
      var result = results.readKeyValue();
      assertThat(result.key).isEqualTo(promote.getCommandId());
      assertThat(result.value.getOutcome()).isEqualTo(io.hotswap.avro.Outcome.PENDING);
      assertThat(result.value.getStatus()).isEqualTo(202);
      assertThat(result.value.getResourceId()).isEqualTo(promote.getCommandId());
    }
  }

  @Test
  void shouldKeepTopologyDocsTrueToTheCode() throws Exception {
    TopologyDocs.assertDocumented("approval", topology(serdes));
  }
}
