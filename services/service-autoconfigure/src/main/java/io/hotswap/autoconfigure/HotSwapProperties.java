package io.hotswap.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The settings every HotSwap service reads, under {@code hotswap.}: which service it is, the
 * topics' shape, the idempotency window, its Kafka Streams application id, and how it verifies
 * tokens. Each service's own settings ({@code hotswap.gateway.*}, {@code hotswap.approval.*} …)
 * stay with that service.
 */
@ConfigurationProperties("hotswap")
public class HotSwapProperties {

  /** The service's short name (gateway, validation, approval, rollout, audit): names its state directory, logs and schema registration. */
  private String serviceName = "service";
  private final Kafka kafka = new Kafka();
  private final Idempotency idempotency = new Idempotency();
  private final Streams streams = new Streams();
  private final Security security = new Security();

  public String getServiceName() {
    return serviceName;
  }

  public void setServiceName(String serviceName) {
    this.serviceName = serviceName;
  }

  public Kafka getKafka() {
    return kafka;
  }

  public Idempotency getIdempotency() {
    return idempotency;
  }

  public Streams getStreams() {
    return streams;
  }

  public Security getSecurity() {
    return security;
  }

  /** The topics every service creates if missing (all with the same partition count, so tenant-keyed topics are co-partitioned). */
  public static class Kafka {
    private int partitions = 3;
    private short replicationFactor = 1;

    public int getPartitions() {
      return partitions;
    }

    public void setPartitions(int partitions) {
      this.partitions = partitions;
    }

    public short getReplicationFactor() {
      return replicationFactor;
    }

    public void setReplicationFactor(short replicationFactor) {
      this.replicationFactor = replicationFactor;
    }
  }

  /** How long a command's answer is remembered, so that a retry with the same id is answered, not applied again. */
  public static class Idempotency {
    private Duration window = Duration.ofHours(24);

    public Duration getWindow() {
      return window;
    }

    public void setWindow(Duration window) {
      this.window = window;
    }
  }

  /** The service's Kafka Streams application; a service without one leaves {@code applicationId} unset. */
  public static class Streams {
    private String applicationId;

    public String getApplicationId() {
      return applicationId;
    }

    public void setApplicationId(String applicationId) {
      this.applicationId = applicationId;
    }
  }

  /** How the service verifies callers, and the platform's master key (base64 of 32 bytes, or a file holding it). */
  public static class Security {
    private final Jwt jwt = new Jwt();
    private String masterKey = "";
    private String masterKeyFile = "";

    public Jwt getJwt() {
      return jwt;
    }

    public String getMasterKey() {
      return masterKey;
    }

    public void setMasterKey(String masterKey) {
      this.masterKey = masterKey;
    }

    public String getMasterKeyFile() {
      return masterKeyFile;
    }

    public void setMasterKeyFile(String masterKeyFile) {
      this.masterKeyFile = masterKeyFile;
    }
  }

  /** Tokens: an HS256 shared secret, or a JWK Set URI; the issuer every token must name (blank: any). */
  public static class Jwt {
    private String secret = "";
    private String issuer = "hotswap";
    private String jwkSetUri = "";

    public String getSecret() {
      return secret;
    }

    public void setSecret(String secret) {
      this.secret = secret;
    }

    public String getIssuer() {
      return issuer;
    }

    public void setIssuer(String issuer) {
      this.issuer = issuer;
    }

    public String getJwkSetUri() {
      return jwkSetUri;
    }

    public void setJwkSetUri(String jwkSetUri) {
      this.jwkSetUri = jwkSetUri;
    }
  }
}
