package io.hotswap.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.avro.Command;
import io.hotswap.avro.Tier;
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.core.testing.Commands;
import io.hotswap.core.testing.TopologyDocs;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
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

  /** A driver of the approval topology whose wall clock starts at {@code start}. */
  private TopologyTestDriver driver(java.time.Instant start) {
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "approval-test"));
    return new TopologyTestDriver(topology(serdes), props, start);
  }

  static Topology topology(Serdes serdes) {
    StreamsBuilder builder = new StreamsBuilder();
    ApprovalTopology.build(builder, serdes);
    return builder.build();
  }

  @Test
  void shouldPassValidatedChangesOnUnchangedAndInOrderWhileNoEnvironmentIsGuarded() {
    try (TopologyTestDriver driver = driver(java.time.Instant.now())) {
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
    try (TopologyTestDriver driver = driver(java.time.Instant.now())) {
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

      // the caller's retry (same command id): the first answer again, and the request is not made anew
      in.pipeInput("acme", promote);
      assertThat(results.readValue()).isEqualTo(result.value);
      assertThat(approvals.isEmpty()).as("no second request, which would have reset its approvals").isTrue();
      assertThat(changes.isEmpty()).isTrue();
    }
  }

  /** A promotion into production held for {@code levels} approvers, requested by "rita". */
  private static Command held(int levels, java.time.Duration timeout) {
    Command promote = Commands.base(io.hotswap.avro.CommandType.CONFIG_PROMOTE, "acme")
        .setActor("rita")
        .setConfig(io.hotswap.avro.ConfigPayload.newBuilder().setEnvironment("production").setKey("a.b").setValue("1")
            .setValueType(io.hotswap.avro.ValueType.NUMBER).setPromotedFrom("staging").setPromotedFromVersion(3L).build())
        .build();
    promote.setApprovalRequired(true);
    promote.setApprovalLevels(levels);
    promote.setApprovalTimeoutMs(timeout.toMillis());
    return promote;
  }

  private static Command decision(io.hotswap.avro.CommandType type, String approvalId, String actor) {
    return Commands.base(type, "acme").setActor(actor).setApprovalId(approvalId)
        .setDecision(io.hotswap.avro.ApprovalDecision.newBuilder().setComment("looks right").build()).build();
  }

  @Test
  void shouldReleaseAHeldChangeOnceDistinctApproversReachItsLevels() {
    try (TopologyTestDriver driver = driver(java.time.Instant.now())) {
      var in = driver.createInputTopic(Topics.VALIDATED, new StringSerializer(), serdes.command().serializer());
      var released = driver.createOutputTopic(Topics.COMMANDS, new StringDeserializer(), serdes.command().deserializer());
      var approvals = driver.createOutputTopic(Topics.APPROVALS, new StringDeserializer(), serdes.approvalRequest().deserializer());
      var results = driver.createOutputTopic(Topics.COMMAND_RESULTS, new StringDeserializer(), serdes.commandResult().deserializer());
      var audit = driver.createOutputTopic(Topics.AUDIT, new StringDeserializer(), serdes.auditEvent().deserializer());
      Command promote = held(2, java.time.Duration.ofHours(1));
      in.pipeInput("acme", promote);
      String id = promote.getCommandId();
      assertThat(approvals.readValue().getRequiredApprovals()).isEqualTo(2);
      results.readValuesToList();

      java.util.function.Function<Command, io.hotswap.avro.CommandResult> decide = c -> {
        in.pipeInput("acme", c);
        return results.readValue();
      };
      var self = decide.apply(decision(io.hotswap.avro.CommandType.APPROVAL_APPROVE, id, "rita"));
      assertThat(self.getStatus()).isEqualTo(409);
      assertThat(self.getErrorType()).isEqualTo("self-approval");
      Command first = decision(io.hotswap.avro.CommandType.APPROVAL_APPROVE, id, "alice");
      assertThat(decide.apply(first).getStatus()).isEqualTo(200);
      assertThat(decide.apply(first).getStatus()).as("a retried decision is answered as the first time").isEqualTo(200);
      assertThat(decide.apply(decision(io.hotswap.avro.CommandType.APPROVAL_APPROVE, id, "alice")).getErrorType()).isEqualTo("already-approved");
      assertThat(released.isEmpty()).as("one of two approvals").isTrue();
      assertThat(decide.apply(decision(io.hotswap.avro.CommandType.APPROVAL_APPROVE, id, "bob")).getVersion()).isEqualTo(3);

      Command change = released.readValue();
      assertThat(change.getApprovalId()).isEqualTo(id);
      assertThat(change.getCommandId()).isEqualTo(id + "-approved");
      assertThat(change.getApprovalRequired()).isFalse();
      assertThat(change.getActor()).as("the change stays the requester's").isEqualTo("rita");
      assertThat(change.getConfig()).isEqualTo(promote.getConfig());
      var states = approvals.readValuesToList();
      assertThat(states).extracting(r -> r.getStatus().name()).containsExactly("PENDING", "APPROVED");
      assertThat(states.getLast().getApprovals()).extracting(io.hotswap.avro.ApprovalVote::getApprover).containsExactly("alice", "bob");
      assertThat(audit.readValuesToList()).extracting(e -> e.getEventType().name() + " " + e.getActor())
          .containsExactly("APPROVAL_REQUESTED rita", "APPROVAL_GRANTED alice", "CHANGE_APPROVED bob");
      assertThat(decide.apply(decision(io.hotswap.avro.CommandType.APPROVAL_REJECT, id, "carol")).getStatus()).as("decided").isEqualTo(404);
    }
  }

  @Test
  void shouldDropARejectedChangeAndExpireOneLeftTooLong() {
    java.time.Instant start = java.time.Instant.now();
    try (TopologyTestDriver driver = driver(start)) {
      var in = driver.createInputTopic(Topics.VALIDATED, new StringSerializer(), serdes.command().serializer());
      var released = driver.createOutputTopic(Topics.COMMANDS, new StringDeserializer(), serdes.command().deserializer());
      var approvals = driver.createOutputTopic(Topics.APPROVALS, new StringDeserializer(), serdes.approvalRequest().deserializer());
      var audit = driver.createOutputTopic(Topics.AUDIT, new StringDeserializer(), serdes.auditEvent().deserializer());
      Command rejected = held(1, java.time.Duration.ofHours(1));
      Command forgotten = held(1, java.time.Duration.ofMinutes(30));
      in.pipeInput("acme", rejected);
      in.pipeInput("acme", forgotten);
      in.pipeInput("acme", decision(io.hotswap.avro.CommandType.APPROVAL_REJECT, rejected.getCommandId(), "alice"));
      var rejectedState = approvals.readValuesToList().getLast();
      assertThat(rejectedState.getStatus()).isEqualTo(io.hotswap.avro.ApprovalStatus.REJECTED);
      assertThat(rejectedState.getDecidedBy()).isEqualTo("alice");
      assertThat(rejectedState.getComment()).isEqualTo("looks right");

      driver.advanceWallClockTime(java.time.Duration.ofMinutes(31));
      var expired = approvals.readValuesToList();
      assertThat(expired).hasSize(1);
      assertThat(expired.getFirst().getApprovalId()).isEqualTo(forgotten.getCommandId());
      assertThat(expired.getFirst().getStatus()).isEqualTo(io.hotswap.avro.ApprovalStatus.EXPIRED);
      assertThat(expired.getFirst().getDecidedBy()).isEqualTo("hotswap-approval");
      assertThat(released.isEmpty()).as("nothing rejected or expired is applied").isTrue();
      assertThat(audit.readValuesToList()).extracting(e -> e.getEventType().name())
          .containsExactly("APPROVAL_REQUESTED", "APPROVAL_REQUESTED", "CHANGE_REJECTED", "APPROVAL_EXPIRED");
    }
  }

  @Test
  void shouldKeepTopologyDocsTrueToTheCode() throws Exception {
    TopologyDocs.assertDocumented("approval", topology(serdes));
  }
}
