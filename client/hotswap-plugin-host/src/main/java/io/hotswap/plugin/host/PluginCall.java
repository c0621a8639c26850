package io.hotswap.plugin.host;

/** A call into a plugin's extension; what it throws is counted as the plugin version's error. */
@FunctionalInterface
public interface PluginCall<T, R> {
  R apply(T extension) throws Exception;
}
