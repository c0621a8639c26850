package io.hotswap.gateway.audit;

import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.Texts;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.TenantScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * The audit trail lives in PostgreSQL, owned by the audit service; the gateway passes
 * {@code GET /api/v1/audit-logs}, {@code /export}, {@code /replay} and {@code /verify} through (streaming the
 * answer) so admins have one entry point, after narrowing a tenant-scoped caller to its tenants.
 */
@RestController
class AuditLogProxy {

  private final RestClient http;
  private final String auditUrl;
  private final TenantScope scope;

  /**
   * @param timeout how long the audit service may take to start answering: longer than the
   *     gateways' forwarding timeout, since an export of a whole trail or a chain verification
   *     works over many rows before its first byte (under load, more than the 5 s a forwarded store
   *     read gets)
   */
  AuditLogProxy(@Value("${hotswap.gateway.audit-timeout:PT60S}") java.time.Duration timeout,
                @Value("${hotswap.gateway.audit-url:http://localhost:8084}") String auditUrl, TenantScope scope) {
    this.http = io.hotswap.gateway.web.GatewayConfiguration.http(java.time.Duration.ofSeconds(5), timeout);
    this.auditUrl = auditUrl;
    this.scope = scope;
  }

  @GetMapping("/api/v1/audit-logs")
  void list(@RequestParam(required = false) String tenantId, HttpServletRequest request, HttpServletResponse response) {
    forward("/api/v1/audit-logs", tenantId, request, response);
  }

  /** All events of a range as CSV ({@code format=csv}, default) or JSON, streamed. */
  @GetMapping("/api/v1/audit-logs/export")
  void export(@RequestParam(required = false) String tenantId, HttpServletRequest request, HttpServletResponse response) {
    forward("/api/v1/audit-logs/export", tenantId, request, response);
  }

  /** What was live for a tenant at {@code at}, folded from the trail. */
  @GetMapping("/api/v1/audit-logs/replay")
  void replay(@RequestParam(required = false) String tenantId, HttpServletRequest request, HttpServletResponse response) {
    forward("/api/v1/audit-logs/replay", tenantId, request, response);
  }

  /** Whether a tenant's hash-chained trail is whole, or its first broken link. */
  @GetMapping("/api/v1/audit-logs/verify")
  void verify(@RequestParam(required = false) String tenantId, HttpServletRequest request, HttpServletResponse response) {
    forward("/api/v1/audit-logs/verify", tenantId, request, response);
  }

  private void forward(String path, String tenantId, HttpServletRequest request, HttpServletResponse response) {
    String query = request.getQueryString();
    java.util.Set<String> allowed = scope.allowedTenants();
    if (allowed != null) {
      // a tenant-scoped caller reads one of its own tenants' trail, never the whole one
      if (tenantId == null && allowed.size() == 1) {
        tenantId = allowed.iterator().next();
        query = "tenantId=" + java.net.URLEncoder.encode(tenantId, java.nio.charset.StandardCharsets.UTF_8) + (query == null ? "" : "&" + query);
      } else if (tenantId == null) {
        throw Rejection.badRequest("missing-tenant", "tenantId is required: your token is scoped to " + allowed.size() + " tenants", "tenantId");
      }
      if (!allowed.contains(tenantId)) {
        throw Rejection.notFound("tenant-not-found", "tenant '" + Texts.abbreviate(tenantId) + "' does not exist", "tenantId");
      }
    }
    URI uri = URI.create(auditUrl + path + (query == null ? "" : "?" + query));
    try {
      http.get().uri(uri)
          .headers(h -> {
            String auth = request.getHeader(HttpHeaders.AUTHORIZATION);
            if (auth != null) {
              h.set(HttpHeaders.AUTHORIZATION, auth);
            }
          })
          .exchange((req, res) -> {
            response.setStatus(res.getStatusCode().value());
            if (res.getHeaders().getContentType() != null) {
              response.setContentType(res.getHeaders().getContentType().toString());
            }
            String disposition = res.getHeaders().getFirst(HttpHeaders.CONTENT_DISPOSITION);
            if (disposition != null) {
              response.setHeader(HttpHeaders.CONTENT_DISPOSITION, disposition);
            }
            res.getBody().transferTo(response.getOutputStream());
            response.flushBuffer();
            return null;
          });
    } catch (RestClientException e) {
      throw new StoreRouter.StoreUnavailable("The audit service at " + auditUrl + " did not answer: " + e.getMessage());
    }
  }
}
