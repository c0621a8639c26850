package io.hotswap.plugin.host.testplugins;

import io.hotswap.plugin.api.Health;
import io.hotswap.plugin.api.Plugin;
import io.hotswap.plugin.api.PluginContext;
import io.hotswap.plugin.api.Probe;

/** Starts, but is never ready to take calls. */
public class NotReadyPlugin implements Plugin {
  @Override
  public void start(PluginContext context) {}

  @Override
  public Health health(Probe probe) {
    return probe == Probe.READINESS ? Health.down("cache still warming") : Health.up();
  }
}
