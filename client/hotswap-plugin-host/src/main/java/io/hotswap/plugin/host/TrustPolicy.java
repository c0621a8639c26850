package io.hotswap.plugin.host;

import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whose plugins a host runs: the publishers' public keys it trusts, by name, and whether it accepts
 * unsigned binaries at all (off unless someone decides otherwise — a tenant that allows unsigned
 * plugins says so explicitly).
 */
public record TrustPolicy(Map<String, PublicKey> publishers, boolean allowUnsigned) {

  public TrustPolicy {
    publishers = Map.copyOf(publishers);
  }

  /** Trusts these publishers and refuses unsigned binaries. */
  public static TrustPolicy trusting(Map<String, PublicKey> publishers) {
    return new TrustPolicy(publishers, false);
  }

  public TrustPolicy withPublisher(String name, PublicKey key) {
    Map<String, PublicKey> all = new LinkedHashMap<>(publishers);
    all.put(name, key);
    return new TrustPolicy(all, allowUnsigned);
  }

  public TrustPolicy allowingUnsigned() {
    return new TrustPolicy(publishers, true);
  }

  /** Whether a binary signed by this key (null: unsigned) passes here. */
  public boolean trusts(PublicKey signer) {
    return signer == null ? allowUnsigned : publishers.containsValue(signer);
  }

  /**
   * Checks a binary before anything of it is loaded: its checksum, then its signature by a trusted
   * publisher.
   *
   * @return the publisher whose key signed it, or {@code "unsigned"} where that is allowed
   */
  public String verify(PluginBinary binary) throws PluginRejected {
    String actual = PluginSignatures.sha256(binary.bytes());
    if (!actual.equals(binary.sha256())) {
      throw new PluginRejected(PluginRejected.Reason.CHECKSUM_MISMATCH,
          "the binary's SHA-256 is " + actual + ", not the registered " + binary.sha256() + ": it was changed or truncated");
    }
    if (binary.signature() == null) {
      if (allowUnsigned) {
        return "unsigned";
      }
      throw new PluginRejected(PluginRejected.Reason.UNSIGNED,
          "the binary is not signed and unsigned plugins are not allowed here; sign it with a trusted publisher's key");
    }
    for (Map.Entry<String, PublicKey> p : publishers.entrySet()) {
      if (PluginSignatures.verify(p.getValue(), binary.bytes(), binary.signature())) {
        return p.getKey();
      }
    }
    throw new PluginRejected(PluginRejected.Reason.BAD_SIGNATURE, publishers.isEmpty()
        ? "no publisher is trusted here, so no signature can be: give the platform (or this host) the publisher's public key"
        : "the signature is not one of the trusted publishers' (" + String.join(", ", publishers.keySet()) + ") over this binary");
  }
}
