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
    return config(tenant, environment, key) + SEP + String.format("%019d", version);
  }

  /** {@code tenant|0000000003}: key of a tenant's data key version on the tenant-keys topic. */
  public static String tenantKey(String tenant, int version) {
    return tenant + SEP + String.format("%010d", version);
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
    if (!TenantIds.isValid(id.tenantId()) || !Environments.isKnown(id.environment()) || !ConfigKeys.isValid(id.key())) {
      throw Rejection.notFound("config-not-found", "No configuration with id '" + configId + "'", "configId");
    }
    return id;
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
