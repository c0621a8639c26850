package io.hotswap.plugin.host;

import java.util.Objects;

/**
 * A plugin jar as delivered, with what the registry recorded for it: the SHA-256 it must have and
 * the publisher's Ed25519 signature ({@code null} when unsigned). The bytes are kept in memory and
 * classes are defined from exactly the bytes that were verified, so nothing can change on disk
 * between the check and the load.
 */
public record PluginBinary(byte[] bytes, String sha256, byte[] signature) {

  public PluginBinary {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(sha256, "sha256");
  }

  /** An unsigned binary whose checksum is taken from the bytes themselves. */
  public static PluginBinary unsigned(byte[] bytes) {
    return new PluginBinary(bytes, PluginSignatures.sha256(bytes), null);
  }

  /** A binary signed by the given key, checksum from its bytes (what a publisher produces). */
  public static PluginBinary signed(byte[] bytes, java.security.PrivateKey key) {
    return new PluginBinary(bytes, PluginSignatures.sha256(bytes), PluginSignatures.sign(key, bytes));
  }
}
