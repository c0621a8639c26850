package com.example.greeting;

import io.hotswap.plugin.api.Health;
import io.hotswap.plugin.api.Invocable;
import io.hotswap.plugin.api.Plugin;
import io.hotswap.plugin.api.PluginContext;
import io.hotswap.plugin.api.Probe;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Version 1.0.0 of the sample plugin: greets in the tenant's configured style. It starts a thread
 * of its own (a heartbeat), as real plugins do, and stops it in {@link #stop}, so its class loader
 * can be collected after unload.
 */
public class GreetingPlugin implements Plugin, Invocable {

  private volatile String template = "Hello, %s!";
  private ScheduledExecutorService heartbeat;
  private final AtomicLong beats = new AtomicLong();

  @Override
  public void start(PluginContext context) {
    template = context.config().getOrDefault("template", template);
    if (!template.contains("%s")) {
      throw new IllegalArgumentException("template must contain %s (got '" + template + "')");
    }
    heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "greeting-heartbeat-" + context.tenant());
      t.setDaemon(true);
      return t;
    });
    heartbeat.scheduleAtFixedRate(beats::incrementAndGet, 0, 1, TimeUnit.SECONDS);
    context.logger().log(System.Logger.Level.INFO, "greeting 1.0.0 started for {0}", context.tenant());
  }

  @Override
  public void stop() throws InterruptedException {
    heartbeat.shutdownNow();
    heartbeat.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Override
  public Health health(Probe probe) {
    return heartbeat != null && !heartbeat.isShutdown() ? Health.up() : Health.down("not started");
  }

  @Override
  public String invoke(String operation, Map<String, String> arguments) {
    return switch (operation) {
      case "greet" -> template.formatted(arguments.getOrDefault("name", "world"));
      case "version" -> "1.0.0";
      default -> throw new IllegalArgumentException("unknown operation " + operation + " (greet, version)");
    };
  }
}
