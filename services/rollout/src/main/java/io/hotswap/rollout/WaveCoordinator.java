package io.hotswap.rollout;

import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.Outcome;
import io.hotswap.avro.Wave;
import io.hotswap.avro.WaveDeployment;
import io.hotswap.avro.WaveSignal;
import io.hotswap.avro.WaveSignalKind;
import io.hotswap.avro.WaveStatus;
import io.hotswap.avro.WaveTenant;
import io.hotswap.core.deploy.WaveMachine;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.stream.CommandProcessor;
import io.hotswap.core.stream.CommandResults;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Coordinates wave deployments ({@link WaveMachine}; the streams are built in
 * {@link RolloutTopology}): {@code wave-commands → wave-commands-applier} and {@code deployments +
 * command-results (a wave's tenants only) → wave-signals (repartitioned by wave deployment id) →
 * wave-signals-applier}, both on one store of wave deployments, each transition leaving {@code
 * waves | commands (the tenants' deployment starts and rollbacks) | audit | command-results} in
 * one transaction. A wave deployment's owner learns what happened to each
 * tenant's deployment from that deployment's own record and its command's result, so it never
 * reads another task's state.
 */
final class WaveCoordinator {

  static final String STORE = "rollout-waves-store";
  static final String OUTCOMES_STORE = "rollout-wave-outcomes-store";
  static final String STAGE = "rollout-waves";

  private WaveCoordinator() {}

  /** Whether a deployments record key ({@code tenant|deploymentId}) is a wave's tenant deployment. */
  static boolean isWaveDeploymentKey(String key) {
    int bar = key == null ? -1 : key.lastIndexOf('|');
    return bar >= 0 && WaveMachine.isWaveDeploymentId(key.substring(bar + 1));
  }

  /** A wave's tenant deployment changed: its status, keyed by the wave deployment. */
  static List<KeyValue<String, WaveSignal>> signal(Deployment d) {
    if (d == null) {
      return List.of();
    }
    String local = d.getDeploymentId().substring(d.getTenantId().length() + 1);
    if (!WaveMachine.isWaveDeploymentId(local)) {
      return List.of();
    }
    return List.of(KeyValue.pair(local, WaveSignal.newBuilder()
        .setWaveDeploymentId(local)
        .setTenantId(d.getTenantId())
        .setKind(WaveSignalKind.DEPLOYMENT)
        .setDeploymentStatus(d.getStatus())
        .setDetail(d.getReason())
        .setCommandId(d.getDeploymentId() + "-r" + d.getRevision())
        .build()));
  }

  /** A wave's tenant command was held for approval or refused, keyed by the wave deployment; nothing for any other result. */
  static List<KeyValue<String, WaveSignal>> signal(CommandResult r) {
    String wave = r == null ? null : WaveMachine.waveOfCommand(r.getCommandId());
    if (wave == null || (r.getOutcome() != Outcome.REJECTED && !(r.getOutcome() == Outcome.PENDING && r.getResourceId() != null))) {
      return List.of();
    }
    boolean held = r.getOutcome() == Outcome.PENDING;
    return List.of(KeyValue.pair(wave, WaveSignal.newBuilder()
        .setWaveDeploymentId(wave)
        .setTenantId(WaveMachine.tenantOfCommand(r.getCommandId()))
        .setKind(held ? WaveSignalKind.HELD : WaveSignalKind.REFUSED)
        .setApprovalId(held ? r.getResourceId() : null)
        .setDetail(held ? null : r.getStatus() + " " + r.getErrorType() + ": " + r.getDetail())
        .setCommandId(r.getCommandId())
        .build()));
  }

  /**
   * What a transition leaves: the record, the tenants' commands, and the event in the audit trail
   * of every tenant the wave deployment plans for (each tenant's auditors see what was done to it
   * and why it went on or stopped). {@code cause} is the command that caused it; null for what the
   * wave deployment did by itself.
   */
  static List<Output> outputs(WaveMachine.Transition t, KeyValueStore<String, WaveDeployment> store, String cause, Instant now) {
    WaveDeployment w = t.wave();
    // what the wave deployment did by itself (a tenant's deployment reported back, a timeout) is named by its revision
    String commandId = cause != null ? cause : w.getWaveDeploymentId() + "-r" + w.getRevision();
    List<Output> out = new ArrayList<>();
    store.put(w.getWaveDeploymentId(), w);
    out.add(new Output(Output.Kind.WAVE, w.getWaveDeploymentId(), w, null));
    for (Command c : t.commands()) {
      out.add(new Output(Output.Kind.COMMAND, c.getTenantId(), c, null));
    }
    if (t.event() != null) {
      for (int i = 0; i < w.getWaves().size(); i++) {
        Wave wave = w.getWaves().get(i);
        for (WaveTenant tenant : wave.getTenants()) {
          AuditEvent event = AuditEvent.newBuilder()
              .setEventId(w.getWaveDeploymentId() + "-r" + w.getRevision() + "-" + tenant.getTenantId())
              .setEventType(t.event())
              .setTenantId(tenant.getTenantId())
              .setEnvironment(w.getEnvironment())
              .setKey(w.getKey())
              .setResourceId(io.hotswap.core.domain.StoreKeys.deploymentId(tenant.getTenantId(), w.getWaveDeploymentId()))
              .setNewValue(t.event() == io.hotswap.avro.AuditEventType.WAVE_DEPLOYMENT_STARTED ? w.getValue() : null)
              .setDetail(t.detail() + "; this tenant is in wave " + (i + 1) + " '" + wave.getName() + "'")
              .setVersion(w.getRevision())
              .setActor(w.getUpdatedBy())
              .setTraceId(w.getCommandId())
              .setCommandId(commandId)
              .setOccurredAt(now)
              .build();
          out.add(new Output(Output.Kind.AUDIT, tenant.getTenantId(), event, null));
        }
      }
    }
    return out;
  }

  /** Starts, pauses, resumes and rolls back wave deployments; answers each command on command-results. */
  static final class Commands extends CommandProcessor<Output> {
    private KeyValueStore<String, WaveDeployment> store;

    Commands(Duration idempotencyWindow) {
      super(OUTCOMES_STORE, idempotencyWindow);
    }

    @Override
    protected String stage() {
      return STAGE;
    }

    @Override
    protected void start(ProcessorContext<String, Output> context) {
      store = context.getStateStore(STORE);
    }

    @Override
    protected void process(Record<String, Command> record, Command command, Instant now) {
      Output.answered(outcomes, command, now, STAGE, out -> apply(command, now, out))
          .forEach(o -> context.forward(new Record<>(o.key(), o, record.timestamp(), record.headers())));
    }

    private CommandResult apply(Command command, Instant now, List<Output> out) {
      io.hotswap.avro.WavePayload p = command.getWave();
      if (p == null) {
        throw Rejection.badRequest("missing-wave", "wave commands need a wave payload", "wave");
      }
      WaveDeployment current = store.get(p.getWaveDeploymentId());
      if (command.getType() == io.hotswap.avro.CommandType.WAVE_START) {
        if (current != null) {
          throw Rejection.conflict("wave-deployment-exists", "wave deployment '" + p.getWaveDeploymentId() + "' already exists", "waveDeploymentId");
        }
        WaveMachine.Transition t = WaveMachine.start(p, command.getCommandId(), command.getActor(), now);
        out.addAll(outputs(t, store, command.getCommandId(), now));
        return CommandResults.applied(command, 201, p.getWaveDeploymentId(), t.wave().getRevision(), STAGE, now);
      }
      if (current == null) {
        throw Rejection.notFound("wave-deployment-not-found", "No wave deployment with id '" + p.getWaveDeploymentId() + "'", "waveDeploymentId");
      }
      WaveMachine.Transition t = switch (command.getType()) {
        case WAVE_PAUSE -> WaveMachine.pause(current, command.getActor(), p.getReason(), now);
        case WAVE_RESUME -> WaveMachine.resume(current, command.getActor(), now);
        case WAVE_ROLLBACK -> WaveMachine.rollback(current, command.getActor(), p.getReason(), now);
        default -> throw Rejection.badRequest("unknown-command", "command type " + command.getType() + " is not a wave command", "type");
      };
      out.addAll(outputs(t, store, command.getCommandId(), now));
      return CommandResults.applied(command, 200, p.getWaveDeploymentId(), t.wave().getRevision(), STAGE, now);
    }
  }

  /**
   * Applies what happened to the tenants' deployments, and (wall clock, every {@code tick}) fails a
   * running wave that did not complete within its timeout.
   */
  static final class Signals implements Processor<String, WaveSignal, String, Output> {
    private final Duration tick;
    private ProcessorContext<String, Output> context;
    private KeyValueStore<String, WaveDeployment> store;

    Signals(Duration tick) {
      this.tick = tick;
    }

    @Override
    public void init(ProcessorContext<String, Output> context) {
      this.context = context;
      this.store = context.getStateStore(STORE);
      context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::timeouts);
    }

    @Override
    public void process(Record<String, WaveSignal> record) {
      WaveDeployment w = record.value() == null ? null : store.get(record.key());
      if (w == null) {
        return;
      }
      Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
      WaveMachine.Transition t = WaveMachine.signal(w, record.value(), now);
      if (t != null) {
        outputs(t, store, null, now).forEach(o -> context.forward(new Record<>(o.key(), o, record.timestamp())));
      }
    }

    private void timeouts(long ts) {
      Instant now = Instant.ofEpochMilli(ts);
      List<WaveMachine.Transition> due = new ArrayList<>();
      try (var it = store.all()) {
        it.forEachRemaining(kv -> {
          if (kv.value != null && kv.value.getStatus() == WaveStatus.RUNNING) {
            WaveMachine.Transition t = WaveMachine.tick(kv.value, now);
            if (t != null) {
              due.add(t);
            }
          }
        });
      }
      for (WaveMachine.Transition t : due) {
        outputs(t, store, null, now).forEach(o -> context.forward(new Record<>(o.key(), o, ts)));
      }
    }
  }
}
