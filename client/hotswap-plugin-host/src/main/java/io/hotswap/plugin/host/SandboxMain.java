package io.hotswap.plugin.host;

import io.hotswap.plugin.api.Invocable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sandbox's child process ({@link Sandbox} starts it): loads the already verified plugin from its
 * private directory, starts it for the tenant "sandbox" and runs each test case, writing one result
 * line per case to {@code results.txt}.
 */
final class SandboxMain {

  private SandboxMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String id = args[1];
    String version = args[2];
    List<String> results = new ArrayList<>();
    // the parent verified checksum and signature of exactly this file before writing it here
    try (PluginHost host = PluginHost.builder(TrustPolicy.trusting(Map.of()).allowingUnsigned()).build()) {
      host.install(PluginBinary.unsigned(Files.readAllBytes(dir.resolve("plugin.jar"))));
      try {
        host.activate("sandbox", id, version, Sandbox.decode(Files.readString(dir.resolve("config.txt"))), Map.of());
      } catch (PluginRejected e) {
        results.add("start\t" + Sandbox.enc(e.getMessage()));
        Files.write(dir.resolve("results.txt"), results, StandardCharsets.UTF_8);
        System.exit(0);
      }
      List<String> cases = Files.readAllLines(dir.resolve("cases.txt"));
      Files.write(dir.resolve("results.txt"), results, StandardCharsets.UTF_8); // started: no case ran yet
      for (int i = 0; i < cases.size(); i++) {
        String[] f = cases.get(i).split("\t", -1);
        String operation = Sandbox.dec(f[0]);
        Map<String, String> arguments = Sandbox.decode(f[1]);
        try {
          String out = host.call("sandbox", id, Invocable.class, p -> p.invoke(operation, arguments));
          results.add(i + "\t" + (out == null ? "-" : "=" + Sandbox.enc(out)) + "\t-");
        } catch (Exception e) {
          System.out.println("case " + i + " (" + operation + ") failed: " + stackTrace(e));
          results.add(i + "\t-\t=" + Sandbox.enc(e.toString()));
        }
        // written after every case: what ran before a limit stopped the process is still reported
        Files.write(dir.resolve("results.txt"), results, StandardCharsets.UTF_8);
      }
    }
    System.exit(0); // threads the plugin left running don't keep the sandbox alive
  }

  private static String stackTrace(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
