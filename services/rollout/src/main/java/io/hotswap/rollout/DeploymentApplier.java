package io.hotswap.rollout;

import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStatus;
import io.hotswap.avro.LiveConfig;
import io.hotswap.core.deploy.DeploymentMachine;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.stream.AuditEvents;
import io.hotswap.core.stream.CommandResults;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Drives {@link DeploymentMachine} for the rollout service: DEPLOYMENT_* commands and the bake-time
 * ticks. Every transition emits, in the task's transaction, the deployment record, the live record
 * clients evaluate, the config version it creates (start and rollback) and one audit event.
 *
 * <p>While a deployment is active (RUNNING or PAUSED) its key is locked: other changes of it are
 * refused with 409 until it completes or is rolled back.
 */
final class DeploymentApplier {

  /**
   * How deployments are driven: how often bake times and the audience's health are checked, how
   * many requests a cohort must have reported before its error rate is judged, and how much worse
   * than its baseline a candidate may be (error rate, in absolute terms; p99, as a ratio).
   */
  record Policy(java.time.Duration tick, long minRequests, double maxErrorRateIncrease, double maxP99Ratio) {
    static final Policy DEFAULT = new Policy(java.time.Duration.ofSeconds(1), 20, 0.02, 2.0);

    io.hotswap.core.deploy.Verdict.Thresholds verdict() {
      return new io.hotswap.core.deploy.Verdict.Thresholds(minRequests, maxErrorRateIncrease, maxP99Ratio);
    }
  }

  private final ChangeApplier changes;
  private final KeyValueStore<String, ConfigEntry> configs;
  private final KeyValueStore<String, io.hotswap.avro.ConfigProfile> profiles;
  private final KeyValueStore<String, Deployment> deployments;
  private final KeyValueStore<String, String> active;
  private final KeyValueStore<String, io.hotswap.avro.InstanceState> registry;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeploymentApplier.class);
  private final Policy policy;
  private final RolloutMetrics metrics;

  DeploymentApplier(ChangeApplier changes, KeyValueStore<String, ConfigEntry> configs,
                    KeyValueStore<String, io.hotswap.avro.ConfigProfile> profiles, KeyValueStore<String, Deployment> deployments,
                    KeyValueStore<String, String> active, KeyValueStore<String, io.hotswap.avro.InstanceState> registry, Policy policy,
                    RolloutMetrics metrics) {
    this.metrics = metrics;
    this.changes = changes;
    this.configs = configs;
    this.profiles = profiles;
    this.deployments = deployments;
    this.active = active;
    this.registry = registry;
    this.policy = policy;
  }

  /** 409 when a deployment is rolling out the key (config store key {@code tenant|env|key}). */
  void requireUnlocked(String configStoreKey) {
    String deployment = active.get(configStoreKey);
    if (deployment != null) {
      String[] parts = deployment.split("\\|", 2);
      throw Rejection.conflict("deployment-in-progress", "deployment '" + StoreKeys.deploymentId(parts[0], parts[1])
          + "' is rolling out this key; wait for it, or roll it back, before changing the key", "configId");
    }
  }

  CommandResult apply(Command command, Instant now, List<Output> out) {
    DeploymentPayload p = command.getDeployment();
    if (p == null) {
      throw Rejection.badRequest("missing-deployment", "deployment commands need a deployment payload", "deployment");
    }
    String storeKey = StoreKeys.deployment(command.getTenantId(), p.getDeploymentId());
    if (command.getType() == io.hotswap.avro.CommandType.DEPLOYMENT_START) {
      return start(command, now, out);
    }
    Deployment d = deployments.get(storeKey);
    if (d == null) {
      throw Rejection.notFound("deployment-not-found", "No deployment with id '"
          + StoreKeys.deploymentId(command.getTenantId(), p.getDeploymentId()) + "'", "deploymentId");
    }
    DeploymentMachine.Transition t = switch (command.getType()) {
      case DEPLOYMENT_PAUSE -> DeploymentMachine.pause(d, command.getActor(), p.getReason(), now);
      case DEPLOYMENT_RESUME -> DeploymentMachine.resume(d, command.getActor(), now);
      case DEPLOYMENT_COMPLETE -> DeploymentMachine.complete(d, command.getActor(), now);
      case DEPLOYMENT_ROLLBACK -> DeploymentMachine.rollback(d, command.getActor(), p.getReason() == null ? "rolled back by "
          + command.getActor() : p.getReason(), rollbackVersion(d), now);
      default -> DeploymentMachine.health(d, p.getHealth(), command.getActor(), rollbackVersion(d), now);
    };
    record(command, d, t, now, out);
    return CommandResults.applied(command, 200, t.deployment().getDeploymentId(), t.deployment().getRevision(), ChangeApplier.STAGE, now);
  }

  private CommandResult start(Command command, Instant now, List<Output> out) {
    ConfigPayload c = command.getConfig();
    String tenant = command.getTenantId();
    String configKey = StoreKeys.config(tenant, c.getEnvironment(), c.getKey());
    ConfigEntry current = configs.get(configKey);
    if (current == null || current.getDeleted()) {
      throw Rejection.notFound("config-not-found", "No configuration with id '"
          + StoreKeys.configId(tenant, c.getEnvironment(), c.getKey()) + "'", "configId");
    }
    requireUnlocked(configKey);
    if (c.getExpectedVersion() != null && c.getExpectedVersion() != current.getVersion()) {
      throw Rejection.conflict("version-conflict", "If-Match names version " + c.getExpectedVersion()
          + " but the current version is " + current.getVersion() + "; re-read and retry", "If-Match");
    }
    // the candidate is a value of the key like any update: its type, sealed when Secret, its schema
    // (a plugin assignment that keeps its credentials takes the current ones)
    c.setValue(io.hotswap.protocol.PluginAssignment.carryCredentials(c.getKey(), c.getValue(), current.getValue()));
    c.setValue(changes.checkedValue(tenant, c, current.getValueType()));
    ConfigEntry candidate = ConfigEntry.newBuilder(current)
        .setValue(c.getValue())
        .setVersion(current.getVersion() + 1)
        .setUpdatedAt(now)
        .setUpdatedBy(command.getActor())
        .setCommandId(command.getCommandId())
        .build();
    DeploymentMachine.Transition t = begin(command, c.getEnvironment(), c.getKey(), current.getValueType(), current.getVersion(),
        current.getValue(), candidate.getVersion(), candidate.getValue(), now);
    newVersion(command, candidate, now, out);
    record(command, null, t, now, out);
    return CommandResults.applied(command, 201, t.deployment().getDeploymentId(), t.deployment().getRevision(), ChangeApplier.STAGE, now);
  }

  /**
   * A new profile version rolled out from the current one by the command's plan: the version is
   * stored already (the profile's latest, as a key's candidate is its latest version); callers
   * outside the deployment's audience keep the stable document until it completes, and a rollback
   * restores it as a new patch version.
   */
  void startProfile(Command command, io.hotswap.avro.ConfigProfile stable, io.hotswap.avro.ConfigProfile candidate, Instant now,
                    List<Output> out) {
    DeploymentMachine.Transition t = begin(command, candidate.getEnvironment(), StoreKeys.liveProfileKey(candidate.getService()),
        io.hotswap.avro.ValueType.JSON, stable.getRevision(), stable.getDocument(), candidate.getRevision(), candidate.getDocument(), now);
    t.deployment().setStableSemver(stable.getVersion());
    t.deployment().setCandidateSemver(candidate.getVersion());
    record(command, null, t, now, out);
  }

  /**
   * The first transition of the command's deployment of {@code key} (a key, or {@code profile:<service>})
   * from the stable version to the candidate: its plan completed, a ROLLING one over the instances
   * holding the key now; 409 when a deployment with its id exists.
   */
  private DeploymentMachine.Transition begin(Command command, String environment, String key, io.hotswap.avro.ValueType type,
                                             long stableVersion, String stableValue, long candidateVersion, String candidateValue,
                                             Instant now) {
    String tenant = command.getTenantId();
    DeploymentPayload requested = command.getDeployment();
    String id = StoreKeys.deploymentId(tenant, requested.getDeploymentId());
    if (deployments.get(StoreKeys.deployment(tenant, requested.getDeploymentId())) != null) {
      throw Rejection.conflict("deployment-exists", "deployment '" + id + "' already exists", "deploymentId");
    }
    DeploymentPayload plan = DeploymentMachine.plan(requested);
    return DeploymentMachine.start(new DeploymentMachine.Start(id, tenant, environment, key, type, stableVersion, stableValue,
        candidateVersion, candidateValue, command.getActor(),
        plan.getStrategy() == io.hotswap.avro.DeploymentStrategy.ROLLING ? holders(tenant, environment, key) : List.of()), plan, now);
  }

  /** Whether the deployment rolls out a profile's document (key {@code profile:<service>}) rather than a key's value. */
  private static boolean profile(Deployment d) {
    return StoreKeys.profileService(d.getKey()) != null;
  }

  private String profileLatestKey(Deployment d) {
    return StoreKeys.profile(d.getTenantId(), StoreKeys.profileService(d.getKey()), d.getEnvironment());
  }

  /**
   * Called by the wall-clock punctuator: rolls back active deployments whose audience reports
   * breach their thresholds ({@link io.hotswap.core.deploy.AudienceHealth}) or whose candidate does
   * worse than its baseline ({@link io.hotswap.core.deploy.Verdict}), then starts the next step of
   * running deployments whose bake time has passed — unless the candidate's instances have had too
   * little traffic to judge: such a step waits for it.
   */
  List<Output> tick(Instant now) {
    List<Deployment> current = new ArrayList<>();
    try (var it = active.all()) {
      it.forEachRemaining(kv -> {
        Deployment d = deployments.get(kv.value);
        if (d != null) {
          current.add(d);
        }
      });
    }
    List<Output> out = new ArrayList<>();
    if (current.isEmpty()) {
      return out;
    }
    List<io.hotswap.avro.InstanceState> instances = current.stream().anyMatch(Deployment::getInstanceHealth) ? instances() : List.of();
    for (Deployment d : current) {
      DeploymentMachine.Transition t = null;
      boolean hold = false;
      if (d.getInstanceHealth()) {
        io.hotswap.core.deploy.AudienceHealth.Summary cohort = io.hotswap.core.deploy.AudienceHealth.summarize(d, instances);
        io.hotswap.avro.DeploymentHealth health = cohort == null ? null : cohort.asHealth(policy.minRequests(), now);
        if (health != null && DeploymentMachine.breach(d, health) != null) {
          t = DeploymentMachine.health(d, health, DeploymentMachine.SYSTEM_ACTOR, rollbackVersion(d), now);
        } else {
          // then the candidate's instances against the stable ones: a failing comparison rolls back, too little traffic holds the step
          io.hotswap.core.deploy.Verdict verdict = io.hotswap.core.deploy.Verdict.judge(d, instances, policy.verdict());
          if (verdict != null && verdict.outcome() == io.hotswap.core.deploy.Verdict.Outcome.FAIL) {
            t = DeploymentMachine.judged(d, verdict, DeploymentMachine.SYSTEM_ACTOR, rollbackVersion(d), now);
          }
          hold = verdict != null && verdict.outcome() == io.hotswap.core.deploy.Verdict.Outcome.INCONCLUSIVE;
        }
      }
      if (t == null && !hold) {
        t = DeploymentMachine.tick(d, now);
      }
      if (t != null) {
        record(systemCommand(d, now), d, t, now, out);
      }
    }
    return out;
  }

  /** The registered instances of the environment that hold the key, by id: what a ROLLING deployment batches. */
  private List<String> holders(String tenant, String environment, String key) {
    return instances().stream().filter(s -> io.hotswap.core.deploy.AudienceHealth.holds(tenant, environment, key, s))
        .map(s -> s.getInstance().getInstanceId()).sorted().toList();
  }

  private List<io.hotswap.avro.InstanceState> instances() {
    List<io.hotswap.avro.InstanceState> all = new ArrayList<>();
    try (var it = registry.all()) {
      it.forEachRemaining(kv -> all.add(kv.value));
    }
    return all;
  }

  /** The command a tick acts as: it names the system actor, and its id makes the audit event ids unique. */
  private static Command systemCommand(Deployment d, Instant now) {
    return Command.newBuilder()
        .setCommandId(d.getDeploymentId() + "-r" + (d.getRevision() + 1))
        .setType(io.hotswap.avro.CommandType.DEPLOYMENT_START)
        .setTenantId(d.getTenantId())
        .setActor(DeploymentMachine.SYSTEM_ACTOR)
        .setIssuedAt(now)
        .build();
  }

  private long rollbackVersion(Deployment d) {
    if (profile(d)) {
      io.hotswap.avro.ConfigProfile latest = profiles.get(profileLatestKey(d));
      return latest == null ? d.getCandidateVersion() + 1 : latest.getRevision() + 1;
    }
    ConfigEntry current = configs.get(StoreKeys.config(d.getTenantId(), d.getEnvironment(), d.getKey()));
    return current == null ? d.getCandidateVersion() + 1 : current.getVersion() + 1;
  }

  /** Emits the transition: deployment record, live record, a version restoring the stable value on rollback, the audit event. */
  private void record(Command command, Deployment before, DeploymentMachine.Transition t, Instant now, List<Output> out) {
    Deployment d = t.deployment();
    String tenant = d.getTenantId();
    String configKey = StoreKeys.config(tenant, d.getEnvironment(), d.getKey());
    String storeKey = StoreKeys.deployment(tenant, d.getDeploymentId().substring(tenant.length() + 1));
    boolean rolledBackNow = d.getStatus() == DeploymentStatus.ROLLED_BACK && (before == null || before.getStatus() != DeploymentStatus.ROLLED_BACK);
    LiveConfig liveRecord = null;
    if (rolledBackNow && profile(d)) {
      liveRecord = restoreProfile(command, before, d, now, out);
    } else if (rolledBackNow) {
      ConfigEntry current = configs.get(configKey);
      if (current == null || current.getDeleted() || (before.getStatus() == DeploymentStatus.COMPLETED && current.getVersion() != d.getCandidateVersion())) {
        throw Rejection.conflict("config-changed", "the key changed after deployment '" + d.getDeploymentId()
            + "' completed (now version " + (current == null ? "-" : current.getVersion()) + "); roll back the key itself instead", "deploymentId");
      }
      newVersion(command, ConfigEntry.newBuilder(current)
          .setValue(d.getStableValue())
          .setVersion(d.getRollbackVersion())
          .setUpdatedAt(now)
          .setUpdatedBy(d.getUpdatedBy())
          .setCommandId(command.getCommandId())
          .build(), now, out);
    }
    deployments.put(storeKey, d);
    if (DeploymentMachine.active(d)) {
      active.put(configKey, storeKey);
    } else {
      active.delete(configKey);
      if (before == null || DeploymentMachine.active(before)) { // not a completed deployment rolled back later: it ended once
        metrics.ended(d, now);
      }
    }
    out.add(new Output(Output.Kind.DEPLOYMENT, storeKey, d, null));
    if (before == null || rolledBackNow || d.getPercentage() != before.getPercentage() || d.getStatus() != before.getStatus()) {
      out.add(new Output(Output.Kind.LIVE, StoreKeys.live(tenant, d.getKey()), liveRecord != null ? liveRecord : live(d, now),
          d.getEnvironment()));
    }
    String masked = d.getValueType() == io.hotswap.avro.ValueType.SECRET ? ChangeApplier.MASK : null;
    AuditEvent event = AuditEvents.of(command, t.event(), d.getEnvironment(), d.getKey(), d.getDeploymentId(),
        before == null || rolledBackNow ? shown(masked, before == null ? d.getStableValue() : d.getCandidateValue()) : null,
        before == null || rolledBackNow ? shown(masked, before == null ? d.getCandidateValue() : d.getStableValue()) : null,
        rolledBackNow ? d.getRollbackVersion() : d.getCandidateVersion(), now);
    event.setActor(d.getUpdatedBy());
    event.setEventId(command.getCommandId() + "-d" + d.getRevision());
    event.setDetail(t.detail());
    if (command.getType() == io.hotswap.avro.CommandType.DEPLOYMENT_ROLLBACK && changes.guarded(tenant).contains(d.getEnvironment())) {
      // stopping harm never waits for an approver; the trail says that it did not
      event.setDetail((t.detail() == null ? "" : t.detail() + "; ") + "emergency rollback, not held for approval although "
          + d.getEnvironment() + " is guarded");
    }
    out.add(new Output(Output.Kind.AUDIT, tenant, event, null));
    // a deployment's few transitions are what an operator follows in the logs (the trail has every step)
    LOG.info("Deployment {} of {} in {} ({}): {}{}", d.getDeploymentId(), d.getKey(), d.getEnvironment(),
        d.getStrategy().name().toLowerCase(java.util.Locale.ROOT),
        t.event().name().substring("DEPLOYMENT_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
            + (before == null && d.getStatus() == DeploymentStatus.COMPLETED ? " and completed" : ""),
        t.detail() == null ? "" : " — " + t.detail());
    if (before == null && d.getStatus() == DeploymentStatus.COMPLETED) {
      // a DIRECT deployment starts and completes in one transaction: both steps are in the trail
      AuditEvent completed = AuditEvent.newBuilder(event).setEventId(command.getCommandId() + "-dc")
          .setEventType(io.hotswap.avro.AuditEventType.DEPLOYMENT_COMPLETED).setOldValue(null).setNewValue(null).build();
      out.add(new Output(Output.Kind.AUDIT, tenant, completed, null));
    }
  }

  private static String shown(String masked, String value) {
    return masked != null ? masked : value;
  }

  /**
   * A profile deployment rolled back: the stable document comes back as a new patch version (as
   * {@code POST /api/v1/profiles/{id}/rollback} does; history is never rewritten), unless the
   * profile changed after the deployment completed. Returns the live record of that version.
   */
  private LiveConfig restoreProfile(Command command, Deployment before, Deployment d, Instant now, List<Output> out) {
    String latestKey = profileLatestKey(d);
    io.hotswap.avro.ConfigProfile latest = profiles.get(latestKey);
    if (latest == null || (before.getStatus() == DeploymentStatus.COMPLETED && latest.getRevision() != d.getCandidateVersion())) {
      throw Rejection.conflict("profile-changed", "the profile changed after deployment '" + d.getDeploymentId()
          + "' completed (now " + (latest == null ? "-" : latest.getVersion()) + "); roll the profile itself back instead", "deploymentId");
    }
    io.hotswap.core.domain.SemVer next = io.hotswap.core.domain.SemVer.parse(latest.getVersion(), "version").nextPatch();
    io.hotswap.avro.ConfigProfile restored = io.hotswap.avro.ConfigProfile.newBuilder(latest)
        .setVersion(next.toString())
        .setRevision(d.getRollbackVersion())
        .setDocument(d.getStableValue())
        .setRolledBackFrom(d.getStableSemver())
        .setTags(List.of())
        .setCreatedAt(now)
        .setCreatedBy(d.getUpdatedBy())
        .setUpdatedAt(now)
        .setCommandId(command.getCommandId())
        .build();
    String versionKey = StoreKeys.profileVersion(d.getTenantId(), restored.getService(), d.getEnvironment(), next);
    profiles.put(versionKey, restored);
    profiles.put(latestKey, restored);
    out.add(new Output(Output.Kind.PROFILE, versionKey, restored, null));
    return CatalogApplier.live(restored, now).build();
  }

  /** The live record of the deployment's key: stable value with the rollout while active, then one value for everyone. */
  private static LiveConfig live(Deployment d, Instant now) {
    boolean completed = d.getStatus() == DeploymentStatus.COMPLETED;
    boolean rolledBack = d.getStatus() == DeploymentStatus.ROLLED_BACK;
    if (profile(d)) {
      return LiveConfig.newBuilder()
          .setTenantId(d.getTenantId()).setEnvironment(d.getEnvironment()).setKey(d.getKey())
          .setValue(completed ? d.getCandidateValue() : d.getStableValue()).setValueType(io.hotswap.avro.ValueType.JSON)
          .setVersion(completed ? d.getCandidateVersion() : d.getStableVersion()).setUpdatedAt(now)
          .setKind(io.hotswap.avro.LiveKind.PROFILE).setSemver(completed ? d.getCandidateSemver() : d.getStableSemver())
          .setRollout(DeploymentMachine.liveRollout(d))
          .build();
    }
    return ChangeApplier.live(d.getTenantId(), d.getEnvironment(), d.getKey(), completed ? d.getCandidateValue() : d.getStableValue(),
            d.getValueType(), completed ? d.getCandidateVersion() : rolledBack ? d.getRollbackVersion() : d.getStableVersion(), now)
        .setRollout(DeploymentMachine.liveRollout(d))
        .build();
  }

  private void newVersion(Command command, ConfigEntry entry, Instant now, List<Output> out) {
    changes.recordVersion(entry, out);
    changes.retain(command, entry, now, out);
  }
}
