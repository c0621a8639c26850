package io.hotswap.gateway.deployment;

import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Request bodies of the deployment endpoints. */
final class DeploymentRequests {

  private DeploymentRequests() {}

  /**
   * {@code POST /api/v1/deployments}: roll out {@code value} to the key {@code configId}. Strategy
   * DIRECT (default) or CANARY; for CANARY, steps (default 10/25/50/100), bake time per step
   * (ISO-8601, default PT5M), the context attribute hashed for buckets (default userId), instances
   * or tags that get the candidate from the first step, the thresholds of automatic rollback, and
   * whether the health reports of the instances holding the key are judged too (default true).
   */
  record Start(String configId, JsonNode value, String strategy, List<Integer> steps, Duration bakeTime, String stickyBy,
               List<String> targetInstances, List<String> targetTags, Double maxErrorRate, Double maxP99LatencyMs, Boolean instanceHealth) {}

  /** {@code POST …/pause} and {@code …/rollback}: why (optional, audited). */
  record Reason(String reason) {}

  /** {@code POST …/health}: what a monitoring system measured on the deployment's audience. */
  record Health(Double errorRate, Double p99LatencyMs, Boolean healthChecksPassing, String source) {}
}
