package com.example.greeting;

import io.hotswap.plugin.api.Health;
import io.hotswap.plugin.api.Invocable;
import io.hotswap.plugin.api.Plugin;
import io.hotswap.plugin.api.PluginContext;
import io.hotswap.plugin.api.Probe;
import java.util.Locale;
import java.util.Map;

/**
 * Version 2.0.0 of the sample plugin, with the same class name as 1.0.0 (both run side by side in
 * one JVM, each in its own class loader). It greets in upper case and — deliberately — fails its
 * liveness probe once running: the case a plugin deployment must roll back.
 */
public class GreetingPlugin implements Plugin, Invocable {

  private volatile String template = "HELLO, %s!";

  @Override
  public void start(PluginContext context) {
    template = context.config().getOrDefault("template", template).toUpperCase(Locale.ROOT);
  }

  @Override
  public Health health(Probe probe) {
    return probe == Probe.LIVENESS ? Health.down("greeting 2.0.0 lost its template cache") : Health.up();
  }

  @Override
  public String invoke(String operation, Map<String, String> arguments) {
    return switch (operation) {
      case "greet" -> template.formatted(arguments.getOrDefault("name", "world").toUpperCase(Locale.ROOT));
      case "version" -> "2.0.0";
      default -> throw new IllegalArgumentException("unknown operation " + operation + " (greet, version)");
    };
  }
}
