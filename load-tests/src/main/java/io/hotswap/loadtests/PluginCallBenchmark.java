package io.hotswap.loadtests;

import io.hotswap.plugin.api.Invocable;
import io.hotswap.plugin.host.PluginBinary;
import io.hotswap.plugin.host.PluginHost;
import io.hotswap.plugin.host.PluginSignatures;
import io.hotswap.plugin.host.TrustPolicy;
import java.security.KeyPair;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the plugin boundary costs per call: the sample plugin's "greet" called directly on its
 * object (what a service would pay with the plugin's code compiled in) against the same call through
 * {@link PluginHost#call} (tenant lookup, in-flight accounting for swaps, context class loader,
 * call and error counters). The difference is the boundary's overhead.
 * Run: {@code load-tests/plugins.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PluginCallBenchmark {

  private static final Map<String, String> ARGS = Map.of("name", "Ada");

  private PluginHost host;
  private Invocable direct;

  @Setup
  public void setUp() throws Exception {
    KeyPair publisher = PluginSignatures.newKeyPair();
    host = PluginHost.builder(TrustPolicy.trusting(Map.of("bench", publisher.getPublic()))).build();
    host.install(PluginBinary.signed(PluginJars.padded(PluginJars.sampleJar(), 0), publisher.getPrivate()));
    host.activate("t", "greeting", "1.0.0", Map.of(), Map.of());
    direct = host.call("t", "greeting", Invocable.class, g -> g);
  }

  @TearDown
  public void tearDown() {
    host.close();
  }

  @Benchmark
  public String direct() throws Exception {
    return direct.invoke("greet", ARGS);
  }

  @Benchmark
  public String throughHost() throws Exception {
    return host.call("t", "greeting", Invocable.class, g -> g.invoke("greet", ARGS));
  }
}
