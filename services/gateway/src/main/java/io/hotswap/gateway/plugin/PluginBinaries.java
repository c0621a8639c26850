package io.hotswap.gateway.plugin;

import io.hotswap.core.domain.Rejection;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Plugin binaries in S3-compatible object storage. Objects are content-addressed
 * ({@code plugins/<id>/<version>/<sha256>.jar}) and never overwritten with other bytes, so a
 * registration that the pipeline refuses after the upload leaves an object nothing refers to, never
 * a wrong one. The bucket is created on first use with versioning switched on where the store
 * supports it (MinIO and AWS do; the embedded local S3 API does not, and says so in the log).
 */
public final class PluginBinaries implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PluginBinaries.class);

  private final PluginProperties.Storage storage;
  private final S3Client s3;
  private volatile boolean bucketReady;

  public PluginBinaries(PluginProperties.Storage storage) {
    this.storage = storage;
    this.s3 = storage.configured() ? S3Client.builder()
        .endpointOverride(URI.create(storage.endpoint()))
        .region(Region.of(storage.region()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(storage.accessKey(), storage.secretKey())))
        // path-style URLs and checksums only where the API requires them: what MinIO and s3proxy understand
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClient(UrlConnectionHttpClient.create())
        .build() : null;
  }

  /** The object key of a binary: content-addressed under its plugin and version. */
  public static String objectKey(String pluginId, String version, String sha256) {
    return "plugins/" + pluginId + "/" + version + "/" + sha256 + ".jar";
  }

  public void put(String key, byte[] binary) {
    try {
      ensureBucket();
      s3.putObject(b -> b.bucket(storage.bucket()).key(key).contentType("application/java-archive").contentLength((long) binary.length),
          RequestBody.fromBytes(binary));
    } catch (SdkException e) {
      throw unavailable(e);
    }
  }

  /**
   * A registered version's binary, exactly as registered: checked against its SHA-256, so bytes
   * changed in object storage are never served or run (502).
   */
  public byte[] get(io.hotswap.avro.PluginVersion version) {
    byte[] bytes = get(version.getObjectKey());
    if (!io.hotswap.plugin.host.PluginSignatures.sha256(bytes).equals(version.getSha256())) {
      throw new Rejection(502, "plugin-binary-corrupt", "the stored binary of " + version.getPluginId() + "@" + version.getVersion()
          + " no longer matches its registered SHA-256; it is not served", "version");
    }
    return bytes;
  }

  /** The stored bytes; 404 when the object is gone. */
  public byte[] get(String key) {
    try {
      return s3.getObjectAsBytes(b -> b.bucket(storage.bucket()).key(key)).asByteArray();
    } catch (NoSuchKeyException | NoSuchBucketException e) {
      throw Rejection.notFound("plugin-binary-missing", "the binary of this plugin version is not in object storage (" + key + ")", "version");
    } catch (SdkException e) {
      throw unavailable(e);
    }
  }

  private void ensureBucket() {
    if (bucketReady) {
      return;
    }
    synchronized (this) {
      if (bucketReady) {
        return;
      }
      try {
        s3.headBucket(b -> b.bucket(storage.bucket()));
      } catch (NoSuchBucketException e) {
        s3.createBucket(b -> b.bucket(storage.bucket()));
      } catch (S3Exception e) {
        if (e.statusCode() != 404) {
          throw e;
        }
        s3.createBucket(b -> b.bucket(storage.bucket()));
      }
      try {
        s3.putBucketVersioning(b -> b.bucket(storage.bucket()).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
      } catch (S3Exception e) {
        LOG.info("Object storage at {} keeps no object versions (bucket {}: {}); plugin binaries are content-addressed and never "
            + "overwritten, so nothing depends on them", storage.endpoint(), storage.bucket(), e.awsErrorDetails().errorCode());
      }
      bucketReady = true;
    }
  }

  private Rejection unavailable(SdkException e) {
    LOG.warn("Object storage at {} failed: {}", storage.endpoint(), e.getMessage());
    return new Rejection(503, "object-storage-unavailable", "plugin binaries cannot be stored or read right now: object storage at "
        + storage.endpoint() + " answered " + e.getMessage() + "; retry shortly", null);
  }

  public boolean configured() {
    return s3 != null;
  }

  @Override
  public void close() {
    if (s3 != null) {
      s3.close();
    }
  }
}
