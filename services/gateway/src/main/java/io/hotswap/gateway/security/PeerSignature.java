package io.hotswap.gateway.security;

import io.hotswap.core.security.MasterKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.SecretKey;

/**
 * How gateway instances prove to each other that a request comes from a peer, not a client: the
 * header {@code X-HotSwap-Peer: <epoch seconds>.<HMAC-SHA256 of time, method and path>} with a
 * key derived from the master key every gateway of a platform shares. Only a signed request may
 * call {@code /internal/**} (a rate-limit token taken on the tenant's owner) or claim to be
 * forwarded ({@code X-HotSwap-Forwarded}: already counted, read-back of a write); a client holding
 * any user token can do neither. Signatures are valid for a minute either side of the clock.
 */
public final class PeerSignature {

  public static final String HEADER = "X-HotSwap-Peer";
  static final Duration TOLERANCE = Duration.ofSeconds(60);

  private final SecretKey key;

  /** The peer key, derived from the master key so that it names its one purpose. */
  public PeerSignature(SecretKey masterKey) {
    this.key = MasterKeys.derive(masterKey, "hotswap gateway peers");
  }

  /** The header value for a request of {@code method} to {@code pathAndQuery} at {@code epochSeconds}. */
  public String sign(String method, String pathAndQuery, long epochSeconds) {
    return epochSeconds + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(key, epochSeconds + "\n" + method + "\n" + pathAndQuery));
  }

  /** Whether {@code header} signs this request and is recent. */
  public boolean verify(String header, String method, String pathAndQuery, long nowEpochSeconds) {
    if (header == null) {
      return false;
    }
    int dot = header.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    long at;
    try {
      at = Long.parseLong(header.substring(0, dot));
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(nowEpochSeconds - at) > TOLERANCE.toSeconds()) {
      return false;
    }
    byte[] expected = sign(method, pathAndQuery, at).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] hmac(SecretKey key, String text) {
    return MasterKeys.hmac(key, text.getBytes(StandardCharsets.UTF_8));
  }
}
