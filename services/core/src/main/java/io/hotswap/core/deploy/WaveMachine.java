package io.hotswap.core.deploy;

import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStatus;
import io.hotswap.avro.Wave;
import io.hotswap.avro.WaveDeployment;
import io.hotswap.avro.WavePayload;
import io.hotswap.avro.WaveSignal;
import io.hotswap.avro.WaveStatus;
import io.hotswap.avro.WaveTenant;
import io.hotswap.avro.WaveTenantStatus;
import io.hotswap.core.domain.Rejection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Wave deployments as a pure state machine: one key's new value (or a profile's new version)
 * deployed across many tenants, wave by wave (Free, then Pro, then Enterprise; or tenant-id ranges). Each tenant gets an ordinary
 * deployment (its own strategy, steps, health judgement and approval), all under the wave
 * deployment's id; a wave passes when every one of its tenants' deployments has completed, and only
 * then does the next wave start. A deployment of the wave that is rolled back (automatically on its
 * health, or by hand) or refused fails the wave: the wave's other deployments are rolled back and no
 * further wave starts — the tenants already past keep the value, as they had it judged healthy.
 *
 * <p>Like {@link DeploymentMachine}: {@code (wave deployment, event, now) → (wave deployment, audit
 * event, commands)}, no I/O. The commands are the tenants' DEPLOYMENT_START and DEPLOYMENT_ROLLBACK
 * commands; the rollout service sends them through the pipeline like any other, so each tenant's
 * deployment is validated and, where its policy guards the environment, held for its approvers.
 */
public final class WaveMachine {

  /** How long a wave may take to complete (its deployments' steps and approvals) before the wave deployment fails. */
  public static final Duration DEFAULT_WAVE_TIMEOUT = Duration.ofHours(24);
  public static final Duration MAX_WAVE_TIMEOUT = Duration.ofDays(30);
  /** Tenants one wave deployment may reach. */
  public static final int MAX_TENANTS = 1000;
  /** Waves one wave deployment may have. */
  public static final int MAX_WAVES = 50;
  /** Tenant of the record key and audit scope of a wave command: it spans tenants. */
  public static final String ALL_TENANTS = "*";

  private WaveMachine() {}

  /**
   * A change of a wave deployment: the new record (null when nothing changed), the event that
   * records it in each of its tenants' audit trails (null when only a tenant's status changed, which
   * that tenant's own deployment audits), and the tenants' commands to send.
   */
  public record Transition(WaveDeployment wave, AuditEventType event, String detail, List<Command> commands) {}

  /** A wave deployment's id from the id of the command that starts it: {@code w} and 16 hex digits. */
  public static String waveDeploymentId(String commandId) {
    return "w" + commandId.replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
  }

  /** Whether {@code deploymentId} (without its tenant) is a tenant's part of a wave deployment. */
  public static boolean isWaveDeploymentId(String deploymentId) {
    return deploymentId != null && deploymentId.length() == 17 && deploymentId.charAt(0) == 'w';
  }

  /** The wave deployment a tenant's command was sent for ({@code <waveId>:<tenant>:…}), or null for any other command. */
  public static String waveOfCommand(String commandId) {
    int colon = commandId == null ? -1 : commandId.indexOf(':');
    return colon > 0 && isWaveDeploymentId(commandId.substring(0, colon)) ? commandId.substring(0, colon) : null;
  }

  /** The tenant a wave's command was sent for, or null. */
  public static String tenantOfCommand(String commandId) {
    String wave = waveOfCommand(commandId);
    if (wave == null) {
      return null;
    }
    int end = commandId.indexOf(':', wave.length() + 1);
    return end < 0 ? null : commandId.substring(wave.length() + 1, end);
  }

  /** Whether a wave's command id names the start of its tenant's deployment (not a rollback). */
  static boolean isStart(String commandId) {
    return commandId.endsWith(":start");
  }

  /**
   * A new wave deployment from the gateway's plan, its first wave started: every tenant's deployment
   * plan is checked (a bad plan is a 400) and each tenant appears in one wave only.
   */
  public static Transition start(WavePayload p, String commandId, String actor, Instant now) {
    if (p.getEnvironment() == null || p.getKey() == null || p.getValue() == null || p.getPlan() == null) {
      throw Rejection.badRequest("invalid-wave-deployment", "a wave deployment needs environment, key, value and a plan", "key");
    }
    if (p.getWaves().isEmpty()) {
      throw Rejection.badRequest("no-tenants", "no tenant is in any wave: nothing to deploy", "waves");
    }
    if (p.getWaves().size() > MAX_WAVES) {
      throw Rejection.badRequest("invalid-wave-deployment", "at most " + MAX_WAVES + " waves", "waves");
    }
    Set<String> seen = new HashSet<>();
    List<Wave> waves = new ArrayList<>();
    for (Wave wave : p.getWaves()) {
      if (wave.getTenants().isEmpty()) {
        throw Rejection.badRequest("invalid-wave-deployment", "wave '" + wave.getName() + "' has no tenants", "waves");
      }
      List<WaveTenant> tenants = new ArrayList<>();
      for (WaveTenant t : wave.getTenants()) {
        if (!seen.add(t.getTenantId())) {
          throw Rejection.badRequest("invalid-wave-deployment", "tenant '" + t.getTenantId() + "' is in more than one wave", "waves");
        }
        tenants.add(WaveTenant.newBuilder(t).setStatus(WaveTenantStatus.WAITING).setApprovalId(null).setDetail(null).build());
      }
      waves.add(Wave.newBuilder(wave).setTenants(tenants).setStartedAt(null).setPassedAt(null).build());
    }
    if (seen.size() > MAX_TENANTS) {
      throw Rejection.badRequest("invalid-wave-deployment", "a wave deployment reaches at most " + MAX_TENANTS + " tenants", "waves");
    }
    long timeout = p.getWaveTimeoutMs() == null ? DEFAULT_WAVE_TIMEOUT.toMillis() : p.getWaveTimeoutMs();
    if (timeout < 1000 || timeout > MAX_WAVE_TIMEOUT.toMillis()) {
      throw Rejection.badRequest("invalid-wave-deployment", "waveTimeout must be between 1 second and 30 days", "waveTimeout");
    }
    DeploymentPayload plan = DeploymentMachine.plan(DeploymentPayload.newBuilder(p.getPlan()).setDeploymentId(p.getWaveDeploymentId()).build());
    WaveDeployment w = WaveDeployment.newBuilder()
        .setWaveDeploymentId(p.getWaveDeploymentId())
        .setEnvironment(p.getEnvironment())
        .setKey(p.getKey())
        .setValue(p.getValue())
        .setPlan(plan)
        .setGrouping(p.getGrouping() == null ? "tier" : p.getGrouping())
        .setWaves(waves)
        .setWaveIndex(0)
        .setStatus(WaveStatus.RUNNING)
        .setWaveTimeoutMs(timeout)
        .setRevision(1)
        .setCreatedAt(now)
        .setCreatedBy(actor)
        .setUpdatedAt(now)
        .setUpdatedBy(actor)
        .setCommandId(commandId)
        .setProfile(p.getProfile())
        .build();
    List<Command> commands = new ArrayList<>();
    beginWave(w, now, commands);
    return new Transition(w, AuditEventType.WAVE_DEPLOYMENT_STARTED, describe(w), commands);
  }

  /** RUNNING → PAUSED: the running wave goes on, no further wave starts. */
  public static Transition pause(WaveDeployment w, String actor, String reason, Instant now) {
    require(w, WaveStatus.RUNNING, "pause");
    WaveDeployment next = changed(w, actor, now).setStatus(WaveStatus.PAUSED).setReason(reason).build();
    return new Transition(next, AuditEventType.WAVE_DEPLOYMENT_PAUSED, describe(next), List.of());
  }

  /** PAUSED → RUNNING: the next wave starts at once when the current one passed while paused. */
  public static Transition resume(WaveDeployment w, String actor, Instant now) {
    require(w, WaveStatus.PAUSED, "resume");
    WaveDeployment next = changed(w, actor, now).setStatus(WaveStatus.RUNNING).setReason(null).build();
    List<Command> commands = new ArrayList<>();
    Transition judged = judge(next, now, commands);
    return judged != null ? judged : new Transition(next, AuditEventType.WAVE_DEPLOYMENT_RESUMED, describe(next), commands);
  }

  /**
   * Any status but ROLLED_BACK → ROLLED_BACK: every tenant's deployment it started that is running
   * or completed is rolled back (a tenant still waiting for its approvers is rolled back if they
   * release it later); waiting tenants never get it.
   */
  public static Transition rollback(WaveDeployment w, String actor, String reason, Instant now) {
    if (w.getStatus() == WaveStatus.ROLLED_BACK) {
      throw Rejection.conflict("wave-deployment-finished", "wave deployment '" + w.getWaveDeploymentId() + "' is already rolled back", "status");
    }
    String why = reason == null ? "rolled back by " + actor : reason;
    WaveDeployment next = changed(w, actor, now).setStatus(WaveStatus.ROLLED_BACK).setReason(why).build();
    List<Command> commands = new ArrayList<>();
    for (Wave wave : next.getWaves()) {
      rollBack(next, wave, actor, "wave deployment " + w.getWaveDeploymentId() + " rolled back: " + why, now, commands);
    }
    return new Transition(next, AuditEventType.WAVE_DEPLOYMENT_ROLLED_BACK, describe(next), commands);
  }

  /** Fails a RUNNING wave that did not complete within its timeout; null when nothing is due. */
  public static Transition tick(WaveDeployment w, Instant now) {
    Wave current = w.getWaves().get(w.getWaveIndex());
    if (w.getStatus() != WaveStatus.RUNNING || current.getPassedAt() != null || current.getStartedAt() == null
        || now.isBefore(current.getStartedAt().plusMillis(w.getWaveTimeoutMs()))) {
      return null;
    }
    List<String> open = current.getTenants().stream().filter(t -> t.getStatus() != WaveTenantStatus.COMPLETED)
        .map(t -> t.getTenantId() + " (" + name(t.getStatus()) + ")").toList();
    return fail(changed(w, DeploymentMachine.SYSTEM_ACTOR, now).build(), waveName(w) + " did not complete within "
        + Duration.ofMillis(w.getWaveTimeoutMs()) + ": " + String.join(", ", open), now);
  }

  /**
   * What happened to one tenant's deployment: its status in the record, then the wave judged — all
   * its deployments completed passes it (the next starts, or the wave deployment completes), one
   * rolled back or refused fails it. A tenant's deployment that starts after the wave deployment
   * failed or was rolled back (its approvers released it late) is rolled back at once.
   */
  public static Transition signal(WaveDeployment w, WaveSignal s, Instant now) {
    WaveDeployment next = WaveDeployment.newBuilder(w).build();
    WaveTenant tenant = find(next, s.getTenantId());
    if (tenant == null) {
      return null;
    }
    boolean start = isStart(s.getCommandId());
    switch (s.getKind()) {
      case HELD -> {
        if (tenant.getStatus() != WaveTenantStatus.STARTING) {
          return null;
        }
        tenant.setStatus(WaveTenantStatus.PENDING_APPROVAL);
        tenant.setApprovalId(s.getApprovalId());
      }
      case REFUSED -> {
        if (start && (tenant.getStatus() == WaveTenantStatus.STARTING || tenant.getStatus() == WaveTenantStatus.PENDING_APPROVAL)) {
          tenant.setStatus(WaveTenantStatus.REFUSED);
          tenant.setDetail(s.getDetail());
        } else if (!start) {
          tenant.setDetail("rollback refused: " + s.getDetail());
        } else {
          return null;
        }
      }
      case DEPLOYMENT -> {
        WaveTenantStatus status = of(s.getDeploymentStatus());
        if (status == null || status == tenant.getStatus()) {
          return null;
        }
        tenant.setStatus(status);
        tenant.setDetail(status == WaveTenantStatus.ROLLED_BACK ? s.getDetail() : null);
      }
      default -> {
        return null;
      }
    }
    next = changed(next, DeploymentMachine.SYSTEM_ACTOR, now).build();
    List<Command> commands = new ArrayList<>();
    if ((w.getStatus() == WaveStatus.FAILED || w.getStatus() == WaveStatus.ROLLED_BACK) && started(tenant.getStatus())) {
      commands.add(rollbackCommand(next, tenant.getTenantId(), DeploymentMachine.SYSTEM_ACTOR, "wave deployment "
          + w.getWaveDeploymentId() + " is " + name(w.getStatus()) + "; this tenant's deployment started after that", now));
    }
    Transition judged = judge(next, now, commands);
    return judged != null ? judged : new Transition(next, null, null, commands);
  }

  /** Passes or fails the current wave on its tenants' statuses; null when it is still rolling out. */
  private static Transition judge(WaveDeployment w, Instant now, List<Command> commands) {
    if (w.getStatus() != WaveStatus.RUNNING && w.getStatus() != WaveStatus.PAUSED) {
      return null;
    }
    Wave current = w.getWaves().get(w.getWaveIndex());
    for (WaveTenant t : current.getTenants()) {
      if (t.getStatus() == WaveTenantStatus.ROLLED_BACK || t.getStatus() == WaveTenantStatus.REFUSED) {
        Transition failed = fail(w, waveName(w) + " failed: " + t.getTenantId() + " "
            + (t.getStatus() == WaveTenantStatus.REFUSED ? "was refused" : "was rolled back")
            + (t.getDetail() == null ? "" : " (" + t.getDetail() + ")"), now);
        commands.addAll(failed.commands());
        return new Transition(failed.wave(), failed.event(), failed.detail(), commands);
      }
    }
    if (current.getTenants().stream().anyMatch(t -> t.getStatus() != WaveTenantStatus.COMPLETED)) {
      return null;
    }
    if (current.getPassedAt() == null) {
      current.setPassedAt(now);
    }
    boolean last = w.getWaveIndex() == w.getWaves().size() - 1;
    if (last) {
      w.setStatus(WaveStatus.COMPLETED);
      return new Transition(w, AuditEventType.WAVE_DEPLOYMENT_COMPLETED, describe(w), commands);
    }
    if (w.getStatus() == WaveStatus.PAUSED) {
      return null;
    }
    String passed = waveName(w) + " passed";
    w.setWaveIndex(w.getWaveIndex() + 1);
    beginWave(w, now, commands);
    return new Transition(w, AuditEventType.WAVE_DEPLOYMENT_ADVANCED, passed + "; " + describe(w), commands);
  }

  /** → FAILED: the current wave's started deployments are rolled back; no further wave starts. */
  private static Transition fail(WaveDeployment w, String reason, Instant now) {
    w.setStatus(WaveStatus.FAILED);
    w.setReason(reason);
    List<Command> commands = new ArrayList<>();
    rollBack(w, w.getWaves().get(w.getWaveIndex()), DeploymentMachine.SYSTEM_ACTOR,
        "wave deployment " + w.getWaveDeploymentId() + " failed: " + reason, now, commands);
    return new Transition(w, AuditEventType.WAVE_DEPLOYMENT_FAILED, describe(w), commands);
  }

  /** Rollback commands for the wave's tenants whose deployments started. */
  private static void rollBack(WaveDeployment w, Wave wave, String actor, String reason, Instant now, List<Command> commands) {
    for (WaveTenant t : wave.getTenants()) {
      if (started(t.getStatus())) {
        commands.add(rollbackCommand(w, t.getTenantId(), actor, reason, now));
      }
    }
  }

  /** Whether the tenant's deployment started and may be rolled back (rolled back ones are not again). */
  private static boolean started(WaveTenantStatus s) {
    return s == WaveTenantStatus.RUNNING || s == WaveTenantStatus.PAUSED || s == WaveTenantStatus.COMPLETED;
  }

  /** The current wave's tenants are STARTING, each with its DEPLOYMENT_START command. */
  private static void beginWave(WaveDeployment w, Instant now, List<Command> commands) {
    Wave wave = w.getWaves().get(w.getWaveIndex());
    wave.setStartedAt(now);
    for (WaveTenant t : wave.getTenants()) {
      t.setStatus(WaveTenantStatus.STARTING);
      Command.Builder c = Command.newBuilder()
          .setCommandId(w.getWaveDeploymentId() + ":" + t.getTenantId() + ":start")
          .setTenantId(t.getTenantId())
          .setActor(w.getCreatedBy())
          .setTraceId(w.getCommandId())
          .setIssuedAt(now)
          .setDeployment(DeploymentPayload.newBuilder(w.getPlan()).setDeploymentId(w.getWaveDeploymentId()).build());
      if (w.getProfile() != null) {
        // a profile's new version, rolled out in each tenant from its current version by the plan
        c.setType(CommandType.PROFILE_CREATE).setProfile(io.hotswap.avro.ProfilePayload.newBuilder(w.getProfile()).build());
      } else {
        c.setType(CommandType.DEPLOYMENT_START)
            .setConfig(ConfigPayload.newBuilder().setEnvironment(w.getEnvironment()).setKey(w.getKey()).setValue(w.getValue()).build());
      }
      if (t.getApprovalLevels() != null) {
        // held as the tenant's policy asked when the wave deployment was planned; rollout refuses it if the policy has changed since
        c.setApprovalRequired(true).setApprovalLevels(t.getApprovalLevels()).setApprovalTimeoutMs(t.getApprovalTimeoutMs());
      }
      commands.add(c.build());
    }
  }

  private static Command rollbackCommand(WaveDeployment w, String tenant, String actor, String reason, Instant now) {
    return Command.newBuilder()
        .setCommandId(w.getWaveDeploymentId() + ":" + tenant + ":rollback:" + w.getRevision())
        .setType(CommandType.DEPLOYMENT_ROLLBACK)
        .setTenantId(tenant)
        .setActor(actor)
        .setTraceId(w.getCommandId())
        .setIssuedAt(now)
        .setDeployment(DeploymentPayload.newBuilder().setDeploymentId(w.getWaveDeploymentId()).setReason(reason).build())
        .build();
  }

  private static WaveTenantStatus of(DeploymentStatus status) {
    if (status == null) {
      return null;
    }
    return switch (status) {
      case RUNNING -> WaveTenantStatus.RUNNING;
      case PAUSED -> WaveTenantStatus.PAUSED;
      case COMPLETED -> WaveTenantStatus.COMPLETED;
      case ROLLED_BACK -> WaveTenantStatus.ROLLED_BACK;
      default -> null;
    };
  }

  private static WaveTenant find(WaveDeployment w, String tenantId) {
    for (Wave wave : w.getWaves()) {
      for (WaveTenant t : wave.getTenants()) {
        if (t.getTenantId().equals(tenantId)) {
          return t;
        }
      }
    }
    return null;
  }

  /** {@code wave 2/3 'pro'}. */
  private static String waveName(WaveDeployment w) {
    return "wave " + (w.getWaveIndex() + 1) + "/" + w.getWaves().size() + " '" + w.getWaves().get(w.getWaveIndex()).getName() + "'";
  }

  /** One line for the audit trail: status, the wave reached and its tenants, the tenants' strategy. */
  public static String describe(WaveDeployment w) {
    Wave current = w.getWaves().get(w.getWaveIndex());
    String text = name(w.getStatus()) + ", " + waveName(w) + " (" + String.join(", ",
        current.getTenants().stream().map(WaveTenant::getTenantId).toList()) + "), each tenant " + name(w.getPlan().getStrategy());
    return w.getReason() == null ? text : text + " (" + w.getReason() + ")";
  }

  private static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static WaveDeployment.Builder changed(WaveDeployment w, String actor, Instant now) {
    return WaveDeployment.newBuilder(w).setRevision(w.getRevision() + 1).setUpdatedAt(now).setUpdatedBy(actor);
  }

  private static void require(WaveDeployment w, WaveStatus status, String action) {
    if (w.getStatus() != status) {
      throw Rejection.conflict("wave-deployment-not-" + name(status), "cannot " + action + " wave deployment '"
          + w.getWaveDeploymentId() + "': it is " + name(w.getStatus()), "status");
    }
  }
}
