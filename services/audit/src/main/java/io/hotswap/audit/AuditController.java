package io.hotswap.audit;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The audit trail from PostgreSQL: {@code GET /api/v1/audit-logs} (oldest first, paginated),
 * {@code /export} (all of a range as CSV or JSON, streamed) and {@code /replay} (what was live at
 * an instant, folded from the trail) and {@code /verify} (whether a tenant's hash chain is whole).
 */
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
    requireVisible(tenantId);
    if (page < 0 || size < 1 || size > 1000) {
      throw new IllegalArgumentException("page must be >= 0 and size between 1 and 1000");
    }
    return repository.find(tenantId, instant(from, "from"), instant(to, "to"), page, size);
  }

  /**
   * The whole range as a download: {@code format=csv} (default; RFC 4180 with a header row,
   * formula-like cells prefixed with an apostrophe) or {@code json} (one array). Rows are read and
   * written in batches, so the size of the range does not matter.
   */
  @GetMapping("/api/v1/audit-logs/export")
  org.springframework.http.ResponseEntity<org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody> export(
      @RequestParam(required = false) String tenantId, @RequestParam(required = false) String from, @RequestParam(required = false) String to,
      @RequestParam(defaultValue = "csv") String format) {
    requireVisible(tenantId);
    boolean csv = switch (format.toLowerCase(java.util.Locale.ROOT)) {
      case "csv" -> true;
      case "json" -> false;
      default -> throw new IllegalArgumentException("format must be csv or json (got '" + format + "')");
    };
    Instant start = instant(from, "from");
    Instant end = instant(to, "to");
    String name = "audit" + (tenantId == null ? "" : "-" + tenantId) + (start == null ? "" : "-from-" + start) + (end == null ? "" : "-to-" + end);
    return org.springframework.http.ResponseEntity.ok()
        .contentType(csv ? new org.springframework.http.MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8)
            : org.springframework.http.MediaType.APPLICATION_JSON)
        .header(org.springframework.http.HttpHeaders.CONTENT_DISPOSITION,
            "attachment; filename=\"" + name.replace(':', '-') + (csv ? ".csv" : ".json") + "\"")
        .body(stream -> {
          java.io.Writer writer = new java.io.BufferedWriter(new java.io.OutputStreamWriter(stream, java.nio.charset.StandardCharsets.UTF_8));
          AuditExport export = new AuditExport(writer, csv);
          export.begin();
          repository.forEach(tenantId, start, end, export::row);
          export.end();
        });
  }

  /**
   * What was live for a tenant at {@code at} (default now), by environment and key, folded from
   * the trail: the value of record and its version, and while a deployment was rolling a key out,
   * the stable value most callers got with the deployment's candidate. Secrets stay masked.
   */
  @GetMapping("/api/v1/audit-logs/replay")
  java.util.Map<String, Object> replay(@RequestParam(required = false) String tenantId, @RequestParam(required = false) String at,
                                       @RequestParam(required = false) String environment) {
    if (tenantId == null || tenantId.isBlank()) {
      throw new IllegalArgumentException("tenantId is required: a replay is of one tenant");
    }
    requireVisible(tenantId);
    Instant instant = at == null || at.isBlank() ? Instant.now() : instant(at, "at");
    Replay replay = new Replay();
    repository.valueEvents(tenantId, environment, instant, replay::accept);
    java.util.Map<String, Object> answer = new java.util.LinkedHashMap<>();
    answer.put("tenantId", tenantId);
    answer.put("at", instant.toString());
    if (environment != null) {
      answer.put("environment", environment);
    }
    answer.put("items", replay.live());
    return answer;
  }

  /**
   * Walks a tenant's hash chain in PostgreSQL and answers whether it is whole, or the first
   * broken link: which row, and whether it was removed, reordered or altered.
   */
  @GetMapping("/api/v1/audit-logs/verify")
  AuditRepository.Verification verify(@RequestParam(required = false) String tenantId) {
    if (tenantId == null || tenantId.isBlank()) {
      throw new IllegalArgumentException("tenantId is required: each tenant's trail is its own chain");
    }
    requireVisible(tenantId);
    return repository.verify(tenantId);
  }

  /** A tenant-scoped token reads only its own tenants' trail (and never all of it): others don't exist for it. */
  private static void requireVisible(String tenantId) {
    java.util.List<String> scoped = tenantsOfCaller();
    if (scoped != null && (tenantId == null || !scoped.contains(tenantId))) {
      throw new TenantHidden(tenantId);
    }
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
