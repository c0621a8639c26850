package io.hotswap.validation;

import static io.hotswap.core.testing.Commands.batch;
import static io.hotswap.core.testing.Commands.config;
import static io.hotswap.core.testing.Commands.item;
import static io.hotswap.core.testing.Commands.tenantCreate;
import static io.hotswap.core.testing.Commands.tenantDelete;
import static io.hotswap.core.testing.Commands.tenantUpdate;
import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.avro.BatchItem;
import io.hotswap.avro.BatchOp;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.Outcome;
import io.hotswap.avro.TenantPayload;
import io.hotswap.avro.TenantStatus;
import io.hotswap.avro.Tier;
import io.hotswap.avro.ValueType;
import io.hotswap.core.avro.Serdes;
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.core.kafka.Topics;
import io.hotswap.core.testing.TopologyDocs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ValidationTopologyTest {

  private final Serdes serdes = Serdes.create();
  private TopologyTestDriver driver;
  private TestInputTopic<String, Command> commands;
  private TestInputTopic<String, byte[]> rawCommands;
  private TestOutputTopic<String, Command> validated;
  private TestOutputTopic<String, CommandResult> results;

  static Topology topology(Serdes serdes) {
    StreamsBuilder builder = new StreamsBuilder();
    ValidationTopology.build(builder, serdes, Duration.ofHours(24));
    return builder.build();
  }

  @BeforeEach
  void start() {
    Map<String, Object> config = StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "validation-test");
    Properties props = new Properties();
    props.putAll(config);
    driver = new TopologyTestDriver(topology(serdes), props);
    commands = driver.createInputTopic(Topics.COMMANDS, new StringSerializer(), serdes.command().serializer());
    rawCommands = driver.createInputTopic(Topics.COMMANDS, new StringSerializer(), new ByteArraySerializer());
    validated = driver.createOutputTopic(Topics.VALIDATED, new StringDeserializer(), serdes.command().deserializer());
    results = driver.createOutputTopic(Topics.COMMAND_RESULTS, new StringDeserializer(), serdes.commandResult().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private Command pipe(Command c) {
    commands.pipeInput(c.getTenantId(), c);
    return c;
  }

  private CommandResult rejectionOf(Command c) {
    pipe(c);
    assertThat(validated.isEmpty()).as("rejected command must not pass").isTrue();
    CommandResult r = results.readValue();
    assertThat(r.getCommandId()).isEqualTo(c.getCommandId());
    assertThat(r.getOutcome()).isEqualTo(Outcome.REJECTED);
    assertThat(r.getStage()).isEqualTo("validation");
    return r;
  }

  private void passes(Command c) {
    pipe(c);
    assertThat(results.isEmpty()).isTrue();
    assertThat(validated.readValue().getCommandId()).isEqualTo(c.getCommandId());
  }

  @Test
  void shouldPassValidCommandsOnInOrder() {
    passes(tenantCreate("acme", Tier.PRO));
    passes(config(CommandType.CONFIG_CREATE, "acme", "development", "feature.new_ui", "true", ValueType.BOOLEAN, null));
    passes(config(CommandType.CONFIG_UPDATE, "acme", "development", "feature.new_ui", "false", null, 1L));
    passes(config(CommandType.CONFIG_DELETE, "acme", "development", "feature.new_ui", null, null, null));
    // a deleted key can be created again
    passes(config(CommandType.CONFIG_CREATE, "acme", "development", "feature.new_ui", "true", ValueType.BOOLEAN, null));
  }

  @Test
  void shouldRejectConfigurationOfUnknownSuspendedAndDeletedTenants() {
    CommandResult unknown = rejectionOf(config(CommandType.CONFIG_CREATE, "ghost", "development", "a.b", "1", ValueType.NUMBER, null));
    assertThat(unknown.getStatus()).isEqualTo(404);
    assertThat(unknown.getDetail()).contains("ghost");

    passes(tenantCreate("acme", Tier.FREE));
    passes(tenantUpdate("acme", TenantPayload.newBuilder().setStatus(TenantStatus.SUSPENDED).build()));
    CommandResult suspended = rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null));
    assertThat(suspended.getStatus()).isEqualTo(409);
    assertThat(suspended.getErrorType()).isEqualTo("tenant-not-active");

    passes(tenantDelete("acme"));
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null)).getStatus()).isEqualTo(404);
    assertThat(rejectionOf(tenantCreate("acme", Tier.PRO)).getErrorType()).isEqualTo("tenant-exists");
    assertThat(rejectionOf(tenantDelete("acme")).getStatus()).isEqualTo(404);
  }

  @Test
  void shouldRejectBadKeysTypesDuplicatesAndMissingKeys() {
    passes(tenantCreate("acme", Tier.PRO));
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "bad key", "1", ValueType.NUMBER, null)).getField()).isEqualTo("key");
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "prod", "a.b", "1", ValueType.NUMBER, null)).getField()).isEqualTo("environment");
    CommandResult mismatch = rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "many", ValueType.NUMBER, null));
    assertThat(mismatch.getStatus()).isEqualTo(422);
    assertThat(mismatch.getErrorType()).isEqualTo("type-mismatch");
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", null, null)).getField()).isEqualTo("type");
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "x".repeat(1024 * 1024 + 1), ValueType.STRING, null)).getStatus()).isEqualTo(413);

    passes(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null));
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "2", ValueType.NUMBER, null)).getStatus()).isEqualTo(409);
    // an update is checked against the declared type of the key
    assertThat(rejectionOf(config(CommandType.CONFIG_UPDATE, "acme", "development", "a.b", "two", null, null)).getStatus()).isEqualTo(422);
    assertThat(rejectionOf(config(CommandType.CONFIG_UPDATE, "acme", "development", "x.y", "1", null, null)).getStatus()).isEqualTo(404);
    assertThat(rejectionOf(config(CommandType.CONFIG_DELETE, "acme", "qa", "a.b", null, null, null)).getStatus()).isEqualTo(404);
  }

  @Test
  void shouldEnforceConfigAndEnvironmentQuotas() {
    passes(io.hotswap.core.testing.Commands.base(CommandType.TENANT_CREATE, "small")
        .setTenant(TenantPayload.newBuilder().setMaxConfigs(2).setMaxEnvironments(1).build()).build());
    passes(config(CommandType.CONFIG_CREATE, "small", "development", "a", "1", ValueType.NUMBER, null));
    CommandResult env = rejectionOf(config(CommandType.CONFIG_CREATE, "small", "qa", "a", "1", ValueType.NUMBER, null));
    assertThat(env.getErrorType()).isEqualTo("quota-exceeded");
    assertThat(env.getField()).isEqualTo("environment");
    passes(config(CommandType.CONFIG_CREATE, "small", "development", "b", "1", ValueType.NUMBER, null));
    CommandResult full = rejectionOf(config(CommandType.CONFIG_CREATE, "small", "development", "c", "1", ValueType.NUMBER, null));
    assertThat(full.getStatus()).isEqualTo(422);
    assertThat(full.getDetail()).contains("quota of 2");
    // deleting frees a slot
    passes(config(CommandType.CONFIG_DELETE, "small", "development", "a", null, null, null));
    passes(config(CommandType.CONFIG_CREATE, "small", "development", "c", "1", ValueType.NUMBER, null));
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.TENANT_CREATE, "tiny")
        .setTenant(TenantPayload.newBuilder().setMaxConfigs(0).build()).build()).getErrorType()).isEqualTo("invalid-quota");
  }

  @Test
  void shouldPassABatchWithItsUpsertsResolvedOrRejectItWholeListingEveryBadItem() {
    passes(io.hotswap.core.testing.Commands.base(CommandType.TENANT_CREATE, "small")
        .setTenant(TenantPayload.newBuilder().setMaxConfigs(3).build()).build());
    Command first = batch("small", item(BatchOp.UPSERT, "development", "a", "1", ValueType.NUMBER, null),
        item(BatchOp.UPSERT, "development", "b", "2", ValueType.NUMBER, null), item(BatchOp.UPSERT, "development", "a", "3", null, null));
    pipe(first);
    assertThat(results.isEmpty()).isTrue();
    assertThat(validated.readValue().getBatch()).extracting(BatchItem::getOp).containsExactly(BatchOp.CREATE, BatchOp.CREATE, BatchOp.UPDATE);

    // c fits the quota (3 keys) but d does not, x does not exist and a's value is not a Number: nothing of it may stick
    CommandResult rejected = rejectionOf(batch("small", item(BatchOp.UPDATE, "development", "a", "4", null, null),
        item(BatchOp.CREATE, "development", "c", "1", ValueType.NUMBER, null), item(BatchOp.CREATE, "development", "d", "1", ValueType.NUMBER, null),
        item(BatchOp.UPDATE, "development", "x", "1", null, null), item(BatchOp.UPDATE, "development", "b", "two", null, null)));
    assertThat(rejected.getStatus()).isEqualTo(422);
    assertThat(rejected.getErrorType()).isEqualTo("batch-rejected");
    assertThat(rejected.getDetail()).startsWith("3 of 5 items");
    assertThat(rejected.getErrors()).hasSize(3).satisfiesExactly(
        e -> assertThat(e).startsWith("/items/2/key: ").contains("quota of 3"),
        e -> assertThat(e).startsWith("/items/3/key: ").contains("config-not-found"),
        e -> assertThat(e).startsWith("/items/4/value: ").contains("Number"));
    // the rejected batch's c was undone: c can be created once, and then the quota is full again
    passes(config(CommandType.CONFIG_CREATE, "small", "development", "c", "1", ValueType.NUMBER, null));
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "small", "development", "d", "1", ValueType.NUMBER, null)).getErrorType())
        .isEqualTo("quota-exceeded");
    assertThat(rejectionOf(batch("small")).getErrorType()).isEqualTo("empty-batch");
  }

  @Test
  void shouldPassAPipelineProbeOnWithoutATenant() {
    passes(io.hotswap.core.testing.Commands.base(CommandType.PIPELINE_PROBE, "hotswap-probe-0").build());
  }

  @Test
  void shouldCheckADeploymentsCandidateLikeAnUpdateAndCompleteItsPlan() {
    passes(tenantCreate("acme", Tier.PRO));
    passes(config(CommandType.CONFIG_CREATE, "acme", "production", "checkout.timeout_ms", "500", ValueType.NUMBER, null));
    java.util.function.BiFunction<String, io.hotswap.avro.DeploymentPayload, Command> start = (value, plan) ->
        io.hotswap.core.testing.Commands.base(CommandType.DEPLOYMENT_START, "acme")
            .setConfig(io.hotswap.avro.ConfigPayload.newBuilder().setEnvironment("production").setKey("checkout.timeout_ms").setValue(value).build())
            .setDeployment(plan).build();
    io.hotswap.avro.DeploymentPayload canary = io.hotswap.avro.DeploymentPayload.newBuilder().setDeploymentId("d1")
        .setStrategy(io.hotswap.avro.DeploymentStrategy.CANARY).build();

    pipe(start.apply("800", canary));
    Command passed = validated.readValue();
    assertThat(passed.getDeployment().getSteps()).as("defaults filled in").containsExactly(10, 25, 50, 100);
    assertThat(passed.getApprovalRequired()).isFalse();

    assertThat(rejectionOf(start.apply("eight hundred", canary)).getErrorType()).isEqualTo("type-mismatch");
    assertThat(rejectionOf(start.apply("800", io.hotswap.avro.DeploymentPayload.newBuilder(canary).setSteps(java.util.List.of(50)).build()))
        .getField()).isEqualTo("steps");
    assertThat(rejectionOf(start.apply("800", io.hotswap.avro.DeploymentPayload.newBuilder(canary).setDeploymentId("Bad Id").build()))
        .getErrorType()).isEqualTo("missing-deployment");
    Command healthWithoutReport = io.hotswap.core.testing.Commands.base(CommandType.DEPLOYMENT_HEALTH, "acme")
        .setDeployment(io.hotswap.avro.DeploymentPayload.newBuilder().setDeploymentId("d1").build()).build();
    assertThat(rejectionOf(healthWithoutReport).getErrorType()).isEqualTo("missing-health");
    Command ghostPause = io.hotswap.core.testing.Commands.base(CommandType.DEPLOYMENT_PAUSE, "ghost")
        .setDeployment(io.hotswap.avro.DeploymentPayload.newBuilder().setDeploymentId("d1").build()).build();
    assertThat(rejectionOf(ghostPause).getStatus()).isEqualTo(404);
  }

  @Test
  void shouldAnswerARetriedCommandExactlyAsTheFirstTime() {
    passes(tenantCreate("acme", Tier.PRO));
    Command create = config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null);
    passes(create);
    passes(create); // same id: passed on again (rollout answers it from its own memory), not rejected as a duplicate key
    Command bad = config(CommandType.CONFIG_CREATE, "acme", "development", "c.d", "x", ValueType.NUMBER, null);
    CommandResult first = rejectionOf(bad);
    assertThat(rejectionOf(bad)).isEqualTo(first);
  }

  @Test
  void shouldForgetOutcomesOnceTheIdempotencyWindowHasPassedWithoutScanningThem() {
    passes(tenantCreate("acme", Tier.PRO));
    Command create = config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null);
    passes(create);
    passes(create);
    // past the 24 h window (and the 12 h segment it was written in), the next outcome moves the store's time on
    driver.advanceWallClockTime(Duration.ofHours(37));
    passes(config(CommandType.CONFIG_CREATE, "acme", "development", "c.d", "1", ValueType.NUMBER, null));
    // the same id is now a new command: judged again, and a.b exists
    assertThat(rejectionOf(create).getErrorType()).isEqualTo("config-exists");
    // the old outcomes went with their segment: what is left is the two decided after the window
    java.util.List<String> remembered = new java.util.ArrayList<>();
    try (var it = driver.<String, CommandResult>getWindowStore(ValidationTopology.OUTCOMES_STORE).all()) {
      it.forEachRemaining(kv -> remembered.add(kv.key.key()));
    }
    assertThat(remembered).hasSize(2).contains(create.getCommandId());
  }

  /** The dead-letter record itself is asserted on a real broker (PlatformIT); the test driver does not capture it. */
  @Test
  void shouldSkipUndecodableCommandsAndGoOn() {
    rawCommands.pipeInput("acme", "definitely not avro".getBytes(StandardCharsets.UTF_8));
    assertThat(results.isEmpty()).isTrue();
    assertThat(validated.isEmpty()).isTrue();

    passes(tenantCreate("acme", Tier.PRO));
  }

  @Test
  void shouldRejectCommandsWithoutActorOrOfUnknownType() {
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.TENANT_CREATE, "acme").setActor(" ").build()).getField()).isEqualTo("actor");
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.UNKNOWN, "acme").build()).getErrorType()).isEqualTo("unknown-command");
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.CONFIG_CREATE, "acme").build()).getStatus()).isEqualTo(404);
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.TENANT_CREATE, "a_b").build()).getField()).isEqualTo("tenantId");
  }

  @Test
  void shouldPassPromotionsForwardAndMarkGuardedTargetsForApproval() {
    passes(tenantCreate("acme", Tier.PRO));
    Command toQa = config(CommandType.CONFIG_PROMOTE, "acme", "qa", "a.b", "1", ValueType.NUMBER, null);
    toQa.getConfig().setPromotedFrom("development");
    pipe(toQa);
    Command passedQa = validated.readValue();
    assertThat(passedQa.getApprovalRequired()).isFalse();
    // the promoted key now exists in qa: a plain create there is a duplicate
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "qa", "a.b", "2", ValueType.NUMBER, null)).getStatus()).isEqualTo(409);

    Command toProduction = config(CommandType.CONFIG_PROMOTE, "acme", "production", "a.b", "1", ValueType.NUMBER, null);
    toProduction.getConfig().setPromotedFrom("qa");
    pipe(toProduction);
    assertThat(validated.readValue().getApprovalRequired()).isTrue();
    // held, not applied: production has no such key yet
    assertThat(rejectionOf(config(CommandType.CONFIG_UPDATE, "acme", "production", "a.b", "2", null, null)).getStatus()).isEqualTo(404);

    Command backwards = config(CommandType.CONFIG_PROMOTE, "acme", "development", "a.b", "1", ValueType.NUMBER, null);
    backwards.getConfig().setPromotedFrom("staging");
    assertThat(rejectionOf(backwards).getErrorType()).isEqualTo("invalid-promotion");
  }

  @Test
  void shouldCarryTheTenantsApprovalPolicyOnAHeldChangeAndCheckTheReleasedOneAgain() {
    passes(tenantCreate("acme", Tier.PRO));
    assertThat(rejectionOf(tenantUpdate("acme", TenantPayload.newBuilder().setApprovalLevels(4).build())).getField()).isEqualTo("approvalLevels");
    assertThat(rejectionOf(tenantUpdate("acme", TenantPayload.newBuilder().setApprovalTimeoutMs(10L).build())).getField())
        .isEqualTo("approvalTimeout");
    passes(tenantUpdate("acme", TenantPayload.newBuilder().setApprovalLevels(2).setApprovalTimeoutMs(3_600_000L).build()));

    Command toProduction = config(CommandType.CONFIG_PROMOTE, "acme", "production", "a.b", "1", ValueType.NUMBER, null);
    toProduction.getConfig().setPromotedFrom("staging");
    pipe(toProduction);
    Command held = validated.readValue();
    assertThat(held.getApprovalRequired()).isTrue();
    assertThat(held.getApprovalLevels()).isEqualTo(2);
    assertThat(held.getApprovalTimeoutMs()).isEqualTo(3_600_000L);

    // approval releases it with its approval id: checked again, not held again, and now recorded
    Command released = Command.newBuilder(held).setCommandId(held.getCommandId() + "-approved").setApprovalRequired(false)
        .setApprovalId(held.getCommandId()).build();
    pipe(released);
    assertThat(validated.readValue().getApprovalRequired()).isFalse();
    passes(config(CommandType.CONFIG_UPDATE, "acme", "production", "a.b", "2", null, null));

    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.APPROVAL_APPROVE, "acme").build()).getErrorType())
        .isEqualTo("missing-approval-id");
    passes(io.hotswap.core.testing.Commands.base(CommandType.APPROVAL_REJECT, "acme").setApprovalId("x").build());
  }

  @Test
  void shouldKeepTopologyDocsTrueToTheCode() throws Exception {
    TopologyDocs.assertDocumented("validation", topology(serdes));
  }
}
