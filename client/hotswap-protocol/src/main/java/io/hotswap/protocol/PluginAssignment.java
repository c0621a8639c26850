package io.hotswap.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a tenant runs of one plugin in one environment: the value of the reserved key {@code
 * plugin:<pluginId>} (no configuration key contains ':'), a JSON document carried like any JSON
 * value — versioned, audited, approved where the environment is guarded, rolled out by a
 * deployment's strategy, pushed on {@code hotswap.live.<env>.v1}. The gateway writes it from the
 * registry; hosts install {@link #artifacts} (dependencies first, the plugin last), checking each
 * binary's checksum and signature before anything of it is loaded.
 *
 * @param version the version the tenant runs (resolved from {@link #pin} when one was asked for)
 * @param pin a semantic version range the tenant stays within ({@code 1.x}), or null
 * @param source why this version: {@code pinned}, {@code explicit} (a version was named), {@code
 *     latest} (the newest when it was assigned) or {@code deployment} (a plugin deployment chose it)
 * @param config the tenant's settings for the plugin
 * @param credentials the tenant's credentials, each sealed with the tenant's data key (context
 *     {@code tenant|environment|plugin:<id>}), opened only in the host that runs the plugin
 * @param keepCredentials set by the gateway on a change that gives no credentials: rollout, which
 *     holds the current value, carries its credentials over ({@link #carryCredentials}) and clears it
 */
public record PluginAssignment(String pluginId, String version, boolean enabled, String pin, String source,
                               Map<String, String> config, Map<String, String> credentials, List<Artifact> artifacts,
                               boolean keepCredentials) {

  /** The prefix of plugin assignment keys. */
  public static final String KEY_PREFIX = "plugin:";
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final JsonMapper JSON = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** One binary to install: where to fetch it and what it must be. */
  public record Artifact(String pluginId, String version, String sha256, String signature, String publisher) {}

  public PluginAssignment {
    config = config == null ? Map.of() : Map.copyOf(config);
    credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
  }

  /** {@code plugin:<pluginId>}. */
  public static String key(String pluginId) {
    return KEY_PREFIX + pluginId;
  }

  /** The plugin a key assigns, or null when it is not a plugin assignment key. */
  public static String pluginOf(String key) {
    if (key == null || !key.startsWith(KEY_PREFIX)) {
      return null;
    }
    String id = key.substring(KEY_PREFIX.length());
    return ID.matcher(id).matches() ? id : null;
  }

  /**
   * Reads an assignment and checks its form: it names the plugin of its key, a version, and for an
   * enabled plugin the artifacts to install, the plugin's own last.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static PluginAssignment parse(String key, String json) {
    String pluginId = pluginOf(key);
    if (pluginId == null) {
      throw new IllegalArgumentException("'" + key + "' is not a plugin assignment key (plugin:<id>)");
    }
    PluginAssignment a;
    try {
      a = JSON.readValue(json, PluginAssignment.class);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("a plugin assignment is a JSON object {pluginId, version, enabled, config, artifacts}: "
          + e.getOriginalMessage());
    }
    if (a == null || !pluginId.equals(a.pluginId())) {
      throw new IllegalArgumentException("the assignment of key " + key + " must name plugin '" + pluginId + "'");
    }
    if (a.version() == null || a.version().isBlank()) {
      throw new IllegalArgumentException("the assignment of " + pluginId + " names no version");
    }
    if (a.enabled()) {
      if (a.artifacts().isEmpty() || !a.artifacts().getLast().pluginId().equals(pluginId)
          || !a.artifacts().getLast().version().equals(a.version())) {
        throw new IllegalArgumentException("an enabled assignment lists its artifacts, " + pluginId + "@" + a.version() + " last");
      }
      for (Artifact artifact : a.artifacts()) {
        if (artifact.sha256() == null || !SHA256.matcher(artifact.sha256()).matches() || artifact.pluginId() == null
            || !ID.matcher(artifact.pluginId()).matches() || artifact.version() == null) {
          throw new IllegalArgumentException("every artifact names a plugin, a version and its SHA-256 (64 hex digits)");
        }
      }
    }
    return a;
  }

  public String toJson() {
    return JSON.writeValueAsString(this);
  }

  /** The same assignment with other credentials (masked for display, say). */
  public PluginAssignment withCredentials(Map<String, String> replaced) {
    return new PluginAssignment(pluginId, version, enabled, pin, source, config, replaced, artifacts, false);
  }

  /** The same assignment asking for the current credentials to be kept (see {@link #keepCredentials}). */
  public PluginAssignment keepingCredentials() {
    return new PluginAssignment(pluginId, version, enabled, pin, source, config, Map.of(), artifacts, true);
  }

  /**
   * The value a change of key {@code key} stores: for a plugin assignment that asks to keep the
   * credentials, {@code next} with the credentials of {@code previous} (none when there is none);
   * anything else unchanged. The credentials stay sealed throughout: the environment and key they
   * are bound to are the same.
   */
  public static String carryCredentials(String key, String next, String previous) {
    if (pluginOf(key) == null || next == null) {
      return next;
    }
    PluginAssignment a = parse(key, next);
    if (!a.keepCredentials()) {
      return next;
    }
    Map<String, String> kept = previous == null ? Map.of() : parse(key, previous).credentials();
    return a.withCredentials(kept).toJson();
  }

  /** Each credential's name with {@code mask} in place of its value. */
  public Map<String, String> maskedCredentials(String mask) {
    Map<String, String> masked = new LinkedHashMap<>();
    credentials.keySet().stream().sorted().forEach(k -> masked.put(k, mask));
    return masked;
  }
}
