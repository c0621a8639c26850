package io.hotswap.core.security;

import java.util.Arrays;
import java.util.Optional;

/**
 * The one role model covering every seed's role table. A token carries role names (as spelled
 * here) in its {@code roles} claim and, for tenant-scoped access, tenant ids in {@code tenants}.
 */
public enum Role {
  /** Everything. */
  ADMIN("Admin"),
  /** Create and update configuration and profiles, submit for approval. */
  CONFIG_MANAGER("ConfigManager"),
  /** The rights of ConfigManager, under the name some teams give that role. */
  DEVELOPER("Developer"),
  /** Deploy, pause, resume, roll back, view all. */
  OPERATOR("Operator"),
  /** Approve or reject changes. */
  APPROVER("Approver"),
  /** Read-only, including audit. */
  VIEWER("Viewer"),
  /** Full access to their own tenants' configuration only. */
  TENANT_ADMIN("TenantAdmin"),
  /** The rights of TenantAdmin, under the name some teams give that role. */
  TENANT_OWNER("TenantOwner");

  private final String claim;

  Role(String claim) {
    this.claim = claim;
  }

  /** The name in tokens and in the access matrix. */
  public String claim() {
    return claim;
  }

  public static Optional<Role> fromClaim(String claim) {
    return Arrays.stream(values()).filter(r -> r.claim.equals(claim)).findFirst();
  }
}
