package io.hotswap.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.avro.AppliedVersion;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentHealth;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.avro.InstanceState;
import io.hotswap.avro.InstanceStatus;
import io.hotswap.avro.ServiceInstance;
import io.hotswap.avro.ValueType;
import io.hotswap.protocol.AvroSchemas;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AudienceHealthTest {

  private static final Instant STARTED = Instant.parse("2026-11-23T10:00:00Z");
  private static final Instant AFTER = STARTED.plusSeconds(30);

  @BeforeAll
  static void trust() {
    AvroSchemas.trustGeneratedClasses();
  }

  private static Deployment deployment(List<String> targetInstances, List<String> targetTags) {
    DeploymentPayload plan = DeploymentMachine.plan(DeploymentPayload.newBuilder().setDeploymentId("d1").setStrategy(DeploymentStrategy.CANARY)
        .setTargetInstances(targetInstances).setTargetTags(targetTags).setMaxP99LatencyMs(500.0).build());
    return DeploymentMachine.start(new DeploymentMachine.Start("acme:d1", "acme", "production", "checkout.timeout_ms", ValueType.NUMBER,
        1, "500", 2, "800", "olga"), plan, STARTED).deployment();
  }

  /** An instance of {@code env} holding acme's key (unless {@code holds} is false), with its last health report. */
  private static InstanceState instance(String id, String env, List<String> tags, boolean holds, long requests, long errors, Double p99,
                                        Instant reportedAt) {
    return InstanceState.newBuilder()
        .setInstance(ServiceInstance.newBuilder().setInstanceId(id).setService("checkout").setEnvironment(env).setTags(tags)
            .setSentAt(reportedAt).build())
        .setStatus(InstanceStatus.HEALTHY)
        .setRegisteredAt(STARTED.minus(Duration.ofHours(1)))
        .setLastHeartbeatAt(AFTER)
        .setApplied(holds ? Map.of("acme|checkout.timeout_ms", AppliedVersion.newBuilder().setVersion(1L).setAppliedAt(STARTED).build()) : Map.of())
        .setRequests(requests)
        .setErrors(errors)
        .setP99Ms(p99)
        .setLastReportAt(reportedAt)
        .build();
  }

  @Test
  void shouldJudgeEveryInstanceHoldingTheKeyWhenTheDeploymentNamesNoTargets() {
    Deployment d = deployment(List.of(), List.of());
    AudienceHealth.Summary s = AudienceHealth.summarize(d, List.of(
        instance("a", "production", List.of(), true, 100, 2, 120.0, AFTER),
        instance("b", "production", List.of(), true, 100, 18, 640.0, AFTER),
        instance("other-env", "staging", List.of(), true, 100, 100, 9000.0, AFTER),
        instance("other-key", "production", List.of(), false, 100, 100, 9000.0, AFTER),
        instance("before-start", "production", List.of(), true, 100, 100, 9000.0, STARTED.minusSeconds(1))));
    assertThat(s.instances()).isEqualTo(2);
    assertThat(s.requests()).isEqualTo(200);
    assertThat(s.errorRate()).isEqualTo(0.1);
    assertThat(s.p99LatencyMs()).as("the worst instance").isEqualTo(640.0);
    DeploymentHealth h = s.asHealth(20, AFTER);
    assertThat(DeploymentMachine.breach(d, h)).isEqualTo("error rate 0.1 above 0.05");
    assertThat(h.getSource()).isEqualTo("instances: 2 reporting, 200 requests");
  }

  @Test
  void shouldJudgeOnlyTheTargetInstancesAndTagsWhenGiven() {
    Deployment d = deployment(List.of("canary-1"), List.of("canary"));
    AudienceHealth.Summary s = AudienceHealth.summarize(d, List.of(
        instance("canary-1", "production", List.of(), true, 50, 0, 100.0, AFTER),
        instance("tagged", "production", List.of("eu", "canary"), true, 50, 1, 90.0, AFTER),
        instance("stable", "production", List.of("eu"), true, 1000, 900, 5000.0, AFTER)));
    assertThat(s.instances()).isEqualTo(2);
    assertThat(s.errors()).isEqualTo(1);
    assertThat(DeploymentMachine.breach(d, s.asHealth(20, AFTER))).as("the stable instances' trouble is not the candidate's").isNull();
  }

  @Test
  void shouldNotJudgeAnErrorRateOnTooFewRequestsButStillLatencyAndHeartbeats() {
    Deployment d = deployment(List.of(), List.of());
    AudienceHealth.Summary quiet = AudienceHealth.summarize(d, List.of(instance("a", "production", List.of(), true, 3, 2, 80.0, AFTER)));
    assertThat(quiet.asHealth(20, AFTER).getErrorRate()).isNull();
    assertThat(DeploymentMachine.breach(d, quiet.asHealth(20, AFTER))).isNull();

    AudienceHealth.Summary slow = AudienceHealth.summarize(d, List.of(instance("a", "production", List.of(), true, 3, 0, 750.0, AFTER)));
    assertThat(DeploymentMachine.breach(d, slow.asHealth(20, AFTER))).isEqualTo("p99 latency 750 ms above 500 ms");

    InstanceState crashed = InstanceState.newBuilder(instance("a", "production", List.of(), true, 0, 0, null, STARTED.minusSeconds(5)))
        .setStatus(InstanceStatus.UNHEALTHY).build();
    AudienceHealth.Summary dead = AudienceHealth.summarize(d, List.of(crashed));
    assertThat(dead.unhealthy()).containsExactly("a");
    DeploymentHealth h = dead.asHealth(20, AFTER);
    assertThat(DeploymentMachine.breach(d, h)).isEqualTo("health checks failing");
    assertThat(h.getSource()).endsWith("stopped heartbeating: a");

    assertThat(AudienceHealth.summarize(d, List.of(instance("a", "production", List.of(), true, 10, 0, 1.0, STARTED.minusSeconds(5)))))
        .as("nothing reported since the start").isNull();
  }
}
