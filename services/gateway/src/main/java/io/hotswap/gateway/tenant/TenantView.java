package io.hotswap.gateway.tenant;

import io.hotswap.avro.Tenant;
import io.hotswap.core.domain.Texts;
import java.time.Instant;

/** A tenant as the API shows it. */
public record TenantView(String tenantId, String name, String tier, String status, Quotas quotas,
                         long version, Instant createdAt, Instant updatedAt, String updatedBy,
                         java.util.List<String> guardedEnvironments, int approvalLevels,
                         java.util.Map<String, Integer> approvalLevelsByEnvironment, java.time.Duration approvalTimeout,
                         java.util.Map<String, String> defaultStrategies) {

  /** The tenant's limits. */
  public record Quotas(int maxConfigs, int maxEnvironments) {}

  public static TenantView of(Tenant t) {
    return new TenantView(t.getTenantId(), t.getName(), Texts.display(t.getTier()), Texts.display(t.getStatus()),
        new Quotas(t.getMaxConfigs(), t.getMaxEnvironments()), t.getVersion(), t.getCreatedAt(), t.getUpdatedAt(), t.getUpdatedBy(),
        java.util.List.copyOf(t.getGuardedEnvironments()), t.getApprovalLevels(),
        new java.util.TreeMap<>(t.getApprovalLevelsByEnvironment()), java.time.Duration.ofMillis(t.getApprovalTimeoutMs()),
        new java.util.TreeMap<>(t.getDefaultStrategies()));
  }
}
