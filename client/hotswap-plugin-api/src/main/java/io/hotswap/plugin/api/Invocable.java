package io.hotswap.plugin.api;

import java.util.Map;

/**
 * The general-purpose extension point: a named operation on string arguments. The sandbox runs a
 * plugin version's test cases through it, so every plugin that should be testable there implements
 * it (besides any typed extension points the service that runs it defines).
 */
public interface Invocable {

  /**
   * Runs one operation.
   *
   * @param operation what to do, as the plugin documents it
   * @param arguments its arguments
   * @return the result as text (JSON if the plugin wants structure)
   * @throws IllegalArgumentException for an unknown operation or bad arguments
   * @throws Exception when the operation fails; counted as the version's error
   */
  String invoke(String operation, Map<String, String> arguments) throws Exception;
}
