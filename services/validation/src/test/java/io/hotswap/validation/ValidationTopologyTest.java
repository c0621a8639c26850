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
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.core.testing.TopologyDocs;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
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
  /** What goes to approval (held, decided, the probe). */
  private TestOutputTopic<String, Command> validated;
  /** What goes straight to rollout. */
  private TestOutputTopic<String, Command> changes;
  private TestOutputTopic<String, CommandResult> results;
  private TestInputTopic<String, io.hotswap.avro.ConfigSchema> schemas;
  private TestInputTopic<String, io.hotswap.avro.ConfigEntry> configState;

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
    changes = driver.createOutputTopic(Topics.CHANGES, new StringDeserializer(), serdes.command().deserializer());
    results = driver.createOutputTopic(Topics.COMMAND_RESULTS, new StringDeserializer(), serdes.commandResult().deserializer());
    schemas = driver.createInputTopic(Topics.SCHEMAS, new StringSerializer(), serdes.configSchema().serializer());
    configState = driver.createInputTopic(Topics.CONFIG_STATE, new StringSerializer(), serdes.configEntry().serializer());
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
    assertThat(changes.isEmpty()).as("rejected command must not pass").isTrue();
    CommandResult r = results.readValue();
    assertThat(r.getCommandId()).isEqualTo(c.getCommandId());
    assertThat(r.getOutcome()).isEqualTo(Outcome.REJECTED);
    assertThat(r.getStage()).isEqualTo("validation");
    return r;
  }

  /** Passed straight on to rollout, not through approval. */
  private void passes(Command c) {
    assertThat(passedOn(c).getCommandId()).isEqualTo(c.getCommandId());
  }

  private Command passedOn(Command c) {
    pipe(c);
    assertThat(results.isEmpty()).isTrue();
    assertThat(validated.isEmpty()).as("nothing for approval to do").isTrue();
    return changes.readValue();
  }

  /** Passed to approval, which holds or decides it; not to rollout. */
  private Command toApproval(Command c) {
    pipe(c);
    assertThat(results.isEmpty()).isTrue();
    assertThat(changes.isEmpty()).as("approval's to hold or decide").isTrue();
    Command passed = validated.readValue();
    assertThat(passed.getCommandId()).isEqualTo(c.getCommandId());
    return passed;
  }

  /** A live value as rollout publishes it on hotswap.config-state.v1. */
  private void valuePublished(String tenant, String env, String key, String value, ValueType type) {
    valuePublished(tenant, env, key, value, type, false);
  }

  private void valuePublished(String tenant, String env, String key, String value, ValueType type, boolean deleted) {
    String storeKey = io.hotswap.core.domain.StoreKeys.config(tenant, env, key);
    configState.pipeInput(storeKey, io.hotswap.avro.ConfigEntry.newBuilder().setConfigId(io.hotswap.core.domain.StoreKeys.configId(tenant, env, key))
        .setTenantId(tenant).setEnvironment(env).setKey(key).setValue(value).setValueType(type).setVersion(deleted ? 2 : 1).setDeleted(deleted)
        .setCreatedAt(java.time.Instant.EPOCH).setUpdatedAt(java.time.Instant.EPOCH).setUpdatedBy("it").setCommandId("c").build());
  }

  @Test
  void shouldPassValidCommandsOnInOrder() {
    passes(tenantCreate("acme", Tier.PRO));
    passes(config(CommandType.CONFIG_CREATE, "acme", "development", "feature.new_ui", "true", ValueType.BOOLEAN, null));
    passes(config(CommandType.CONFIG_UPDATE, "acme", "development", "feature.new_ui", "false", null, 1L));
    passes(config(CommandType.CONFIG_DELETE, "acme", "development", "feature.new_ui", null, null, null));
    passes(config(CommandType.CONFIG_CREATE, "acme", "development", "feature.new_ui", "true", ValueType.BOOLEAN, null));
  }

  /**
   * Whether a tenant exists, a key exists, its version and type, and the quotas, are rollout's
   * facts: validation keeps no copy of them that could disagree (a DELETE rollout refuses must not
   * make validation forget the key), so it passes everything that needs them on to rollout.
   */
  @Test
  void shouldLeaveEveryJudgmentOnTenantsKeysVersionsAndQuotasToRollout() {
    passes(config(CommandType.CONFIG_CREATE, "ghost", "development", "a.b", "1", ValueType.NUMBER, null));
    passes(config(CommandType.CONFIG_CREATE, "ghost", "development", "a.b", "1", ValueType.NUMBER, null));
    passes(config(CommandType.CONFIG_DELETE, "ghost", "development", "a.b", null, null, 1L));
    passes(config(CommandType.CONFIG_UPDATE, "ghost", "development", "a.b", "2", null, 2L));
    passes(tenantDelete("ghost"));
    passes(tenantUpdate("ghost", TenantPayload.newBuilder().setStatus(TenantStatus.SUSPENDED).build()));
    assertThat(driver.getAllStateStores().keySet()).as("validation holds its outcomes, its held schema versions and read-only views")
        .containsExactlyInAnyOrder(ValidationTopology.OUTCOMES_STORE, ValidationTopology.PENDING_STORE, ValidationTopology.SCHEMAS_VIEW,
            ValidationTopology.CONFIG_VIEW);
  }

  @Test
  void shouldRejectBadKeysEnvironmentsTypesAndValues() {
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "bad key", "1", ValueType.NUMBER, null)).getField()).isEqualTo("key");
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "prod", "a.b", "1", ValueType.NUMBER, null)).getField()).isEqualTo("environment");
    CommandResult mismatch = rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "many", ValueType.NUMBER, null));
    assertThat(mismatch.getStatus()).isEqualTo(422);
    assertThat(mismatch.getErrorType()).isEqualTo("type-mismatch");
    assertThat(rejectionOf(config(CommandType.CONFIG_UPDATE, "acme", "development", "a.b", "many", ValueType.NUMBER, null)).getErrorType())
        .isEqualTo("type-mismatch");
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", null, null)).getField()).isEqualTo("type");
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "x".repeat(1024 * 1024 + 1), ValueType.STRING, null)).getStatus()).isEqualTo(413);
    assertThat(rejectionOf(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "clear", ValueType.SECRET, null)).getErrorType())
        .isEqualTo("secret-not-encrypted");
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.TENANT_CREATE, "tiny")
        .setTenant(TenantPayload.newBuilder().setMaxConfigs(0).build()).build()).getErrorType()).isEqualTo("invalid-quota");
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.TENANT_CREATE, "tiny")
        .setTenant(TenantPayload.newBuilder().setMaxEnvironments(5).build()).build()).getErrorType()).isEqualTo("invalid-quota");
    assertThat(rejectionOf(tenantUpdate("acme", TenantPayload.newBuilder().setStatus(TenantStatus.DELETED).build())).getErrorType())
        .isEqualTo("invalid-status");
  }

  @Test
  void shouldRejectABatchWholeListingEveryBadItemAndLeaveUpsertsToRollout() {
    Command fine = batch("small", item(BatchOp.UPSERT, "development", "a", "1", ValueType.NUMBER, null),
        item(BatchOp.UPSERT, "development", "a", "3", null, null), item(BatchOp.DELETE, "development", "b", null, null, null));
    assertThat(passedOn(fine).getBatch()).extracting(BatchItem::getOp).containsExactly(BatchOp.UPSERT, BatchOp.UPSERT, BatchOp.DELETE);

    CommandResult rejected = rejectionOf(batch("small", item(BatchOp.UPDATE, "development", "a", "4", null, null),
        item(BatchOp.CREATE, "development", "c", "1", null, null), item(BatchOp.CREATE, "development", "bad key", "1", ValueType.NUMBER, null),
        item(BatchOp.UPSERT, "development", "b", "two", ValueType.NUMBER, null)));
    assertThat(rejected.getStatus()).isEqualTo(422);
    assertThat(rejected.getErrorType()).isEqualTo("batch-rejected");
    assertThat(rejected.getDetail()).startsWith("3 of 4 items");
    assertThat(rejected.getErrors()).hasSize(3).satisfiesExactly(
        e -> assertThat(e).startsWith("/items/1/type: "),
        e -> assertThat(e).startsWith("/items/2/key: "),
        e -> assertThat(e).startsWith("/items/3/value: ").contains("Number"));
    assertThat(rejectionOf(batch("small")).getErrorType()).isEqualTo("empty-batch");
  }

  @Test
  void shouldPassAPipelineProbeOnWithoutATenant() {
    // through approval too: the probe proves every stage runs
    toApproval(io.hotswap.core.testing.Commands.base(CommandType.PIPELINE_PROBE, "hotswap-probe-0").build());
  }

  @Test
  void shouldCheckADeploymentsPlanAndCompleteIt() {
    java.util.function.BiFunction<String, io.hotswap.avro.DeploymentPayload, Command> start = (value, plan) ->
        io.hotswap.core.testing.Commands.base(CommandType.DEPLOYMENT_START, "acme")
            .setConfig(io.hotswap.avro.ConfigPayload.newBuilder().setEnvironment("production").setKey("checkout.timeout_ms").setValue(value).build())
            .setDeployment(plan).build();
    io.hotswap.avro.DeploymentPayload canary = io.hotswap.avro.DeploymentPayload.newBuilder().setDeploymentId("d1")
        .setStrategy(io.hotswap.avro.DeploymentStrategy.CANARY).build();

    Command passed = passedOn(start.apply("800", canary));
    assertThat(passed.getDeployment().getSteps()).as("defaults filled in").containsExactly(10, 25, 50, 100);
    assertThat(passed.getApprovalRequired()).isFalse();

    assertThat(rejectionOf(start.apply("800", io.hotswap.avro.DeploymentPayload.newBuilder(canary).setSteps(java.util.List.of(50)).build()))
        .getField()).isEqualTo("steps");
    assertThat(rejectionOf(start.apply("800", io.hotswap.avro.DeploymentPayload.newBuilder(canary).setDeploymentId("Bad Id").build()))
        .getErrorType()).isEqualTo("missing-deployment");
    Command healthWithoutReport = io.hotswap.core.testing.Commands.base(CommandType.DEPLOYMENT_HEALTH, "acme")
        .setDeployment(io.hotswap.avro.DeploymentPayload.newBuilder().setDeploymentId("d1").build()).build();
    assertThat(rejectionOf(healthWithoutReport).getErrorType()).isEqualTo("missing-health");
  }

  @Test
  void shouldAnswerARetriedCommandExactlyAsTheFirstTime() {
    Command create = config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null);
    passes(create);
    passes(create); // same id: passed on again (rollout answers it from its own memory)
    Command bad = config(CommandType.CONFIG_CREATE, "acme", "development", "c.d", "x", ValueType.NUMBER, null);
    CommandResult first = rejectionOf(bad);
    driver.advanceWallClockTime(Duration.ofSeconds(5));
    assertThat(rejectionOf(bad)).as("the first refusal, time and all").isEqualTo(first);
    // a pass that rests on the command alone is judged again on a retry, so it is not stored (nor logged to the broker)
    assertThat(rememberedIds()).containsExactly(bad.getCommandId());
  }

  @Test
  void shouldRememberNothingForAOneOffCommand() {
    Command bad = Command.newBuilder(config(CommandType.CONFIG_CREATE, "acme", "development", "c.d", "x", ValueType.NUMBER, null))
        .setOneOff(true).build();
    CommandResult first = rejectionOf(bad);
    assertThat(first.getStatus()).isEqualTo(422);
    // no retry can carry a one-off id: its refusal is neither looked up nor stored
    assertThat(rememberedIds()).isEmpty();
  }

  private java.util.List<String> rememberedIds() {
    java.util.List<String> remembered = new java.util.ArrayList<>();
    try (var it = driver.<String, CommandResult>getWindowStore(ValidationTopology.OUTCOMES_STORE).all()) {
      it.forEachRemaining(kv -> remembered.add(kv.key.key()));
    }
    return remembered;
  }

  @Test
  void shouldForgetOutcomesOnceTheIdempotencyWindowHasPassedWithoutScanningThem() {
    Command bad = config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "x", ValueType.NUMBER, null);
    CommandResult first = rejectionOf(bad);
    passes(config(CommandType.CONFIG_CREATE, "acme", "development", "a.c", "1", ValueType.NUMBER, null));
    // past the 24 h window (and the 12 h segment it was written in), the next outcome moves the store's time on
    driver.advanceWallClockTime(Duration.ofHours(37));
    Command later = config(CommandType.CONFIG_CREATE, "acme", "development", "c.d", "y", ValueType.NUMBER, null);
    rejectionOf(later);
    // the same id is now a new command: judged again, at a new time
    assertThat(rejectionOf(bad).getDecidedAt()).isAfter(first.getDecidedAt());
    // the old outcome went with its segment: what is left is the two decided after the window
    assertThat(rememberedIds()).containsExactlyInAnyOrder(later.getCommandId(), bad.getCommandId());
  }

  /** The dead-letter record itself is asserted on a real broker (PlatformIT); the test driver does not capture it. */
  @Test
  void shouldSkipUndecodableCommandsAndGoOn() {
    rawCommands.pipeInput("acme", "definitely not avro".getBytes(StandardCharsets.UTF_8));
    assertThat(results.isEmpty()).isTrue();
    assertThat(validated.isEmpty()).isTrue();
    assertThat(changes.isEmpty()).isTrue();

    passes(tenantCreate("acme", Tier.PRO));
  }

  @Test
  void shouldRejectCommandsWithoutActorOrOfUnknownType() {
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.TENANT_CREATE, "acme").setActor(" ").build()).getField()).isEqualTo("actor");
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.UNKNOWN, "acme").build()).getErrorType()).isEqualTo("unknown-command");
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.CONFIG_CREATE, "acme").build()).getErrorType()).isEqualTo("missing-config");
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.TENANT_CREATE, "a_b").build()).getField()).isEqualTo("tenantId");
  }

  /**
   * Promotions go forward only; whether one waits for approval the gateway marked on it, and
   * validation passes the mark (and a released one's approval id) on unchanged.
   */
  @Test
  void shouldPassPromotionsForwardWithTheGatewaysApprovalMark() {
    Command toQa = config(CommandType.CONFIG_PROMOTE, "acme", "qa", "a.b", "1", ValueType.NUMBER, null);
    toQa.getConfig().setPromotedFrom("development");
    assertThat(passedOn(toQa).getApprovalRequired()).as("unguarded: straight to rollout").isFalse();

    Command toProduction = config(CommandType.CONFIG_PROMOTE, "acme", "production", "a.b", "1", ValueType.NUMBER, null);
    toProduction.getConfig().setPromotedFrom("staging");
    toProduction.setApprovalRequired(true);
    toProduction.setApprovalLevels(2);
    toProduction.setApprovalTimeoutMs(3_600_000L);
    Command held = toApproval(toProduction);
    assertThat(held.getApprovalRequired()).isTrue();
    assertThat(held.getApprovalLevels()).isEqualTo(2);
    assertThat(held.getApprovalTimeoutMs()).isEqualTo(3_600_000L);

    // approval releases it with its approval id: checked again, not held again
    Command released = Command.newBuilder(held).setCommandId(held.getCommandId() + "-approved").setApprovalRequired(false)
        .setApprovalId(held.getCommandId()).build();
    assertThat(passedOn(released).getApprovalRequired()).as("approved: straight to rollout").isFalse();

    Command backwards = config(CommandType.CONFIG_PROMOTE, "acme", "development", "a.b", "1", ValueType.NUMBER, null);
    backwards.getConfig().setPromotedFrom("staging");
    assertThat(rejectionOf(backwards).getErrorType()).isEqualTo("invalid-promotion");
    Command untyped = config(CommandType.CONFIG_PROMOTE, "acme", "qa", "a.b", "1", null, null);
    untyped.getConfig().setPromotedFrom("development");
    assertThat(rejectionOf(untyped).getField()).isEqualTo("type");
  }

  @Test
  void shouldCheckApprovalPoliciesAndDecisions() {
    assertThat(rejectionOf(tenantUpdate("acme", TenantPayload.newBuilder().setApprovalLevels(4).build())).getField()).isEqualTo("approvalLevels");
    assertThat(rejectionOf(tenantUpdate("acme", TenantPayload.newBuilder().setApprovalTimeoutMs(10L).build())).getField())
        .isEqualTo("approvalTimeout");
    assertThat(rejectionOf(io.hotswap.core.testing.Commands.base(CommandType.APPROVAL_APPROVE, "acme").build()).getErrorType())
        .isEqualTo("missing-approval-id");
    toApproval(io.hotswap.core.testing.Commands.base(CommandType.APPROVAL_REJECT, "acme").setApprovalId("x").build());
  }

  /**
   * A new schema version is judged on the views of rollout's schemas and values: one that breaks
   * a stored value is held for an Admin (and a second one waits for that decision); one that
   * breaks compatibility with a schema nothing uses is refused; one that breaks nothing passes.
   */
  @Test
  void shouldHoldASchemaVersionThatBreaksStoredValuesAndRefuseOneThatBreaksAnUnusedSchema() {
    java.util.function.BiFunction<String, io.hotswap.avro.Compatibility, Command> register = (json, compat) ->
        io.hotswap.core.testing.Commands.base(CommandType.SCHEMA_REGISTER, "acme").setSchemaChange(io.hotswap.avro.SchemaPayload.newBuilder()
            .setName("limits").setKeyPattern("limits.*").setSchemaJson(json).setCompatibility(compat).build()).build();
    String max10 = "{\"type\":\"integer\",\"maximum\":10}";
    String max5 = "{\"type\":\"integer\",\"maximum\":5}";
    passes(register.apply(max10, io.hotswap.avro.Compatibility.BACKWARD));
    // what rollout publishes once it applied that version
    schemas.pipeInput("acme|limits|1", io.hotswap.core.schema.ConfigSchemas.nextVersion(register.apply(max10, io.hotswap.avro.Compatibility.BACKWARD),
        null, java.time.Instant.EPOCH));

    CommandResult refused = rejectionOf(register.apply(max5, io.hotswap.avro.Compatibility.BACKWARD));
    assertThat(refused.getErrorType()).isEqualTo("breaking-schema-change");

    valuePublished("acme", "production", "limits.rps", "8", ValueType.NUMBER);
    Command registered = register.apply(max5, io.hotswap.avro.Compatibility.BACKWARD);
    Command held = toApproval(registered);
    assertThat(held.getApprovalRequired()).isTrue();
    assertThat(held.getSchemaChange().getBreaks()).anySatisfy(b -> assertThat(b).contains("acme:production:limits.rps"));
    assertThat(rejectionOf(register.apply(max10, io.hotswap.avro.Compatibility.BACKWARD)).getErrorType()).isEqualTo("schema-change-pending");

    Command approve = io.hotswap.core.testing.Commands.base(CommandType.SCHEMA_APPROVE, "acme")
        .setSchemaChange(io.hotswap.avro.SchemaPayload.newBuilder().setName("limits").build()).build();
    Command approved = toApproval(approve);
    assertThat(approved.getSchemaChange().getSchemaJson()).isEqualTo(max5);
    assertThat(approved.getSchemaChange().getApprovalId()).isEqualTo(held.getCommandId());
    assertThat(rejectionOf(Command.newBuilder(approve).setCommandId("again").build()).getErrorType()).isEqualTo("no-pending-change");
    // these passes rest on what was pending: their retries are not judged again on a registry that moved on,
    // but go, as they arrived, to approval, whose memory holds what it answered them
    assertThat(toApproval(approve)).isEqualTo(approve);
    assertThat(toApproval(registered)).isEqualTo(registered);
  }

  /**
   * Rollout marks a deleted key deleted on hotswap.config-state.v1 rather than removing it, and
   * validation's view is a table of that topic: a deleted key's last value must not count as a
   * stored value a new schema version would break.
   */
  @Test
  void shouldJudgeASchemaVersionAgainstLiveValuesOnlyNotDeletedKeys() {
    java.util.function.Function<String, Command> register = json -> io.hotswap.core.testing.Commands.base(CommandType.SCHEMA_REGISTER, "acme")
        .setSchemaChange(io.hotswap.avro.SchemaPayload.newBuilder().setName("limits").setKeyPattern("limits.*").setSchemaJson(json)
            .setCompatibility(io.hotswap.avro.Compatibility.BACKWARD).build()).build();
    schemas.pipeInput("acme|limits|1", io.hotswap.core.schema.ConfigSchemas.nextVersion(register.apply("{\"type\":\"integer\",\"maximum\":10}"),
        null, java.time.Instant.EPOCH));
    valuePublished("acme", "production", "limits.rps", "8", ValueType.NUMBER);
    valuePublished("acme", "production", "limits.rps", "8", ValueType.NUMBER, true);

    CommandResult refused = rejectionOf(register.apply("{\"type\":\"integer\",\"maximum\":5}"));
    assertThat(refused.getErrorType()).as("nothing live breaks, so it is judged as a breaking change of an unused schema")
        .isEqualTo("breaking-schema-change");

    valuePublished("acme", "staging", "limits.burst", "3", ValueType.NUMBER);
    // the view keeps the topic's bytes as they are: one that is no config entry is passed over, not fatal
    driver.createInputTopic(Topics.CONFIG_STATE, new StringSerializer(), new ByteArraySerializer())
        .pipeInput("acme|qa|limits.broken", new byte[] {1, 2, 3});
    Command held = toApproval(register.apply("{\"type\":\"integer\",\"maximum\":2}"));
    assertThat(held.getApprovalRequired()).isTrue();
    assertThat(held.getSchemaChange().getBreaks()).filteredOn(b -> b.startsWith("stored value"))
        .singleElement().asString().contains("acme:staging:limits.burst");
  }

  @Test
  void shouldKeepTopologyDocsTrueToTheCode() throws Exception {
    TopologyDocs.assertDocumented("validation", topology(serdes));
  }
}
