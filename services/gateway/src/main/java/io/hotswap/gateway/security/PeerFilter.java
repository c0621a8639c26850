package io.hotswap.gateway.security;

import io.hotswap.gateway.reads.StoreRouter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Checks the {@link PeerSignature} of requests that claim to come from another gateway instance:
 * a forwarded request (it carries the caller's token as well; its signature only vouches that it
 * was counted and routed by a peer) and calls of {@code /internal/**}, which are authenticated as
 * the peer itself. A claim without a valid signature is refused with 401 before anything else runs.
 */
final class PeerFilter extends OncePerRequestFilter {

  /** The authority of a verified peer; no user token can carry it (user roles become {@code ROLE_*}). */
  static final String PEER_AUTHORITY = "HOTSWAP_PEER";
  /** Request attribute: the request carries a valid peer signature. */
  static final String VERIFIED = PeerFilter.class.getName() + ".verified";

  private final PeerSignature signature;
  private final Clock clock;

  PeerFilter(PeerSignature signature, Clock clock) {
    this.signature = signature;
    this.clock = clock;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader(PeerSignature.HEADER);
    boolean internal = request.getRequestURI().startsWith("/internal/");
    boolean claimsPeer = header != null || internal || request.getHeader(StoreRouter.FORWARDED_HEADER) != null;
    if (!claimsPeer) {
      chain.doFilter(request, response);
      return;
    }
    String query = request.getQueryString();
    String target = request.getRequestURI() + (query == null ? "" : "?" + query);
    if (!signature.verify(header, request.getMethod(), target, clock.instant().getEpochSecond())) {
      SecurityConfiguration.problem(response, 401, "peer-signature-required", internal
          ? request.getRequestURI() + " is for gateway instances only"
          : StoreRouter.FORWARDED_HEADER + " is for gateway instances only; send the request without it");
      return;
    }
    request.setAttribute(VERIFIED, Boolean.TRUE);
    if (internal) {
      SecurityContextHolder.getContext().setAuthentication(
          UsernamePasswordAuthenticationToken.authenticated("gateway-peer", null, List.of(new SimpleGrantedAuthority(PEER_AUTHORITY))));
    }
    chain.doFilter(request, response);
  }
}
