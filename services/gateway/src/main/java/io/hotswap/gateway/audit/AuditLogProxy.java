package io.hotswap.gateway.audit;

import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.Texts;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.gateway.system.StoreRouter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * {@code GET /api/v1/audit-logs}: the audit trail lives in PostgreSQL, owned by the audit
 * service; the gateway passes the query through so admins have one entry point.
 */
@RestController
class AuditLogProxy {

  private final RestClient http;
  private final String auditUrl;
  private final TenantScope scope;

  AuditLogProxy(RestClient http, @Value("${hotswap.gateway.audit-url:http://localhost:8084}") String auditUrl, TenantScope scope) {
    this.http = http;
    this.auditUrl = auditUrl;
    this.scope = scope;
  }

  @GetMapping("/api/v1/audit-logs")
  ResponseEntity<byte[]> list(@RequestParam(required = false) String tenantId, HttpServletRequest request) {
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
    URI uri = URI.create(auditUrl + "/api/v1/audit-logs" + (query == null ? "" : "?" + query));
    try {
      return http.get().uri(uri)
          .headers(h -> {
            String auth = request.getHeader(HttpHeaders.AUTHORIZATION);
            if (auth != null) {
              h.set(HttpHeaders.AUTHORIZATION, auth);
            }
          })
          .exchange((req, res) -> {
            HttpHeaders headers = new HttpHeaders();
            headers.setContentType(res.getHeaders().getContentType());
            return ResponseEntity.status(HttpStatusCode.valueOf(res.getStatusCode().value())).headers(headers).body(res.getBody().readAllBytes());
          });
    } catch (RestClientException e) {
      throw new StoreRouter.StoreUnavailable("The audit service at " + auditUrl + " did not answer: " + e.getMessage());
    }
  }
}
