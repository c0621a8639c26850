package io.hotswap.gateway.security;

import io.hotswap.core.domain.Rejection;
import io.hotswap.core.security.Role;
import java.util.List;
import java.util.Set;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

/**
 * Which tenants the caller may see. A token with a {@code tenants} claim is scoped to those
 * tenants whatever its role; TenantAdmin and TenantOwner tokens are always scoped (to none when
 * the claim is missing). Another tenant's resources answer 404, never 403, so a scoped caller
 * can't even learn that they exist.
 */
@Component
public class TenantScope {

  public static final String TENANTS_CLAIM = "tenants";

  private final io.hotswap.gateway.ratelimit.RateLimits rateLimits;

  TenantScope(io.hotswap.gateway.ratelimit.RateLimits rateLimits) {
    this.rateLimits = rateLimits;
  }

  /** The authenticated subject: the actor recorded in the audit trail. */
  public String subject() {
    Jwt jwt = jwt();
    if (jwt == null || jwt.getSubject() == null || jwt.getSubject().isBlank()) {
      throw new Rejection(401, "unauthenticated", "a token with a subject is required", null);
    }
    return jwt.getSubject();
  }

  /** Null when the caller may see every tenant. */
  public Set<String> allowedTenants() {
    Jwt jwt = jwt();
    if (jwt == null) {
      return Set.of();
    }
    Set<String> allowed = scopes.get(jwt, TenantScope::fromClaims);
    return allowed == EVERY_TENANT ? null : allowed;
  }

  /**
   * What each verified token may see, read from its claims once: the gateway's decoder hands back
   * the same {@link Jwt} for the same token while it remembers it, and reading claims goes through
   * Spring's conversion service, a few allocations per read on the hottest call.
   */
  private final com.github.benmanes.caffeine.cache.Cache<Jwt, Set<String>> scopes =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().weakKeys().maximumSize(100_000).build();

  /** Stands for "every tenant" in {@link #scopes} (a cache holds no null); compared by identity. */
  private static final Set<String> EVERY_TENANT = java.util.Collections.unmodifiableSet(new java.util.HashSet<>());

  private static Set<String> fromClaims(Jwt jwt) {
    List<String> tenants = jwt.getClaimAsStringList(TENANTS_CLAIM);
    if (tenants != null && !tenants.isEmpty()) {
      return Set.copyOf(tenants);
    }
    List<String> roles = jwt.getClaimAsStringList("roles");
    boolean tenantRole = roles != null
        && (roles.contains(Role.TENANT_ADMIN.claim()) || roles.contains(Role.TENANT_OWNER.claim()));
    return tenantRole ? Set.of() : EVERY_TENANT;
  }

  /** Whether the token carries any of these roles. */
  public boolean hasAnyRole(Role... roles) {
    Jwt jwt = jwt();
    List<String> claims = jwt == null ? null : jwt.getClaimAsStringList("roles");
    return claims != null && java.util.Arrays.stream(roles).anyMatch(r -> claims.contains(r.claim()));
  }

  public boolean canSee(String tenantId) {
    Set<String> allowed = allowedTenants();
    return allowed == null || allowed.contains(tenantId);
  }

  /**
   * A valid tenant id the caller may see; otherwise 404, as for a tenant that does not exist. The
   * request is then charged to the tenant (the limit its endpoint costs, from the access matrix).
   */
  public String visibleTenant(String tenantId) {
    if (!io.hotswap.core.domain.TenantIds.isValid(tenantId) || !canSee(tenantId)) {
      throw Rejection.notFound("tenant-not-found", "tenant '" + io.hotswap.core.domain.Texts.abbreviate(tenantId) + "' does not exist", "tenantId");
    }
    rateLimits.charge(tenantId);
    return tenantId;
  }

  /** A parsed config id of a tenant the caller may see; otherwise 404, as for a key that does not exist. */
  public io.hotswap.core.domain.StoreKeys.ConfigId visibleConfig(String configId) {
    io.hotswap.core.domain.StoreKeys.ConfigId id = io.hotswap.core.domain.StoreKeys.parseConfigId(configId);
    require(id.tenantId(), Rejection.notFound("config-not-found", "No configuration with id '" + configId + "'", "configId"));
    return id;
  }

  /** Throws the given 404 unless the caller may see the tenant; then charges the request to the tenant. */
  public void require(String tenantId, Rejection notFound) {
    if (!canSee(tenantId)) {
      throw notFound;
    }
    rateLimits.charge(tenantId);
  }

  private static Jwt jwt() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    return auth != null && auth.getPrincipal() instanceof Jwt jwt ? jwt : null;
  }
}
