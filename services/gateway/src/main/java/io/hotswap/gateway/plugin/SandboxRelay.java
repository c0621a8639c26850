package io.hotswap.gateway.plugin;

import io.hotswap.gateway.reads.StoreRouter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.state.HostInfo;
import org.springframework.http.ResponseEntity;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A sandbox session lives in the gateway instance that created it (its child JVM runs there), and
 * its id names that instance. A call for a session another instance holds is relayed to it — body,
 * caller's token and all — so clients need no sticky routing behind a load balancer. Only the
 * instances of this cluster are ever called: an id naming anything else is answered here (404).
 */
final class SandboxRelay extends OncePerRequestFilter {

  private static final Pattern PATH = Pattern.compile("/api/v1/sandbox/([^/]+)(/.*)?");

  private final SandboxService sandboxes;
  private final StoreRouter router;

  SandboxRelay(SandboxService sandboxes, StoreRouter router) {
    this.sandboxes = sandboxes;
    this.router = router;
  }

  /** What a session id carries after its random part: this instance, so that peers can find it. */
  static String ownerTag(HostInfo self) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((self.host() + ":" + self.port()).getBytes(StandardCharsets.UTF_8));
  }

  /** The instance a session id names, or null when it names none (or is not such an id). */
  static HostInfo owner(String id) {
    int dot = id.lastIndexOf('.');
    if (dot < 0) {
      return null;
    }
    try {
      String hostPort = new String(Base64.getUrlDecoder().decode(id.substring(dot + 1)), StandardCharsets.UTF_8);
      int colon = hostPort.lastIndexOf(':');
      return colon < 0 ? null : new HostInfo(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !request.getRequestURI().startsWith("/api/v1/sandbox/") || request.getHeader(StoreRouter.FORWARDED_HEADER) != null;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Matcher m = PATH.matcher(request.getRequestURI());
    HostInfo owner = m.matches() && !sandboxes.holds(m.group(1)) ? owner(m.group(1)) : null;
    if (owner == null || owner.equals(router.self()) || !router.peers().contains(owner)) {
      chain.doFilter(request, response);
      return;
    }
    byte[] body = request.getInputStream().readAllBytes();
    ResponseEntity<byte[]> answer = router.relay(owner, request, body.length == 0 ? null : body);
    response.setStatus(answer.getStatusCode().value());
    answer.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
    if (answer.getBody() != null) {
      response.getOutputStream().write(answer.getBody());
    }
  }
}
