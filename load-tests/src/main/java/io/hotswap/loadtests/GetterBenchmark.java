package io.hotswap.loadtests;

import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.LiveRollout;
import io.hotswap.avro.LiveVariant;
import io.hotswap.avro.ValueType;
import io.hotswap.client.Cohorts;
import io.hotswap.client.Context;
import io.hotswap.client.HotSwapClient;
import io.hotswap.client.Instance;
import io.hotswap.client.SnapshotFiles;
import io.hotswap.core.avro.AvroSchemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
 * evaluation (percentage, A/B) — sampled per call (SampleTime) for percentiles. The client is
 * loaded from a snapshot file and never reaches a broker: getters never touch the network anyway.
 * Run: {@code load-tests/getters.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GetterBenchmark {

  private HotSwapClient client;
  private LiveRollout percentage;
  private LiveRollout ab;
  private Instance instance;
  private Path dir;
  private int i;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    AvroSchemas.trustGeneratedClasses();
    dir = Files.createTempDirectory("hotswap-jmh");
    Path file = dir.resolve("snapshot.json");
    java.util.Map<String, LiveConfig> records = new java.util.LinkedHashMap<>();
    for (int k = 0; k < 1000; k++) {
      records.put("bench|key" + k, LiveConfig.newBuilder().setTenantId("bench").setEnvironment("production").setKey("key" + k)
          .setValue(Integer.toString(k)).setValueType(ValueType.NUMBER).setVersion(1).setUpdatedAt(Instant.now()).build());
    }
    records.put("bench|feature.new_ui", LiveConfig.newBuilder().setTenantId("bench").setEnvironment("production").setKey("feature.new_ui")
        .setValue("true").setValueType(ValueType.BOOLEAN).setVersion(1).setUpdatedAt(Instant.now()).build());
    records.put("bench|greeting", LiveConfig.newBuilder().setTenantId("bench").setEnvironment("production").setKey("greeting")
        .setValue("hello").setValueType(ValueType.STRING).setVersion(1).setUpdatedAt(Instant.now()).build());
    percentage = LiveRollout.newBuilder().setRolloutId("d1").setCandidate("new").setCandidateVersion(2L).setPercentage(25.0).build();
    ab = LiveRollout.newBuilder().setRolloutId("d2").setVariants(List.of(
        LiveVariant.newBuilder().setName("A").setWeight(50).setValue("a").build(),
        LiveVariant.newBuilder().setName("B").setWeight(50).setValue("b").build())).build();
    records.put("bench|checkout.flow", LiveConfig.newBuilder().setTenantId("bench").setEnvironment("production").setKey("checkout.flow")
        .setValue("old").setValueType(ValueType.STRING).setVersion(1).setUpdatedAt(Instant.now()).setRollout(percentage).build());
    SnapshotFiles.write(file, "production", records);
    client = HotSwapClient.builder().bootstrapServers("localhost:1").environment("production").tenant("bench")
        .snapshotFile(file).register(false).build().start();
    instance = new Instance("bench-1", "bench", List.of("eu-west"));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    client.close();
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
    return client.getLong("key" + (i++ & 1023), -1);
  }

  @Benchmark
  public String getWithPercentageRollout() {
    return client.getString("bench", "checkout.flow", "x", Context.of("userId", "user-" + (i++ & 4095)));
  }

  @Benchmark
  public Cohorts.Choice cohortPercentage() {
    return Cohorts.choose("bench|checkout.flow", "old", 1, percentage, instance, Context.of("userId", "user-" + (i++ & 4095)));
  }

  @Benchmark
  public Cohorts.Choice cohortAbVariants() {
    return Cohorts.choose("bench|checkout.flow", "old", 1, ab, instance, Context.of("userId", "user-" + (i++ & 4095)));
  }
}
