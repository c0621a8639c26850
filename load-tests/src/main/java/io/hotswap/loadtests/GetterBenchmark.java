package io.hotswap.loadtests;

import io.hotswap.client.Choice;
import io.hotswap.client.Context;
import io.hotswap.client.HotSwapClient;
import io.hotswap.client.Instance;
import io.hotswap.client.test.InMemoryHotSwap;
import io.hotswap.client.test.TestValue;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a getter costs a service: the client's typed getters on a 1,000-key snapshot and the cohort
 * evaluation (percentage, A/B) — sampled per call (SampleTime) for percentiles. The client is an
 * in-memory one (hotswap-client-test) and never reaches a broker: getters never touch the network
 * anyway, so what is measured is exactly what a service's getter call costs.
 * Run: {@code load-tests/getters.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GetterBenchmark {

  private InMemoryHotSwap hotswap;
  private HotSwapClient client;
  private int i;
  /** Made before measuring, so the figures are the client's cost, not the benchmark's own strings and contexts. */
  private final String[] keys = new String[1024];
  private final Context[] callers = new Context[4096];

  @Setup(Level.Trial)
  public void setUp() {
    hotswap = InMemoryHotSwap.of("production", "bench", new Instance("bench-1", "bench", List.of("eu-west")));
    client = hotswap.client();
    for (int k = 0; k < 1000; k++) {
      hotswap.put(TestValue.number("bench", "key" + k, k));
    }
    for (int k = 0; k < keys.length; k++) {
      keys[k] = "key" + (k % 1000);
    }
    for (int c = 0; c < callers.length; c++) {
      callers[c] = Context.of("userId", "user-" + c);
    }
    hotswap.put(TestValue.bool("bench", "feature.new_ui", true));
    hotswap.put(TestValue.string("bench", "greeting", "hello"));
    hotswap.put(TestValue.string("bench", "checkout.flow", "old").canary("new", 25.0, "userId"));
    hotswap.put(TestValue.string("bench", "checkout.theme", "plain")
        .variants("userId", TestValue.Variant.of("A", 50, "a"), TestValue.Variant.of("B", 50, "b")));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    hotswap.close();
  }

  @Benchmark
  public String getStringOfAnInstanceInACanary() {
    return client.getString("checkout.flow", "x");
  }

  @Benchmark
  public String getString() {
    return client.getString("greeting", "x");
  }

  @Benchmark
  public boolean getBoolean() {
    return client.getBoolean("feature.new_ui", false);
  }

  @Benchmark
  public long getLongOf1000Keys() {
    return client.getLong(keys[i++ & 1023], -1);
  }

  @Benchmark
  public String getWithPercentageRollout() {
    return client.getString("bench", "checkout.flow", "x", callers[i++ & 4095]);
  }

  @Benchmark
  public Choice choicePercentage() {
    return client.choice("bench", "checkout.flow", callers[i++ & 4095]).orElseThrow();
  }

  @Benchmark
  public String getWithAbVariants() {
    return client.getString("bench", "checkout.theme", "x", callers[i++ & 4095]);
  }
}
