package io.hotswap.plugin.api;

import java.util.Optional;

/**
 * A plugin's entry point: the class a plugin's manifest names ({@code HotSwap-Plugin-Entry-Point}),
 * with a public no-argument constructor. The runtime makes one instance per tenant that runs the
 * plugin, each in the plugin version's own class loader, and calls {@link #start} once before any
 * extension is used and {@link #stop} once after the last call into it has returned.
 *
 * <p>A new version is started and must report itself ready before the old one stops, so two
 * versions of a plugin run side by side for a moment (and for as long as tenants are pinned to
 * different versions): keep state in the tenant's configuration or outside the JVM, not in statics
 * shared between versions.
 */
public interface Plugin {

  /**
   * Starts the plugin for one tenant. Throwing refuses the start: the runtime keeps the version that
   * ran before (if any) and reports the failure with the exception's message.
   */
  void start(PluginContext context) throws Exception;

  /**
   * Stops the plugin: stop every thread it started and release what it holds, or its class loader
   * can never be collected. Called after in-flight calls have finished.
   */
  default void stop() throws Exception {}

  /**
   * Answers one health probe. {@link Probe#STARTUP} is asked once right after {@link #start};
   * {@link Probe#READINESS} before a new version takes calls; {@link Probe#LIVENESS} periodically while
   * it runs — consecutive failures roll a plugin deployment back. The default is always up.
   */
  default Health health(Probe probe) {
    return Health.up();
  }

  /**
   * The plugin's implementation of an extension point, if it has one. The default finds the plugin
   * itself when it implements the extension point's interface; override to hand out other objects.
   */
  default <T> Optional<T> extension(Class<T> point) {
    return point.isInstance(this) ? Optional.of(point.cast(this)) : Optional.empty();
  }
}
