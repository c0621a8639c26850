package io.hotswap.plugin.api;

/** The version of this API, which a plugin's manifest names as {@code HotSwap-Plugin-Api-Version}. */
public final class PluginApi {

  /**
   * Semantic version of the plugin API. A plugin built against {@code major.minor} runs on a runtime
   * with the same major and at least that minor.
   */
  public static final String VERSION = "1.0";

  /** Manifest attributes a plugin jar carries in {@code META-INF/MANIFEST.MF}. */
  public static final String ID = "HotSwap-Plugin-Id";

  public static final String PLUGIN_VERSION = "HotSwap-Plugin-Version";
  public static final String ENTRY_POINT = "HotSwap-Plugin-Entry-Point";
  public static final String TYPE = "HotSwap-Plugin-Type";
  public static final String API_VERSION = "HotSwap-Plugin-Api-Version";

  /** Comma-separated {@code id@range}, e.g. {@code text-utils@^1.2}. */
  public static final String DEPENDENCIES = "HotSwap-Plugin-Dependencies";

  private PluginApi() {}
}
