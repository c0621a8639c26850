package io.hotswap.gateway.deployment;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentHealth;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.ValueTypes;
import io.hotswap.gateway.config.ConfigView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/** A deployment as the API shows it; secret values are masked. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentView(
    String deploymentId, String tenantId, String configId, String profileId, String stableSemver, String candidateSemver,
    String environment, String key, String type,
    String strategy, String status, List<Integer> steps, int step, double percentage, Duration bakeTime, Instant nextStepAt,
    String stickyBy, List<String> targetInstances, List<String> targetTags, Double maxErrorRate, Double maxP99LatencyMs,
    long stableVersion, JsonNode stableValue, long candidateVersion, JsonNode candidateValue, Long rollbackVersion,
    boolean instanceHealth, Health lastHealth, CohortView cohort, List<InstanceArm> instances, String reason, long revision,
    Instant createdAt, String createdBy, Instant updatedAt, String updatedBy) {

  /**
   * One registered instance holding the deployment's key (while the deployment is active): the
   * version it says it serves, and so its arm — {@code candidate}, {@code stable}, or {@code other}
   * while it has not applied either yet — with its status and what it reported since the start.
   */
  public record InstanceArm(String instanceId, String service, String status, Long version, String arm, long requests, long errors,
                            Double p99Ms, Instant lastReportAt) {
    static InstanceArm of(Deployment d, io.hotswap.avro.InstanceState s) {
      var applied = s.getApplied().get(StoreKeys.live(d.getTenantId(), d.getKey()));
      Long version = applied == null ? null : applied.getVersion();
      String arm = version == null ? "other" : version == d.getCandidateVersion() ? "candidate" : version == d.getStableVersion() ? "stable"
          : "other";
      boolean reportedSince = s.getLastReportAt() != null && !s.getLastReportAt().isBefore(d.getCreatedAt());
      return new InstanceArm(s.getInstance().getInstanceId(), s.getInstance().getService(),
          io.hotswap.gateway.instance.InstanceView.status(s.getStatus()), version, arm,
          reportedSince ? s.getRequests() : 0, reportedSince ? s.getErrors() : 0, reportedSince ? s.getP99Ms() : null,
          s.getLastReportAt());
    }
  }

  /**
   * What the deployment's audience reported since it started, from the instance registry at read
   * time: instances reporting, their requests and errors, the worst p99, instances that stopped heartbeating.
   */
  public record CohortView(int instances, long requests, long errors, Double errorRate, Double p99LatencyMs, List<String> stoppedHeartbeating,
                           List<String> failedToApply, Instant lastReportAt) {
    static CohortView of(io.hotswap.core.deploy.AudienceHealth.Summary s) {
      return s == null ? null : new CohortView(s.instances(), s.requests(), s.errors(), s.errorRate(), s.p99LatencyMs(), s.unhealthy(),
          s.failedToApply(), s.lastReportAt());
    }
  }

  /** The latest health report. */
  public record Health(Double errorRate, Double p99LatencyMs, Boolean healthChecksPassing, String source, Instant reportedAt) {
    static Health of(DeploymentHealth h) {
      return h == null ? null : new Health(h.getErrorRate(), h.getP99LatencyMs(), h.getHealthChecksPassing(), h.getSource(), h.getReportedAt());
    }
  }

  static DeploymentView of(Deployment d) {
    return of(d, null, null);
  }

  /** With the audience's health as the registry shows it now (for active deployments). */
  static DeploymentView of(Deployment d, io.hotswap.core.deploy.AudienceHealth.Summary cohort, List<InstanceArm> instances) {
    String service = StoreKeys.profileService(d.getKey());
    return new DeploymentView(d.getDeploymentId(), d.getTenantId(),
        service != null ? null : StoreKeys.configId(d.getTenantId(), d.getEnvironment(), d.getKey()),
        service == null ? null : StoreKeys.profileId(d.getTenantId(), service, d.getEnvironment()),
        d.getStableSemver(), d.getCandidateSemver(),
        d.getEnvironment(), d.getKey(), ValueTypes.display(d.getValueType()), lower(d.getStrategy().name()), lower(d.getStatus().name()),
        List.copyOf(d.getSteps()), d.getStepIndex() + 1, d.getPercentage(), Duration.ofMillis(d.getBakeTimeMs()), d.getNextStepAt(),
        d.getStickyBy(), List.copyOf(d.getTargetInstances()), List.copyOf(d.getTargetTags()), d.getMaxErrorRate(), d.getMaxP99LatencyMs(),
        d.getStableVersion(), ConfigView.typed(d.getValueType(), d.getStableValue()), d.getCandidateVersion(),
        ConfigView.typed(d.getValueType(), d.getCandidateValue()), d.getRollbackVersion(), d.getInstanceHealth(), Health.of(d.getLastHealth()),
        CohortView.of(cohort), instances, d.getReason(),
        d.getRevision(), d.getCreatedAt(), d.getCreatedBy(), d.getUpdatedAt(), d.getUpdatedBy());
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
