package io.hotswap.rollout;

import static io.hotswap.core.testing.Commands.base;
import static io.hotswap.core.testing.Commands.config;
import static io.hotswap.core.testing.Commands.tenantCreate;
import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentHealth;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStatus;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.Outcome;
import io.hotswap.avro.Tier;
import io.hotswap.avro.ValueType;
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deployments through the rollout topology: what clients see at each step, what is versioned and audited, and the key lock. */
class DeploymentTopologyTest {

  private static final Duration BAKE = Duration.ofMinutes(5);
  private final Serdes serdes = Serdes.create();
  private TopologyTestDriver driver;
  private TestInputTopic<String, Command> changes;
  private TestOutputTopic<String, LiveConfig> live;
  private TestOutputTopic<String, ConfigEntry> state;
  private TestOutputTopic<String, Deployment> deployments;
  private TestOutputTopic<String, AuditEvent> audit;
  private TestOutputTopic<String, CommandResult> results;

  @BeforeEach
  void start() {
    StreamsBuilder builder = new StreamsBuilder();
    RolloutTopology.build(builder, serdes, Duration.ofHours(24));
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "rollout-deployments-test"));
    driver = new TopologyTestDriver(builder.build(), props, Instant.parse("2026-11-23T10:00:00Z"));
    var keys = new StringDeserializer();
    changes = driver.createInputTopic(Topics.CHANGES, new StringSerializer(), serdes.command().serializer());
    live = driver.createOutputTopic(Topics.live("production"), keys, serdes.liveConfig().deserializer());
    state = driver.createOutputTopic(Topics.CONFIG_STATE, keys, serdes.configEntry().deserializer());
    deployments = driver.createOutputTopic(Topics.DEPLOYMENTS, keys, serdes.deployment().deserializer());
    audit = driver.createOutputTopic(Topics.AUDIT, keys, serdes.auditEvent().deserializer());
    results = driver.createOutputTopic(Topics.COMMAND_RESULTS, keys, serdes.commandResult().deserializer());
    apply(io.hotswap.core.testing.Commands.unguardedTenantCreate("acme", Tier.PRO));
    apply(config(CommandType.CONFIG_CREATE, "acme", "production", "checkout.timeout_ms", "500", ValueType.NUMBER, null));
    live.readValuesToList();
    state.readValuesToList();
    audit.readValuesToList();
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private CommandResult apply(Command c) {
    changes.pipeInput(c.getTenantId(), c);
    List<CommandResult> answers = results.readValuesToList();
    assertThat(answers).hasSize(1);
    return answers.getFirst();
  }

  private static Command startCommand(String id, DeploymentStrategy strategy, String value, List<Integer> steps) {
    return base(CommandType.DEPLOYMENT_START, "acme")
        .setConfig(ConfigPayload.newBuilder().setEnvironment("production").setKey("checkout.timeout_ms").setValue(value).build())
        .setDeployment(DeploymentPayload.newBuilder().setDeploymentId(id).setStrategy(strategy).setSteps(steps)
            .setBakeTimeMs(BAKE.toMillis()).setMaxErrorRate(0.05).build())
        .build();
  }

  private static Command action(CommandType type, String id) {
    return base(type, "acme").setDeployment(DeploymentPayload.newBuilder().setDeploymentId(id).setReason("by hand").build()).build();
  }

  private TestInputTopic<String, io.hotswap.avro.InstanceState> registry() {
    return driver.createInputTopic(Topics.INSTANCE_REGISTRY, new StringSerializer(), serdes.instanceState().serializer());
  }

  /** A production instance holding acme's key, with its last health report at {@code at} + 1 s. */
  private static io.hotswap.avro.InstanceState instance(String id, Instant at, long requests, long errors) {
    return instance(id, at, 1, requests, errors);
  }

  /** The same, serving {@code version} of the key. */
  private static io.hotswap.avro.InstanceState instance(String id, Instant at, long version, long requests, long errors) {
    return io.hotswap.avro.InstanceState.newBuilder()
        .setInstance(io.hotswap.avro.ServiceInstance.newBuilder().setInstanceId(id).setService("checkout")
            .setEnvironment("production").setSentAt(at).build())
        .setStatus(io.hotswap.avro.InstanceStatus.HEALTHY)
        .setRegisteredAt(at.minusSeconds(60))
        .setLastHeartbeatAt(at.plusSeconds(1))
        .setApplied(Map.of("acme|checkout.timeout_ms", io.hotswap.avro.AppliedVersion.newBuilder().setVersion(version).setAppliedAt(at).build()))
        .setRequests(requests)
        .setErrors(errors)
        .setLastReportAt(at.plusSeconds(1))
        .build();
  }

  @Test
  void shouldRollToTheRegisteredInstancesInBatchesThenToEveryone() {
    TestInputTopic<String, io.hotswap.avro.InstanceState> registry = registry();
    Instant now = Instant.parse("2026-11-23T10:00:00Z");
    for (String id : List.of("checkout-3", "checkout-1", "checkout-2", "checkout-4")) {
      registry.pipeInput(id, instance(id, now, 0, 0));
    }
    CommandResult started = apply(startCommand("d1", DeploymentStrategy.ROLLING, "800", List.of(50, 100)));
    assertThat(started.getStatus()).as(started.getDetail()).isEqualTo(201);
    LiveConfig first = lastLive();
    assertThat(first.getValue()).isEqualTo("500");
    assertThat(first.getRollout().getTargetInstances()).containsExactly("checkout-1", "checkout-2");
    assertThat(first.getRollout().getPercentage()).isZero();
    driver.advanceWallClockTime(BAKE.plusSeconds(1));
    LiveConfig all = lastLive();
    assertThat(all.getValue()).isEqualTo("800");
    assertThat(all.getRollout()).isNull();

    apply(config(CommandType.CONFIG_CREATE, "acme", "qa", "checkout.timeout_ms", "500", ValueType.NUMBER, null));
    CommandResult nobody = apply(base(CommandType.DEPLOYMENT_START, "acme")
        .setConfig(ConfigPayload.newBuilder().setEnvironment("qa").setKey("checkout.timeout_ms").setValue("1").build())
        .setDeployment(DeploymentPayload.newBuilder().setDeploymentId("d2").setStrategy(DeploymentStrategy.ROLLING).build()).build());
    assertThat(nobody.getStatus()).as("no instance of qa holds the key").isEqualTo(409);
    assertThat(nobody.getErrorType()).isEqualTo("no-instances");
  }

  private LiveConfig lastLive() {
    List<LiveConfig> all = live.readValuesToList();
    assertThat(all).isNotEmpty();
    return all.getLast();
  }

  private static Command profileVersion(String version, String document, DeploymentPayload plan) {
    return base(CommandType.PROFILE_CREATE, "acme")
        .setProfile(io.hotswap.avro.ProfilePayload.newBuilder().setService("checkout").setEnvironment("production").setVersion(version)
            .setDocument(document).build())
        .setDeployment(plan)
        .build();
  }

  /**
   * A profile version with a strategy goes out as a deployment from the current version: clients
   * keep the stable document (and its semantic version) outside the step's audience, the profile
   * takes no other version meanwhile, and a rollback restores the stable document as a new patch.
   */
  @Test
  void shouldRollAProfileVersionOutByItsStrategyAndRestoreItOnRollback() {
    TestOutputTopic<String, io.hotswap.avro.ConfigProfile> profiles = driver.createOutputTopic(Topics.PROFILES, new StringDeserializer(),
        serdes.configProfile().deserializer());
    assertThat(apply(profileVersion("1.0.0", "{\"retries\":3}", null)).getStatus()).isEqualTo(201);
    LiveConfig first = lastLive();
    assertThat(first.getKind()).isEqualTo(io.hotswap.avro.LiveKind.PROFILE);
    assertThat(first.getRollout()).as("a first version has nothing to roll out from").isNull();

    DeploymentPayload canary = DeploymentPayload.newBuilder().setDeploymentId("p1").setStrategy(DeploymentStrategy.CANARY)
        .setSteps(List.of(10, 100)).setBakeTimeMs(BAKE.toMillis()).build();
    CommandResult created = apply(profileVersion("1.1.0", "{\"retries\":5}", canary));
    assertThat(created.getStatus()).isEqualTo(201);
    LiveConfig rolling = lastLive();
    assertThat(rolling.getValue()).isEqualTo("{\"retries\":3}");
    assertThat(rolling.getSemver()).isEqualTo("1.0.0");
    assertThat(rolling.getRollout().getCandidate()).isEqualTo("{\"retries\":5}");
    assertThat(rolling.getRollout().getCandidateSemver()).isEqualTo("1.1.0");
    assertThat(rolling.getRollout().getPercentage()).isEqualTo(10.0);
    Deployment d = deployments.readValuesToList().getLast();
    assertThat(d.getKey()).isEqualTo("profile:checkout");
    assertThat(d.getStableSemver()).isEqualTo("1.0.0");
    assertThat(d.getCandidateSemver()).isEqualTo("1.1.0");
    CommandResult locked = apply(profileVersion("1.2.0", "{\"retries\":9}", null));
    assertThat(locked.getErrorType()).isEqualTo("deployment-in-progress");

    assertThat(apply(action(CommandType.DEPLOYMENT_ROLLBACK, "p1")).getStatus()).isEqualTo(200);
    LiveConfig restored = lastLive();
    assertThat(restored.getRollout()).isNull();
    assertThat(restored.getValue()).isEqualTo("{\"retries\":3}");
    assertThat(restored.getSemver()).as("a new patch version, history kept").isEqualTo("1.1.1");
    io.hotswap.avro.ConfigProfile back = profiles.readValuesToList().getLast();
    assertThat(back.getVersion()).isEqualTo("1.1.1");
    assertThat(back.getRolledBackFrom()).isEqualTo("1.0.0");
    assertThat(back.getRevision()).isEqualTo(restored.getVersion());

    // by canary again, then everyone once the bake time has passed
    DeploymentPayload again = DeploymentPayload.newBuilder(canary).setDeploymentId("p2").build();
    assertThat(apply(profileVersion("1.2.0", "{\"retries\":7}", again)).getStatus()).isEqualTo(201);
    driver.advanceWallClockTime(BAKE.plusSeconds(1));
    LiveConfig done = lastLive();
    assertThat(done.getRollout()).isNull();
    assertThat(done.getValue()).isEqualTo("{\"retries\":7}");
    assertThat(done.getSemver()).isEqualTo("1.2.0");
  }

  @Test
  void shouldRollACanaryOutStepByStepToEveryoneAndUnlockTheKey() {
    CommandResult started = apply(startCommand("d1", DeploymentStrategy.CANARY, "800", List.of(10, 50, 100)));
    assertThat(started.getStatus()).isEqualTo(201);
    assertThat(started.getResourceId()).isEqualTo("acme:d1");

    // the new version is recorded at once; clients keep the stable value, 10 % of callers get the candidate
    assertThat(state.readValuesToList()).extracting(ConfigEntry::getVersion, ConfigEntry::getValue).containsExactly(
        org.assertj.core.groups.Tuple.tuple(2L, "800"));
    LiveConfig first = lastLive();
    assertThat(first.getValue()).isEqualTo("500");
    assertThat(first.getVersion()).isEqualTo(1);
    assertThat(first.getRollout().getCandidate()).isEqualTo("800");
    assertThat(first.getRollout().getCandidateVersion()).isEqualTo(2);
    assertThat(first.getRollout().getPercentage()).isEqualTo(10.0);
    AuditEvent startedEvent = audit.readValuesToList().getFirst();
    assertThat(startedEvent.getEventType()).isEqualTo(AuditEventType.DEPLOYMENT_STARTED);
    assertThat(startedEvent.getOldValue()).isEqualTo("500");
    assertThat(startedEvent.getNewValue()).isEqualTo("800");
    assertThat(startedEvent.getDetail()).isEqualTo("running, canary, step 1/3 at 10 %");
    assertThat(startedEvent.getActor()).isEqualTo("tester");

    // the key is locked while the deployment runs
    CommandResult blocked = apply(config(CommandType.CONFIG_UPDATE, "acme", "production", "checkout.timeout_ms", "900", null, null));
    assertThat(blocked.getStatus()).isEqualTo(409);
    assertThat(blocked.getErrorType()).isEqualTo("deployment-in-progress");
    assertThat(apply(startCommand("d2", DeploymentStrategy.DIRECT, "700", List.of())).getErrorType()).isEqualTo("deployment-in-progress");

    driver.advanceWallClockTime(BAKE.minusSeconds(2));
    assertThat(live.isEmpty()).as("no step before the bake time").isTrue();
    driver.advanceWallClockTime(Duration.ofSeconds(3));
    assertThat(lastLive().getRollout().getPercentage()).isEqualTo(50.0);
    driver.advanceWallClockTime(BAKE);
    LiveConfig done = lastLive();
    assertThat(done.getValue()).isEqualTo("800");
    assertThat(done.getVersion()).isEqualTo(2);
    assertThat(done.getRollout()).isNull();
    List<Deployment> records = deployments.readValuesToList();
    assertThat(records).extracting(Deployment::getStatus)
        .containsExactly(DeploymentStatus.RUNNING, DeploymentStatus.RUNNING, DeploymentStatus.COMPLETED);
    assertThat(records).extracting(Deployment::getRevision).containsExactly(1L, 2L, 3L);
    List<AuditEvent> steps = audit.readValuesToList();
    assertThat(steps).extracting(AuditEvent::getEventType)
        .containsExactly(AuditEventType.DEPLOYMENT_ADVANCED, AuditEventType.DEPLOYMENT_COMPLETED);
    assertThat(steps).extracting(AuditEvent::getActor).containsOnly("hotswap-rollout");
    assertThat(steps).extracting(AuditEvent::getEventId).doesNotHaveDuplicates();

    CommandResult after = apply(config(CommandType.CONFIG_UPDATE, "acme", "production", "checkout.timeout_ms", "900", null, null));
    assertThat(after.getOutcome()).as("unlocked once completed").isEqualTo(Outcome.APPLIED);
    assertThat(after.getVersion()).isEqualTo(3);
  }

  @Test
  void shouldPauseResumeAndRollBackByHandRestoringTheStableValueAsANewVersion() {
    apply(startCommand("d1", DeploymentStrategy.CANARY, "800", List.of(10, 100)));
    assertThat(apply(action(CommandType.DEPLOYMENT_PAUSE, "d1")).getStatus()).isEqualTo(200);
    live.readValuesToList();
    driver.advanceWallClockTime(BAKE.multipliedBy(3));
    assertThat(live.isEmpty()).as("a paused deployment does not step").isTrue();
    assertThat(apply(action(CommandType.DEPLOYMENT_PAUSE, "d1")).getStatus()).isEqualTo(409);
    assertThat(apply(action(CommandType.DEPLOYMENT_RESUME, "d1")).getStatus()).isEqualTo(200);
    state.readValuesToList();

    CommandResult back = apply(action(CommandType.DEPLOYMENT_ROLLBACK, "d1"));
    assertThat(back.getStatus()).isEqualTo(200);
    ConfigEntry restored = state.readValuesToList().getLast();
    assertThat(restored.getVersion()).isEqualTo(3);
    assertThat(restored.getValue()).isEqualTo("500");
    LiveConfig everyone = lastLive();
    assertThat(everyone.getValue()).isEqualTo("500");
    assertThat(everyone.getVersion()).isEqualTo(3);
    assertThat(everyone.getRollout()).isNull();
    Deployment d = deployments.readValuesToList().getLast();
    assertThat(d.getStatus()).isEqualTo(DeploymentStatus.ROLLED_BACK);
    assertThat(d.getRollbackVersion()).isEqualTo(3);
    assertThat(audit.readValuesToList()).extracting(AuditEvent::getEventType).containsExactly(AuditEventType.DEPLOYMENT_STARTED,
        AuditEventType.DEPLOYMENT_PAUSED, AuditEventType.DEPLOYMENT_RESUMED, AuditEventType.DEPLOYMENT_ROLLED_BACK);
    assertThat(apply(action(CommandType.DEPLOYMENT_ROLLBACK, "d1")).getStatus()).as("once").isEqualTo(409);
    assertThat(apply(action(CommandType.DEPLOYMENT_RESUME, "absent")).getStatus()).isEqualTo(404);
  }

  @Test
  void shouldRollBackAutomaticallyOnAnUnhealthyReport() {
    apply(startCommand("d1", DeploymentStrategy.CANARY, "800", List.of(25, 100)));
    DeploymentHealth sick = DeploymentHealth.newBuilder().setErrorRate(0.2).setSource("prometheus").setReportedAt(Instant.now()).build();
    Command report = base(CommandType.DEPLOYMENT_HEALTH, "acme")
        .setDeployment(DeploymentPayload.newBuilder().setDeploymentId("d1").setHealth(sick).build()).build();
    assertThat(apply(report).getStatus()).isEqualTo(200);
    Deployment d = deployments.readValuesToList().getLast();
    assertThat(d.getStatus()).isEqualTo(DeploymentStatus.ROLLED_BACK);
    assertThat(d.getReason()).isEqualTo("automatic rollback: error rate 0.2 above 0.05");
    assertThat(lastLive().getValue()).isEqualTo("500");
    AuditEvent event = audit.readValuesToList().getLast();
    assertThat(event.getEventType()).isEqualTo(AuditEventType.DEPLOYMENT_ROLLED_BACK);
    assertThat(event.getOldValue()).isEqualTo("800");
    assertThat(event.getNewValue()).isEqualTo("500");
    assertThat(event.getDetail()).contains("automatic rollback: error rate 0.2 above 0.05");
  }

  @Test
  void shouldRollBackAutomaticallyWhenTheInstancesHoldingTheKeyReportErrors() {
    apply(startCommand("d1", DeploymentStrategy.CANARY, "800", List.of(10, 100)));
    Instant started = deployments.readValuesToList().getLast().getCreatedAt();
    TestInputTopic<String, io.hotswap.avro.InstanceState> registry = registry();
    java.util.function.BiFunction<Long, Long, io.hotswap.avro.InstanceState> instance = (requests, errors) ->
        instance("checkout-1", started, requests, errors);
    registry.pipeInput("checkout-1", instance.apply(100L, 1L));
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    assertThat(deployments.isEmpty()).as("1 % errors: nothing to do").isTrue();

    registry.pipeInput("checkout-1", instance.apply(100L, 30L));
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    Deployment d = deployments.readValuesToList().getLast();
    assertThat(d.getStatus()).isEqualTo(DeploymentStatus.ROLLED_BACK);
    assertThat(d.getReason()).isEqualTo("automatic rollback: error rate 0.3 above 0.05");
    assertThat(d.getUpdatedBy()).isEqualTo("hotswap-rollout");
    assertThat(d.getLastHealth().getSource()).isEqualTo("instances: 1 reporting, 100 requests");
    assertThat(lastLive().getValue()).isEqualTo("500");
    assertThat(audit.readValuesToList().getLast().getEventType()).isEqualTo(AuditEventType.DEPLOYMENT_ROLLED_BACK);
  }

  /** 20 instances after the start: web-0…4 serve the candidate (version 2), the rest the stable version 1. */
  private void fleet(Instant started, long requests, long candidateErrors) {
    TestInputTopic<String, io.hotswap.avro.InstanceState> registry = registry();
    for (int i = 0; i < 20; i++) {
      registry.pipeInput("web-" + i, instance("web-" + i, started, i < 5 ? 2 : 1, requests, i < 5 ? candidateErrors : 0));
    }
  }

  @Test
  void shouldRollBackACandidateWorseThanItsBaselineThoughTheFleetStaysUnderTheThreshold() {
    apply(startCommand("d1", DeploymentStrategy.CANARY, "800", List.of(25, 100)));
    Instant started = deployments.readValuesToList().getLast().getCreatedAt();
    fleet(started, 100, 10); // 50 errors in 2,000 requests: 2.5 %, under the 5 % threshold; the candidate's 10 %
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    Deployment d = deployments.readValuesToList().getLast();
    assertThat(d.getStatus()).isEqualTo(DeploymentStatus.ROLLED_BACK);
    assertThat(d.getReason()).isEqualTo("automatic rollback: candidate error rate 10 % against the baseline's 0 %: more than 2 % worse"
        + " — candidate: 5 instances, 500 requests, 50 errors (10 %); baseline: 15 instances, 1500 requests, 0 errors (0 %)");
    assertThat(d.getLastHealth().getErrorRate()).isEqualTo(0.1);
    assertThat(lastLive().getValue()).isEqualTo("500");
    AuditEvent rolledBack = audit.readValuesToList().getLast();
    assertThat(rolledBack.getEventType()).isEqualTo(AuditEventType.DEPLOYMENT_ROLLED_BACK);
    assertThat(rolledBack.getDetail()).as("the numbers the verdict was made on, in the trail")
        .contains("candidate: 5 instances, 500 requests, 50 errors (10 %); baseline: 15 instances, 1500 requests, 0 errors (0 %)");
  }

  @Test
  void shouldHoldAStepWhileItsCandidateHasTooLittleTrafficToJudge() {
    apply(startCommand("d1", DeploymentStrategy.CANARY, "800", List.of(25, 100)));
    Instant started = deployments.readValuesToList().getLast().getCreatedAt();
    fleet(started, 0, 0);
    driver.advanceWallClockTime(BAKE.multipliedBy(3));
    assertThat(deployments.isEmpty()).as("no traffic: inconclusive, the step is held past its bake time").isTrue();
    fleet(started, 100, 0);
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    Deployment d = deployments.readValuesToList().getLast();
    assertThat(d.getStatus()).as("judged no worse than the baseline: on to the next step").isEqualTo(DeploymentStatus.COMPLETED);
  }

  @Test
  void shouldPublishAnAbTestAsTwoVariantsAndGiveEveryoneBOnComplete() {
    CommandResult started = apply(startCommand("d1", DeploymentStrategy.AB_TEST, "800", List.of(30)));
    assertThat(started.getStatus()).isEqualTo(201);
    LiveConfig split = lastLive();
    assertThat(split.getValue()).isEqualTo("500");
    assertThat(split.getRollout().getVariants()).extracting(v -> v.getName() + "=" + v.getValue() + "@" + v.getWeight())
        .containsExactly("A=500@70", "B=800@30");
    driver.advanceWallClockTime(BAKE.multipliedBy(10));
    assertThat(live.isEmpty()).as("an A/B test does not progress by itself").isTrue();

    assertThat(apply(action(CommandType.DEPLOYMENT_COMPLETE, "d1")).getStatus()).isEqualTo(200);
    LiveConfig b = lastLive();
    assertThat(b.getValue()).isEqualTo("800");
    assertThat(b.getRollout()).isNull();
    assertThat(audit.readValuesToList()).extracting(AuditEvent::getEventType)
        .containsExactly(AuditEventType.DEPLOYMENT_STARTED, AuditEventType.DEPLOYMENT_COMPLETED);
    assertThat(apply(action(CommandType.DEPLOYMENT_COMPLETE, "d1")).getStatus()).isEqualTo(409);
  }

  @Test
  void shouldRefuseToRollBackACompletedDeploymentOnceTheKeyChangedAgain() {
    apply(startCommand("d1", DeploymentStrategy.DIRECT, "800", List.of()));
    assertThat(lastLive().getValue()).as("direct: everyone at once").isEqualTo("800");
    apply(config(CommandType.CONFIG_UPDATE, "acme", "production", "checkout.timeout_ms", "900", null, null));
    CommandResult refused = apply(action(CommandType.DEPLOYMENT_ROLLBACK, "d1"));
    assertThat(refused.getStatus()).isEqualTo(409);
    assertThat(refused.getErrorType()).isEqualTo("config-changed");
  }
}
