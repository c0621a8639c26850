package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A clean start is quiet: {@code ./hotswap up}'s console, in its own JVM with the logging it ships
 * ({@code logback.xml}), shows the platform's own few lines and no WARN or ERROR — a user reads WARN
 * as "broken". The broker's and clients' chatter is theirs to turn up, not the user's to wade through.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class QuietStartIT {

  @Test
  void shouldStartAndStopWithoutAWarning() throws Exception {
    // under target/, like ./data: Kafka Streams warns about state in the OS temp directory, rightly
    Path data = Files.createDirectories(Path.of("target", "quiet-start-" + java.util.UUID.randomUUID()).toAbsolutePath());
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx2g", "-XX:+UseParallelGC", "-XX:ReservedCodeCacheSize=512m"));
    command.addAll(List.of(ProcessCluster.quietJvm().split(" "))); // as ./hotswap up runs it
    // the configuration ./hotswap up runs with, not the tests' own
    command.addAll(List.of("-Dlogback.configurationFile=" + Path.of("target/classes/logback.xml").toAbsolutePath(),
        "-cp", System.getProperty("java.class.path"), HotSwapStandalone.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("HOTSWAP_"));
    env.put("HOTSWAP_DATA_DIR", data.toString());
    env.putAll(PlatformTest.backingPorts());
    for (Platform.Service s : Platform.SERVICES) {
      env.put("HOTSWAP_" + s.name().toUpperCase(java.util.Locale.ROOT) + "_PORT", Integer.toString(PlatformTest.freePort()));
    }
    Process process = builder.start();
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch up = new CountDownLatch(1);
    Thread reader = Thread.ofPlatform().daemon().start(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
          if (line.contains("HotSwap is up")) {
            up.countDown();
          }
        }
      } catch (java.io.IOException closed) {
        // the process ended
      }
    });
    try {
      assertThat(up.await(4, TimeUnit.MINUTES)).as("started; output:%n%s", String.join("\n", lines)).isTrue();
    } finally {
      process.destroy(); // SIGTERM, as Ctrl-C: the shutdown hook stops everything
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      reader.join(10_000);
    }
    List<String> warnings;
    synchronized (lines) {
      // the platform's WARN and ERROR lines, and the JVM's own warnings (native access, say)
      warnings = lines.stream().filter(l -> l.matches("^\\S+ (WARN|ERROR) .*") || l.startsWith("WARNING:")).toList();
    }
    System.out.printf("quiet start: %d lines, %d WARN/ERROR%n", lines.size(), warnings.size());
    lines.forEach(l -> System.out.println("quiet start | " + l));
    assertThat(warnings).as("WARN and ERROR lines of a clean start and stop").isEmpty();
    assertThat(lines).as("the platform's own few lines").hasSizeLessThan(60);
    // the broker's and clients' chatter is kept, in the data directory
    assertThat(data.resolve("logs/kafka.log")).exists();
  }
}
