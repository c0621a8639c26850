package io.hotswap.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.protocol.Envelope;
import org.junit.jupiter.api.Test;

class PeerSignatureTest {

  private final PeerSignature peers = new PeerSignature(Envelope.aesKey(new byte[32]));
  private final long now = 1_800_000_000L;

  @Test
  void shouldAcceptWhatAPeerSignedForThatRequestWithinAMinute() {
    String header = peers.sign("POST", "/internal/v1/rate-limits/acme/write?tokens=3", now);
    assertThat(peers.verify(header, "POST", "/internal/v1/rate-limits/acme/write?tokens=3", now)).isTrue();
    assertThat(peers.verify(header, "POST", "/internal/v1/rate-limits/acme/write?tokens=3", now + 60)).isTrue();
    assertThat(peers.verify(header, "POST", "/internal/v1/rate-limits/acme/write?tokens=3", now - 60)).isTrue();
  }

  @Test
  void shouldRefuseAnotherRequestAnOldSignatureAnotherKeyOrGarbage() {
    String header = peers.sign("POST", "/internal/v1/rate-limits/acme/write", now);
    assertThat(peers.verify(header, "POST", "/internal/v1/rate-limits/other/write", now)).isFalse();
    assertThat(peers.verify(header, "GET", "/internal/v1/rate-limits/acme/write", now)).isFalse();
    assertThat(peers.verify(header, "POST", "/internal/v1/rate-limits/acme/write?tokens=1000", now)).isFalse();
    assertThat(peers.verify(header, "POST", "/internal/v1/rate-limits/acme/write", now + 61)).isFalse();
    byte[] otherKey = new byte[32];
    otherKey[0] = 1;
    assertThat(new PeerSignature(Envelope.aesKey(otherKey)).verify(header, "POST", "/internal/v1/rate-limits/acme/write", now)).isFalse();
    // a timestamp moved forward with the old MAC
    String moved = (now + 30) + header.substring(header.indexOf('.'));
    assertThat(peers.verify(moved, "POST", "/internal/v1/rate-limits/acme/write", now)).isFalse();
    for (String garbage : new String[] {null, "", ".", "abc", "123", "x.y", now + ".", "-1.AAAA"}) {
      assertThat(peers.verify(garbage, "POST", "/internal/v1/rate-limits/acme/write", now)).as(garbage).isFalse();
    }
  }
}
