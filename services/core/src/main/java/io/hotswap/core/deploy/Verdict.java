package io.hotswap.core.deploy;

import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentHealth;
import io.hotswap.avro.InstanceState;
import io.hotswap.core.domain.StoreKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The candidate judged against its baseline: the instances that serve the candidate's version
 * (they say which version they serve in their reports) against those that serve the stable one,
 * over the same window — what each reported since the deployment started. Fixed thresholds miss a
 * candidate that fails on a quarter of the fleet while the fleet as a whole stays under them; a
 * comparison does not, and it does not blame the candidate for what the baseline suffers too.
 *
 * <p>{@link Outcome#INCONCLUSIVE} is its own outcome, never a pass: a candidate with too little
 * traffic to judge holds its step until it has enough (or an operator completes or rolls back).
 * Pure: the registry is passed in.
 */
public record Verdict(Outcome outcome, String reason, Cohort candidate, Cohort baseline) {

  public enum Outcome { PASS, FAIL, INCONCLUSIVE }

  /** How strict the comparison is: the traffic a cohort needs, and how much worse the candidate may be. */
  public record Thresholds(long minRequests, double maxErrorRateIncrease, double maxP99Ratio) {}

  /** One side: the instances serving its version, and what they reported since the deployment started. */
  public record Cohort(List<String> instances, AudienceHealth.Summary reported) {

    public long requests() {
      return reported.requests();
    }

    public Double errorRate() {
      return reported.errorRate();
    }

    public Double p99Ms() {
      return reported.p99LatencyMs();
    }

    public List<String> unhealthy() {
      return reported.unhealthy();
    }

    String describe() {
      return instances.size() + " instances, " + requests() + " requests, " + reported.errors() + " errors"
          + (errorRate() == null ? "" : " (" + percent(errorRate()) + ")") + (p99Ms() == null ? "" : ", p99 " + number(p99Ms()) + " ms")
          + (unhealthy().isEmpty() ? "" : ", stopped heartbeating: " + String.join(", ", unhealthy()));
    }
  }

  /**
   * The verdict on a deployment's candidate; null while no registered instance serves it (a small
   * share of a few instances may reach none: nothing runs the candidate, so the bake time alone
   * decides the step).
   */
  public static Verdict judge(Deployment d, Iterable<InstanceState> registry, Thresholds t) {
    List<InstanceState> candidate = new ArrayList<>();
    List<InstanceState> baseline = new ArrayList<>();
    String live = StoreKeys.live(d.getTenantId(), d.getKey());
    for (InstanceState s : registry) {
      if (s == null || !AudienceHealth.holds(d.getTenantId(), d.getEnvironment(), d.getKey(), s)) {
        continue;
      }
      Long served = s.getApplied().get(live).getVersion(); // null: the instance removed the key
      if (served != null && served == d.getCandidateVersion()) {
        candidate.add(s);
      } else if (served != null && served == d.getStableVersion()) {
        baseline.add(s);
      }
    }
    if (candidate.isEmpty()) {
      return null;
    }
    Cohort c = cohort(candidate, d.getCreatedAt());
    Cohort b = cohort(baseline, d.getCreatedAt());
    if (!c.unhealthy().isEmpty()) {
      return new Verdict(Outcome.FAIL, "candidate instances stopped heartbeating: " + String.join(", ", c.unhealthy()), c, b);
    }
    if (c.requests() < t.minRequests()) {
      return new Verdict(Outcome.INCONCLUSIVE, "too little traffic on the candidate: " + c.requests() + " requests, at least "
          + t.minRequests() + " needed", c, b);
    }
    if (b.requests() < t.minRequests()) {
      // nothing to compare with (every instance serves the candidate, or the rest is quiet): the fixed thresholds alone
      String breach = DeploymentMachine.breach(d, DeploymentHealth.newBuilder().setErrorRate(c.errorRate()).setP99LatencyMs(c.p99Ms())
          .setReportedAt(Instant.EPOCH).build());
      return breach != null ? new Verdict(Outcome.FAIL, "candidate " + breach + " (no baseline with enough traffic)", c, b)
          : new Verdict(Outcome.PASS, "candidate within the fixed thresholds (no baseline with enough traffic)", c, b);
    }
    double increase = c.errorRate() - b.errorRate();
    if (increase > t.maxErrorRateIncrease()) {
      return new Verdict(Outcome.FAIL, "candidate error rate " + percent(c.errorRate()) + " against the baseline's "
          + percent(b.errorRate()) + ": more than " + percent(t.maxErrorRateIncrease()) + " worse", c, b);
    }
    if (c.p99Ms() != null && b.p99Ms() != null && b.p99Ms() > 0 && c.p99Ms() > t.maxP99Ratio() * b.p99Ms()) {
      return new Verdict(Outcome.FAIL, "candidate p99 " + number(c.p99Ms()) + " ms against the baseline's " + number(b.p99Ms())
          + " ms: more than " + number(t.maxP99Ratio()) + " times slower", c, b);
    }
    return new Verdict(Outcome.PASS, "candidate no worse than the baseline", c, b);
  }

  /** The numbers the verdict was made on, for the deployment's reason and its audit event. */
  public String inputs() {
    return "candidate: " + candidate.describe() + "; baseline: " + baseline.describe();
  }

  /** The candidate's side as the deployment's last health, its source saying what it was compared with. */
  public DeploymentHealth asHealth(Instant now) {
    return DeploymentHealth.newBuilder().setErrorRate(candidate.errorRate()).setP99LatencyMs(candidate.p99Ms())
        .setHealthChecksPassing(candidate.unhealthy().isEmpty())
        .setSource("verdict " + outcome.name().toLowerCase(Locale.ROOT) + ": " + reason + " — " + inputs())
        .setReportedAt(now).build();
  }

  private static String percent(double share) {
    return number(share * 100) + " %";
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value);
  }

  private static Cohort cohort(List<InstanceState> instances, Instant since) {
    return new Cohort(instances.stream().map(s -> s.getInstance().getInstanceId()).toList(), AudienceHealth.sum(instances, since));
  }
}
