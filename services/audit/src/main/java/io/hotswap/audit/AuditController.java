package io.hotswap.audit;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/audit-logs}: the audit trail from PostgreSQL, oldest first, paginated. */
@RestController
class AuditController {

  private final AuditRepository repository;

  AuditController(AuditRepository repository) {
    this.repository = repository;
  }

  @GetMapping("/api/v1/audit-logs")
  AuditRepository.AuditPage list(@RequestParam(required = false) String tenantId,
                                 @RequestParam(required = false) String from,
                                 @RequestParam(required = false) String to,
                                 @RequestParam(defaultValue = "0") int page,
                                 @RequestParam(defaultValue = "50") int size) {
    java.util.List<String> scoped = tenantsOfCaller();
    if (scoped != null && (tenantId == null || !scoped.contains(tenantId))) {
      // a tenant-scoped token reads only its own tenants' trail; others don't exist for it
      throw new TenantHidden(tenantId);
    }
    if (page < 0 || size < 1 || size > 1000) {
      throw new IllegalArgumentException("page must be >= 0 and size between 1 and 1000");
    }
    return repository.find(tenantId, instant(from, "from"), instant(to, "to"), page, size);
  }

  /** The caller's {@code tenants} claim, or null when the token is not tenant-scoped. */
  private static java.util.List<String> tenantsOfCaller() {
    var auth = org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication();
    if (auth != null && auth.getPrincipal() instanceof org.springframework.security.oauth2.jwt.Jwt jwt) {
      java.util.List<String> tenants = jwt.getClaimAsStringList("tenants");
      return tenants == null || tenants.isEmpty() ? null : tenants;
    }
    return null;
  }

  static final class TenantHidden extends RuntimeException {
    TenantHidden(String tenantId) {
      super("tenant '" + tenantId + "' does not exist");
    }
  }

  @ExceptionHandler(TenantHidden.class)
  ProblemDetail hidden(TenantHidden e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    problem.setTitle("Not Found");
    return problem;
  }

  private static Instant instant(String value, String name) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z (got '" + value + "')");
    }
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ProblemDetail badRequest(IllegalArgumentException e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    problem.setTitle("Invalid query");
    return problem;
  }
}
