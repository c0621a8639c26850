package io.hotswap.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentHealth;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStatus;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Rejection;
import io.hotswap.protocol.AvroSchemas;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DeploymentMachineTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Duration BAKE = Duration.ofMinutes(5);

  @BeforeAll
  static void trust() {
    AvroSchemas.trustGeneratedClasses();
  }

  private static DeploymentPayload.Builder payload(DeploymentStrategy strategy) {
    return DeploymentPayload.newBuilder().setDeploymentId("d1").setStrategy(strategy);
  }

  private static Deployment start(DeploymentPayload plan) {
    return DeploymentMachine.start(new DeploymentMachine.Start("acme:d1", "acme", "production", "feature.new_ui", ValueType.BOOLEAN,
        3, "false", 4, "true", "olga"), DeploymentMachine.plan(plan), T0).deployment();
  }

  @Test
  void shouldFillACanaryPlanWithTheDefaultStepsBakeTimeStickinessAndErrorThreshold() {
    DeploymentPayload plan = DeploymentMachine.plan(payload(DeploymentStrategy.CANARY).build());
    assertThat(plan.getSteps()).containsExactly(10, 25, 50, 100);
    assertThat(plan.getBakeTimeMs()).isEqualTo(BAKE.toMillis());
    assertThat(plan.getStickyBy()).isEqualTo("userId");
    assertThat(plan.getMaxErrorRate()).isEqualTo(0.05);
    assertThat(DeploymentMachine.plan(DeploymentPayload.newBuilder().setDeploymentId("d1").build()).getStrategy())
        .as("no strategy means direct").isEqualTo(DeploymentStrategy.DIRECT);
  }

  @Test
  void shouldPlanAPlanItMadeToTheSamePlan() {
    // validation plans a deployment and rollout plans what validation passed on again: a second
    // pass must change nothing and refuse nothing (it once refused every blue-green deployment)
    for (DeploymentPayload requested : List.of(payload(DeploymentStrategy.DIRECT).build(), payload(DeploymentStrategy.CANARY).build(),
        payload(DeploymentStrategy.BLUE_GREEN).setTargetTags(List.of("green")).build(),
        payload(DeploymentStrategy.BLUE_GREEN).setTargetInstances(List.of("web-7")).setBakeTimeMs(0L).build(),
        payload(DeploymentStrategy.ROLLING).build(), payload(DeploymentStrategy.AB_TEST).build(),
        payload(DeploymentStrategy.CANARY).setSteps(List.of(5, 100)).setStickyBy("tenantId").build())) {
      DeploymentPayload once = DeploymentMachine.plan(requested);
      assertThat(DeploymentMachine.plan(once)).as(requested.getStrategy().name()).isEqualTo(once);
    }
  }

  @Test
  void shouldRejectPlansThatCannotRollOutNamingTheField() {
    record Bad(DeploymentPayload plan, String field) {}
    List<Bad> bad = List.of(
        new Bad(payload(DeploymentStrategy.CANARY).setSteps(List.of(10, 50)).build(), "steps"),
        new Bad(payload(DeploymentStrategy.CANARY).setSteps(List.of(50, 25, 100)).build(), "steps"),
        new Bad(payload(DeploymentStrategy.CANARY).setSteps(List.of(0, 100)).build(), "steps"),
        new Bad(payload(DeploymentStrategy.DIRECT).setSteps(List.of(10, 100)).build(), "steps"),
        new Bad(payload(DeploymentStrategy.DIRECT).setTargetTags(List.of("canary")).build(), "targetInstances"),
        new Bad(payload(DeploymentStrategy.UNKNOWN).build(), "strategy"),
        new Bad(payload(DeploymentStrategy.CANARY).setBakeTimeMs(-1L).build(), "bakeTime"),
        new Bad(payload(DeploymentStrategy.CANARY).setMaxErrorRate(1.5).build(), "maxErrorRate"),
        new Bad(payload(DeploymentStrategy.CANARY).setMaxP99LatencyMs(0.0).build(), "maxP99LatencyMs"),
        new Bad(payload(DeploymentStrategy.CANARY).setStickyBy("user id!").build(), "stickyBy"),
        new Bad(payload(DeploymentStrategy.BLUE_GREEN).build(), "targetInstances"),
        new Bad(payload(DeploymentStrategy.BLUE_GREEN).setTargetTags(List.of("green")).setSteps(List.of(50, 100)).build(), "steps"),
        new Bad(payload(DeploymentStrategy.ROLLING).setTargetTags(List.of("green")).build(), "targetInstances"),
        new Bad(payload(DeploymentStrategy.AB_TEST).setSteps(List.of(50, 100)).build(), "steps"),
        new Bad(payload(DeploymentStrategy.AB_TEST).setSteps(List.of(100)).build(), "steps"),
        new Bad(payload(DeploymentStrategy.AB_TEST).setTargetTags(List.of("green")).build(), "targetInstances"));
    for (Bad b : bad) {
      assertThatThrownBy(() -> DeploymentMachine.plan(b.plan())).as(b.plan().toString())
          .isInstanceOfSatisfying(Rejection.class, r -> {
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.field()).isEqualTo(b.field());
          });
    }
  }

  @Test
  void shouldCompleteADirectDeploymentAtOnce() {
    Deployment d = start(payload(DeploymentStrategy.DIRECT).build());
    assertThat(d.getStatus()).isEqualTo(DeploymentStatus.COMPLETED);
    assertThat(d.getPercentage()).isEqualTo(100);
    assertThat(DeploymentMachine.liveRollout(d)).as("everyone gets one value").isNull();
    assertThat(DeploymentMachine.tick(d, T0.plus(Duration.ofDays(1)))).isNull();
  }

  @Test
  void shouldWalkACanaryThroughItsStepsOneBakeTimeApart() {
    Deployment d = start(payload(DeploymentStrategy.CANARY).setTargetTags(List.of("canary")).build());
    assertThat(d.getStatus()).isEqualTo(DeploymentStatus.RUNNING);
    assertThat(d.getPercentage()).isEqualTo(10);
    assertThat(DeploymentMachine.liveRollout(d).getPercentage()).isEqualTo(10);
    assertThat(DeploymentMachine.liveRollout(d).getCandidate()).isEqualTo("true");
    assertThat(DeploymentMachine.liveRollout(d).getTargetTags()).containsExactly("canary");

    assertThat(DeploymentMachine.tick(d, T0.plus(BAKE).minusMillis(1))).as("still baking").isNull();
    List<Integer> seen = new java.util.ArrayList<>();
    List<AuditEventType> events = new java.util.ArrayList<>();
    Instant now = T0;
    while (d.getStatus() == DeploymentStatus.RUNNING) {
      now = now.plus(BAKE);
      DeploymentMachine.Transition t = DeploymentMachine.tick(d, now);
      d = t.deployment();
      seen.add((int) d.getPercentage());
      events.add(t.event());
      assertThat(d.getUpdatedBy()).isEqualTo(DeploymentMachine.SYSTEM_ACTOR);
    }
    assertThat(seen).containsExactly(25, 50, 100);
    assertThat(events).containsExactly(AuditEventType.DEPLOYMENT_ADVANCED, AuditEventType.DEPLOYMENT_ADVANCED, AuditEventType.DEPLOYMENT_COMPLETED);
    assertThat(d.getStatus()).isEqualTo(DeploymentStatus.COMPLETED);
    assertThat(d.getRevision()).isEqualTo(4);
    assertThat(DeploymentMachine.liveRollout(d)).isNull();
  }

  @Test
  void shouldGiveABlueGreenCandidateToTheGreenInstancesOnlyThenSwitchEveryone() {
    Deployment green = start(payload(DeploymentStrategy.BLUE_GREEN).setTargetTags(List.of("green")).build());
    assertThat(green.getStatus()).isEqualTo(DeploymentStatus.RUNNING);
    assertThat(green.getSteps()).containsExactly(0, 100);
    assertThat(DeploymentMachine.liveRollout(green).getPercentage()).as("no caller outside green").isZero();
    assertThat(DeploymentMachine.liveRollout(green).getTargetTags()).containsExactly("green");
    DeploymentMachine.Transition switched = DeploymentMachine.tick(green, T0.plus(BAKE));
    assertThat(switched.event()).isEqualTo(AuditEventType.DEPLOYMENT_COMPLETED);
    assertThat(DeploymentMachine.liveRollout(switched.deployment())).isNull();
  }

  @Test
  void shouldRollToTheInstancesHoldingTheKeyInBatches() {
    DeploymentPayload plan = DeploymentMachine.plan(payload(DeploymentStrategy.ROLLING).build());
    assertThat(plan.getSteps()).containsExactly(25, 50, 75, 100);
    Deployment d = DeploymentMachine.start(new DeploymentMachine.Start("acme:d1", "acme", "production", "feature.new_ui", ValueType.BOOLEAN,
        3, "false", 4, "true", "olga", List.of("i-1", "i-2", "i-3", "i-4", "i-5")), plan, T0).deployment();
    assertThat(d.getTargetInstances()).as("25 % of 5, rounded up").containsExactly("i-1", "i-2");
    assertThat(DeploymentMachine.liveRollout(d).getPercentage()).as("steps are shares of instances, not callers").isZero();
    d = DeploymentMachine.tick(d, T0.plus(BAKE)).deployment();
    assertThat(DeploymentMachine.liveRollout(d).getTargetInstances()).containsExactly("i-1", "i-2", "i-3");
    d = DeploymentMachine.tick(d, T0.plus(BAKE.multipliedBy(2))).deployment();
    assertThat(d.getTargetInstances()).hasSize(4);
    assertThat(DeploymentMachine.tick(d, T0.plus(BAKE.multipliedBy(3))).deployment().getStatus()).isEqualTo(DeploymentStatus.COMPLETED);

    assertThatThrownBy(() -> DeploymentMachine.start(new DeploymentMachine.Start("acme:d2", "acme", "production", "feature.new_ui",
        ValueType.BOOLEAN, 3, "false", 4, "true", "olga", List.of()), plan, T0))
        .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.type()).isEqualTo("no-instances"));
  }

  @Test
  void shouldSplitAnAbTestIntoStickyVariantsUntilAnOperatorCompletesIt() {
    Deployment ab = start(payload(DeploymentStrategy.AB_TEST).setSteps(List.of(30)).build());
    assertThat(ab.getStatus()).isEqualTo(DeploymentStatus.RUNNING);
    assertThat(ab.getNextStepAt()).as("no bake-time progression").isNull();
    var variants = DeploymentMachine.liveRollout(ab).getVariants();
    assertThat(variants).extracting(io.hotswap.avro.LiveVariant::getName).containsExactly("A", "B");
    assertThat(variants).extracting(io.hotswap.avro.LiveVariant::getWeight).containsExactly(70, 30);
    assertThat(variants).extracting(io.hotswap.avro.LiveVariant::getValue).containsExactly("false", "true");
    assertThat(DeploymentMachine.tick(ab, T0.plus(Duration.ofDays(30)))).isNull();
    Deployment resumed = DeploymentMachine.resume(DeploymentMachine.pause(ab, "oscar", null, T0).deployment(), "oscar", T0).deployment();
    assertThat(resumed.getNextStepAt()).as("still no progression after a resume").isNull();

    DeploymentMachine.Transition done = DeploymentMachine.complete(resumed, "oscar", T0.plusSeconds(60));
    assertThat(done.event()).isEqualTo(AuditEventType.DEPLOYMENT_COMPLETED);
    assertThat(done.deployment().getPercentage()).isEqualTo(100);
    assertThat(DeploymentMachine.liveRollout(done.deployment())).isNull();
    assertThatThrownBy(() -> DeploymentMachine.complete(done.deployment(), "oscar", T0)).isInstanceOfSatisfying(Rejection.class,
        r -> assertThat(r.status()).isEqualTo(409));

    Deployment canary = start(payload(DeploymentStrategy.CANARY).build());
    assertThat(DeploymentMachine.complete(canary, "oscar", T0).deployment().getStepIndex()).as("a canary can skip its remaining steps")
        .isEqualTo(3);
  }

  @Test
  void shouldHoldAPausedCanaryAndBakeTheStepAgainAfterResume() {
    Deployment d = start(payload(DeploymentStrategy.CANARY).build());
    Deployment paused = DeploymentMachine.pause(d, "oscar", "looking at dashboards", T0.plusSeconds(60)).deployment();
    assertThat(paused.getStatus()).isEqualTo(DeploymentStatus.PAUSED);
    assertThat(DeploymentMachine.liveRollout(paused).getPercentage()).as("the audience keeps the candidate").isEqualTo(10);
    assertThat(DeploymentMachine.tick(paused, T0.plus(Duration.ofDays(1)))).as("no step while paused").isNull();
    assertThatThrownBy(() -> DeploymentMachine.pause(paused, "oscar", null, T0)).isInstanceOfSatisfying(Rejection.class,
        r -> assertThat(r.status()).isEqualTo(409));

    Instant resumedAt = T0.plus(Duration.ofHours(1));
    Deployment resumed = DeploymentMachine.resume(paused, "oscar", resumedAt).deployment();
    assertThat(resumed.getNextStepAt()).isEqualTo(resumedAt.plus(BAKE));
    assertThat(DeploymentMachine.tick(resumed, resumedAt.plus(BAKE)).deployment().getPercentage()).isEqualTo(25);
    assertThatThrownBy(() -> DeploymentMachine.resume(resumed, "oscar", T0)).isInstanceOf(Rejection.class);
  }

  @Test
  void shouldRollBackByHandToTheStableValueAsANewVersion() {
    Deployment d = start(payload(DeploymentStrategy.CANARY).build());
    DeploymentMachine.Transition t = DeploymentMachine.rollback(d, "oscar", "wrong colour", 5, T0.plusSeconds(30));
    assertThat(t.event()).isEqualTo(AuditEventType.DEPLOYMENT_ROLLED_BACK);
    assertThat(t.deployment().getStatus()).isEqualTo(DeploymentStatus.ROLLED_BACK);
    assertThat(t.deployment().getRollbackVersion()).isEqualTo(5);
    assertThat(t.deployment().getPercentage()).isZero();
    assertThat(t.detail()).contains("wrong colour");
    assertThat(DeploymentMachine.liveRollout(t.deployment())).isNull();
    assertThatThrownBy(() -> DeploymentMachine.rollback(t.deployment(), "oscar", null, 6, T0)).isInstanceOfSatisfying(Rejection.class,
        r -> assertThat(r.status()).isEqualTo(409));
  }

  @Test
  void shouldRollBackAutomaticallyWhenAHealthReportBreachesAThreshold() {
    Deployment d = start(payload(DeploymentStrategy.CANARY).setMaxP99LatencyMs(800.0).build());
    DeploymentHealth fine = DeploymentHealth.newBuilder().setErrorRate(0.01).setP99LatencyMs(120.0).setHealthChecksPassing(true)
        .setReportedAt(T0).build();
    DeploymentMachine.Transition ok = DeploymentMachine.health(d, fine, "prometheus", 5, T0.plusSeconds(10));
    assertThat(ok.event()).isEqualTo(AuditEventType.DEPLOYMENT_HEALTH_REPORTED);
    assertThat(ok.deployment().getStatus()).isEqualTo(DeploymentStatus.RUNNING);
    assertThat(ok.deployment().getLastHealth()).isEqualTo(fine);

    for (DeploymentHealth bad : List.of(
        DeploymentHealth.newBuilder(fine).setErrorRate(0.12).build(),
        DeploymentHealth.newBuilder(fine).setP99LatencyMs(950.0).build(),
        DeploymentHealth.newBuilder(fine).setHealthChecksPassing(false).build())) {
      DeploymentMachine.Transition back = DeploymentMachine.health(ok.deployment(), bad, "prometheus", 5, T0.plusSeconds(20));
      assertThat(back.event()).isEqualTo(AuditEventType.DEPLOYMENT_ROLLED_BACK);
      assertThat(back.deployment().getStatus()).isEqualTo(DeploymentStatus.ROLLED_BACK);
      assertThat(back.deployment().getReason()).startsWith("automatic rollback: ").isEqualTo("automatic rollback: "
          + DeploymentMachine.breach(ok.deployment(), bad));
      assertThat(back.deployment().getLastHealth()).isEqualTo(bad);
    }
    assertThat(DeploymentMachine.breach(ok.deployment(), DeploymentHealth.newBuilder(fine).setErrorRate(0.12).build()))
        .isEqualTo("error rate 0.12 above 0.05");

    Deployment done = start(payload(DeploymentStrategy.DIRECT).build());
    DeploymentMachine.Transition late = DeploymentMachine.health(done, DeploymentHealth.newBuilder(fine).setErrorRate(0.9).build(), "p", 5, T0);
    assertThat(late.deployment().getStatus()).as("a finished deployment only records the report").isEqualTo(DeploymentStatus.COMPLETED);
  }
}
