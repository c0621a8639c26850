package io.hotswap.plugin.host;

import io.hotswap.plugin.api.PluginApi;
import java.util.Map;

/**
 * A plugin binary that passed every check a host makes before loading anything of it: checksum,
 * the publisher's signature ({@link TrustPolicy}), the manifest, the API version this runtime
 * has, and an entry point that is a class in the jar. The registry makes the same checks before it
 * stores a binary, and the sandbox before it runs one.
 *
 * @param signer the key that verified the signature; null for an unsigned binary
 * @param entries the jar's entries, read once (what the version's class loader defines classes from)
 */
public record CheckedBinary(PluginManifest manifest, String publisher, java.security.PublicKey signer, String sha256,
                            Map<String, byte[]> entries) {

  public static CheckedBinary check(PluginBinary binary, TrustPolicy trust) throws PluginRejected {
    String publisher = trust.verify(binary);
    PluginManifest manifest = PluginManifest.read(binary.bytes());
    if (!manifest.runsOn(PluginApi.VERSION)) {
      throw new PluginRejected(PluginRejected.Reason.UNSUPPORTED_API, manifest.coordinates() + " needs plugin API "
          + manifest.apiVersion() + "; this runtime has API " + PluginApi.VERSION);
    }
    Map<String, byte[]> entries = PluginClassLoader.entries(binary.bytes());
    if (!entries.containsKey(manifest.entryPoint().replace('.', '/') + ".class")) {
      String entry = manifest.entryPoint();
      throw new PluginRejected(PluginRejected.Reason.BAD_MANIFEST, entry + " is not in the jar: the manifest names it as the entry point, but "
          + entry + " is not a class in the jar");
    }
    java.security.PublicKey signer = binary.signature() == null ? null : trust.publishers().get(publisher);
    return new CheckedBinary(manifest, publisher, signer, binary.sha256(), entries);
  }

  /** One entry's bytes, or null. */
  public byte[] entry(String name) {
    return entries.get(name);
  }
}
