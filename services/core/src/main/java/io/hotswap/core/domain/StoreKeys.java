package io.hotswap.core.domain;

/**
 * Composite keys of tenant-scoped state. Separator {@code |} cannot occur in tenant ids,
 * environments or keys, so the tenant is always the first segment and a prefix scan on
 * {@code tenant|} or {@code tenant|env|} lists a tenant's keys in order.
 *
 * <p>The public config id is {@code tenant:environment:key}; it carries the tenant so that reads
 * can be routed to the instance owning the tenant's partition without a lookup.
 */
public final class StoreKeys {

  public static final char SEP = '|';

  private StoreKeys() {}

  public static String tenantOf(String compositeKey) {
    int i = compositeKey.indexOf(SEP);
    return i < 0 ? compositeKey : compositeKey.substring(0, i);
  }

  /** {@code tenant|env|key}: key of config-state and of the stores holding current config. */
  public static String config(String tenant, String environment, String key) {
    return tenant + SEP + environment + SEP + key;
  }

  /** {@code tenant|env|key|0000000000000000042}: zero-padded so versions sort numerically. */
  public static String version(String tenant, String environment, String key, long version) {
    return config(tenant, environment, key) + SEP + zeroPadded(version, 19);
  }

  /** {@code tenant|0000000003}: key of a tenant's data key version on the tenant-keys topic. */
  public static String tenantKey(String tenant, int version) {
    return tenant + SEP + zeroPadded(version, 10);
  }

  /**
   * {@code value} as {@code String.format("%0<width>d")} writes it, without the formatter: a
   * version key is made several times per write on the stream threads and the gateway's, and the
   * formatter was a measurable share of their CPU at 1,000 writes/s (load-tests/RESULTS.md).
   */
  static String zeroPadded(long value, int width) {
    if (value < 0) {
      return String.format("%0" + width + "d", value);
    }
    String digits = Long.toString(value);
    return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
  }

  /** {@code tenant|key}: key of the live topics (the environment is the topic). */
  public static String live(String tenant, String key) {
    return tenant + SEP + key;
  }

  public static String tenantPrefix(String tenant) {
    return tenant + SEP;
  }

  public static String environmentPrefix(String tenant, String environment) {
    return tenant + SEP + environment + SEP;
  }

  public static String versionsPrefix(String tenant, String environment, String key) {
    return config(tenant, environment, key) + SEP;
  }

  public static String configId(String tenant, String environment, String key) {
    return tenant + ':' + environment + ':' + key;
  }

  /** Parses a public config id; throws {@link Rejection} (404) when it is not one. */
  public static ConfigId parseConfigId(String configId) {
    int a = configId.indexOf(':');
    int b = a < 0 ? -1 : configId.indexOf(':', a + 1);
    if (a <= 0 || b <= a + 1 || b == configId.length() - 1) {
      throw Rejection.notFound("config-not-found", "No configuration with id '" + configId + "'", "configId");
    }
    ConfigId id = new ConfigId(configId.substring(0, a), configId.substring(a + 1, b), configId.substring(b + 1));
    if (!TenantIds.isValid(id.tenantId()) || !Environments.isKnown(id.environment())
        || !(ConfigKeys.isValid(id.key()) || io.hotswap.protocol.PluginAssignment.pluginOf(id.key()) != null)) {
      throw Rejection.notFound("config-not-found", "No configuration with id '" + configId + "'", "configId");
    }
    return id;
  }

  /** {@code tenant|name}: a schema's latest version in service stores. */
  public static String schema(String tenant, String name) {
    return tenant + SEP + name;
  }

  /** {@code tenant|name|0000000003}: one version of a schema on hotswap.schemas.v1. */
  public static String schemaVersion(String tenant, String name, int version) {
    return schema(tenant, name) + SEP + zeroPadded(version, 10);
  }

  /** {@code tenant:name}: the public id of a schema. */
  public static String schemaId(String tenant, String name) {
    return tenant + ':' + name;
  }

  /** {@code tenant|service.environment}: a profile's latest version in service stores. */
  public static String profile(String tenant, String service, String environment) {
    return tenant + SEP + service + '.' + environment;
  }

  /** {@code tenant|service.environment|000000001.000000000.000000002}: one version of a profile on hotswap.profiles.v1. */
  public static String profileVersion(String tenant, String service, String environment, SemVer version) {
    return profile(tenant, service, environment) + SEP + version.sortable();
  }

  /** {@code tenant:service.environment}: the public id of a profile. */
  public static String profileId(String tenant, String service, String environment) {
    return tenant + ':' + service + '.' + environment;
  }

  /** {@code profile:service}: a profile's key on the live topic of its environment (no config key contains ':'). */
  public static String liveProfileKey(String service) {
    return "profile:" + service;
  }

  /** The service whose profile a live key names ({@code profile:<service>}), or null for a configuration key. */
  public static String profileService(String liveKey) {
    return liveKey.startsWith("profile:") ? liveKey.substring("profile:".length()) : null;
  }

  /** Parses {@code tenant:name}; 404 when it is not a schema id. */
  public static SchemaId parseSchemaId(String schemaId) {
    int a = schemaId == null ? -1 : schemaId.indexOf(':');
    if (a <= 0 || a == schemaId.length() - 1) {
      throw Rejection.notFound("schema-not-found", "No schema with id '" + Texts.abbreviate(schemaId) + "'", "schemaId");
    }
    SchemaId id = new SchemaId(schemaId.substring(0, a), schemaId.substring(a + 1));
    if (!TenantIds.isValid(id.tenantId()) || !id.name().matches("[a-z0-9][a-z0-9-]{0,63}")) {
      throw Rejection.notFound("schema-not-found", "No schema with id '" + Texts.abbreviate(schemaId) + "'", "schemaId");
    }
    return id;
  }

  /** Parses {@code tenant:service.environment}; 404 when it is not a profile id. */
  public static ProfileId parseProfileId(String profileId) {
    int a = profileId == null ? -1 : profileId.indexOf(':');
    int dot = profileId == null ? -1 : profileId.lastIndexOf('.');
    if (a <= 0 || dot <= a + 1 || dot == profileId.length() - 1) {
      throw Rejection.notFound("profile-not-found", "No profile with id '" + Texts.abbreviate(profileId) + "'", "profileId");
    }
    ProfileId id = new ProfileId(profileId.substring(0, a), profileId.substring(a + 1, dot), profileId.substring(dot + 1).toLowerCase(java.util.Locale.ROOT));
    if (!TenantIds.isValid(id.tenantId()) || !id.service().matches("[a-z0-9][a-z0-9-]{0,63}") || !Environments.isKnown(id.environment())) {
      throw Rejection.notFound("profile-not-found", "No profile with id '" + Texts.abbreviate(profileId) + "'", "profileId");
    }
    return id;
  }

  /** {@code tenant|id}: a deployment on the deployments topic and in the stores. */
  public static String deployment(String tenant, String id) {
    return tenant + SEP + id;
  }

  /** {@code tenant:id}: the public deployment id. */
  public static String deploymentId(String tenant, String id) {
    return tenant + ':' + id;
  }

  /** Parses {@code tenant:id}; 404 when it is not a deployment id. */
  public static DeploymentId parseDeploymentId(String deploymentId) {
    int a = deploymentId == null ? -1 : deploymentId.indexOf(':');
    DeploymentId id = a <= 0 ? null : new DeploymentId(deploymentId.substring(0, a), deploymentId.substring(a + 1));
    if (id == null || !TenantIds.isValid(id.tenantId()) || !id.id().matches("[a-z0-9][a-z0-9-]{0,63}")) {
      throw Rejection.notFound("deployment-not-found", "No deployment with id '" + Texts.abbreviate(deploymentId) + "'", "deploymentId");
    }
    return id;
  }

  /** A parsed deployment id. */
  public record DeploymentId(String tenantId, String id) {
    public String storeKey() {
      return deployment(tenantId, id);
    }

    public String publicId() {
      return deploymentId(tenantId, id);
    }
  }

  /** A parsed schema id. */
  public record SchemaId(String tenantId, String name) {
    public String storeKey() {
      return schema(tenantId, name);
    }

    public String id() {
      return schemaId(tenantId, name);
    }
  }

  /** A parsed profile id. */
  public record ProfileId(String tenantId, String service, String environment) {
    public String storeKey() {
      return profile(tenantId, service, environment);
    }

    public String id() {
      return profileId(tenantId, service, environment);
    }
  }

  /** A parsed config id. */
  public record ConfigId(String tenantId, String environment, String key) {
    public String storeKey() {
      return config(tenantId, environment, key);
    }

    public String id() {
      return configId(tenantId, environment, key);
    }
  }
}
