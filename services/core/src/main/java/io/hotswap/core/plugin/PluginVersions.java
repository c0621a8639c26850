package io.hotswap.core.plugin;

import io.hotswap.avro.PluginPayload;
import io.hotswap.avro.PluginVersion;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.SemVer;
import io.hotswap.core.domain.Texts;
import io.hotswap.plugin.host.Dependencies;
import io.hotswap.plugin.host.Dependency;
import io.hotswap.plugin.host.PluginManifest;
import io.hotswap.plugin.host.PluginRejected;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The plugin registry's rules, shared by the gateway (which checks an upload before storing it),
 * validation (the payload's form) and rollout (the one judge of what depends on the registry:
 * versions strictly increasing, dependencies resolvable). Plugin versions are {@code
 * MAJOR.MINOR.PATCH}; their store keys ({@code pluginId|<sortable version>}) sort by version.
 */
public final class PluginVersions {

  /** Plugin ids, as the manifest gives them. */
  public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  /** Where a plugin jar ships the JSON Schema of a tenant's settings. */
  public static final String CONFIG_SCHEMA_ENTRY = "META-INF/hotswap/config-schema.json";
  /** Names of trusted publishers. */
  public static final Pattern PUBLISHER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  /** Who signed a binary that nobody signed. */
  public static final String UNSIGNED = "unsigned";

  private PluginVersions() {}

  public static String requireId(String pluginId, String field) {
    if (pluginId == null || !ID.matcher(pluginId).matches()) {
      throw Rejection.badRequest("invalid-plugin-id", field + " must be 1-64 of lower-case letters, digits, '.', '_' or '-' (got '"
          + Texts.abbreviate(pluginId) + "')", field);
    }
    return pluginId;
  }

  /** {@code pluginId|<sortable version>}: the registry's key of one version. */
  public static String key(String pluginId, String version) {
    return pluginId + '|' + SemVer.parse(version, "version").sortable();
  }

  /** {@code pluginId|}: the prefix of every version of a plugin. */
  public static String prefix(String pluginId) {
    return pluginId + '|';
  }

  /** {@code id@version}, how the API and the audit trail name one plugin version. */
  public static String coordinates(String pluginId, String version) {
    return pluginId + "@" + version;
  }

  /**
   * A tenant's trusted publishers as given (name to Base64 of an Ed25519 public key), checked and in
   * canonical form: 400 naming the first name or key that is not one.
   */
  public static Map<String, String> requirePublishers(Map<String, String> publishers, String field) {
    Map<String, String> out = new java.util.TreeMap<>();
    publishers.forEach((name, key) -> {
      if (name == null || !PUBLISHER.matcher(name).matches()) {
        throw Rejection.badRequest("invalid-publisher", "publisher names are 1-64 of [A-Za-z0-9._-], starting with a letter or digit (got '"
            + Texts.abbreviate(String.valueOf(name)) + "')", field);
      }
      if (key == null || key.isBlank()) {
        throw Rejection.badRequest("invalid-publisher-key", "publisher '" + name + "' needs its public key", field + "/" + name);
      }
      try {
        io.hotswap.plugin.host.PluginSignatures.publicKey(key);
      } catch (IllegalArgumentException e) {
        throw Rejection.badRequest("invalid-publisher-key", "publisher '" + name + "': " + e.getMessage(), field + "/" + name);
      }
      out.put(name, key.strip());
    });
    return out;
  }

  /** Checks what a registration carries needs no state: id, version, checksum, entry point, dependencies. */
  public static void requireRegistration(PluginPayload p) {
    requireId(p.getPluginId(), "pluginId");
    SemVer.parse(p.getVersion(), "version");
    if (p.getSha256() == null || !SHA256.matcher(p.getSha256()).matches()) {
      throw Rejection.badRequest("invalid-checksum", "sha256 must be 64 lower-case hex digits", "sha256");
    }
    if (p.getSize() == null || p.getSize() <= 0) {
      throw Rejection.badRequest("invalid-size", "size must be the binary's length in bytes", "size");
    }
    if (p.getEntryPoint() == null || p.getEntryPoint().isBlank() || p.getApiVersion() == null || p.getObjectKey() == null
        || p.getPublisher() == null) {
      throw Rejection.badRequest("incomplete-plugin", "a plugin version needs its entry point, API version, publisher and object key",
          "plugin");
    }
    for (String d : p.getDependencies()) {
      dependency(d);
    }
  }

  /** A dependency as {@code id@range}; 400 when it does not parse. */
  public static Dependency dependency(String text) {
    try {
      return Dependency.parse(text);
    } catch (PluginRejected e) {
      throw Rejection.badRequest("invalid-dependency", e.getMessage(), "dependencies");
    }
  }

  /** The manifest a registered version stands for: what dependency resolution works on. */
  public static PluginManifest manifest(PluginVersion v) {
    return new PluginManifest(v.getPluginId(), v.getVersion(), v.getType(), v.getEntryPoint(), v.getApiVersion(),
        v.getDependencies().stream().map(PluginVersions::dependency).toList());
  }

  /** The registered versions a dependency may resolve to (deprecated ones are not offered), by plugin id. */
  public static Map<String, List<PluginManifest>> available(Iterable<PluginVersion> registered) {
    Map<String, List<PluginManifest>> available = new LinkedHashMap<>();
    for (PluginVersion v : registered) {
      if (!v.getDeprecated()) {
        available.computeIfAbsent(v.getPluginId(), k -> new ArrayList<>()).add(manifest(v));
      }
    }
    return available;
  }

  /**
   * The versions a plugin version needs, resolved among those registered, dependencies first;
   * 400 naming the chain when one is missing or two paths need versions no single one satisfies.
   */
  public static List<PluginManifest> resolve(PluginManifest root, Iterable<PluginVersion> registered) {
    try {
      return Dependencies.resolve(root, available(registered));
    } catch (PluginRejected e) {
      throw Rejection.badRequest(e.reason().code(), e.getMessage(), "dependencies");
    }
  }

  /** 409 unless {@code version} is newer than every registered version of the plugin. */
  public static void requireNewer(String pluginId, String version, List<PluginVersion> registered) {
    PluginVersion newest = newest(registered);
    if (newest != null && SemVer.parse(version, "version").compareTo(SemVer.parse(newest.getVersion(), "version")) <= 0) {
      throw Rejection.conflict("version-not-increasing", "version " + version + " of plugin '" + pluginId
          + "' must be greater than the newest registered, " + newest.getVersion(), "version");
    }
  }

  /** The newest of a plugin's versions, or null. */
  public static PluginVersion newest(List<PluginVersion> versions) {
    return versions.stream().max(Comparator.comparing(v -> SemVer.parse(v.getVersion(), "version"))).orElse(null);
  }

  /**
   * The registry entry a registration makes: the payload's facts, who and when.
   */
  public static PluginVersion registered(io.hotswap.avro.Command command, java.time.Instant now) {
    PluginPayload p = command.getPlugin();
    return PluginVersion.newBuilder()
        .setPluginId(p.getPluginId())
        .setVersion(SemVer.parse(p.getVersion(), "version").toString())
        .setType(p.getType() == null ? "extension" : p.getType())
        .setEntryPoint(p.getEntryPoint())
        .setApiVersion(p.getApiVersion())
        .setDependencies(List.copyOf(p.getDependencies()))
        .setSha256(p.getSha256())
        .setSize(p.getSize())
        .setSignature(p.getSignature())
        .setPublisher(p.getPublisher())
        .setObjectKey(p.getObjectKey())
        .setDescription(p.getDescription())
        .setConfigSchema(p.getConfigSchema())
        .setCreatedAt(now)
        .setCreatedBy(command.getActor())
        .setUpdatedAt(now)
        .setCommandId(command.getCommandId())
        .setTraceId(command.getTraceId())
        .setTenantId(p.getTenantId())
        .build();
  }

  /**
   * Whether a tenant may see and run a version: the platform's plugins are every tenant's, a
   * tenant's own plugin is its alone ({@code tenantId} null: the platform, which sees them all).
   */
  public static boolean visibleTo(PluginVersion v, String tenantId) {
    return v.getTenantId() == null || tenantId == null || v.getTenantId().equals(tenantId);
  }

  /**
   * The versions a plugin owned by {@code owner} (null: the platform) may depend on: the platform's,
   * and the owner's own — never another tenant's.
   */
  public static List<PluginVersion> dependableBy(String owner, Iterable<PluginVersion> registered) {
    List<PluginVersion> out = new ArrayList<>();
    for (PluginVersion v : registered) {
      if (v.getTenantId() == null || v.getTenantId().equals(owner)) {
        out.add(v);
      }
    }
    return out;
  }

  /**
   * 409 unless a new version comes from the plugin's owner: a plugin id belongs to the platform or
   * to one tenant, from its first version on (another tenant is not told whose it is).
   */
  public static void requireSameOwner(String pluginId, String owner, List<PluginVersion> registered) {
    if (registered.isEmpty()) {
      return;
    }
    String current = registered.getFirst().getTenantId();
    if (java.util.Objects.equals(current, owner)) {
      return;
    }
    throw Rejection.conflict("plugin-id-taken", current == null
        ? "plugin '" + pluginId + "' is one of the platform's; a tenant's own plugin needs an id of its own"
        : "plugin id '" + pluginId + "' is taken by " + (owner == null ? "tenant '" + current + "'" : "another tenant")
            + "; choose another id", "pluginId");
  }
}
