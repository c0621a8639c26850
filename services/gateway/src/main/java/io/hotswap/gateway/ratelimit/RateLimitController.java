package io.hotswap.gateway.ratelimit;

import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.gateway.security.TenantScope;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Gateway-to-gateway: another instance asks the tenant's owner for a token, with the caller's
 * own token (so the caller's tenant scope applies here too).
 */
@RestController
class RateLimitController {

  private final RateLimits limits;
  private final TenantScope scope;

  RateLimitController(RateLimits limits, TenantScope scope) {
    this.limits = limits;
    this.scope = scope;
  }

  @PostMapping("/internal/v1/rate-limits/{tenantId}/{kind}")
  RateLimits.Decision consume(@PathVariable String tenantId, @PathVariable String kind,
                              @org.springframework.web.bind.annotation.RequestParam(defaultValue = "1") int tokens) {
    if (!TenantIds.isValid(tenantId) || !scope.canSee(tenantId)) {
      throw Rejection.notFound("tenant-not-found", "tenant does not exist", "tenantId");
    }
    RateLimits.Kind k = switch (kind) {
      case "read" -> RateLimits.Kind.READ;
      case "write" -> RateLimits.Kind.WRITE;
      case "deploy" -> RateLimits.Kind.DEPLOY;
      default -> throw Rejection.badRequest("invalid-kind", "kind must be read, write or deploy", "kind");
    };
    if (tokens < 1 || tokens > io.hotswap.core.domain.Batches.MAX_ITEMS) {
      throw Rejection.badRequest("invalid-tokens", "tokens must be 1 to " + io.hotswap.core.domain.Batches.MAX_ITEMS, "tokens");
    }
    return limits.consumeLocally(tenantId, k, tokens);
  }
}
