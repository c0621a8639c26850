package io.hotswap.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStatus;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.avro.Wave;
import io.hotswap.avro.WaveDeployment;
import io.hotswap.avro.WavePayload;
import io.hotswap.avro.WaveSignal;
import io.hotswap.avro.WaveSignalKind;
import io.hotswap.avro.WaveStatus;
import io.hotswap.avro.WaveTenant;
import io.hotswap.avro.WaveTenantStatus;
import io.hotswap.core.domain.Rejection;
import io.hotswap.protocol.AvroSchemas;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WaveMachineTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final String ID = "w0123456789abcdef";

  @BeforeAll
  static void trust() {
    AvroSchemas.trustGeneratedClasses();
  }

  private static WaveTenant tenant(String id, Integer approvalLevels) {
    return WaveTenant.newBuilder().setTenantId(id).setApprovalLevels(approvalLevels)
        .setApprovalTimeoutMs(approvalLevels == null ? null : 3_600_000L).build();
  }

  private static Wave wave(String name, WaveTenant... tenants) {
    return Wave.newBuilder().setName(name).setTenants(List.of(tenants)).build();
  }

  private static WavePayload.Builder payload(Wave... waves) {
    return WavePayload.newBuilder().setWaveDeploymentId(ID).setEnvironment("production").setKey("search.engine").setValue("neural")
        .setPlan(DeploymentPayload.newBuilder().setDeploymentId("pending").setStrategy(DeploymentStrategy.CANARY).build())
        .setWaves(List.of(waves));
  }

  /** Free: a, b; Pro: c (guarded: 2 approvers); Enterprise: d. */
  private static WaveMachine.Transition started() {
    return WaveMachine.start(payload(wave("free", tenant("a", null), tenant("b", null)), wave("pro", tenant("c", 2)),
        wave("enterprise", tenant("d", null))).build(), "cmd-1", "olga", T0);
  }

  private static WaveSignal deployment(String tenant, DeploymentStatus status, String reason) {
    return WaveSignal.newBuilder().setWaveDeploymentId(ID).setTenantId(tenant).setKind(WaveSignalKind.DEPLOYMENT)
        .setDeploymentStatus(status).setDetail(reason).setCommandId(tenant + ":" + ID + "-r1").build();
  }

  private static WaveSignal result(String tenant, WaveSignalKind kind, String detail, String approvalId, String command) {
    return WaveSignal.newBuilder().setWaveDeploymentId(ID).setTenantId(tenant).setKind(kind).setDetail(detail).setApprovalId(approvalId)
        .setCommandId(ID + ":" + tenant + ":" + command).build();
  }

  private static WaveDeployment apply(WaveDeployment w, WaveSignal... signals) {
    for (WaveSignal s : signals) {
      WaveMachine.Transition t = WaveMachine.signal(w, s, T0.plusSeconds(10));
      w = t == null ? w : t.wave();
    }
    return w;
  }

  private static List<String> statuses(WaveDeployment w, int wave) {
    return w.getWaves().get(wave).getTenants().stream().map(t -> t.getStatus().name()).toList();
  }

  private static List<String> ids(List<Command> commands, Function<Command, String> f) {
    return commands.stream().map(f).toList();
  }

  @Test
  void shouldStartTheFirstWaveOnlyWithEachTenantsDeploymentUnderTheWaveId() {
    WaveMachine.Transition t = started();
    WaveDeployment w = t.wave();
    assertThat(w.getStatus()).isEqualTo(WaveStatus.RUNNING);
    assertThat(t.event()).isEqualTo(AuditEventType.WAVE_DEPLOYMENT_STARTED);
    assertThat(t.detail()).contains("wave 1/3 'free' (a, b)", "canary");
    assertThat(statuses(w, 0)).containsExactly("STARTING", "STARTING");
    assertThat(statuses(w, 1)).containsExactly("WAITING");
    assertThat(w.getWaves().get(0).getStartedAt()).isEqualTo(T0);
    assertThat(w.getPlan().getSteps()).as("the plan is completed like any deployment's").containsExactly(10, 25, 50, 100);
    Command first = t.commands().getFirst();
    assertThat(ids(t.commands(), Command::getCommandId)).containsExactly(ID + ":a:start", ID + ":b:start");
    assertThat(first.getType()).isEqualTo(CommandType.DEPLOYMENT_START);
    assertThat(first.getTenantId()).isEqualTo("a");
    assertThat(first.getActor()).isEqualTo("olga");
    assertThat(first.getDeployment().getDeploymentId()).isEqualTo(ID);
    assertThat(first.getConfig().getValue()).isEqualTo("neural");
    assertThat(first.getApprovalRequired()).isFalse();
    assertThat(WaveMachine.waveOfCommand(first.getCommandId())).isEqualTo(ID);
    assertThat(WaveMachine.tenantOfCommand(first.getCommandId())).isEqualTo("a");
    assertThat(WaveMachine.waveOfCommand("3f1c2d4e-0000-4000-8000-000000000000")).isNull();
    assertThat(WaveMachine.tenantOfCommand("plain")).isNull();
  }

  @Test
  void shouldAdvanceWaveByWaveOnlyWhenEveryDeploymentOfTheWaveCompleted() {
    WaveDeployment w = started().wave();
    w = apply(w, deployment("a", DeploymentStatus.RUNNING, null), deployment("a", DeploymentStatus.COMPLETED, null),
        deployment("b", DeploymentStatus.RUNNING, null));
    assertThat(w.getWaveIndex()).as("b still runs").isZero();

    WaveMachine.Transition passed = WaveMachine.signal(w, deployment("b", DeploymentStatus.COMPLETED, null), T0.plusSeconds(20));
    assertThat(passed.event()).isEqualTo(AuditEventType.WAVE_DEPLOYMENT_ADVANCED);
    assertThat(passed.detail()).startsWith("wave 1/3 'free' passed; running, wave 2/3 'pro' (c)");
    w = passed.wave();
    assertThat(w.getWaves().get(0).getPassedAt()).isEqualTo(T0.plusSeconds(20));
    Command pro = passed.commands().getFirst();
    assertThat(pro.getTenantId()).isEqualTo("c");
    assertThat(pro.getApprovalRequired()).as("held as the tenant's policy asked when planned").isTrue();
    assertThat(pro.getApprovalLevels()).isEqualTo(2);
    assertThat(pro.getApprovalTimeoutMs()).isEqualTo(3_600_000L);

    // c waits for its approvers, then runs and completes
    w = apply(w, result("c", WaveSignalKind.HELD, null, "appr-1", "start"));
    assertThat(w.getWaves().get(1).getTenants().getFirst().getStatus()).isEqualTo(WaveTenantStatus.PENDING_APPROVAL);
    assertThat(w.getWaves().get(1).getTenants().getFirst().getApprovalId()).isEqualTo("appr-1");
    assertThat(WaveMachine.signal(w, result("c", WaveSignalKind.HELD, null, "appr-2", "start"), T0)).as("held once").isNull();
    w = apply(w, deployment("c", DeploymentStatus.RUNNING, null), deployment("c", DeploymentStatus.COMPLETED, null));
    assertThat(w.getWaveIndex()).isEqualTo(2);
    WaveMachine.Transition done = WaveMachine.signal(w, deployment("d", DeploymentStatus.COMPLETED, null), T0.plusSeconds(30));
    assertThat(done.event()).isEqualTo(AuditEventType.WAVE_DEPLOYMENT_COMPLETED);
    assertThat(done.wave().getStatus()).isEqualTo(WaveStatus.COMPLETED);
    assertThat(done.commands()).isEmpty();
    assertThat(WaveMachine.signal(done.wave(), deployment("d", DeploymentStatus.COMPLETED, null), T0)).as("nothing changed").isNull();
    assertThat(WaveMachine.signal(done.wave(), deployment("zz", DeploymentStatus.COMPLETED, null), T0)).as("not its tenant").isNull();
  }

  @Test
  void shouldFailTheWaveOnARolledBackDeploymentAndRollBackTheRestOfIt() {
    WaveDeployment w = apply(started().wave(), deployment("a", DeploymentStatus.RUNNING, null), deployment("b", DeploymentStatus.RUNNING, null));
    WaveMachine.Transition failed = WaveMachine.signal(w, deployment("a", DeploymentStatus.ROLLED_BACK,
        "automatic rollback: error rate 0.5 above 0.05"), T0.plusSeconds(40));
    assertThat(failed.event()).isEqualTo(AuditEventType.WAVE_DEPLOYMENT_FAILED);
    assertThat(failed.wave().getStatus()).isEqualTo(WaveStatus.FAILED);
    assertThat(failed.wave().getReason()).isEqualTo("wave 1/3 'free' failed: a was rolled back (automatic rollback: error rate 0.5 above 0.05)");
    assertThat(ids(failed.commands(), Command::getTenantId)).as("only b still holds the candidate").containsExactly("b");
    assertThat(failed.commands().getFirst().getType()).isEqualTo(CommandType.DEPLOYMENT_ROLLBACK);
    assertThat(failed.commands().getFirst().getDeployment().getReason()).contains("failed");
    assertThat(statuses(failed.wave(), 1)).containsExactly("WAITING");

    // a failed wave deployment is over: no pause, no resume; its rollback refused for a tenant is noted
    assertThatThrownBy(() -> WaveMachine.pause(failed.wave(), "olga", null, T0)).isInstanceOf(Rejection.class);
    assertThatThrownBy(() -> WaveMachine.resume(failed.wave(), "olga", T0)).isInstanceOf(Rejection.class);
    WaveDeployment noted = apply(failed.wave(), result("b", WaveSignalKind.REFUSED, "409 config-changed: the key changed", null, "rollback:3"));
    assertThat(noted.getWaves().getFirst().getTenants().get(1).getDetail()).startsWith("rollback refused: 409 config-changed");
    assertThat(noted.getStatus()).isEqualTo(WaveStatus.FAILED);
  }

  @Test
  void shouldFailOnARefusedStartAndRollBackADeploymentReleasedAfterwards() {
    WaveDeployment w = apply(started().wave(), result("a", WaveSignalKind.HELD, null, "appr-9", "start"));
    WaveMachine.Transition failed = WaveMachine.signal(w, result("b", WaveSignalKind.REFUSED, "404 config-not-found: No configuration",
        null, "start"), T0.plusSeconds(5));
    assertThat(failed.wave().getReason()).contains("b was refused (404 config-not-found");
    assertThat(failed.commands()).as("a has not started: nothing to roll back yet").isEmpty();
    // a's approvers release it after the failure: it is rolled back at once
    WaveMachine.Transition late = WaveMachine.signal(failed.wave(), deployment("a", DeploymentStatus.RUNNING, null), T0.plusSeconds(60));
    assertThat(late.event()).isNull();
    assertThat(ids(late.commands(), Command::getTenantId)).containsExactly("a");
    assertThat(late.commands().getFirst().getDeployment().getReason()).contains("started after that");
  }

  @Test
  void shouldHoldTheNextWaveWhilePausedAndStartItOnResume() {
    WaveDeployment w = WaveMachine.pause(started().wave(), "olga", "watching", T0.plusSeconds(1)).wave();
    assertThat(w.getStatus()).isEqualTo(WaveStatus.PAUSED);
    w = apply(w, deployment("a", DeploymentStatus.COMPLETED, null), deployment("b", DeploymentStatus.COMPLETED, null));
    assertThat(w.getWaveIndex()).as("passed, but the next wave waits").isZero();
    assertThat(w.getWaves().getFirst().getPassedAt()).isNotNull();
    WaveMachine.Transition resumed = WaveMachine.resume(w, "olga", T0.plusSeconds(50));
    assertThat(resumed.event()).isEqualTo(AuditEventType.WAVE_DEPLOYMENT_ADVANCED);
    assertThat(resumed.wave().getStatus()).isEqualTo(WaveStatus.RUNNING);
    assertThat(ids(resumed.commands(), Command::getTenantId)).containsExactly("c");

    // resuming a wave still running only resumes
    WaveDeployment paused = WaveMachine.pause(resumed.wave(), "olga", null, T0).wave();
    WaveMachine.Transition plain = WaveMachine.resume(paused, "olga", T0);
    assertThat(plain.event()).isEqualTo(AuditEventType.WAVE_DEPLOYMENT_RESUMED);
    assertThat(plain.commands()).isEmpty();
  }

  @Test
  void shouldFailAWaveThatDoesNotCompleteInTime() {
    WaveDeployment w = WaveMachine.start(payload(wave("free", tenant("a", null))).setWaveTimeoutMs(60_000L).build(), "cmd", "olga", T0).wave();
    w = apply(w, result("a", WaveSignalKind.HELD, null, "appr-1", "start"));
    assertThat(WaveMachine.tick(w, T0.plusSeconds(59))).isNull();
    WaveMachine.Transition late = WaveMachine.tick(w, T0.plusSeconds(60));
    assertThat(late.wave().getStatus()).isEqualTo(WaveStatus.FAILED);
    assertThat(late.wave().getReason()).isEqualTo("wave 1/1 'free' did not complete within PT1M: a (pending_approval)");
    assertThat(WaveMachine.tick(late.wave(), T0.plusSeconds(120))).as("failed once").isNull();
  }

  @Test
  void shouldRollBackEveryStartedDeploymentOnceByHand() {
    WaveDeployment w = apply(started().wave(), deployment("a", DeploymentStatus.COMPLETED, null), deployment("b", DeploymentStatus.COMPLETED, null),
        deployment("c", DeploymentStatus.RUNNING, null));
    WaveMachine.Transition back = WaveMachine.rollback(w, "olga", null, T0.plusSeconds(70));
    assertThat(back.event()).isEqualTo(AuditEventType.WAVE_DEPLOYMENT_ROLLED_BACK);
    assertThat(back.wave().getReason()).isEqualTo("rolled back by olga");
    assertThat(ids(back.commands(), Command::getTenantId)).containsExactly("a", "b", "c");
    assertThat(ids(back.commands(), Command::getActor)).containsOnly("olga");
    assertThat(back.commands().stream().map(Command::getCommandId).distinct()).hasSize(3);
    assertThatThrownBy(() -> WaveMachine.rollback(back.wave(), "olga", null, T0)).isInstanceOf(Rejection.class)
        .hasMessageContaining("already rolled back");
  }

  @Test
  void shouldRefuseAPlanThatIsNotOne() {
    assertThatThrownBy(() -> WaveMachine.start(payload().build(), "c", "olga", T0)).hasMessageContaining("no tenant");
    assertThatThrownBy(() -> WaveMachine.start(payload(wave("free", tenant("a", null)), wave("pro", tenant("a", null))).build(), "c", "olga", T0))
        .hasMessageContaining("'a' is in more than one wave");
    assertThatThrownBy(() -> WaveMachine.start(payload(wave("free")).build(), "c", "olga", T0)).hasMessageContaining("has no tenants");
    assertThatThrownBy(() -> WaveMachine.start(payload(wave("free", tenant("a", null))).setWaveTimeoutMs(10L).build(), "c", "olga", T0))
        .hasMessageContaining("waveTimeout");
    assertThatThrownBy(() -> WaveMachine.start(payload(wave("free", tenant("a", null))).setValue(null).build(), "c", "olga", T0))
        .hasMessageContaining("environment, key, value");
    assertThatThrownBy(() -> WaveMachine.start(payload(wave("free", tenant("a", null))).setPlan(DeploymentPayload.newBuilder()
        .setDeploymentId("x").setStrategy(DeploymentStrategy.CANARY).setSteps(List.of(50, 20)).build()).build(), "c", "olga", T0))
        .isInstanceOf(Rejection.class).hasMessageContaining("strictly increasing");
    assertThat(WaveMachine.waveDeploymentId("3f1c2d4e-aaaa-4000-8000-000000000000")).isEqualTo("w3f1c2d4eaaaa4000");
    assertThat(WaveMachine.isWaveDeploymentId("w3f1c2d4eaaaa4000")).isTrue();
    assertThat(WaveMachine.isWaveDeploymentId("d3f1c2d4eaaaa4000")).isFalse();
    assertThat(Duration.ofMillis(WaveMachine.start(payload(wave("free", tenant("a", null))).build(), "c", "olga", T0).wave().getWaveTimeoutMs()))
        .isEqualTo(WaveMachine.DEFAULT_WAVE_TIMEOUT);
  }
}
