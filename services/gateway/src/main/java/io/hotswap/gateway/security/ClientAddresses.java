package io.hotswap.gateway.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.security.web.util.matcher.IpAddressMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The address of the client behind a request, as the audit trail records it ({@code sourceIp}).
 * {@code X-Forwarded-For} and {@code Forwarded} (RFC 7239) are believed only when the request comes
 * from a trusted proxy ({@code hotswap.gateway.trusted-proxies}, addresses or CIDR ranges; none by
 * default) or from a peer gateway that forwarded it (its signature checked by {@link PeerFilter}):
 * anyone else could write any address there. The chain is read from the right, skipping trusted
 * proxies; the first address that is not one is the client.
 */
public final class ClientAddresses extends OncePerRequestFilter {

  /** Request attribute holding the resolved client address. */
  public static final String ATTRIBUTE = ClientAddresses.class.getName();

  private final List<IpAddressMatcher> trusted;

  public ClientAddresses(List<String> trustedProxies) {
    this.trusted = trustedProxies.stream().map(String::strip).filter(s -> !s.isEmpty()).map(IpAddressMatcher::new).toList();
  }

  /** The client address resolved for {@code request} (its peer address when no filter ran). */
  public static String of(HttpServletRequest request) {
    return request.getAttribute(ATTRIBUTE) instanceof String address ? address : request.getRemoteAddr();
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    request.setAttribute(ATTRIBUTE, resolve(request));
    chain.doFilter(request, response);
  }

  String resolve(HttpServletRequest request) {
    String peer = request.getRemoteAddr();
    if (!Boolean.TRUE.equals(request.getAttribute(PeerFilter.VERIFIED)) && !isTrusted(peer)) {
      return peer;
    }
    List<String> chain = chain(request);
    for (int i = chain.size() - 1; i >= 0; i--) {
      if (!isTrusted(chain.get(i)) || i == 0) {
        return chain.get(i);
      }
    }
    return peer;
  }

  private boolean isTrusted(String address) {
    for (IpAddressMatcher m : trusted) {
      try {
        if (m.matches(address)) {
          return true;
        }
      } catch (IllegalArgumentException notAnAddress) {
        return false;
      }
    }
    return false;
  }

  /** The addresses the proxies recorded, client first: {@code Forwarded: for=…} if present, else {@code X-Forwarded-For}. */
  private static List<String> chain(HttpServletRequest request) {
    List<String> addresses = new ArrayList<>();
    String forwarded = request.getHeader("Forwarded");
    if (forwarded != null) {
      for (String element : forwarded.split(",")) {
        for (String pair : element.split(";")) {
          String p = pair.strip();
          if (p.toLowerCase(Locale.ROOT).startsWith("for=")) {
            addresses.add(host(p.substring(4)));
          }
        }
      }
    } else if (request.getHeader("X-Forwarded-For") != null) {
      for (String a : request.getHeader("X-Forwarded-For").split(",")) {
        addresses.add(host(a));
      }
    }
    addresses.removeIf(a -> a.isEmpty() || a.length() > 64);
    return addresses;
  }

  /** {@code "[2001:db8::1]:4711"} → {@code 2001:db8::1}; {@code 192.0.2.1:80} → {@code 192.0.2.1}. */
  private static String host(String raw) {
    String a = raw.strip().replace("\"", "");
    if (a.startsWith("[")) {
      int end = a.indexOf(']');
      return end > 0 ? a.substring(1, end) : a;
    }
    int colon = a.indexOf(':');
    return colon > 0 && a.indexOf(':', colon + 1) < 0 ? a.substring(0, colon) : a;
  }
}
