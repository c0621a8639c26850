package io.hotswap.plugin.host.testplugins;

import io.hotswap.plugin.api.Plugin;
import io.hotswap.plugin.api.PluginContext;

/** Refuses to start: its configuration is missing a required setting. */
public class FailingStartPlugin implements Plugin {
  @Override
  public void start(PluginContext context) {
    throw new IllegalArgumentException("endpoint is not configured");
  }
}
