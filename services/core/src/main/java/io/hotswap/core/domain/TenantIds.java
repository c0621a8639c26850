package io.hotswap.core.domain;

import java.util.regex.Pattern;

/** Tenant ids: 3 to 50 characters of {@code [A-Za-z0-9-]}. */
public final class TenantIds {

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9-]{3,50}");

  private TenantIds() {}

  public static boolean isValid(String tenantId) {
    return tenantId != null && VALID.matcher(tenantId).matches();
  }

  public static String require(String tenantId) {
    if (!isValid(tenantId)) {
      throw Rejection.badRequest(
          "invalid-tenant-id",
          "tenantId must be 3 to 50 characters of letters, digits and '-' (got '" + Texts.abbreviate(tenantId) + "')",
          "tenantId");
    }
    return tenantId;
  }
}
