package io.hotswap.standalone;

import static io.hotswap.core.testing.Commands.batch;
import static io.hotswap.core.testing.Commands.config;
import static io.hotswap.core.testing.Commands.item;
import static io.hotswap.core.testing.Commands.tenantCreate;
import static io.hotswap.core.testing.Commands.tenantUpdate;
import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.approval.ApprovalTopology;
import io.hotswap.avro.BatchOp;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.Outcome;
import io.hotswap.avro.TenantPayload;
import io.hotswap.avro.Tier;
import io.hotswap.avro.ValueType;
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import io.hotswap.rollout.RolloutTopology;
import io.hotswap.validation.ValidationTopology;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Validation, approval and rollout as one pipeline, each its own topology driven by its own test
 * driver, records carried between them as the topics would. Rollout's schemas and config-state
 * reach validation's views only when {@link #catchUp} is called, so each test chooses
 * how far behind the views are — the worst case for a stage that judges before the owner.
 *
 * <p>Every path on which rollout refuses what validation passed is followed by the command that
 * depends on nothing having changed: the platform has one owner of each fact, so no refusal can
 * leave two views disagreeing.
 */
class PipelineTopologyTest {

  private final Serdes serdes = Serdes.create();
  private final TopologyTestDriver validation = driver("validation", b -> ValidationTopology.build(b, serdes, Duration.ofHours(24)));
  private final TopologyTestDriver approval = driver("approval", b -> ApprovalTopology.build(b, serdes, Duration.ofSeconds(10), Duration.ofHours(24)));
  private final TopologyTestDriver rollout = driver("rollout", b -> RolloutTopology.build(b, serdes, Duration.ofHours(24)));
  private final TestInputTopic<String, Command> commands = in(validation, Topics.COMMANDS, serdes.command());
  private final TestOutputTopic<String, Command> validated = out(validation, Topics.VALIDATED, serdes.command());
  private final TestInputTopic<String, Command> approvalIn = in(approval, Topics.VALIDATED, serdes.command());
  private final TestOutputTopic<String, Command> changes = out(approval, Topics.CHANGES, serdes.command());
  /** Plain changes go from validation straight to rollout. */
  private final TestOutputTopic<String, Command> passed = out(validation, Topics.CHANGES, serdes.command());
  private final TestOutputTopic<String, Command> released = out(approval, Topics.COMMANDS, serdes.command());
  private final TestInputTopic<String, Command> rolloutIn = in(rollout, Topics.CHANGES, serdes.command());
  private final List<TestOutputTopic<String, CommandResult>> results = List.of(out(validation, Topics.COMMAND_RESULTS, serdes.commandResult()),
      out(approval, Topics.COMMAND_RESULTS, serdes.commandResult()), out(rollout, Topics.COMMAND_RESULTS, serdes.commandResult()));
  private final Map<String, CommandResult> answers = new HashMap<>();
  /** What rollout published and validation's views have not received yet. */
  private final Deque<Runnable> lagging = new ArrayDeque<>();
  private final TestOutputTopic<String, io.hotswap.avro.ConfigSchema> schemasOut = out(rollout, Topics.SCHEMAS, serdes.configSchema());
  private final TestOutputTopic<String, ConfigEntry> stateOut = out(rollout, Topics.CONFIG_STATE, serdes.configEntry());
  private final TestInputTopic<String, io.hotswap.avro.ConfigSchema> schemasIn = in(validation, Topics.SCHEMAS, serdes.configSchema());
  private final TestInputTopic<String, ConfigEntry> stateIn = in(validation, Topics.CONFIG_STATE, serdes.configEntry());

  private static TopologyTestDriver driver(String app, Consumer<StreamsBuilder> build) {
    StreamsBuilder builder = new StreamsBuilder();
    build.accept(builder);
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), app + "-pipeline-test"));
    return new TopologyTestDriver(builder.build(), props);
  }

  private static <V> TestInputTopic<String, V> in(TopologyTestDriver driver, String topic, Serde<V> serde) {
    return driver.createInputTopic(topic, new StringSerializer(), serde.serializer());
  }

  private static <V> TestOutputTopic<String, V> out(TopologyTestDriver driver, String topic, Serde<V> serde) {
    return driver.createOutputTopic(topic, new StringDeserializer(), serde.deserializer());
  }

  @AfterEach
  void close() {
    validation.close();
    approval.close();
    rollout.close();
  }

  /** Sends a command through the stages until it is answered; returns the answer. */
  private CommandResult send(Command command) {
    commands.pipeInput(command.getTenantId(), command);
    for (boolean moved = true; moved; ) {
      moved = false;
      for (KeyValue<String, Command> kv : validated.readKeyValuesToList()) {
        approvalIn.pipeInput(kv.key, kv.value);
        moved = true;
      }
      for (KeyValue<String, Command> kv : released.readKeyValuesToList()) {
        commands.pipeInput(kv.key, kv.value);
        moved = true;
      }
      for (KeyValue<String, Command> kv : changes.readKeyValuesToList()) {
        rolloutIn.pipeInput(kv.key, kv.value);
        moved = true;
      }
      for (KeyValue<String, Command> kv : passed.readKeyValuesToList()) {
        rolloutIn.pipeInput(kv.key, kv.value);
        moved = true;
      }
      schemasOut.readKeyValuesToList().forEach(kv -> lagging.add(() -> schemasIn.pipeInput(kv.key, kv.value)));
      stateOut.readKeyValuesToList().forEach(kv -> lagging.add(() -> stateIn.pipeInput(kv.key, kv.value)));
    }
    results.forEach(r -> r.readKeyValuesToList().forEach(kv -> answers.put(kv.key, kv.value)));
    CommandResult answer = answers.get(command.getCommandId());
    assertThat(answer).as("answer to %s", command.getType()).isNotNull();
    return answer;
  }

  /** Validation's views receive everything rollout published so far. */
  private void catchUp() {
    while (!lagging.isEmpty()) {
      lagging.poll().run();
    }
  }

  private CommandResult refused(Command command, int status, String type) {
    CommandResult r = send(command);
    assertThat(r.getOutcome()).as("%s", r).isEqualTo(Outcome.REJECTED);
    assertThat(r.getStatus()).as("%s", r).isEqualTo(status);
    assertThat(r.getErrorType()).isEqualTo(type);
    return r;
  }

  private CommandResult applied(Command command) {
    CommandResult r = send(command);
    assertThat(r.getOutcome()).as("%s", r).isEqualTo(Outcome.APPLIED);
    return r;
  }

  @Test
  void shouldKeepAKeyWritableAfterAStaleIfMatchDeleteIsRefused() {
    applied(tenantCreate("acme", Tier.PRO));
    applied(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null));
    applied(config(CommandType.CONFIG_UPDATE, "acme", "development", "a.b", "2", null, 1L));
    refused(config(CommandType.CONFIG_DELETE, "acme", "development", "a.b", null, null, 1L), 409, "version-conflict");
    assertThat(applied(config(CommandType.CONFIG_UPDATE, "acme", "development", "a.b", "3", null, 2L)).getVersion()).isEqualTo(3);
    // and the key still counts against the quota: it was never freed
    catchUp();
    assertThat(applied(config(CommandType.CONFIG_DELETE, "acme", "development", "a.b", null, null, 3L)).getVersion()).isEqualTo(4);
  }

  /** Each refusal by rollout, followed by the command that shows nothing changed anywhere. */
  @Test
  void shouldLeaveNothingBehindOnAnyPathWhereRolloutRefusesWhatValidationPassed() {
    refused(config(CommandType.CONFIG_CREATE, "small", "development", "a", "1", ValueType.NUMBER, null), 404, "tenant-not-found");
    applied(io.hotswap.core.testing.Commands.base(CommandType.TENANT_CREATE, "small")
        .setTenant(TenantPayload.newBuilder().setMaxConfigs(2).setMaxEnvironments(1).build()).build());
    applied(config(CommandType.CONFIG_CREATE, "small", "development", "a", "1", ValueType.NUMBER, null));
    refused(config(CommandType.CONFIG_CREATE, "small", "development", "a", "1", ValueType.NUMBER, null), 409, "config-exists");
    refused(config(CommandType.CONFIG_CREATE, "small", "qa", "q", "1", ValueType.NUMBER, null), 422, "quota-exceeded");
    refused(config(CommandType.CONFIG_UPDATE, "small", "development", "a", "one", null, null), 422, "type-mismatch");
    // a batch one of whose items rollout refuses: none of it is applied, the quota has the room it had
    refused(batch("small", item(BatchOp.CREATE, "development", "b", "1", ValueType.NUMBER, null),
        item(BatchOp.UPDATE, "development", "missing", "1", null, null)), 422, "batch-rejected");
    applied(config(CommandType.CONFIG_CREATE, "small", "development", "b", "1", ValueType.NUMBER, null));
    refused(config(CommandType.CONFIG_CREATE, "small", "development", "c", "1", ValueType.NUMBER, null), 422, "quota-exceeded");

    // a key a deployment is rolling out can't be changed under it; after the rollback it can
    Command start = io.hotswap.core.testing.Commands.base(CommandType.DEPLOYMENT_START, "small")
        .setConfig(io.hotswap.avro.ConfigPayload.newBuilder().setEnvironment("development").setKey("a").setValue("5").build())
        .setDeployment(io.hotswap.avro.DeploymentPayload.newBuilder().setDeploymentId("d1").setStrategy(io.hotswap.avro.DeploymentStrategy.CANARY)
            .build()).build();
    assertThat(send(start).getStatus()).isEqualTo(201);
    refused(config(CommandType.CONFIG_UPDATE, "small", "development", "a", "2", null, null), 409, "deployment-in-progress");
    applied(io.hotswap.core.testing.Commands.base(CommandType.DEPLOYMENT_ROLLBACK, "small")
        .setDeployment(io.hotswap.avro.DeploymentPayload.newBuilder().setDeploymentId("d1").build()).build());
    assertThat(applied(config(CommandType.CONFIG_UPDATE, "small", "development", "a", "2", null, null)).getStatus()).isEqualTo(200);

    // a suspended tenant changes nothing, and is writable again once active
    applied(tenantUpdate("small", TenantPayload.newBuilder().setStatus(io.hotswap.avro.TenantStatus.SUSPENDED).build()));
    refused(config(CommandType.CONFIG_UPDATE, "small", "development", "a", "3", null, null), 409, "tenant-not-active");
    applied(tenantUpdate("small", TenantPayload.newBuilder().setStatus(io.hotswap.avro.TenantStatus.ACTIVE).build()));
    applied(config(CommandType.CONFIG_UPDATE, "small", "development", "a", "3", null, null));
  }

  /**
   * The gateway decides which changes wait for approval on views that may lag: a change into an
   * environment the tenant began guarding a moment ago is refused by rollout (never applied
   * unapproved), and held once the view has caught up; the same for a schema version that breaks
   * values stored a moment ago.
   */
  @Test
  void shouldNeverApplyUnapprovedWhatALaggingViewPassed() {
    applied(tenantCreate("acme", Tier.PRO));
    catchUp();
    applied(tenantUpdate("acme", TenantPayload.newBuilder().setGuardedEnvironments(List.of("qa")).build()));
    Command toQa = config(CommandType.CONFIG_PROMOTE, "acme", "qa", "a.b", "1", ValueType.NUMBER, null);
    toQa.getConfig().setPromotedFrom("development");
    refused(toQa, 409, "approval-required");
    // not only promotions: any change into the environment, unmarked, is refused the same way
    refused(config(CommandType.CONFIG_CREATE, "acme", "qa", "a.c", "1", ValueType.NUMBER, null), 409, "approval-required");
    // the gateway marks it once it shows the new policy (Writes.submit, on ApprovalPolicy)
    Command again = Command.newBuilder(toQa).setCommandId("again").setApprovalRequired(true).setApprovalLevels(1)
        .setApprovalTimeoutMs(3_600_000L).build();
    assertThat(send(again).getOutcome()).isEqualTo(Outcome.PENDING);

    java.util.function.Function<String, Command> register = json -> io.hotswap.core.testing.Commands.base(CommandType.SCHEMA_REGISTER, "acme")
        .setSchemaChange(io.hotswap.avro.SchemaPayload.newBuilder().setName("limits").setKeyPattern("limits.*").setSchemaJson(json)
            .setCompatibility(io.hotswap.avro.Compatibility.NONE).build()).build();
    applied(register.apply("{\"type\":\"integer\",\"maximum\":10}"));
    applied(config(CommandType.CONFIG_CREATE, "acme", "development", "limits.rps", "8", ValueType.NUMBER, null));
    refused(register.apply("{\"type\":\"integer\",\"maximum\":5}"), 409, "schema-values-changed");
    catchUp();
    assertThat(send(register.apply("{\"type\":\"integer\",\"maximum\":5}")).getOutcome()).isEqualTo(Outcome.PENDING);
  }
}
