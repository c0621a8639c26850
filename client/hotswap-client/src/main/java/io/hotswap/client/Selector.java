package io.hotswap.client;

import java.util.Objects;

/** Which changes a subscription receives. */
public sealed interface Selector {

  boolean matches(String tenantId, String key, ConfigValue.Kind kind);

  /** One key of one tenant. */
  static Selector key(String tenantId, String key) {
    return new Key(Objects.requireNonNull(tenantId), Objects.requireNonNull(key));
  }

  /** Every key of the tenant starting with the prefix ({@code ""}: all its keys). */
  static Selector prefix(String tenantId, String prefix) {
    return new Prefix(Objects.requireNonNull(tenantId), Objects.requireNonNull(prefix));
  }

  /** The tenant's profile of one service. */
  static Selector profile(String tenantId, String service) {
    return new Profile(Objects.requireNonNull(tenantId), Objects.requireNonNull(service));
  }

  /** Every tenant's plugin assignments (keys {@code plugin:<id>}): what {@link ClientPlugins} runs. */
  static Selector pluginAssignments() {
    return new PluginAssignments();
  }

  /** Everything the client sees. */
  static Selector all() {
    return new All();
  }

  record Key(String tenantId, String key) implements Selector {
    @Override
    public boolean matches(String tenant, String k, ConfigValue.Kind kind) {
      return kind == ConfigValue.Kind.KEY && tenantId.equals(tenant) && key.equals(k);
    }
  }

  record Prefix(String tenantId, String prefix) implements Selector {
    @Override
    public boolean matches(String tenant, String k, ConfigValue.Kind kind) {
      return kind == ConfigValue.Kind.KEY && tenantId.equals(tenant) && k.startsWith(prefix);
    }
  }

  record Profile(String tenantId, String service) implements Selector {
    @Override
    public boolean matches(String tenant, String k, ConfigValue.Kind kind) {
      return kind == ConfigValue.Kind.PROFILE && tenantId.equals(tenant) && service.equals(k);
    }
  }

  record All() implements Selector {
    @Override
    public boolean matches(String tenant, String k, ConfigValue.Kind kind) {
      return true;
    }
  }

  record PluginAssignments() implements Selector {
    @Override
    public boolean matches(String tenant, String k, ConfigValue.Kind kind) {
      return kind == ConfigValue.Kind.KEY && io.hotswap.protocol.PluginAssignment.pluginOf(k) != null;
    }
  }
}
