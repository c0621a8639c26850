package io.hotswap.core.deploy;

import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentHealth;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStatus;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.avro.LiveRollout;
import io.hotswap.core.domain.Rejection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The deployment strategies as a pure state machine: {@code (deployment, event, now) → (deployment,
 * audit event)}, with no I/O, so every path is tested without Kafka. The rollout service drives it
 * (commands and a wall-clock punctuator for bake times) and turns each state into the live record
 * clients evaluate ({@link #liveRollout}).
 *
 * <p>DIRECT completes at once. CANARY gives the candidate to a growing share of callers (a sticky
 * hash of a context key; default steps 10/25/50/100) and, from the first step, to named instances
 * or tags. BLUE_GREEN gives it to the green instances (the targets) only, then to everyone.
 * ROLLING gives it to the instances holding the key in batches (steps are shares of those
 * instances, default 25/50/75/100), then to everyone. Each step runs for the bake time, then the
 * next starts. AB_TEST splits callers into two sticky variants — A keeps the stable value, B gets
 * the candidate (its share is the one step, default 50 %) — and runs until an operator completes
 * it (B for everyone) or rolls it back (A for everyone); any active deployment can be completed early. A health report above the deployment's thresholds rolls it back automatically;
 * operators pause, resume and roll back by hand.
 */
public final class DeploymentMachine {

  /** Actor recorded for what the machine does by itself (steps, automatic completion). */
  public static final String SYSTEM_ACTOR = "hotswap-rollout";
  public static final List<Integer> CANARY_STEPS = List.of(10, 25, 50, 100);
  public static final List<Integer> ROLLING_STEPS = List.of(25, 50, 75, 100);
  /** The green instances alone, then everyone. */
  public static final List<Integer> BLUE_GREEN_STEPS = List.of(0, 100);
  public static final Duration DEFAULT_BAKE_TIME = Duration.ofMinutes(5);
  public static final Duration MAX_BAKE_TIME = Duration.ofDays(7);
  public static final double DEFAULT_MAX_ERROR_RATE = 0.05;
  public static final String DEFAULT_STICKY_BY = "userId";
  private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final int MAX_STEPS = 10;
  private static final int MAX_TARGETS = 100;

  private DeploymentMachine() {}

  /** A change of a deployment and the audit event that records it. */
  public record Transition(Deployment deployment, AuditEventType event, String detail) {}

  /**
   * Checks a START plan and fills its defaults (strategy DIRECT, canary steps 10/25/50/100, bake
   * time 5 min, sticky by userId, rollback above 5 % errors, judged on the instances' own health
   * reports too); a bad plan is a 400 naming the field.
   */
  public static DeploymentPayload plan(DeploymentPayload requested) {
    DeploymentPayload p = DeploymentPayload.newBuilder(requested).build();
    DeploymentStrategy strategy = p.getStrategy() == null ? DeploymentStrategy.DIRECT : p.getStrategy();
    if (strategy == DeploymentStrategy.UNKNOWN) {
      throw Rejection.badRequest("invalid-deployment", "strategy must be one of DIRECT, CANARY, BLUE_GREEN, ROLLING, AB_TEST", "strategy");
    }
    p.setStrategy(strategy);
    List<Integer> steps = p.getSteps() == null ? List.of() : p.getSteps();
    boolean targets = !p.getTargetInstances().isEmpty() || !p.getTargetTags().isEmpty();
    switch (strategy) {
      case DIRECT -> {
        if (!steps.isEmpty() && !steps.equals(List.of(100))) {
          throw Rejection.badRequest("invalid-deployment", "a DIRECT deployment has no steps (it goes to 100 % at once)", "steps");
        }
        if (targets) {
          throw Rejection.badRequest("invalid-deployment", "a DIRECT deployment reaches every instance; targets need CANARY or BLUE_GREEN",
              "targetInstances");
        }
        steps = List.of(100);
      }
      case BLUE_GREEN -> {
        // [0, 100] is this plan already made (validation plans a deployment, rollout plans it again)
        if (!steps.isEmpty() && !steps.equals(BLUE_GREEN_STEPS)) {
          throw Rejection.badRequest("invalid-deployment", "a BLUE_GREEN deployment has no steps: the green instances, then everyone", "steps");
        }
        if (!targets) {
          throw Rejection.badRequest("invalid-deployment", "a BLUE_GREEN deployment needs its green instances: targetInstances or targetTags",
              "targetInstances");
        }
        steps = BLUE_GREEN_STEPS;
      }
      case AB_TEST -> {
        steps = steps.isEmpty() ? List.of(50) : steps;
        if (steps.size() != 1 || steps.getFirst() == null || steps.getFirst() < 1 || steps.getFirst() > 99) {
          throw Rejection.badRequest("invalid-deployment", "an AB_TEST has one step: variant B's share of callers, 1 to 99 (A gets the rest)",
              "steps");
        }
        if (targets) {
          throw Rejection.badRequest("invalid-deployment", "an AB_TEST splits callers, not instances; it takes no targets", "targetInstances");
        }
      }
      case ROLLING -> {
        if (targets) {
          throw Rejection.badRequest("invalid-deployment", "a ROLLING deployment batches the instances holding the key; it takes no targets",
              "targetInstances");
        }
        steps = steps.isEmpty() ? ROLLING_STEPS : steps;
        checkSteps(steps);
      }
      default -> {
        steps = steps.isEmpty() ? CANARY_STEPS : steps;
        checkSteps(steps);
      }
    }
    p.setSteps(new ArrayList<>(steps));
    long bake = p.getBakeTimeMs() == null ? DEFAULT_BAKE_TIME.toMillis() : p.getBakeTimeMs();
    if (bake < 0 || bake > MAX_BAKE_TIME.toMillis()) {
      throw Rejection.badRequest("invalid-deployment", "bakeTime must be between 0 and 7 days", "bakeTime");
    }
    p.setBakeTimeMs(bake);
    String stickyBy = p.getStickyBy() == null ? DEFAULT_STICKY_BY : p.getStickyBy();
    if (!ATTRIBUTE.matcher(stickyBy).matches()) {
      throw Rejection.badRequest("invalid-deployment", "stickyBy must be 1-64 characters [A-Za-z0-9_.-]", "stickyBy");
    }
    p.setStickyBy(stickyBy);
    if (p.getTargetInstances().size() > MAX_TARGETS || p.getTargetTags().size() > MAX_TARGETS) {
      throw Rejection.badRequest("invalid-deployment", "at most " + MAX_TARGETS + " target instances and tags", "targetInstances");
    }
    double maxErrorRate = p.getMaxErrorRate() == null ? DEFAULT_MAX_ERROR_RATE : p.getMaxErrorRate();
    if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
      throw Rejection.badRequest("invalid-deployment", "maxErrorRate must be between 0 and 1", "maxErrorRate");
    }
    p.setMaxErrorRate(maxErrorRate);
    p.setInstanceHealth(p.getInstanceHealth() == null || p.getInstanceHealth());
    if (p.getMaxP99LatencyMs() != null && !(p.getMaxP99LatencyMs() > 0)) {
      throw Rejection.badRequest("invalid-deployment", "maxP99LatencyMs must be positive", "maxP99LatencyMs");
    }
    return p;
  }

  private static void checkSteps(List<Integer> steps) {
    if (steps.size() > MAX_STEPS) {
      throw Rejection.badRequest("invalid-deployment", "at most " + MAX_STEPS + " steps", "steps");
    }
    int previous = 0;
    for (Integer step : steps) {
      if (step == null || step <= previous || step > 100) {
        throw Rejection.badRequest("invalid-deployment", "steps are percentages from 1 to 100, strictly increasing: " + steps, "steps");
      }
      previous = step;
    }
    if (previous != 100) {
      throw Rejection.badRequest("invalid-deployment", "the last step must be 100 (everyone): " + steps, "steps");
    }
  }

  /**
   * What a deployment starts from: the key's current version and the candidate's, and (for
   * ROLLING) the instances holding the key, which it batches in this order.
   */
  public record Start(String deploymentId, String tenantId, String environment, String key, io.hotswap.avro.ValueType valueType,
                      long stableVersion, String stableValue, long candidateVersion, String candidateValue, String actor,
                      List<String> instances) {

    public Start(String deploymentId, String tenantId, String environment, String key, io.hotswap.avro.ValueType valueType,
                 long stableVersion, String stableValue, long candidateVersion, String candidateValue, String actor) {
      this(deploymentId, tenantId, environment, key, valueType, stableVersion, stableValue, candidateVersion, candidateValue, actor, List.of());
    }
  }

  /** A new deployment at its first step (COMPLETED at once when that step is 100 %). */
  public static Transition start(Start s, DeploymentPayload plan, Instant now) {
    int first = plan.getSteps().getFirst();
    boolean rolling = plan.getStrategy() == DeploymentStrategy.ROLLING;
    if (rolling && s.instances().isEmpty()) {
      throw Rejection.conflict("no-instances", "no registered instance of " + s.environment() + " holds '" + s.key()
          + "' yet, so there is nothing to roll in batches; deploy DIRECT or CANARY instead", "strategy");
    }
    Deployment d = Deployment.newBuilder()
        .setDeploymentId(s.deploymentId())
        .setTenantId(s.tenantId())
        .setEnvironment(s.environment())
        .setKey(s.key())
        .setValueType(s.valueType())
        .setStrategy(plan.getStrategy())
        .setStatus(first == 100 ? DeploymentStatus.COMPLETED : DeploymentStatus.RUNNING)
        .setSteps(plan.getSteps())
        .setStepIndex(0)
        .setPercentage(first)
        .setBakeTimeMs(plan.getBakeTimeMs())
        .setNextStepAt(first == 100 ? null : nextStep(plan.getStrategy(), now, plan.getBakeTimeMs()))
        .setStickyBy(plan.getStickyBy())
        .setTargetInstances(rolling ? batch(s.instances(), first) : plan.getTargetInstances())
        .setTargetTags(plan.getTargetTags())
        .setRollingInstances(rolling ? s.instances() : List.of())
        .setMaxErrorRate(plan.getMaxErrorRate())
        .setMaxP99LatencyMs(plan.getMaxP99LatencyMs())
        .setInstanceHealth(plan.getInstanceHealth() == null || plan.getInstanceHealth())
        .setStableVersion(s.stableVersion())
        .setStableValue(s.stableValue())
        .setCandidateVersion(s.candidateVersion())
        .setCandidateValue(s.candidateValue())
        .setRevision(1)
        .setCreatedAt(now)
        .setCreatedBy(s.actor())
        .setUpdatedAt(now)
        .setUpdatedBy(s.actor())
        .build();
    return new Transition(d, AuditEventType.DEPLOYMENT_STARTED, describe(d));
  }

  /** The next step once the bake time of the current one has passed; null when nothing is due. */
  public static Transition tick(Deployment d, Instant now) {
    if (d.getStatus() != DeploymentStatus.RUNNING || d.getNextStepAt() == null || now.isBefore(d.getNextStepAt())) {
      return null;
    }
    int index = d.getStepIndex() + 1;
    int percentage = d.getSteps().get(index);
    Deployment next = changed(d, SYSTEM_ACTOR, now)
        .setStepIndex(index)
        .setPercentage(percentage)
        .setTargetInstances(d.getStrategy() == DeploymentStrategy.ROLLING ? batch(d.getRollingInstances(), percentage) : d.getTargetInstances())
        .setStatus(percentage == 100 ? DeploymentStatus.COMPLETED : DeploymentStatus.RUNNING)
        .setNextStepAt(percentage == 100 ? null : now.plusMillis(d.getBakeTimeMs()))
        .build();
    return new Transition(next, percentage == 100 ? AuditEventType.DEPLOYMENT_COMPLETED : AuditEventType.DEPLOYMENT_ADVANCED, describe(next));
  }

  /** RUNNING → PAUSED: the current audience keeps the candidate, no further step starts. */
  public static Transition pause(Deployment d, String actor, String reason, Instant now) {
    require(d, DeploymentStatus.RUNNING, "pause");
    Deployment next = changed(d, actor, now).setStatus(DeploymentStatus.PAUSED).setNextStepAt(null).setReason(reason).build();
    return new Transition(next, AuditEventType.DEPLOYMENT_PAUSED, describe(next));
  }

  /** When the next step starts: one bake time from now; never for an AB_TEST, which an operator ends. */
  private static Instant nextStep(DeploymentStrategy strategy, Instant now, long bakeTimeMs) {
    return strategy == DeploymentStrategy.AB_TEST ? null : now.plusMillis(bakeTimeMs);
  }

  /** RUNNING or PAUSED → COMPLETED now: the candidate (variant B) for everyone, the remaining steps skipped. */
  public static Transition complete(Deployment d, String actor, Instant now) {
    if (!active(d)) {
      throw Rejection.conflict("deployment-finished", "cannot complete deployment '" + d.getDeploymentId() + "': it is "
          + d.getStatus().name().toLowerCase(Locale.ROOT), "status");
    }
    Deployment next = changed(d, actor, now).setStatus(DeploymentStatus.COMPLETED).setNextStepAt(null).setPercentage(100)
        .setStepIndex(d.getSteps().size() - 1).build();
    return new Transition(next, AuditEventType.DEPLOYMENT_COMPLETED, describe(next));
  }

  /** PAUSED → RUNNING: the current step bakes again for its full time. */
  public static Transition resume(Deployment d, String actor, Instant now) {
    require(d, DeploymentStatus.PAUSED, "resume");
    Deployment next = changed(d, actor, now).setStatus(DeploymentStatus.RUNNING).setNextStepAt(nextStep(d.getStrategy(), now, d.getBakeTimeMs()))
        .build();
    return new Transition(next, AuditEventType.DEPLOYMENT_RESUMED, describe(next));
  }

  /**
   * RUNNING, PAUSED or COMPLETED → ROLLED_BACK: everyone gets the stable value again, as a new
   * version ({@code rollbackVersion}) so history is never rewritten.
   */
  public static Transition rollback(Deployment d, String actor, String reason, long rollbackVersion, Instant now) {
    if (d.getStatus() == DeploymentStatus.ROLLED_BACK) {
      throw Rejection.conflict("deployment-finished", "deployment '" + d.getDeploymentId() + "' is already rolled back", "status");
    }
    Deployment next = changed(d, actor, now)
        .setStatus(DeploymentStatus.ROLLED_BACK)
        .setNextStepAt(null)
        .setPercentage(0)
        .setRollbackVersion(rollbackVersion)
        .setReason(reason)
        .build();
    return new Transition(next, AuditEventType.DEPLOYMENT_ROLLED_BACK, describe(next));
  }

  /**
   * Rolls back on a failed comparison of the candidate with its baseline ({@link Verdict}): the
   * reason says why and carries the numbers, which the audit event's detail keeps.
   */
  public static Transition judged(Deployment d, Verdict verdict, String actor, long rollbackVersion, Instant now) {
    Transition back = rollback(d, actor, AUTOMATIC_ROLLBACK + verdict.reason() + " — " + verdict.inputs(), rollbackVersion, now);
    back.deployment().setLastHealth(verdict.asHealth(now));
    return back;
  }

  /** Why a report breaches the deployment's thresholds, or null when it does not. */
  public static String breach(Deployment d, DeploymentHealth h) {
    if (h.getErrorRate() != null && d.getMaxErrorRate() != null && h.getErrorRate() > d.getMaxErrorRate()) {
      return "error rate " + format(h.getErrorRate()) + " above " + format(d.getMaxErrorRate());
    }
    if (h.getP99LatencyMs() != null && d.getMaxP99LatencyMs() != null && h.getP99LatencyMs() > d.getMaxP99LatencyMs()) {
      return "p99 latency " + format(h.getP99LatencyMs()) + " ms above " + format(d.getMaxP99LatencyMs()) + " ms";
    }
    if (Boolean.FALSE.equals(h.getHealthChecksPassing())) {
      return "health checks failing";
    }
    return null;
  }

  /** How the reason of a rollback the machine decided on a health report begins. */
  public static final String AUTOMATIC_ROLLBACK = "automatic rollback: ";

  /**
   * Whether the deployment was rolled back because a health report breached its thresholds (its
   * own decision, whoever sent the report: the rollout service judging the instances, or an
   * operator's monitoring posting /health), not by someone's rollback call.
   */
  public static boolean rolledBackAutomatically(Deployment d) {
    return d.getStatus() == DeploymentStatus.ROLLED_BACK && d.getReason() != null && d.getReason().startsWith(AUTOMATIC_ROLLBACK);
  }

  /** Whether a deployment still changes (RUNNING or PAUSED); it locks its key against other changes. */
  public static boolean active(Deployment d) {
    return d.getStatus() == DeploymentStatus.RUNNING || d.getStatus() == DeploymentStatus.PAUSED;
  }

  /**
   * Records a health report; an active deployment whose report breaches a threshold is rolled back
   * ({@link #breach} is then the reason, and the caller passes the version restoring the stable value).
   */
  public static Transition health(Deployment d, DeploymentHealth report, String actor, long rollbackVersion, Instant now) {
    String breach = active(d) ? breach(d, report) : null;
    if (breach != null) {
      Transition back = rollback(d, actor, AUTOMATIC_ROLLBACK + breach, rollbackVersion, now);
      back.deployment().setLastHealth(report);
      // the trail keeps what the decision was made on, so a replay explains the rollback
      return new Transition(back.deployment(), back.event(), back.detail() + "; judged on " + health(report)
          + (report.getSource() == null ? "" : " (" + report.getSource() + ")"));
    }
    Deployment next = changed(d, actor, now).setLastHealth(report).build();
    return new Transition(next, AuditEventType.DEPLOYMENT_HEALTH_REPORTED, "health: " + health(report));
  }

  /**
   * What clients evaluate while a deployment is active: the candidate for its share of callers and
   * its target instances; null once it is COMPLETED or ROLLED_BACK (everyone gets one value).
   */
  public static LiveRollout liveRollout(Deployment d) {
    if (!active(d)) {
      return null;
    }
    if (d.getStrategy() == DeploymentStrategy.AB_TEST) {
      int b = (int) Math.round(d.getPercentage());
      return LiveRollout.newBuilder()
          .setRolloutId(d.getDeploymentId())
          .setStickyBy(d.getStickyBy())
          .setVariants(List.of(
              io.hotswap.avro.LiveVariant.newBuilder().setName("A").setWeight(100 - b).setValue(d.getStableValue()).setVersion(d.getStableVersion()).build(),
              io.hotswap.avro.LiveVariant.newBuilder().setName("B").setWeight(b).setValue(d.getCandidateValue()).setVersion(d.getCandidateVersion()).build()))
          .build();
    }
    return LiveRollout.newBuilder()
        .setRolloutId(d.getDeploymentId())
        .setStickyBy(d.getStickyBy())
        .setCandidate(d.getCandidateValue())
        .setCandidateVersion(d.getCandidateVersion())
        .setCandidateSemver(d.getCandidateSemver())
        .setTargetInstances(d.getTargetInstances())
        .setTargetTags(d.getTargetTags())
        // ROLLING steps are shares of instances (the targets), not of callers
        .setPercentage(d.getStrategy() == DeploymentStrategy.ROLLING ? 0.0 : d.getPercentage())
        .build();
  }

  /** The first {@code percentage} % of the instances (rounded up, at least one). */
  static List<String> batch(List<String> instances, double percentage) {
    int n = (int) Math.min(instances.size(), Math.max(1, Math.ceil(instances.size() * percentage / 100.0)));
    return List.copyOf(instances.subList(0, n));
  }

  /** One line for the audit trail: status, strategy, step and share. */
  public static String describe(Deployment d) {
    String text = d.getStatus().name().toLowerCase(Locale.ROOT) + ", " + d.getStrategy().name().toLowerCase(Locale.ROOT)
        + ", step " + (d.getStepIndex() + 1) + "/" + d.getSteps().size() + " at " + format(d.getPercentage()) + " %";
    return d.getReason() == null || !(d.getStatus() == DeploymentStatus.PAUSED || d.getStatus() == DeploymentStatus.ROLLED_BACK)
        ? text : text + " (" + d.getReason() + ")";
  }

  private static String health(DeploymentHealth h) {
    return "error rate " + (h.getErrorRate() == null ? "-" : format(h.getErrorRate()))
        + ", p99 " + (h.getP99LatencyMs() == null ? "-" : format(h.getP99LatencyMs()) + " ms")
        + ", checks " + (h.getHealthChecksPassing() == null ? "-" : h.getHealthChecksPassing() ? "passing" : "failing");
  }

  private static String format(double v) {
    return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
  }

  private static Deployment.Builder changed(Deployment d, String actor, Instant now) {
    return Deployment.newBuilder(d).setRevision(d.getRevision() + 1).setUpdatedAt(now).setUpdatedBy(actor);
  }

  private static void require(Deployment d, DeploymentStatus status, String action) {
    if (d.getStatus() != status) {
      throw Rejection.conflict("deployment-not-" + status.name().toLowerCase(Locale.ROOT), "cannot " + action + " deployment '"
          + d.getDeploymentId() + "': it is " + d.getStatus().name().toLowerCase(Locale.ROOT), "status");
    }
  }
}
