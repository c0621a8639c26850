package io.hotswap.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class ClientAddressesTest {

  private static MockHttpServletRequest from(String peer, String header, String value) {
    MockHttpServletRequest r = new MockHttpServletRequest("POST", "/api/v1/configs");
    r.setRemoteAddr(peer);
    if (header != null) {
      r.addHeader(header, value);
    }
    return r;
  }

  @Test
  void shouldBelieveForwardingHeadersOnlyFromTrustedProxies() {
    ClientAddresses none = new ClientAddresses(List.of());
    assertThat(none.resolve(from("10.1.2.3", "X-Forwarded-For", "203.0.113.7"))).isEqualTo("10.1.2.3");

    ClientAddresses proxies = new ClientAddresses(List.of("10.0.0.0/8", " 192.168.1.1 "));
    assertThat(proxies.resolve(from("10.1.2.3", "X-Forwarded-For", "203.0.113.7"))).isEqualTo("203.0.113.7");
    assertThat(proxies.resolve(from("192.168.1.1", "X-Forwarded-For", "203.0.113.7"))).isEqualTo("203.0.113.7");
    // a client that writes its own X-Forwarded-For only adds entries to the left of the one the proxy appended
    assertThat(proxies.resolve(from("10.1.2.3", "X-Forwarded-For", "198.51.100.1, 203.0.113.7, 10.0.0.5"))).isEqualTo("203.0.113.7");
    // an untrusted peer's header is its own claim
    assertThat(proxies.resolve(from("192.0.2.9", "X-Forwarded-For", "203.0.113.7"))).isEqualTo("192.0.2.9");
    assertThat(proxies.resolve(from("10.1.2.3", null, null))).isEqualTo("10.1.2.3");
    // only proxies in the chain: the first of them
    assertThat(proxies.resolve(from("10.1.2.3", "X-Forwarded-For", "10.0.0.9, 10.0.0.5"))).isEqualTo("10.0.0.9");
  }

  @Test
  void shouldReadTheStandardForwardedHeaderWithPortsAndIpv6() {
    ClientAddresses proxies = new ClientAddresses(List.of("10.0.0.0/8"));
    assertThat(proxies.resolve(from("10.1.2.3", "Forwarded", "for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.5")))
        .isEqualTo("2001:db8:cafe::17");
    assertThat(proxies.resolve(from("10.1.2.3", "Forwarded", "For=192.0.2.60:8080;by=203.0.113.43"))).isEqualTo("192.0.2.60");
    assertThat(proxies.resolve(from("10.1.2.3", "Forwarded", "proto=https"))).isEqualTo("10.1.2.3");
  }

  @Test
  void shouldBelieveAPeerGatewayThatSignedItsForward() {
    ClientAddresses none = new ClientAddresses(List.of());
    MockHttpServletRequest forwarded = from("10.9.9.9", "X-Forwarded-For", "203.0.113.7");
    forwarded.setAttribute(PeerFilter.VERIFIED, Boolean.TRUE);
    assertThat(none.resolve(forwarded)).isEqualTo("203.0.113.7");
    assertThat(ClientAddresses.of(from("10.9.9.9", null, null))).isEqualTo("10.9.9.9");
  }
}
