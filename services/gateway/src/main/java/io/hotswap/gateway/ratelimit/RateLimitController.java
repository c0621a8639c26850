package io.hotswap.gateway.ratelimit;

import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.TenantIds;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Gateway-to-gateway: another instance asks the tenant's owner for tokens. Only a peer can call it
 * (its signature is checked by the security chain; no user role reaches {@code /internal/**});
 * the instance that asks has already checked the caller's rights to the tenant.
 */
@RestController
class RateLimitController {

  private final RateLimits limits;

  RateLimitController(RateLimits limits) {
    this.limits = limits;
  }

  @PostMapping("/internal/v1/rate-limits/{tenantId}/{kind}")
  RateLimits.Decision consume(@PathVariable String tenantId, @PathVariable String kind,
                              @org.springframework.web.bind.annotation.RequestParam(defaultValue = "1") int tokens) {
    if (!TenantIds.isValid(tenantId)) {
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
