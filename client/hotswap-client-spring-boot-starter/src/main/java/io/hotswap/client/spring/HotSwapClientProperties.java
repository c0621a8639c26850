package io.hotswap.client.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code hotswap.client.*}: how the starter builds the client. */
public class HotSwapClientProperties {

  /** Set false to run without HotSwap (the property source and beans are left out). */
  private boolean enabled = true;
  /** Kafka bootstrap servers (default: spring.kafka.bootstrap-servers). */
  private String bootstrapServers;
  /** development, qa, staging or production. */
  private String environment;
  /** The tenant whose keys become Spring properties (and the client's default tenant). */
  private String tenant;
  /** This service's name: registered with the instance, and the profile shown as properties. */
  private String service;
  private String instanceId;
  private List<String> tags = new ArrayList<>();
  /** Flatten the tenant's profile of {@link #service} into properties (keys win over profile members). */
  private boolean profileProperties = true;
  /** Where the HotSwap PropertySource goes among the application's property sources. */
  private Precedence precedence = Precedence.FIRST;
  /** Where the last snapshot is kept for starts while Kafka is unreachable. */
  private Path snapshotFile;
  /** How long start-up waits for the snapshot to catch up before going on (with the file, or empty). */
  private Duration startupTimeout = Duration.ofSeconds(15);
  /** Fail start-up when neither Kafka nor a snapshot file answered within the start-up timeout. */
  private boolean failFast;
  /** Health goes DOWN once the snapshot is older than this without Kafka confirming it. */
  private Duration maxStaleAge = Duration.ofMinutes(5);
  private boolean register = true;
  private Duration heartbeatPeriod = Duration.ofSeconds(30);
  /** Base64 of the 32-byte master key (reads every tenant's data keys), or give data keys. */
  private String masterKey;
  /** tenant|version → base64 data key. */
  private Map<String, String> dataKeys = new HashMap<>();
  /** Extra Kafka properties (security.protocol, sasl.*, ssl.*). */
  private Map<String, String> kafka = new HashMap<>();
  /** More tenants this service serves besides {@link #tenant} (their values and plugins; only {@link #tenant}'s keys become properties). */
  private List<String> tenants = new ArrayList<>();
  /** The tenants' plugins, run in this service. */
  private Plugins plugins = new Plugins();

  /** {@code hotswap.client.plugins.*}: how the service runs its tenants' plugins ({@code HotSwapClient.plugins()}). */
  public static class Plugins {
    /** Run the tenants' plugins here (off unless set). */
    private boolean enabled;
    /** The gateway whose registry serves the binaries, e.g. http://hotswap:8080. */
    private String registryUrl;
    /** A bearer token for the registry (a read-only service token is enough). */
    private String token;
    /** Trusted publishers: name → Base64 Ed25519 public key (publisher.pub). */
    private Map<String, String> publishers = new HashMap<>();
    /** Run unsigned binaries too. */
    private boolean allowUnsigned;
    /** Where fetched binaries are kept by SHA-256. */
    private Path cacheDir;
    /** How often each running plugin's liveness is asked. */
    private Duration livenessPeriod = Duration.ofSeconds(10);
    /** Consecutive failed liveness checks that report a version as failed (and roll its deployment back). */
    private int failedChecks = 3;
    /** Packages of this service that plugins see (its typed extension points). */
    private List<String> sharedPackages = new ArrayList<>();
    /** Per tenant, trust for its own plugins only: {@code tenant-trust.<tenant>.publishers.<name>}, {@code .allow-unsigned}. */
    private Map<String, TenantTrust> tenantTrust = new HashMap<>();

    /** One tenant's trust for its own plugins. */
    public static class TenantTrust {
      private Map<String, String> publishers = new HashMap<>();
      private boolean allowUnsigned;

      public Map<String, String> getPublishers() {
        return publishers;
      }

      public void setPublishers(Map<String, String> publishers) {
        this.publishers = publishers;
      }

      public boolean isAllowUnsigned() {
        return allowUnsigned;
      }

      public void setAllowUnsigned(boolean allowUnsigned) {
        this.allowUnsigned = allowUnsigned;
      }
    }

    public Map<String, TenantTrust> getTenantTrust() {
      return tenantTrust;
    }

    public void setTenantTrust(Map<String, TenantTrust> tenantTrust) {
      this.tenantTrust = tenantTrust;
    }

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getRegistryUrl() {
      return registryUrl;
    }

    public void setRegistryUrl(String registryUrl) {
      this.registryUrl = registryUrl;
    }

    public String getToken() {
      return token;
    }

    public void setToken(String token) {
      this.token = token;
    }

    public Map<String, String> getPublishers() {
      return publishers;
    }

    public void setPublishers(Map<String, String> publishers) {
      this.publishers = publishers;
    }

    public boolean isAllowUnsigned() {
      return allowUnsigned;
    }

    public void setAllowUnsigned(boolean allowUnsigned) {
      this.allowUnsigned = allowUnsigned;
    }

    public Path getCacheDir() {
      return cacheDir;
    }

    public void setCacheDir(Path cacheDir) {
      this.cacheDir = cacheDir;
    }

    public Duration getLivenessPeriod() {
      return livenessPeriod;
    }

    public void setLivenessPeriod(Duration livenessPeriod) {
      this.livenessPeriod = livenessPeriod;
    }

    public int getFailedChecks() {
      return failedChecks;
    }

    public void setFailedChecks(int failedChecks) {
      this.failedChecks = failedChecks;
    }

    public List<String> getSharedPackages() {
      return sharedPackages;
    }

    public void setSharedPackages(List<String> sharedPackages) {
      this.sharedPackages = sharedPackages;
    }

    /** The client's plugin options these settings make. */
    io.hotswap.client.PluginOptions options() {
      if (registryUrl == null || registryUrl.isBlank()) {
        throw new IllegalStateException("hotswap.client.plugins.registry-url is required when plugins are enabled");
      }
      io.hotswap.client.PluginOptions options = io.hotswap.client.PluginOptions.create()
          .source(io.hotswap.client.PluginSource.gateway(registryUrl, () -> token))
          .livenessPeriod(livenessPeriod).failedChecks(failedChecks).sharedPackages(sharedPackages);
      publishers.forEach(options::trustPublisher);
      if (allowUnsigned) {
        options.allowUnsigned();
      }
      tenantTrust.forEach((tenant, trust) -> {
        trust.getPublishers().forEach((name, key) -> options.trustPublisherForTenant(tenant, name, key));
        if (trust.isAllowUnsigned()) {
          options.allowUnsignedForTenant(tenant);
        }
      });
      if (cacheDir != null) {
        options.cacheDirectory(cacheDir);
      }
      return options;
    }
  }

  public List<String> getTenants() {
    return tenants;
  }

  public void setTenants(List<String> tenants) {
    this.tenants = tenants;
  }

  public Plugins getPlugins() {
    return plugins;
  }

  public void setPlugins(Plugins plugins) {
    this.plugins = plugins;
  }

  /** Which local settings a HotSwap value overrides. */
  public enum Precedence {
    /** Above every other source: HotSwap wins over command line, system properties, environment and files. */
    FIRST,
    /**
     * Below command-line arguments, Java system properties and OS environment variables, above
     * the application's config files: operators can pin a value for one instance (an env var in
     * a pod spec), while HotSwap still wins over what was packaged.
     */
    AFTER_SYSTEM_ENVIRONMENT,
    /** Below everything: HotSwap only supplies keys the application doesn't set itself. */
    LAST
  }

  public Precedence getPrecedence() {
    return precedence;
  }

  public void setPrecedence(Precedence precedence) {
    this.precedence = precedence;
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getBootstrapServers() {
    return bootstrapServers;
  }

  public void setBootstrapServers(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  public String getEnvironment() {
    return environment;
  }

  public void setEnvironment(String environment) {
    this.environment = environment;
  }

  public String getTenant() {
    return tenant;
  }

  public void setTenant(String tenant) {
    this.tenant = tenant;
  }

  public String getService() {
    return service;
  }

  public void setService(String service) {
    this.service = service;
  }

  public String getInstanceId() {
    return instanceId;
  }

  public void setInstanceId(String instanceId) {
    this.instanceId = instanceId;
  }

  public List<String> getTags() {
    return tags;
  }

  public void setTags(List<String> tags) {
    this.tags = tags;
  }

  public boolean isProfileProperties() {
    return profileProperties;
  }

  public void setProfileProperties(boolean profileProperties) {
    this.profileProperties = profileProperties;
  }

  public Path getSnapshotFile() {
    return snapshotFile;
  }

  public void setSnapshotFile(Path snapshotFile) {
    this.snapshotFile = snapshotFile;
  }

  public Duration getStartupTimeout() {
    return startupTimeout;
  }

  public void setStartupTimeout(Duration startupTimeout) {
    this.startupTimeout = startupTimeout;
  }

  public boolean isFailFast() {
    return failFast;
  }

  public void setFailFast(boolean failFast) {
    this.failFast = failFast;
  }

  public Duration getMaxStaleAge() {
    return maxStaleAge;
  }

  public void setMaxStaleAge(Duration maxStaleAge) {
    this.maxStaleAge = maxStaleAge;
  }

  public boolean isRegister() {
    return register;
  }

  public void setRegister(boolean register) {
    this.register = register;
  }

  public Duration getHeartbeatPeriod() {
    return heartbeatPeriod;
  }

  public void setHeartbeatPeriod(Duration heartbeatPeriod) {
    this.heartbeatPeriod = heartbeatPeriod;
  }

  public String getMasterKey() {
    return masterKey;
  }

  public void setMasterKey(String masterKey) {
    this.masterKey = masterKey;
  }

  public Map<String, String> getDataKeys() {
    return dataKeys;
  }

  public void setDataKeys(Map<String, String> dataKeys) {
    this.dataKeys = dataKeys;
  }

  public Map<String, String> getKafka() {
    return kafka;
  }

  public void setKafka(Map<String, String> kafka) {
    this.kafka = kafka;
  }
}
