package io.hotswap.gateway.plugin;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The plugin registry's settings ({@code hotswap.plugins.*}): where binaries are stored (an
 * S3-compatible endpoint: the embedded default's local S3 API, MinIO, or AWS S3), which publishers'
 * Ed25519 keys the platform trusts ({@code hotswap.plugins.publishers.<name>=<Base64 of the X.509
 * public key>}, as {@code ./hotswap plugin keygen} prints it), whether unsigned binaries may be
 * registered at all (no, unless an operator says so) and the largest binary taken.
 */
@ConfigurationProperties("hotswap.plugins")
public record PluginProperties(Storage storage, Map<String, String> publishers, Boolean allowUnsigned, DataSize maxSize) {

  /** Object storage; no endpoint means plugin uploads and downloads answer 503 (the rest of the registry still reads). */
  public record Storage(String endpoint, String bucket, String accessKey, String secretKey, String region) {
    public Storage {
      bucket = bucket == null || bucket.isBlank() ? "hotswap-plugins" : bucket;
      region = region == null || region.isBlank() ? "us-east-1" : region;
    }

    public boolean configured() {
      return endpoint != null && !endpoint.isBlank();
    }
  }

  public PluginProperties {
    storage = storage == null ? new Storage(null, null, null, null, null) : storage;
    publishers = publishers == null ? Map.of() : Map.copyOf(publishers);
    allowUnsigned = allowUnsigned != null && allowUnsigned;
    maxSize = maxSize == null ? DataSize.ofMegabytes(50) : maxSize;
  }
}
