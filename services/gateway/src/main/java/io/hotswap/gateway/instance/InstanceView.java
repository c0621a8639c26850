package io.hotswap.gateway.instance;

import io.hotswap.avro.InstanceState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** An instance as the API shows it; {@code applied} lists only the tenants the caller may see. */
public record InstanceView(String instanceId, String service, String host, Integer port, String environment, String clientVersion,
                    List<String> tags, String status, long heartbeatPeriodMs, Instant registeredAt, Instant lastHeartbeatAt,
                    Health health, Map<String, Applied> applied) {

  /** The last health report. */
  record Health(long requests, long errors, Double errorRate, Double p99Ms, Instant reportedAt) {}

  /**
   * A version the instance applied, by {@code tenant|key} ({@code tenant|profile:<service>} for
   * profiles), the arm of the key's rollout it serves (stable, candidate, a variant's name), and
   * what its listener threw when it could not apply that version (null: applied).
   */
  record Applied(Long version, Instant appliedAt, Long applyMicros, String arm, String applyError) {}

  static InstanceView of(InstanceState s, Set<String> visibleTenants) {
    var i = s.getInstance();
    Map<String, Applied> applied = new TreeMap<>();
    s.getApplied().forEach((k, v) -> {
      String tenant = k.substring(0, Math.max(0, k.indexOf('|')));
      if (visibleTenants == null || visibleTenants.contains(tenant)) {
        applied.put(k, new Applied(v.getVersion(), v.getAppliedAt(), v.getApplyMicros(), v.getArm(), v.getApplyError()));
      }
    });
    Double errorRate = s.getRequests() == 0 ? null : (double) s.getErrors() / s.getRequests();
    String status = status(s.getStatus());
    return new InstanceView(i.getInstanceId(), i.getService(), i.getHost(), i.getPort(), i.getEnvironment(), i.getClientVersion(),
        List.copyOf(i.getTags()), status, i.getHeartbeatPeriodMs(), s.getRegisteredAt(), s.getLastHeartbeatAt(),
        s.getLastReportAt() == null ? null : new Health(s.getRequests(), s.getErrors(), errorRate, s.getP99Ms(), s.getLastReportAt()),
        applied);
  }

  /** An instance's status as the API names it. */
  public static String status(io.hotswap.avro.InstanceStatus status) {
    return switch (status) {
      case HEALTHY -> "Healthy";
      case DEGRADED -> "Degraded";
      case UNHEALTHY -> "Unhealthy";
    };
  }
}
