package io.hotswap.plugin.api;

import java.util.Map;
import java.util.Optional;

/** What a started plugin knows about where it runs: one tenant's view, nothing of other tenants. */
public interface PluginContext {

  /** The tenant this instance serves. */
  String tenant();

  /** The plugin's id, as registered. */
  String pluginId();

  /** The plugin version running here (semantic version). */
  String version();

  /** The tenant's configuration of this plugin (validated by the plugin's JSON Schema when set). */
  Map<String, String> config();

  /**
   * One of the tenant's credentials for this plugin, decrypted only in this process; never log it.
   * Empty when the tenant has not set it.
   */
  Optional<String> secret(String name);

  /** A logger named after the plugin and tenant; the service's logging decides where it goes. */
  System.Logger logger();
}
