package io.hotswap.rollout;

import static io.hotswap.core.testing.Commands.batch;
import static io.hotswap.core.testing.Commands.config;
import static io.hotswap.core.testing.Commands.item;
import static io.hotswap.core.testing.Commands.tenantCreate;
import static io.hotswap.core.testing.Commands.tenantDelete;
import static io.hotswap.core.testing.Commands.tenantUpdate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.BatchOp;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ItemResult;
import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.Outcome;
import io.hotswap.avro.Tenant;
import io.hotswap.avro.TenantPayload;
import io.hotswap.avro.TenantStatus;
import io.hotswap.avro.Tier;
import io.hotswap.avro.ValueType;
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.core.kafka.TenantPartitioner;
import io.hotswap.core.testing.TopologyDocs;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RolloutTopologyTest {

  private final Serdes serdes = Serdes.create();
  private TopologyTestDriver driver;
  private TestInputTopic<String, Command> changes;
  private TestOutputTopic<String, Tenant> tenants;
  private TestOutputTopic<String, ConfigEntry> state;
  private TestOutputTopic<String, ConfigEntry> versions;
  private TestOutputTopic<String, LiveConfig> liveDev;
  private TestOutputTopic<String, LiveConfig> liveProd;
  private TestOutputTopic<String, AuditEvent> audit;
  private TestOutputTopic<String, CommandResult> results;

  static Topology topology(Serdes serdes) {
    StreamsBuilder builder = new StreamsBuilder();
    RolloutTopology.build(builder, serdes, Duration.ofHours(24));
    return builder.build();
  }

  @BeforeEach
  void start() {
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "rollout-test"));
    driver = new TopologyTestDriver(topology(serdes), props);
    var keys = new StringDeserializer();
    changes = driver.createInputTopic(Topics.CHANGES, new StringSerializer(), serdes.command().serializer());
    tenants = driver.createOutputTopic(Topics.TENANTS, keys, serdes.tenant().deserializer());
    state = driver.createOutputTopic(Topics.CONFIG_STATE, keys, serdes.configEntry().deserializer());
    versions = driver.createOutputTopic(Topics.CONFIG_VERSIONS, keys, serdes.configEntry().deserializer());
    liveDev = driver.createOutputTopic(Topics.live("development"), keys, serdes.liveConfig().deserializer());
    liveProd = driver.createOutputTopic(Topics.live("production"), keys, serdes.liveConfig().deserializer());
    audit = driver.createOutputTopic(Topics.AUDIT, keys, serdes.auditEvent().deserializer());
    results = driver.createOutputTopic(Topics.COMMAND_RESULTS, keys, serdes.commandResult().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private CommandResult apply(Command c) {
    changes.pipeInput(c.getTenantId(), c);
    KeyValue<String, CommandResult> r = results.readKeyValue();
    assertThat(r.key).isEqualTo(c.getCommandId());
    return r.value;
  }

  private CommandResult rejection(Command c) {
    CommandResult r = apply(c);
    assertThat(r.getOutcome()).as("%s", r).isEqualTo(Outcome.REJECTED);
    assertThat(r.getStage()).isEqualTo("rollout");
    return r;
  }

  private CommandResult applied(Command c) {
    CommandResult r = apply(c);
    assertThat(r.getOutcome()).as("%s", r).isEqualTo(Outcome.APPLIED);
    return r;
  }

  @Test
  void shouldJudgeConfigurationOfUnknownSuspendedAndDeletedTenants() {
    CommandResult unknown = rejection(config(CommandType.CONFIG_CREATE, "ghost", "development", "a.b", "1", ValueType.NUMBER, null));
    assertThat(unknown.getStatus()).isEqualTo(404);
    assertThat(unknown.getDetail()).contains("ghost");

    applied(tenantCreate("acme", Tier.FREE));
    applied(tenantUpdate("acme", TenantPayload.newBuilder().setStatus(TenantStatus.SUSPENDED).build()));
    CommandResult suspended = rejection(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null));
    assertThat(suspended.getStatus()).isEqualTo(409);
    assertThat(suspended.getErrorType()).isEqualTo("tenant-not-active");

    applied(tenantDelete("acme"));
    assertThat(rejection(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null)).getStatus()).isEqualTo(404);
    assertThat(rejection(tenantCreate("acme", Tier.PRO)).getDetail()).contains("ids are not reused");
    assertThat(rejection(tenantDelete("acme")).getStatus()).isEqualTo(404);
  }

  @Test
  void shouldJudgeDuplicatesMissingKeysAndValuesAgainstTheKeysType() {
    applied(tenantCreate("acme", Tier.PRO));
    applied(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null));
    assertThat(rejection(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "2", ValueType.NUMBER, null)).getErrorType())
        .isEqualTo("config-exists");
    // an update without a type is checked against the key's type
    CommandResult mismatch = rejection(config(CommandType.CONFIG_UPDATE, "acme", "development", "a.b", "two", null, null));
    assertThat(mismatch.getStatus()).isEqualTo(422);
    assertThat(mismatch.getErrorType()).isEqualTo("type-mismatch");
    assertThat(rejection(config(CommandType.CONFIG_UPDATE, "acme", "development", "x.y", "1", null, null)).getStatus()).isEqualTo(404);
    assertThat(rejection(config(CommandType.CONFIG_DELETE, "acme", "qa", "a.b", null, null, null)).getStatus()).isEqualTo(404);
    // an upsert of a new key names its type
    assertThat(rejection(batch("acme", item(BatchOp.UPSERT, "development", "n.k", "1", null, null))).getErrors())
        .singleElement().satisfies(e -> assertThat(e).startsWith("/items/0/type"));
    assertThat(applied(config(CommandType.CONFIG_UPDATE, "acme", "development", "a.b", "2", null, 1L)).getVersion()).isEqualTo(2);
  }

  @Test
  void shouldEnforceConfigAndEnvironmentQuotasOnTheKeysItHolds() {
    applied(io.hotswap.core.testing.Commands.base(CommandType.TENANT_CREATE, "small")
        .setTenant(TenantPayload.newBuilder().setMaxConfigs(2).setMaxEnvironments(1).build()).build());
    applied(config(CommandType.CONFIG_CREATE, "small", "development", "a", "1", ValueType.NUMBER, null));
    CommandResult env = rejection(config(CommandType.CONFIG_CREATE, "small", "qa", "a", "1", ValueType.NUMBER, null));
    assertThat(env.getErrorType()).isEqualTo("quota-exceeded");
    assertThat(env.getField()).isEqualTo("environment");
    assertThat(env.getDetail()).endsWith("may use at most 1 environment");
    applied(config(CommandType.CONFIG_CREATE, "small", "development", "b", "1", ValueType.NUMBER, null));
    CommandResult full = rejection(config(CommandType.CONFIG_CREATE, "small", "development", "c", "1", ValueType.NUMBER, null));
    assertThat(full.getStatus()).isEqualTo(422);
    assertThat(full.getDetail()).endsWith("quota of 2 configuration keys");
    // a refused delete frees nothing; a delete frees a slot, and a batch that fails gives back what it took
    assertThat(rejection(config(CommandType.CONFIG_DELETE, "small", "development", "a", null, null, 7L)).getErrorType()).isEqualTo("version-conflict");
    assertThat(rejection(config(CommandType.CONFIG_CREATE, "small", "development", "c", "1", ValueType.NUMBER, null)).getErrorType())
        .isEqualTo("quota-exceeded");
    applied(config(CommandType.CONFIG_DELETE, "small", "development", "a", null, null, null));
    assertThat(rejection(batch("small", item(BatchOp.CREATE, "development", "c", "1", ValueType.NUMBER, null),
        item(BatchOp.UPDATE, "development", "zz", "1", null, null))).getErrorType()).isEqualTo("batch-rejected");
    applied(config(CommandType.CONFIG_CREATE, "small", "development", "c", "1", ValueType.NUMBER, null));
    assertThat(rejection(config(CommandType.CONFIG_CREATE, "small", "development", "d", "1", ValueType.NUMBER, null)).getErrorType())
        .isEqualTo("quota-exceeded");
  }

  /**
   * Reported from outside: create, update to v2, DELETE with a stale If-Match is refused — and
   * the key must stay exactly as it was, writable with the right If-Match (it once answered 404).
   */
  @Test
  void shouldKeepAKeyWritableAfterRefusingAStaleIfMatchDelete() {
    applied(tenantCreate("acme", Tier.PRO));
    applied(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null));
    applied(config(CommandType.CONFIG_UPDATE, "acme", "development", "a.b", "2", null, 1L));
    assertThat(rejection(config(CommandType.CONFIG_DELETE, "acme", "development", "a.b", null, null, 1L)).getStatus()).isEqualTo(409);
    CommandResult put = applied(config(CommandType.CONFIG_UPDATE, "acme", "development", "a.b", "3", null, 2L));
    assertThat(put.getVersion()).isEqualTo(3);
    assertThat(applied(config(CommandType.CONFIG_DELETE, "acme", "development", "a.b", null, null, 3L)).getVersion()).isEqualTo(4);
  }

  /**
   * A change the gateway sent unmarked (its view of the tenant a moment behind) into an
   * environment the tenant guards is refused here, never applied without approval.
   */
  @Test
  void shouldRefuseAnUnapprovedPromotionIntoAGuardedEnvironment() {
    applied(tenantCreate("acme", Tier.PRO));
    Command toProduction = config(CommandType.CONFIG_PROMOTE, "acme", "production", "a.b", "1", ValueType.NUMBER, null);
    toProduction.getConfig().setPromotedFrom("staging");
    CommandResult refused = rejection(toProduction);
    assertThat(refused.getStatus()).isEqualTo(409);
    assertThat(refused.getErrorType()).isEqualTo("approval-required");
    Command approved = Command.newBuilder(toProduction).setCommandId("approved").setApprovalId(toProduction.getCommandId()).build();
    assertThat(applied(approved).getStatus()).isEqualTo(201);
    // every change the policy holds, not only promotions; a running deployment's steering and an
    // exempted re-encryption are never held
    assertThat(rejection(config(CommandType.CONFIG_UPDATE, "acme", "production", "a.b", "2", null, null)).getErrorType())
        .isEqualTo("approval-required");
    assertThat(rejection(config(CommandType.CONFIG_DELETE, "acme", "staging", "a.b", null, null, null)).getErrorType())
        .isEqualTo("approval-required");
    Command exempt = config(CommandType.CONFIG_UPDATE, "acme", "production", "a.b", "2", null, null);
    exempt.setApprovalExemption("re-encryption");
    assertThat(applied(exempt).getStatus()).isEqualTo(200);
  }

  /**
   * Values are checked against the schema in force here, where schemas and values are applied;
   * a new schema version that breaks values stored since validation judged it is refused.
   */
  @Test
  void shouldCheckValuesAgainstTheSchemaInForceAndRefuseAVersionThatBreaksNewerValues() {
    applied(io.hotswap.core.testing.Commands.unguardedTenantCreate("acme", Tier.PRO));
    java.util.function.Function<String, Command> register = json -> io.hotswap.core.testing.Commands.base(CommandType.SCHEMA_REGISTER, "acme")
        .setSchemaChange(io.hotswap.avro.SchemaPayload.newBuilder().setName("limits").setKeyPattern("limits.*").setSchemaJson(json)
            .setCompatibility(io.hotswap.avro.Compatibility.NONE).build()).build();
    applied(register.apply("{\"type\":\"integer\",\"maximum\":10}"));
    CommandResult violation = rejection(config(CommandType.CONFIG_CREATE, "acme", "production", "limits.rps", "11", ValueType.NUMBER, null));
    assertThat(violation.getErrorType()).isEqualTo("schema-violation");
    applied(config(CommandType.CONFIG_CREATE, "acme", "production", "limits.rps", "8", ValueType.NUMBER, null));

    CommandResult breaks = rejection(register.apply("{\"type\":\"integer\",\"maximum\":5}"));
    assertThat(breaks.getStatus()).isEqualTo(409);
    assertThat(breaks.getErrorType()).isEqualTo("schema-values-changed");
    assertThat(breaks.getDetail()).contains("acme:production:limits.rps");
    // a deployment's candidate is a value of the key like any other
    Command start = io.hotswap.core.testing.Commands.base(CommandType.DEPLOYMENT_START, "acme")
        .setConfig(io.hotswap.avro.ConfigPayload.newBuilder().setEnvironment("production").setKey("limits.rps").setValue("12").build())
        .setDeployment(io.hotswap.core.deploy.DeploymentMachine.plan(io.hotswap.avro.DeploymentPayload.newBuilder().setDeploymentId("d1")
            .setStrategy(io.hotswap.avro.DeploymentStrategy.CANARY).build())).build();
    assertThat(rejection(start).getErrorType()).isEqualTo("schema-violation");
  }

  @Test
  void shouldApplyATenantLifecycleWithOneAuditEventPerChange() {
    CommandResult created = apply(tenantCreate("acme", Tier.ENTERPRISE));
    assertThat(created.getOutcome()).isEqualTo(Outcome.APPLIED);
    assertThat(created.getStatus()).isEqualTo(201);
    Tenant t = tenants.readValue();
    assertThat(t.getMaxConfigs()).isEqualTo(10_000);
    assertThat(t.getStatus()).isEqualTo(TenantStatus.ACTIVE);

    apply(tenantUpdate("acme", TenantPayload.newBuilder().setStatus(TenantStatus.SUSPENDED).setName("Acme Inc").build()));
    Tenant suspended = tenants.readValue();
    assertThat(suspended.getVersion()).isEqualTo(2);
    assertThat(suspended.getName()).isEqualTo("Acme Inc");

    CommandResult deleted = apply(tenantDelete("acme"));
    assertThat(deleted.getVersion()).isEqualTo(3);
    assertThat(tenants.readValue().getStatus()).isEqualTo(TenantStatus.DELETED);

    assertThat(audit.readValuesToList()).extracting(AuditEvent::getEventType)
        .containsExactly(AuditEventType.TENANT_CREATED, AuditEventType.TENANT_UPDATED, AuditEventType.TENANT_DELETED);
    assertThat(apply(tenantUpdate("acme", TenantPayload.newBuilder().build())).getStatus()).as("a deleted tenant cannot change").isEqualTo(409);
    assertThat(apply(tenantCreate("acme", Tier.FREE)).getStatus()).isEqualTo(409);
  }

  @Test
  void shouldVersionPublishAndAuditEveryConfigChangeTogether() {
    apply(tenantCreate("acme", Tier.PRO));
    audit.readValuesToList();
    Command create = config(CommandType.CONFIG_CREATE, "acme", "development", "feature.new_ui", "true", ValueType.BOOLEAN, null);
    CommandResult created = apply(create);
    assertThat(created.getResourceId()).isEqualTo("acme:development:feature.new_ui");
    assertThat(created.getVersion()).isEqualTo(1);

    KeyValue<String, ConfigEntry> current = state.readKeyValue();
    assertThat(current.key).isEqualTo("acme|development|feature.new_ui");
    assertThat(versions.readKeyValue().key).isEqualTo("acme|development|feature.new_ui|0000000000000000001");
    KeyValue<String, LiveConfig> live = liveDev.readKeyValue();
    assertThat(live.key).isEqualTo("acme|feature.new_ui");
    assertThat(live.value.getValue()).isEqualTo("true");
    assertThat(liveProd.isEmpty()).isTrue();
    AuditEvent event = audit.readValue();
    assertThat(event.getEventType()).isEqualTo(AuditEventType.CONFIG_CREATED);
    assertThat(event.getEventId()).isEqualTo(create.getCommandId() + "-1");
    assertThat(event.getActor()).isEqualTo("tester");
    assertThat(event.getNewValue()).isEqualTo("true");

    CommandResult updated = apply(config(CommandType.CONFIG_UPDATE, "acme", "development", "feature.new_ui", "false", null, 1L));
    assertThat(updated.getVersion()).isEqualTo(2);
    AuditEvent update = audit.readValue();
    assertThat(update.getOldValue()).isEqualTo("true");
    assertThat(update.getNewValue()).isEqualTo("false");
    assertThat(state.readValuesToList()).singleElement().satisfies(e -> assertThat(e.getValueType()).isEqualTo(ValueType.BOOLEAN));

    CommandResult deleted = apply(config(CommandType.CONFIG_DELETE, "acme", "development", "feature.new_ui", null, null, null));
    assertThat(deleted.getVersion()).isEqualTo(3);
    assertThat(liveDev.readValuesToList()).hasSize(2).last().isNull(); // update, then a tombstone
    assertThat(audit.readValue().getEventType()).isEqualTo(AuditEventType.CONFIG_DELETED);

    // created again after delete: history continues
    assertThat(apply(config(CommandType.CONFIG_CREATE, "acme", "development", "feature.new_ui", "true", ValueType.BOOLEAN, null)).getVersion()).isEqualTo(4);
    KeyValueStore<String, ConfigEntry> store = driver.getKeyValueStore(RolloutTopology.CONFIG_STORE);
    assertThat(store.get("acme|development|feature.new_ui").getVersion()).isEqualTo(4);
  }

  @Test
  void shouldApplyEveryItemOfABatchWithItsOwnVersionAndAuditEventOrNoneOfIt() {
    apply(tenantCreate("acme", Tier.PRO));
    apply(config(CommandType.CONFIG_CREATE, "acme", "development", "a", "1", ValueType.NUMBER, null));
    audit.readValuesToList();
    state.readValuesToList();
    liveDev.readValuesToList();

    Command batch = batch("acme", item(BatchOp.UPDATE, "development", "a", "2", null, 1L),
        item(BatchOp.CREATE, "development", "b", "x", ValueType.STRING, null), item(BatchOp.UPSERT, "development", "b", "y", null, null),
        item(BatchOp.DELETE, "development", "a", null, null, 2L));
    CommandResult applied = apply(batch);
    assertThat(applied.getOutcome()).isEqualTo(Outcome.APPLIED);
    assertThat(applied.getItems()).extracting(ItemResult::getResourceId, ItemResult::getVersion, ItemResult::getStatus).containsExactly(
        tuple("acme:development:a", 2L, 200), tuple("acme:development:b", 1L, 201), tuple("acme:development:b", 2L, 200),
        tuple("acme:development:a", 3L, 204));
    assertThat(state.readValuesToList()).extracting(ConfigEntry::getKey, ConfigEntry::getVersion)
        .containsExactly(tuple("a", 2L), tuple("b", 1L), tuple("b", 2L), tuple("a", 3L));
    assertThat(audit.readValuesToList()).extracting(AuditEvent::getEventId, AuditEvent::getEventType).containsExactly(
        tuple(batch.getCommandId() + "-1-1", AuditEventType.CONFIG_UPDATED), tuple(batch.getCommandId() + "-2-1", AuditEventType.CONFIG_CREATED),
        tuple(batch.getCommandId() + "-3-1", AuditEventType.CONFIG_UPDATED), tuple(batch.getCommandId() + "-4-1", AuditEventType.CONFIG_DELETED));
    assertThat(liveDev.readValuesToList()).hasSize(4).last().isNull();

    // the second item's If-Match is stale: the first item's new version and the third's key must not stay
    CommandResult rejected = apply(batch("acme", item(BatchOp.CREATE, "development", "a", "5", ValueType.NUMBER, null),
        item(BatchOp.UPDATE, "development", "b", "z", null, 1L), item(BatchOp.CREATE, "development", "c", "1", ValueType.NUMBER, null)));
    assertThat(rejected.getStatus()).isEqualTo(422);
    assertThat(rejected.getErrors()).singleElement().satisfies(e -> assertThat(e).startsWith("/items/1/If-Match: ").contains("current version is 2"));
    assertThat(state.isEmpty()).isTrue();
    assertThat(audit.isEmpty()).isTrue();
    assertThat(liveDev.isEmpty()).isTrue();
    KeyValueStore<String, ConfigEntry> store = driver.getKeyValueStore(RolloutTopology.CONFIG_STORE);
    assertThat(store.get("acme|development|a").getDeleted()).isTrue();
    assertThat(store.get("acme|development|a").getVersion()).isEqualTo(3);
    assertThat(store.get("acme|development|c")).isNull();
    // a retry of the applied batch is answered, not applied again
    assertThat(apply(batch).getItems()).hasSize(4);
    assertThat(state.isEmpty()).isTrue();
  }

  @Test
  void shouldAnswerAPipelineProbeAndChangeNothing() {
    Command probe = io.hotswap.core.testing.Commands.base(CommandType.PIPELINE_PROBE, "hotswap-probe-0").build();
    CommandResult answer = apply(probe);
    assertThat(answer.getOutcome()).isEqualTo(Outcome.APPLIED);
    assertThat(answer.getStatus()).isEqualTo(200);
    assertThat(state.isEmpty()).isTrue();
    assertThat(audit.isEmpty()).isTrue();
    assertThat(tenants.isEmpty()).isTrue();
  }

  @Test
  void shouldRejectAStaleIfMatchAndChangeNothing() {
    apply(tenantCreate("acme", Tier.PRO));
    apply(config(CommandType.CONFIG_CREATE, "acme", "qa", "a.b", "1", ValueType.NUMBER, null));
    audit.readValuesToList();
    state.readValuesToList();

    CommandResult conflict = apply(config(CommandType.CONFIG_UPDATE, "acme", "qa", "a.b", "2", null, 7L));
    assertThat(conflict.getStatus()).isEqualTo(409);
    assertThat(conflict.getErrorType()).isEqualTo("version-conflict");
    assertThat(conflict.getDetail()).contains("current version is 1");
    assertThat(audit.isEmpty()).isTrue();
    assertThat(state.isEmpty()).isTrue();
    assertThat(apply(config(CommandType.CONFIG_UPDATE, "acme", "qa", "nope", "2", null, null)).getStatus()).isEqualTo(404);
    assertThat(apply(config(CommandType.CONFIG_CREATE, "acme", "qa", "a.b", "2", ValueType.NUMBER, null)).getStatus()).isEqualTo(409);
  }

  @Test
  void shouldAnswerARetriedCommandWithoutApplyingItTwice() {
    apply(io.hotswap.core.testing.Commands.unguardedTenantCreate("acme", Tier.PRO));
    Command create = config(CommandType.CONFIG_CREATE, "acme", "production", "limits.rps", "100", ValueType.NUMBER, null);
    CommandResult first = apply(create);
    audit.readValuesToList();
    versions.readValuesToList();

    CommandResult again = apply(create);

    assertThat(again).isEqualTo(first);
    assertThat(audit.isEmpty()).isTrue();
    assertThat(versions.isEmpty()).isTrue();
    assertThat(liveProd.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldRememberTheAnswerOfARetryableCommandOnlyNotOfAOneOffOne() {
    apply(io.hotswap.core.testing.Commands.unguardedTenantCreate("acme", Tier.PRO));
    Command keyed = config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null);
    Command oneOff = Command.newBuilder(config(CommandType.CONFIG_CREATE, "acme", "development", "a.c", "1", ValueType.NUMBER, null))
        .setOneOff(true).build();

    assertThat(applied(keyed).getStatus()).isEqualTo(201);
    assertThat(applied(oneOff).getStatus()).isEqualTo(201);

    // a plain write (an id the gateway made up for one request) costs no store write and no changelog record
    java.util.List<String> remembered = new java.util.ArrayList<>();
    try (var it = driver.<String, CommandResult>getWindowStore(RolloutTopology.OUTCOMES_STORE).all()) {
      it.forEachRemaining(kv -> remembered.add(kv.key.key()));
    }
    assertThat(remembered).contains(keyed.getCommandId()).doesNotContain(oneOff.getCommandId());
    assertThat(apply(keyed).getStatus()).as("a retry of the keyed write is answered as the first time").isEqualTo(201);
  }

  @Test
  void shouldNeverWriteASecretInClearToTheAuditTrail() {
    apply(io.hotswap.core.testing.Commands.unguardedTenantCreate("acme", Tier.PRO));
    apply(config(CommandType.CONFIG_CREATE, "acme", "staging", "db.password", "hunter2", ValueType.SECRET, null));
    apply(config(CommandType.CONFIG_UPDATE, "acme", "staging", "db.password", "hunter3", null, null));
    assertThat(audit.readValuesToList()).allSatisfy(e -> {
      assertThat(String.valueOf(e.getNewValue())).doesNotContain("hunter");
      assertThat(String.valueOf(e.getOldValue())).doesNotContain("hunter");
    });
  }

  @Test
  void shouldPartitionStateByTenant() {
    apply(tenantCreate("acme", Tier.PRO));
    apply(config(CommandType.CONFIG_CREATE, "acme", "development", "a.b", "1", ValueType.NUMBER, null));
    String key = state.readKeyValue().key;
    assertThat(TenantPartitioner.partition(key, 12)).isEqualTo(TenantPartitioner.partition("acme", 12));
  }

  @Test
  void shouldKeepTopologyDocsTrueToTheCode() throws Exception {
    TopologyDocs.assertDocumented("rollout", topology(serdes));
  }
}
