package io.hotswap.plugin.host.testplugins;

import io.hotswap.plugin.api.Invocable;
import io.hotswap.plugin.api.Plugin;
import io.hotswap.plugin.api.PluginContext;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Misbehaves on request: allocates without bound, spins, or opens a socket. */
public class HogPlugin implements Plugin, Invocable {

  private final List<byte[]> hoard = new ArrayList<>();
  private String greeting = "hello";

  @Override
  public void start(PluginContext context) {
    greeting = context.config().getOrDefault("greeting", greeting);
  }

  @Override
  public String invoke(String operation, Map<String, String> arguments) throws Exception {
    switch (operation) {
      case "echo":
        return greeting + " " + arguments.get("text");
      case "allocate":
        while (true) {
          hoard.add(new byte[1 << 20]);
        }
      case "spin":
        long n = 0;
        while (n >= 0) {
          n++;
        }
        return Long.toString(n);
      case "connect":
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(arguments.get("port"))), 2000);
          return "connected";
        }
      default:
        throw new IllegalArgumentException("unknown operation " + operation);
    }
  }
}
