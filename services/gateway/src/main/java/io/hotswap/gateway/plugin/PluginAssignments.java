package io.hotswap.gateway.plugin;

import io.hotswap.avro.PluginVersion;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.SemVer;
import io.hotswap.core.json.Json;
import io.hotswap.core.plugin.PluginVersions;
import io.hotswap.gateway.config.SecretVault;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.plugin.host.Dependency;
import io.hotswap.plugin.host.PluginManifest;
import io.hotswap.protocol.PluginAssignment;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Turns what a caller asks a tenant to run of a plugin into the assignment hosts act on, from the
 * registry as it stands: the version (named, the newest in a pinned range, or the newest), its
 * dependencies resolved to binaries with their checksums and signatures, the settings checked
 * against the schema the plugin ships, the credentials sealed with the tenant's data key.
 */
final class PluginAssignments {

  private final PluginRegistry registry;
  private final SecretVault vault;
  private final TenantScope scope;

  PluginAssignments(PluginRegistry registry, SecretVault vault, TenantScope scope) {
    this.registry = registry;
    this.vault = vault;
    this.scope = scope;
  }

  /**
   * The assignment a tenant's settings make of the registry: the version (explicit, pinned or the
   * newest), its dependencies resolved, the settings checked against the plugin's schema, the
   * credentials sealed. Used by plugin deployments for their candidate too.
   */
  PluginAssignment assignment(String tenantId, String env, String pluginId, boolean enabled, String version, String pin,
                              Map<String, JsonNode> config, Map<String, String> credentials, HttpServletRequest request) {
    return assignment(tenantId, env, pluginId, enabled, version, pin, config, credentials, request, null);
  }

  /** As above; {@code source} names why the version was chosen when a deployment chose it. */
  PluginAssignment assignment(String tenantId, String env, String pluginId, boolean enabled, String version, String pin,
                              Map<String, JsonNode> config, Map<String, String> credentials, HttpServletRequest request, String sourceOverride) {
    List<PluginVersion> versions = registry.versions(PluginVersions.requireId(pluginId, "pluginId"));
    if (versions.isEmpty() || versions.getFirst().getTenantId() != null && !scope.canSee(versions.getFirst().getTenantId())) {
      throw Rejection.notFound("plugin-not-found", "No plugin '" + pluginId + "' is registered", "pluginId");
    }
    if (!PluginVersions.visibleTo(versions.getFirst(), tenantId)) {
      // visible to the caller (a platform admin) but another tenant's own: only its owner runs it
      throw Rejection.conflict("plugin-not-for-tenant", "plugin '" + pluginId + "' is tenant '" + versions.getFirst().getTenantId()
          + "''s own; only that tenant can run it", "pluginId");
    }
    PluginVersion chosen;
    String source;
    if (version != null) {
      chosen = registry.version(pluginId, SemVer.parse(version, "version").toString());
      if (chosen == null) {
        throw Rejection.notFound("plugin-version-not-found", "plugin '" + pluginId + "' has no version " + version, "version");
      }
      if (chosen.getDeprecated()) {
        throw Rejection.conflict("plugin-version-deprecated", PluginVersions.coordinates(pluginId, chosen.getVersion())
            + " is deprecated (" + chosen.getDeprecationReason() + "); assign a newer version", "version");
      }
      source = "explicit";
    } else {
      Dependency range = pin == null ? null : PluginVersions.dependency(pluginId + "@" + pin.strip());
      chosen = PluginVersions.newest(versions.stream().filter(v -> !v.getDeprecated())
          .filter(v -> range == null || range.acceptsVersion(v.getVersion())).toList());
      if (chosen == null) {
        throw Rejection.conflict("no-version-in-pin", "no registered, not deprecated version of plugin '" + pluginId + "' is in "
            + (range == null ? "the registry" : "the range " + pin), "pin");
      }
      source = range == null ? "latest" : "pinned";
    }
    Map<String, String> settings = settings(chosen, config);
    Map<String, String> sealed = new LinkedHashMap<>();
    if (credentials != null) {
      credentials.forEach((name, clear) -> {
        if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_.-]{0,63}") || clear == null || clear.isEmpty()) {
          throw Rejection.badRequest("invalid-credential", "credentials are names (letters, digits, '_', '.', '-') with non-empty values",
              "credentials");
        }
        sealed.put(name, vault.seal(tenantId, env, PluginAssignment.key(pluginId), clear, request, scope.subject()));
      });
    }
    return new PluginAssignment(pluginId, chosen.getVersion(), enabled, pin == null ? null : pin.strip(),
        sourceOverride == null ? source : sourceOverride, settings, sealed,
        artifacts(chosen), false);
  }

  /** The binaries a host installs for a version: its dependencies as they resolve now, then itself. */
  List<PluginAssignment.Artifact> artifacts(PluginVersion chosen) {
    List<PluginVersion> all = PluginVersions.dependableBy(chosen.getTenantId(), registry.everyVersion());
    List<PluginAssignment.Artifact> artifacts = new ArrayList<>();
    for (PluginManifest m : PluginVersions.resolve(PluginVersions.manifest(chosen), all)) {
      PluginVersion v = m.id().equals(chosen.getPluginId()) ? chosen : registry.version(m.id(), m.version());
      artifacts.add(new PluginAssignment.Artifact(v.getPluginId(), v.getVersion(), v.getSha256(), v.getSignature(), v.getPublisher()));
    }
    return artifacts;
  }

  /** The tenant's settings, checked against the version's schema; each value as text (what the plugin's context gives it). */
  private static Map<String, String> settings(PluginVersion version, Map<String, JsonNode> config) {
    Map<String, JsonNode> given = config == null ? Map.of() : config;
    if (version.getConfigSchema() != null) {
      List<String> errors = io.hotswap.core.schema.ConfigSchemas.validate(version.getConfigSchema(), Json.MAPPER.valueToTree(given));
      if (!errors.isEmpty()) {
        throw Rejection.badRequest("plugin-config-invalid", "the settings do not satisfy the schema of "
            + PluginVersions.coordinates(version.getPluginId(), version.getVersion()) + ": " + errors.get(0), "config").withErrors(errors);
      }
    }
    Map<String, String> settings = new LinkedHashMap<>();
    given.forEach((k, v) -> settings.put(k, v == null || v.isNull() ? null : v.isString() ? v.stringValue() : Json.MAPPER.writeValueAsString(v)));
    settings.values().removeIf(java.util.Objects::isNull);
    return settings;
  }

}
