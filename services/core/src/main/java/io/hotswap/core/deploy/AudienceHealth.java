package io.hotswap.core.deploy;

import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentHealth;
import io.hotswap.avro.InstanceState;
import io.hotswap.avro.InstanceStatus;
import io.hotswap.avro.ServiceInstance;
import io.hotswap.core.domain.StoreKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The health of a deployment's audience, from the instance registry: the instances in the
 * deployment's environment that hold its key (they evaluate the rollout) — only the target
 * instances and tags when the deployment names some — judged by the health reports they sent
 * since the deployment started. Pure: the registry is passed in.
 *
 * <p>An instance of the cohort that stops heartbeating after the deployment started (status
 * Unhealthy) counts as a failing health check: a candidate that crashes its process must not
 * roll on; so does one that could not apply the candidate (its binding or validation threw: the
 * client reports it). Error rates are judged only over at least {@code minRequests} requests, so a quiet
 * service does not roll back on one failed call.
 */
public final class AudienceHealth {

  private AudienceHealth() {}

  /**
   * What the cohort reported: instances counted, their requests and errors, worst p99, who stopped
   * heartbeating, and who could not apply the candidate (a listener of it threw: binding, validation).
   */
  public record Summary(int instances, long requests, long errors, Double p99LatencyMs, List<String> unhealthy, List<String> failedToApply,
                        Instant lastReportAt) {

    public Double errorRate() {
      return requests == 0 ? null : (double) errors / requests;
    }

    /** As a health report for {@link DeploymentMachine#breach}; the error rate only from {@code minRequests} requests on. */
    public DeploymentHealth asHealth(long minRequests, Instant now) {
      return DeploymentHealth.newBuilder()
          .setErrorRate(requests >= Math.max(1, minRequests) ? errorRate() : null)
          .setP99LatencyMs(p99LatencyMs)
          .setHealthChecksPassing(unhealthy.isEmpty() && failedToApply.isEmpty())
          .setSource("instances: " + instances + " reporting, " + requests + " requests"
              + (unhealthy.isEmpty() ? "" : ", stopped heartbeating: " + String.join(", ", unhealthy))
              + (failedToApply.isEmpty() ? "" : ", could not apply the candidate: " + String.join(", ", failedToApply)))
          .setReportedAt(lastReportAt == null ? now : lastReportAt)
          .build();
    }
  }

  /** Whether the instance reads {@code environment}'s live topic and holds the tenant's key. */
  public static boolean holds(String tenantId, String environment, String key, InstanceState state) {
    ServiceInstance i = state.getInstance();
    return i != null && environment.equals(i.getEnvironment()) && state.getApplied().containsKey(StoreKeys.live(tenantId, key));
  }

  /** Whether the instance evaluates the deployment's rollout for its key (and, with targets, is one of them). */
  public static boolean member(Deployment d, InstanceState state) {
    if (!holds(d.getTenantId(), d.getEnvironment(), d.getKey(), state)) {
      return false;
    }
    ServiceInstance i = state.getInstance();
    if (d.getTargetInstances().isEmpty() && d.getTargetTags().isEmpty()) {
      return true;
    }
    return d.getTargetInstances().contains(i.getInstanceId()) || i.getTags().stream().anyMatch(d.getTargetTags()::contains);
  }

  /** The cohort's reports since the deployment started; null when none of its instances has reported anything since. */
  public static Summary summarize(Deployment d, Iterable<InstanceState> registry) {
    List<InstanceState> cohort = new ArrayList<>();
    for (InstanceState s : registry) {
      if (s != null && member(d, s)) {
        cohort.add(s);
      }
    }
    Summary summary = sum(cohort, d.getCreatedAt());
    List<String> failed = new ArrayList<>();
    String liveKey = StoreKeys.live(d.getTenantId(), d.getKey());
    for (InstanceState s : cohort) {
      var applied = s.getApplied().get(liveKey);
      if (applied != null && applied.getApplyError() != null && applied.getVersion() != null
          && applied.getVersion() == d.getCandidateVersion() && !applied.getAppliedAt().isBefore(d.getCreatedAt())) {
        // the instance and what it said went wrong, so the rollback's reason tells an operator why
        String error = applied.getApplyError();
        failed.add(s.getInstance().getInstanceId() + " (" + (error.length() <= 200 ? error : error.substring(0, 197) + "...") + ")");
      }
    }
    if (!failed.isEmpty()) {
      summary = new Summary(summary.instances(), summary.requests(), summary.errors(), summary.p99LatencyMs(), summary.unhealthy(),
          List.copyOf(failed), summary.lastReportAt());
    }
    return summary.instances() == 0 && summary.unhealthy().isEmpty() && summary.failedToApply().isEmpty() ? null : summary;
  }

  /**
   * What these instances reported since {@code since}: instances reporting, summed requests and
   * errors, the worst p99, and those that stopped heartbeating after it.
   */
  static Summary sum(Iterable<InstanceState> instances, Instant since) {
    int reporting = 0;
    long requests = 0;
    long errors = 0;
    Double p99 = null;
    Instant last = null;
    List<String> unhealthy = new ArrayList<>();
    for (InstanceState s : instances) {
      if (s.getStatus() == InstanceStatus.UNHEALTHY && s.getLastHeartbeatAt().isAfter(since)) {
        unhealthy.add(s.getInstance().getInstanceId());
      }
      if (s.getLastReportAt() == null || s.getLastReportAt().isBefore(since)) {
        continue;
      }
      reporting++;
      requests += s.getRequests();
      errors += s.getErrors();
      if (s.getP99Ms() != null && s.getRequests() > 0) {
        p99 = p99 == null ? s.getP99Ms() : Math.max(p99, s.getP99Ms());
      }
      last = last == null || s.getLastReportAt().isAfter(last) ? s.getLastReportAt() : last;
    }
    return new Summary(reporting, requests, errors, p99, List.copyOf(unhealthy), List.of(), last);
  }
}
