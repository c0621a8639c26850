package io.hotswap.plugin.host.testplugins;

import io.hotswap.plugin.api.Plugin;
import io.hotswap.plugin.api.PluginContext;

/** The entry point of the "text-utils" library plugin (it only carries classes for others). */
public class TextUtilsPlugin implements Plugin {
  @Override
  public void start(PluginContext context) {}
}
