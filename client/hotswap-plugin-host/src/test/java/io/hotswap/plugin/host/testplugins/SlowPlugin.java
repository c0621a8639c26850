package io.hotswap.plugin.host.testplugins;

import io.hotswap.plugin.api.Invocable;
import io.hotswap.plugin.api.Plugin;
import io.hotswap.plugin.api.PluginContext;
import io.hotswap.plugin.host.shared.Gate;
import java.util.Map;

/** A plugin whose "hold" call stays in flight until the test releases it; records start and stop. */
public class SlowPlugin implements Plugin, Invocable, Gate.Versioned {

  private String version;

  @Override
  public void start(PluginContext context) {
    version = context.version();
    Gate.events.add("start " + version);
  }

  @Override
  public void stop() {
    Gate.events.add("stop " + version);
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public String invoke(String operation, Map<String, String> arguments) throws Exception {
    if (operation.equals("hold")) {
      Gate.hold();
    }
    if (operation.equals("fail")) {
      throw new IllegalStateException("failed on purpose");
    }
    return version;
  }
}
