package io.hotswap.plugin.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs a plugin version's test cases in a child JVM before it is let near a tenant: the binary is
 * verified here (as a host would), then a separate {@code java} process with its own heap limit,
 * one processor, no network and a private working directory loads it, starts it and calls each case
 * through {@link io.hotswap.plugin.api.Invocable}. The child is killed when it uses more CPU time or
 * wall time than allowed; a heap that runs out ends it. The result says which limit stopped it, or
 * each case's output and error, and carries the child's log.
 *
 * <p>What is enforced where: memory by {@code -Xmx} (the heap; a plugin's native allocations are not
 * bounded), CPU and wall time by this process watching the child, network by a new network
 * namespace ({@code unshare}, Linux: the child has only a loopback interface that is down) — where
 * {@code unshare} is not available the result says the network was not isolated.
 */
public final class Sandbox {

  /** How much a sandbox run may use; seed 002's default execution timeout is five minutes. */
  public record Limits(int heapMegabytes, Duration cpu, Duration wall) {
    public static Limits defaults() {
      return new Limits(128, Duration.ofMinutes(2), Duration.ofMinutes(5));
    }
  }

  /** One call and, optionally, the output it must give. */
  public record TestCase(String operation, Map<String, String> arguments, String expected) {
    public TestCase {
      Objects.requireNonNull(operation, "operation");
      arguments = Map.copyOf(arguments);
    }
  }

  public record CaseResult(int index, String operation, boolean passed, String output, String error) {}

  public enum Outcome { PASSED, FAILED, MEMORY_LIMIT, CPU_LIMIT, TIME_LIMIT, REFUSED, CRASHED }

  /**
   * @param reason why the run ended as it did, in a sentence
   * @param networkIsolated whether the child ran without network
   */
  public record Result(Outcome outcome, String reason, List<CaseResult> cases, String log, Duration cpu, Duration wall,
      boolean networkIsolated) {}

  private static final int EXIT_OUT_OF_MEMORY = 3; // what -XX:+ExitOnOutOfMemoryError exits with
  private static final int MAX_LOG = 64 * 1024;

  private final TrustPolicy trust;
  private final Path workDir;
  private final Semaphore slots;
  private final int maxConcurrent;

  /**
   * @param maxConcurrent how many runs at once (seed 002: at most 10 per environment); more are refused
   */
  public Sandbox(TrustPolicy trust, Path workDir, int maxConcurrent) {
    this.trust = trust;
    this.workDir = workDir;
    this.maxConcurrent = maxConcurrent;
    this.slots = new Semaphore(maxConcurrent);
  }

  /** Whether child processes here run in their own network namespace. */
  public static boolean networkIsolation() {
    return Holder.UNSHARE != null;
  }

  public Result run(PluginBinary binary, Map<String, String> config, List<TestCase> cases, Limits limits) {
    return run(binary, config, cases, limits, trust);
  }

  /** As above, judging the binary's signature by {@code trust} (a tenant's own plugin, under the tenant's trust). */
  public Result run(PluginBinary binary, Map<String, String> config, List<TestCase> cases, Limits limits, TrustPolicy trust) {
    if (!slots.tryAcquire()) {
      return new Result(Outcome.REFUSED, maxConcurrent + " sandbox runs are in progress; try again when one ends", List.of(), "",
          Duration.ZERO, Duration.ZERO, false);
    }
    Path dir = workDir.resolve("sandbox-" + UUID.randomUUID());
    try {
      PluginManifest manifest;
      try {
        manifest = CheckedBinary.check(binary, trust).manifest();
      } catch (PluginRejected e) {
        return new Result(Outcome.REFUSED, e.reason().code() + ": " + e.getMessage(), List.of(), "", Duration.ZERO,
            Duration.ZERO, false);
      }
      Files.createDirectories(dir);
      Files.write(dir.resolve("plugin.jar"), binary.bytes());
      Files.writeString(dir.resolve("config.txt"), encode(config) + "\n");
      Files.write(dir.resolve("cases.txt"), cases.stream()
          .map(c -> enc(c.operation()) + "\t" + encode(c.arguments()) + "\t" + (c.expected() == null ? "-" : "=" + enc(c.expected())))
          .toList());
      return watch(start(dir, manifest, limits), dir, cases, limits);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(dir);
      slots.release();
    }
  }

  private Process start(Path dir, PluginManifest m, Limits limits) throws IOException {
    List<String> command = new ArrayList<>();
    if (Holder.UNSHARE != null) {
      command.addAll(Holder.UNSHARE);
    }
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + limits.heapMegabytes() + "m", "-XX:+ExitOnOutOfMemoryError", "-XX:ActiveProcessorCount=1",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + dir,
        "-cp", classPath(), SandboxMain.class.getName(), dir.toString(), m.id(), m.version()));
    return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("log.txt").toFile()).start();
  }

  private Result watch(Process p, Path dir, List<TestCase> cases, Limits limits) throws IOException {
    long started = System.nanoTime();
    Outcome killedFor = null;
    Duration seen = Duration.ZERO; // a process that has ended reports no CPU time: keep the last reading
    try {
      while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
        Duration cpu = cpu(p);
        seen = cpu.compareTo(seen) > 0 ? cpu : seen;
        if (cpu.compareTo(limits.cpu()) > 0) {
          killedFor = Outcome.CPU_LIMIT;
        } else if (System.nanoTime() - started > limits.wall().toNanos()) {
          killedFor = Outcome.TIME_LIMIT;
        }
        if (killedFor != null) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          p.waitFor();
          break;
        }
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - started);
    Duration last = cpu(p);
    Duration cpu = last.compareTo(seen) > 0 ? last : seen;
    String log = log(dir);
    boolean isolated = Holder.UNSHARE != null;
    // what ran before a limit stopped the child is reported too: the child writes after every case
    List<CaseResult> out = new ArrayList<>();
    String startFailure = null;
    Path results = dir.resolve("results.txt");
    for (String line : Files.exists(results) ? Files.readAllLines(results) : List.<String>of()) {
      String[] f = line.split("\t", -1);
      if (f[0].equals("start")) {
        startFailure = dec(f[1]);
        continue;
      }
      int i = Integer.parseInt(f[0]);
      String output = f[1].equals("-") ? null : dec(f[1].substring(1));
      String error = f[2].equals("-") ? null : dec(f[2].substring(1));
      TestCase c = cases.get(i);
      out.add(new CaseResult(i, c.operation(), error == null && (c.expected() == null || c.expected().equals(output)), output, error));
    }
    String stoppedIn = out.size() < cases.size() ? " in case " + out.size() + " (" + cases.get(out.size()).operation() + ")" : "";
    if (killedFor == Outcome.CPU_LIMIT) {
      return new Result(killedFor, "stopped" + stoppedIn + ": used more than " + limits.cpu().toMillis() + " ms of CPU", out, log,
          cpu, wall, isolated);
    }
    if (killedFor == Outcome.TIME_LIMIT) {
      return new Result(killedFor, "stopped" + stoppedIn + ": ran longer than " + limits.wall().toMillis() + " ms", out, log, cpu,
          wall, isolated);
    }
    if (p.exitValue() == EXIT_OUT_OF_MEMORY) {
      return new Result(Outcome.MEMORY_LIMIT, "stopped" + stoppedIn + ": the plugin needed more than the " + limits.heapMegabytes()
          + " MB heap", out, log, cpu, wall, isolated);
    }
    if (p.exitValue() != 0) {
      return new Result(Outcome.CRASHED, "the sandbox process ended with status " + p.exitValue() + stoppedIn, out, log, cpu, wall,
          isolated);
    }
    if (startFailure != null) {
      return new Result(Outcome.FAILED, "the plugin did not start: " + startFailure, out, log, cpu, wall, isolated);
    }
    long failed = out.stream().filter(c -> !c.passed()).count();
    return new Result(failed == 0 ? Outcome.PASSED : Outcome.FAILED,
        failed == 0 ? "every case passed (" + out.size() + ")" : failed + " of " + out.size() + " cases failed", out, log, cpu, wall,
        isolated);
  }

  private static Duration cpu(Process p) {
    // the child itself (unshare execs java in place, so this is the JVM)
    return p.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  private static String log(Path dir) throws IOException {
    Path f = dir.resolve("log.txt");
    if (!Files.exists(f)) {
      return "";
    }
    byte[] b = Files.readAllBytes(f);
    return new String(b, Math.max(0, b.length - MAX_LOG), Math.min(b.length, MAX_LOG), StandardCharsets.UTF_8);
  }

  /** The host's own classes, the API's and semver4j's: the child needs nothing else. */
  /** The child's class path: the plugin host, the API and semver4j, as jars on disk. */
  private String classPath() throws IOException {
    List<String> entries = new ArrayList<>();
    for (Class<?> c : List.of(Sandbox.class, io.hotswap.plugin.api.Plugin.class, org.semver4j.Semver.class)) {
      String entry = onDisk(c.getProtectionDomain().getCodeSource().getLocation()).toString();
      if (!entries.contains(entry)) {
        entries.add(entry);
      }
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  /**
   * A class path entry as a file: where it lies, or — inside a packaged application, whose
   * libraries are jars within its jar ({@code jar:nested:/app.jar/!BOOT-INF/lib/x.jar!/}) — a copy
   * under the work directory, made once.
   */
  private Path onDisk(java.net.URL location) throws IOException {
    try {
      if (location.getProtocol().equals("file")) {
        return Path.of(location.toURI());
      }
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    String text = location.toString();
    String inner = text.startsWith("jar:") ? text.substring(4) : text;
    if (inner.endsWith("!/")) {
      inner = inner.substring(0, inner.length() - 2);
    }
    Path lib = Files.createDirectories(workDir.resolve("lib"));
    Path copy = lib.resolve(Integer.toHexString(inner.hashCode()) + "-" + inner.substring(inner.lastIndexOf('/') + 1));
    if (!Files.exists(copy)) {
      Path partial = Files.createTempFile(lib, "lib", ".part");
      try (java.io.InputStream in = java.net.URI.create(inner).toURL().openStream()) {
        Files.copy(in, partial, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      Files.move(partial, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    return copy;
  }

  static String encode(Map<String, String> map) {
    return map.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
  }

  static Map<String, String> decode(String text) {
    Map<String, String> map = new LinkedHashMap<>();
    if (!text.isBlank()) {
      for (String pair : text.trim().split("&")) {
        int eq = pair.indexOf('=');
        map.put(dec(pair.substring(0, eq)), dec(pair.substring(eq + 1)));
      }
    }
    return map;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String dec(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover directory in the work dir is harmless; the next run uses a new one
    }
  }

  /** Finds {@code unshare} once: a new user and network namespace, which needs no privileges on most Linux. */
  private static final class Holder {
    static final List<String> UNSHARE = probe();

    private static List<String> probe() {
      for (List<String> candidate : List.of(List.of("unshare", "--user", "--map-root-user", "--net"), List.of("unshare", "--net"))) {
        try {
          List<String> cmd = new ArrayList<>(candidate);
          cmd.add("true");
          Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
          if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
            return candidate;
          }
          p.destroyForcibly();
        } catch (IOException e) {
          return null; // no unshare on this system
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
      return null;
    }
  }
}
