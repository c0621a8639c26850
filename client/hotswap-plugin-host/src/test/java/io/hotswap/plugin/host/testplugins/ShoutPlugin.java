package io.hotswap.plugin.host.testplugins;

import io.hotswap.plugin.api.Invocable;
import io.hotswap.plugin.api.Plugin;
import io.hotswap.plugin.api.PluginContext;
import java.util.Map;

/** Depends on the text-utils plugin's classes; tells which loader gave it {@link TextUpper}. */
public class ShoutPlugin implements Plugin, Invocable {

  private PluginContext context;

  @Override
  public void start(PluginContext context) {
    this.context = context;
  }

  @Override
  public String invoke(String operation, Map<String, String> arguments) {
    return switch (operation) {
      case "shout" -> TextUpper.upper(arguments.get("text"));
      case "loader" -> TextUpper.class.getClassLoader().getName() + "#" + System.identityHashCode(TextUpper.class);
      case "own-loader" -> getClass().getClassLoader().getName();
      case "secret" -> context.secret("api-key").map(s -> "length " + s.length()).orElse("none");
      case "context" -> context.toString();
      case "service-class" -> {
        try {
          Class.forName("io.hotswap.plugin.host.PluginHost");
          yield "visible";
        } catch (ClassNotFoundException e) {
          yield "hidden";
        }
      }
      case "resource" -> {
        java.net.URL url = getClass().getClassLoader().getResource("notes/read me.txt");
        if (url == null) {
          yield "none";
        }
        try (var in = url.openStream()) {
          yield new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      default -> throw new IllegalArgumentException("unknown operation " + operation);
    };
  }
}
