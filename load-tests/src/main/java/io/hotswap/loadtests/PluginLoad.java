package io.hotswap.loadtests;

import io.hotswap.plugin.api.Invocable;
import io.hotswap.plugin.host.PluginBinary;
import io.hotswap.plugin.host.PluginHost;
import io.hotswap.plugin.host.TrustPolicy;
import io.hotswap.plugin.host.PluginSignatures;
import java.security.KeyPair;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Plugin load time as a service sees it when a new version arrives: a signed 1 MB jar (the sample
 * plugin padded with incompressible bytes) is verified (SHA-256, Ed25519, manifest), loaded into a
 * fresh class loader, started and probed (startup, readiness) — {@code install} + {@code activate}
 * — then deactivated and forgotten, so every round loads from scratch. Warm-up rounds are reported
 * apart. Each phase is timed on its own: verify, load+start, unload.
 * Run: {@code load-tests/plugins.sh}.
 */
public final class PluginLoad {

  private PluginLoad() {}

  public static void main(String[] args) throws Exception {
    int warmup = 200;
    int rounds = 1000;
    int size = 1 << 20;
    for (String a : args) {
      if (a.startsWith("--warmup=")) {
        warmup = Integer.parseInt(a.substring(9));
      } else if (a.startsWith("--rounds=")) {
        rounds = Integer.parseInt(a.substring(9));
      } else if (a.startsWith("--bytes=")) {
        size = Integer.parseInt(a.substring(8));
      }
    }
    KeyPair publisher = PluginSignatures.newKeyPair();
    byte[] jar = PluginJars.padded(PluginJars.sampleJar(), size);
    PluginBinary binary = PluginBinary.signed(jar, publisher.getPrivate());
    System.out.printf("plugin jar: %,d bytes, signed (Ed25519)%n", jar.length);
    try (PluginHost host = PluginHost.builder(TrustPolicy.trusting(Map.of("bench", publisher.getPublic()))).build()) {
      report("warm-up", run(host, binary, warmup));
      report("measured", run(host, binary, rounds));
    }
  }

  private static Histogram[] run(PluginHost host, PluginBinary binary, int rounds) throws Exception {
    Histogram verify = new Histogram(3);
    Histogram load = new Histogram(3);
    Histogram total = new Histogram(3);
    Histogram unload = new Histogram(3);
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      host.install(binary);
      long t1 = System.nanoTime();
      host.activate("t", "greeting", "1.0.0", Map.of(), Map.of());
      long t2 = System.nanoTime();
      String answer = host.call("t", "greeting", Invocable.class, g -> g.invoke("version", Map.of()));
      if (!answer.equals("1.0.0")) {
        throw new IllegalStateException("the plugin answered " + answer);
      }
      long t3 = System.nanoTime();
      host.deactivate("t", "greeting");
      host.uninstall("greeting", "1.0.0");
      long t4 = System.nanoTime();
      verify.recordValue((t1 - t0) / 1000);
      load.recordValue((t2 - t1) / 1000);
      total.recordValue((t2 - t0) / 1000);
      unload.recordValue((t4 - t3) / 1000);
    }
    return new Histogram[] {verify, load, total, unload};
  }

  private static void report(String phase, Histogram[] h) {
    String[] names = {"verify (checksum, signature, manifest)", "load + start + probes", "verify + load + start", "stop + unload"};
    for (int i = 0; i < h.length; i++) {
      System.out.printf("%-9s %-40s n=%d  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms%n", phase, names[i],
          h[i].getTotalCount(), h[i].getValueAtPercentile(50) / 1000.0, h[i].getValueAtPercentile(99) / 1000.0,
          h[i].getValueAtPercentile(99.9) / 1000.0, h[i].getMaxValue() / 1000.0);
    }
  }
}
