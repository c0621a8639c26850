package io.hotswap.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.avro.AppliedVersion;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.avro.InstanceState;
import io.hotswap.avro.InstanceStatus;
import io.hotswap.avro.ServiceInstance;
import io.hotswap.avro.ValueType;
import io.hotswap.protocol.AvroSchemas;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VerdictTest {

  private static final Instant STARTED = Instant.parse("2026-11-30T10:00:00Z");
  private static final Instant AFTER = STARTED.plusSeconds(30);
  private static final Verdict.Thresholds THRESHOLDS = new Verdict.Thresholds(20, 0.02, 2.0);

  @BeforeAll
  static void trust() {
    AvroSchemas.trustGeneratedClasses();
  }

  /** A 25 % canary of acme's key: version 1 stable, version 2 the candidate; 5 % errors at most. */
  private static Deployment canary() {
    DeploymentPayload plan = DeploymentMachine.plan(DeploymentPayload.newBuilder().setDeploymentId("d1").setStrategy(DeploymentStrategy.CANARY)
        .setSteps(List.of(25, 100)).build());
    return DeploymentMachine.start(new DeploymentMachine.Start("acme:d1", "acme", "production", "checkout.flow", ValueType.STRING,
        1, "old", 2, "new", "olga"), plan, STARTED).deployment();
  }

  /** An instance serving {@code version} of the key, with what it reported since the start. */
  private static InstanceState serving(String id, long version, long requests, long errors, Double p99, InstanceStatus status) {
    return InstanceState.newBuilder()
        .setInstance(ServiceInstance.newBuilder().setInstanceId(id).setService("checkout").setEnvironment("production").setTags(List.of())
            .setSentAt(AFTER).build())
        .setStatus(status).setRegisteredAt(STARTED.minus(Duration.ofHours(1))).setLastHeartbeatAt(AFTER)
        .setApplied(new java.util.HashMap<>(Map.of("acme|checkout.flow", AppliedVersion.newBuilder().setVersion(version).setAppliedAt(STARTED).build())))
        .setRequests(requests).setErrors(errors).setP99Ms(p99).setLastReportAt(AFTER).build();
  }

  /** 20 instances: 5 serve the candidate with {@code candidateErrors} errors in 100 requests each; 15 the stable value, error-free. */
  private static List<InstanceState> fleet(long candidateErrors, double candidateP99) {
    List<InstanceState> fleet = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      fleet.add(i < 5 ? serving("web-" + i, 2, 100, candidateErrors, candidateP99, InstanceStatus.HEALTHY)
          : serving("web-" + i, 1, 100, 0, 50.0, InstanceStatus.HEALTHY));
    }
    return fleet;
  }

  @Test
  void shouldFailACandidateWorseThanItsBaselineEvenWhenTheFleetIsUnderTheFixedThreshold() {
    Deployment d = canary();
    List<InstanceState> fleet = fleet(10, 60.0);
    AudienceHealth.Summary all = AudienceHealth.summarize(d, fleet);
    assertThat(all.errorRate()).as("the fleet as a whole: 50 errors in 2,000 requests").isEqualTo(0.025);
    assertThat(DeploymentMachine.breach(d, all.asHealth(20, AFTER))).as("under the fixed 5 %").isNull();

    // an instance that removed the key (its applied version is null) is on neither side
    fleet = new ArrayList<>(fleet);
    InstanceState removed = serving("web-gone", 1, 100, 100, 900.0, InstanceStatus.HEALTHY);
    removed.getApplied().put("acme|checkout.flow", AppliedVersion.newBuilder().setVersion(null).setAppliedAt(AFTER).build());
    fleet.add(removed);
    Verdict v = Verdict.judge(d, fleet, THRESHOLDS);
    assertThat(v.outcome()).isEqualTo(Verdict.Outcome.FAIL);
    assertThat(v.reason()).isEqualTo("candidate error rate 10 % against the baseline's 0 %: more than 2 % worse");
    assertThat(v.inputs()).isEqualTo("candidate: 5 instances, 500 requests, 50 errors (10 %), p99 60 ms; "
        + "baseline: 15 instances, 1500 requests, 0 errors (0 %), p99 50 ms");
    assertThat(v.asHealth(AFTER).getSource()).startsWith("verdict fail: candidate error rate 10 %").contains("baseline: 15 instances");
  }

  @Test
  void shouldFailACandidateMoreThanTwiceAsSlowAndPassOneNoWorse() {
    Deployment d = canary();
    assertThat(Verdict.judge(d, fleet(0, 120.0), THRESHOLDS).reason())
        .isEqualTo("candidate p99 120 ms against the baseline's 50 ms: more than 2 times slower");
    Verdict fine = Verdict.judge(d, fleet(1, 90.0), THRESHOLDS);
    assertThat(fine.outcome()).isEqualTo(Verdict.Outcome.PASS);
    assertThat(fine.reason()).isEqualTo("candidate no worse than the baseline");
  }

  @Test
  void shouldCallAQuietCandidateInconclusiveNeverAPass() {
    Deployment d = canary();
    List<InstanceState> quiet = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      quiet.add(serving("web-" + i, i < 5 ? 2 : 1, 0, 0, null, InstanceStatus.HEALTHY));
    }
    Verdict v = Verdict.judge(d, quiet, THRESHOLDS);
    assertThat(v.outcome()).isEqualTo(Verdict.Outcome.INCONCLUSIVE);
    assertThat(v.reason()).isEqualTo("too little traffic on the candidate: 0 requests, at least 20 needed");
  }

  @Test
  void shouldFailACandidateWhoseInstancesStopHeartbeating() {
    Deployment d = canary();
    List<InstanceState> fleet = new ArrayList<>(fleet(0, 50.0));
    fleet.set(0, serving("web-0", 2, 100, 0, 50.0, InstanceStatus.UNHEALTHY));
    assertThat(Verdict.judge(d, fleet, THRESHOLDS).reason()).isEqualTo("candidate instances stopped heartbeating: web-0");
  }

  @Test
  void shouldJudgeAgainstTheFixedThresholdsWithoutABaselineAndNotAtAllWithoutACandidate() {
    Deployment d = canary();
    List<InstanceState> allCandidate = List.of(serving("a", 2, 100, 25, 50.0, InstanceStatus.HEALTHY),
        serving("b", 2, 100, 0, 50.0, InstanceStatus.HEALTHY));
    assertThat(Verdict.judge(d, allCandidate, THRESHOLDS).reason())
        .isEqualTo("candidate error rate 0.125 above 0.05 (no baseline with enough traffic)");
    assertThat(Verdict.judge(d, List.of(serving("a", 2, 100, 4, 50.0, InstanceStatus.HEALTHY)), THRESHOLDS).outcome())
        .isEqualTo(Verdict.Outcome.PASS);
    assertThat(Verdict.judge(d, List.of(serving("a", 1, 100, 50, 50.0, InstanceStatus.HEALTHY)), THRESHOLDS))
        .as("no instance serves the candidate: nothing to judge").isNull();
  }
}
