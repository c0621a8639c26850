package io.hotswap.gateway.security;

import io.hotswap.core.security.Role;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/me}: who the token names and what it may call, from the access matrix the
 * gateway enforces — so the console (and any tool) shows only the controls that will work, without
 * a copy of the rules of its own.
 */
@RestController
class MeController {

  private final AccessMatrix matrix;
  private final TenantScope scope;

  MeController(AccessMatrix matrix, TenantScope scope) {
    this.matrix = matrix;
    this.scope = scope;
  }

  /** {@code tenants} null: every tenant; {@code allowed}: "METHOD /path" of each endpoint the roles may call. */
  record Me(String subject, List<String> roles, Set<String> tenants, List<String> allowed) {}

  @GetMapping("/api/v1/me")
  Me me(@AuthenticationPrincipal Jwt jwt) {
    List<String> claims = Optional.ofNullable(jwt.getClaimAsStringList("roles")).orElse(List.of());
    List<Role> roles = claims.stream().map(Role::fromClaim).flatMap(Optional::stream).toList();
    List<String> allowed = matrix.rows().stream().filter(r -> roles.stream().anyMatch(r.allowed()::contains))
        .map(r -> r.method() + " " + r.path()).toList();
    return new Me(scope.subject(), roles.stream().map(Role::claim).toList(), scope.allowedTenants(), allowed);
  }
}
