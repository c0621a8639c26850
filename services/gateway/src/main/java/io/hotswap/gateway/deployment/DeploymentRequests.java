package io.hotswap.gateway.deployment;

import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Request bodies of the deployment endpoints, and the plan they give (also a profile version's). */
public final class DeploymentRequests {

  private DeploymentRequests() {}

  /** A new deployment's id (within its tenant), from the id of the command that starts it: {@code d} and 16 hex digits. */
  public static String deploymentId(String commandId) {
    return "d" + commandId.replace("-", "").substring(0, 16).toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * A deployment's plan as a request gives it; {@link io.hotswap.core.deploy.DeploymentMachine#plan}
   * checks it and fills the defaults. The same fields start a key's deployment and a profile version's.
   */
  public static io.hotswap.avro.DeploymentPayload.Builder plan(io.hotswap.avro.DeploymentStrategy strategy, List<Integer> steps,
                                                               Duration bakeTime, String stickyBy, List<String> targetInstances,
                                                               List<String> targetTags, Double maxErrorRate, Double maxP99LatencyMs,
                                                               Boolean instanceHealth) {
    return io.hotswap.avro.DeploymentPayload.newBuilder()
        .setDeploymentId("pending")
        .setStrategy(strategy)
        .setSteps(steps == null ? List.of() : steps)
        .setBakeTimeMs(bakeTime == null ? null : bakeTime.toMillis())
        .setStickyBy(stickyBy)
        .setTargetInstances(targetInstances == null ? List.of() : targetInstances)
        .setTargetTags(targetTags == null ? List.of() : targetTags)
        .setMaxErrorRate(maxErrorRate)
        .setMaxP99LatencyMs(maxP99LatencyMs)
        .setInstanceHealth(instanceHealth);
  }

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

  /** A strategy as the API names it ({@code blue-green}, {@code ab-test}, any case); 400 listing them otherwise; null stays null. */
  public static io.hotswap.avro.DeploymentStrategy strategy(String name) {
    return name == null ? null : parse(io.hotswap.avro.DeploymentStrategy.class, name, "strategy");
  }

  /** An enum value as the API names it (any case, '-' for '_'), never UNKNOWN; 400 listing the values otherwise. */
  public static <E extends Enum<E>> E parse(Class<E> type, String name, String field) {
    try {
      E value = Enum.valueOf(type, name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
      if (!value.name().equals("UNKNOWN")) {
        return value;
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    List<String> allowed = java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).filter(n -> !n.equals("UNKNOWN"))
        .map(n -> n.toLowerCase(java.util.Locale.ROOT)).toList();
    throw io.hotswap.core.domain.Rejection.badRequest("invalid-" + field, field + " must be one of " + allowed, field);
  }
}
