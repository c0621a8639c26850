package io.hotswap.loadtests;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * Capacity of a running platform, measured open loop (see {@link OpenLoop}): steps of offered
 * write rates (new keys, tenants round-robin, {@code POST /api/v1/configs}) with push latency to
 * 50 clients measured during each step and the audit sink's lag read from PostgreSQL afterwards,
 * then steps of offered read rates ({@code GET /api/v1/configs/{id}} over 100 keys). Escalation
 * stops after the first step the platform does not hold. Prints a line per step, writes
 * {@code <out>/capacity-<time>.csv} and a self-contained HTML chart beside it.
 *
 * <p>Run: {@code load-tests/capacity.sh} (starts {@code ./hotswap up} on its own ports first).
 */
public final class Capacity {

  private final Map<String, String> opts;
  private final URI base;
  private final String auth;
  private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
  private final List<String> csv = new ArrayList<>();
  private final List<Row> rows = new ArrayList<>();
  private final int tenants;
  /** Items per write request: 1 writes with {@code POST /api/v1/configs}, more with {@code POST /api/v1/configs:batch}. */
  private final int batch;
  /**
   * Whether each write carries an Idempotency-Key (the default: what a careful integration sends).
   * Without one a write is one-off, as the CLI's and the console's are, and the pipeline keeps no
   * memory of its answer: {@code --idempotency-keys=false} measures that path.
   */
  private final boolean idempotencyKeys;

  /** One printed and charted line. */
  record Row(String kind, String phase, double offered, double achieved, long count, double p50, double p99, double p999, double max,
             long errors, Map<String, Long> outcomes, double generatorCores, double platformCores) {}

  private Capacity(Map<String, String> opts) {
    this.opts = opts;
    this.base = URI.create(opts.get("url"));
    this.auth = "Bearer " + opts.get("token");
    this.tenants = Integer.parseInt(opts.getOrDefault("tenants", "50"));
    this.batch = Integer.parseInt(opts.getOrDefault("batch", "1"));
    this.idempotencyKeys = Boolean.parseBoolean(opts.getOrDefault("idempotency-keys", "true"));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      opts.put(a.substring(2, eq), a.substring(eq + 1));
    }
    new Capacity(opts).measure();
  }

  private void measure() throws Exception {
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "15"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "60"));
    double[] writeRates = rates(opts.getOrDefault("writes", "250,500,1000,2000,5000"));
    double[] readRates = rates(opts.getOrDefault("reads", "1000,2000,5000,10000,20000"));
    int pushClients = Integer.parseInt(opts.getOrDefault("push-clients", "50"));
    double pushRate = Double.parseDouble(opts.getOrDefault("push-rate", "10"));
    System.out.printf("open-loop capacity run %s: %d tenants, steps of %d s warm-up (reported apart) + %d s measured%s%n", run, tenants, warmup,
        seconds, (batch > 1 ? ", writes in batches of " + batch + " items (rates are requests/s)" : "")
            + (idempotencyKeys ? "" : ", writes without Idempotency-Key"));

    try (RawHttp admin = connection()) {
      for (int t = 0; t < tenants; t++) {
        expect(admin.send("POST", "/api/v1/tenants", null,
            "{\"tenantId\":\"" + tenant(t) + "\",\"name\":\"load\",\"tier\":\"Enterprise\",\"maxConfigs\":1000000}"), 201);
      }
      for (int k = 0; k < 100; k++) {
        expect(admin.send("POST", "/api/v1/configs", null, "{\"tenantId\":\"" + tenant(k % tenants) + "\",\"key\":\"read.k" + k
            + "\",\"value\":" + k + ",\"type\":\"Number\"}"), 201);
      }
      expect(admin.send("POST", "/api/v1/tenants", null, "{\"tenantId\":\"" + pushTenant() + "\",\"name\":\"push\",\"tier\":\"Enterprise\"}"), 201);
      expect(admin.send("POST", "/api/v1/configs", null,
          "{\"tenantId\":\"" + pushTenant() + "\",\"key\":\"bench.latency\",\"value\":0,\"type\":\"Number\"}"), 201);
    }

    try (PushProbe push = new PushProbe(opts.get("bootstrap"), pushTenant(), "bench.latency", pushClients);
         BrokerAppends appends = new BrokerAppends(opts.get("bootstrap"))) {
      settle(writeRates, readRates);
      PushProbe.Figures pushWarm = push.run(base.getHost(), base.getPort(), auth, pushRate, warmup);
      PushProbe.Figures idle = push.run(base.getHost(), base.getPort(), auth, pushRate, Math.max(30, seconds / 2));
      System.out.printf("push latency to the last of %d clients, idle: %s (warm-up: %s)%n", pushClients, idle.summary(), pushWarm.summary());
      pushRow("idle", 0, idle);

      LongAdder rywChecked = new LongAdder();
      LongAdder rywStale = new LongAdder();
      int rywEvery = Integer.parseInt(opts.getOrDefault("ryw-every", "50"));
      for (double rate : writeRates) {
        Instant from = Instant.now().plusSeconds(warmup);
        PushProbe.Figures[] underLoad = new PushProbe.Figures[1];
        Thread pusher = Thread.ofPlatform().name("push-probe").start(() -> {
          try {
            // measured over the step's measured period only
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.SECONDS.toNanos(warmup));
            underLoad[0] = push.run(base.getHost(), base.getPort(), auth, pushRate, seconds);
          } catch (Exception e) {
            System.out.println("push probe failed: " + e);
          }
        });
        String prefix = "w" + (int) rate + ".";
        Map<String, Long> offsetsBefore = appends.snapshot();
        Cpu cpu = Cpu.start(opts.get("platform-pid"));
        OpenLoop.Result r = writes(rate, warmup, seconds, create("load." + prefix), new SelectorLoop.ReadBack() {
          @Override
          public String path(long seq) {
            if (seq % rywEvery != 0) {
              return null;
            }
            String key = "load." + prefix + seq + (batch > 1 ? "." + (batch - 1) : "");
            return "/api/v1/configs/" + tenant((int) (seq % tenants)) + ":development:" + key;
          }

          @Override
          public void answered(long seq, int status, String body) {
            rywChecked.increment();
            if (status != 200 || !body.contains("\"value\":" + seq)) {
              rywStale.increment();
            }
          }
        });
        double[] cores = cpu.stop();
        pusher.join();
        Instant to = Instant.now();
        row("write", r, cores);
        if (underLoad[0] != null) {
          System.out.printf("  push latency to the last of %d clients during this step: %s%n", pushClients, underLoad[0].summary());
          pushRow("under-writes", rate, underLoad[0]);
        }
        auditLag(from, to, r.measured().ok.sum() * batch);
        String perCommand = BrokerAppends.perCommand(offsetsBefore, appends.snapshot());
        if (perCommand != null) {
          // the whole step (warm-up, measured, the push probe's writes), once the pipeline has caught up (the audit rows are in)
          System.out.println("  broker offsets appended per command: " + perCommand);
          csv.add(String.format(Locale.ROOT, "broker-appends,step,%.0f,%s,,,,,,,,,", rate, perCommand.substring(0, perCommand.indexOf(' '))));
        }
        if (!held(r, Double.POSITIVE_INFINITY)) {
          System.out.printf("  not held at %.0f writes/s: escalation stops here%n", rate);
          break;
        }
      }
      System.out.printf("read-your-writes sampled on the writing connection right after its answer: %d checked, %d stale%n",
          rywChecked.sum(), rywStale.sum());
    }

    for (double rate : readRates) {
      Cpu cpu = Cpu.start(opts.get("platform-pid"));
      OpenLoop.Result r = reads(rate, Math.min(warmup, 10), seconds);
      row("read", r, cpu.stop());
      if (!held(r, 100)) {
        System.out.printf("  not held at %.0f reads/s: escalation stops here%n", rate);
        break;
      }
    }
    write();
  }

  /**
   * The platform's JIT compiles for minutes after a start on two cores (five services and a broker
   * in one JVM; see RESULTS.md): before the steps, writes at the first write step's rate, then
   * reads at the first read step's rate, each for {@code --settle} seconds, reported, not measured.
   * One after the other: offered together, a cold platform took neither (10,000 reads/s beside 200
   * writes/s failed half a million reads and ten thousand writes), and the steps measure them apart.
   */
  private void settle(double[] writeRates, double[] readRates) throws InterruptedException {
    int settle = Integer.parseInt(opts.getOrDefault("settle", "180"));
    if (settle <= 0) {
      return;
    }
    if (writeRates.length > 0) {
      settled("writes", settle, writes(writeRates[0], settle, 0, create("settle."), null));
    }
    if (readRates.length > 0) {
      settled("reads", settle, reads(readRates[0], settle, 0));
    }
  }

  private static void settled(String what, int seconds, OpenLoop.Result r) {
    OpenLoop.Phase p = r.warmup();
    System.out.printf(Locale.ROOT, "settling: %d s of %s offered at %.0f/s: achieved %.1f/s, p50 %.1f ms, p99 %.1f ms (n=%d, errors %d)%n",
        seconds, what, r.offered(), p.achievedPerSecond(), p.ms(50), p.ms(99), p.answered(), p.errors());
  }

  /** Connections for a rate: enough for Little's law at {@code expectedSeconds} per request, with headroom. */
  private int connectionsFor(String option, double rate, double expectedSeconds) {
    if (opts.containsKey(option)) {
      return Integer.parseInt(opts.get(option));
    }
    return (int) Math.max(8, Math.min(1024, Math.ceil(rate * expectedSeconds * 2)));
  }

  /** Held: answers at the offered rate (within 1 %), under 0.1 % errors and p99 under {@code p99BoundMs}. */
  private static boolean held(OpenLoop.Result r, double p99BoundMs) {
    OpenLoop.Phase m = r.measured();
    return m.achievedPerSecond() >= 0.99 * r.offered() && m.errors() <= 0.001 * m.sent && m.ms(99) < p99BoundMs;
  }

  private void row(String kind, OpenLoop.Result r, double[] cores) {
    for (String phase : List.of("warm-up", "measured")) {
      OpenLoop.Phase p = phase.equals("warm-up") ? r.warmup() : r.measured();
      Row row = new Row(kind, phase, r.offered(), p.achievedPerSecond(), p.answered(), p.ms(50), p.ms(99), p.ms(99.9), p.maxMs(), p.errors(),
          p.outcomeCounts(), phase.equals("measured") ? cores[0] : Double.NaN, phase.equals("measured") ? cores[1] : Double.NaN);
      rows.add(row);
      System.out.printf(Locale.ROOT, "%-5s %-8s offered %6.0f/s achieved %8.1f/s  p50 %7.2f  p99 %7.2f  p99.9 %7.2f  max %8.2f ms"
              + "  (n=%d, errors %d %s)%s%n", kind, phase, r.offered(), row.achieved(), row.p50(), row.p99(), row.p999(), row.max(),
          row.count(), row.errors(), row.outcomes(),
          (phase.equals("measured") ? String.format(Locale.ROOT, "  cpu: platform %.2f cores, generator %.2f cores", cores[1], cores[0]) : "")
              + (kind.equals("write") && batch > 1 ? String.format(Locale.ROOT, "  = %.0f items/s in batches of %d", row.achieved() * batch, batch) : "")
              + (phase.equals("measured") ? "\n  worst seconds of the measured period (due time, UTC): " + p.worst.top(5) : ""));
      csv.add(String.format(Locale.ROOT, "%s,%s,%.0f,%.1f,%d,%.3f,%.3f,%.3f,%.3f,%d,%s,%.2f,%.2f",
          kind.equals("write") && batch > 1 ? "write-batch-" + batch : kind, phase, r.offered(), row.achieved(),
          row.count(), row.p50(), row.p99(), row.p999(), row.max(), row.errors(), row.outcomes().toString().replace(',', ';'),
          row.generatorCores(), row.platformCores()));
    }
  }

  private void pushRow(String phase, double writeRate, PushProbe.Figures f) {
    Row row = new Row("push", phase, writeRate, Double.NaN, f.latencyMicros().getTotalCount(), f.ms(50), f.ms(99), f.ms(99.9), f.maxMs(),
        f.missing(), Map.of(), Double.NaN, Double.NaN);
    rows.add(row);
    csv.add(String.format(Locale.ROOT, "push,%s,%.0f,,%d,%.3f,%.3f,%.3f,%.3f,%d,,,", phase, writeRate, row.count(), row.p50(), row.p99(),
        row.p999(), row.max(), row.errors()));
  }

  /**
   * The audit sink's lag for the events of a step: {@code recorded_at} (the row's insert) minus
   * {@code occurred_at} (stamped by rollout inside the transaction that commits the event). Waits,
   * bounded, until the step's acknowledged writes all have their row.
   */
  private void auditLag(Instant from, Instant to, long acknowledged) throws Exception {
    String url = opts.get("db");
    if (url == null) {
      return;
    }
    String sql = """
        SELECT count(*),
               percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM recorded_at - occurred_at)),
               percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM recorded_at - occurred_at)),
               max(extract(epoch FROM recorded_at - occurred_at))
        FROM audit_log WHERE event_type = 'CONFIG_CREATED' AND tenant_id LIKE ? AND occurred_at >= ? AND occurred_at < ?""";
    try (Connection db = DriverManager.getConnection(url, opts.getOrDefault("db-user", "postgres"), opts.getOrDefault("db-password", "postgres"));
         PreparedStatement q = db.prepareStatement(sql)) {
      q.setString(1, "load-" + run + "-%");
      q.setTimestamp(2, Timestamp.from(from));
      q.setTimestamp(3, Timestamp.from(to));
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (true) {
        try (ResultSet rs = q.executeQuery()) {
          rs.next();
          long n = rs.getLong(1);
          if (n >= acknowledged * 0.999 || System.nanoTime() > deadline) {
            System.out.printf(Locale.ROOT, "  audit sink lag (event committed -> row in PostgreSQL): p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d rows)%n",
                rs.getDouble(2) * 1000, rs.getDouble(3) * 1000, rs.getDouble(4) * 1000, n);
            csv.add(String.format(Locale.ROOT, "audit-lag,measured,,,%d,%.3f,%.3f,,%.3f,,,,", n, rs.getDouble(2) * 1000, rs.getDouble(3) * 1000,
                rs.getDouble(4) * 1000));
            return;
          }
        }
        Thread.sleep(500);
      }
    }
  }

  private void write() throws IOException {
    Path out = Path.of(opts.getOrDefault("out", "load-tests/results"));
    Files.createDirectories(out);
    String stamp = Instant.now().toString().replace(':', '-').replaceAll("\\.\\d+Z", "Z");
    Path file = out.resolve("capacity-" + stamp + ".csv");
    List<String> lines = new ArrayList<>();
    lines.add("kind,phase,offered_per_s,achieved_per_s,count,p50_ms,p99_ms,p99_9_ms,max_ms,errors,outcomes,generator_cores,platform_cores");
    lines.addAll(csv);
    Files.write(file, lines);
    Path html = out.resolve("capacity-" + stamp + ".html");
    Files.writeString(html, Chart.html("HotSwap capacity, run " + run + " (" + stamp + ")", rows));
    System.out.println("wrote " + file + " and " + html);
  }

  /**
   * Request {@code seq} creates key {@code <keyPrefix><seq>} (a Number) in tenant {@code seq % tenants}, with an Idempotency-Key
   * unless {@code --idempotency-keys=false};
   * with {@code --batch=N}, one batch of keys {@code <keyPrefix><seq>.0} to {@code .N-1}.
   */
  private LongFunction<SelectorLoop.Call> create(String keyPrefix) {
    if (batch > 1) {
      return seq -> {
        StringBuilder body = new StringBuilder("{\"tenantId\":\"").append(tenant((int) (seq % tenants))).append("\",\"items\":[");
        for (int i = 0; i < batch; i++) {
          body.append(i == 0 ? "" : ",").append("{\"key\":\"").append(keyPrefix).append(seq).append('.').append(i)
              .append("\",\"value\":").append(seq).append(",\"type\":\"Number\"}");
        }
        return new SelectorLoop.Call("POST", "/api/v1/configs:batch", idempotencyKey(keyPrefix, seq), body.append("]}").toString());
      };
    }
    return seq -> new SelectorLoop.Call("POST", "/api/v1/configs", idempotencyKey(keyPrefix, seq),
        "{\"tenantId\":\"" + tenant((int) (seq % tenants)) + "\",\"key\":\"" + keyPrefix + seq + "\",\"value\":" + seq
            + ",\"type\":\"Number\"}");
  }

  /**
   * A write step (or the settling writes): on one selector thread ({@link SelectorLoop}) over enough
   * connections for a quarter-second answer at the rate, twice over; {@code --write-loop=threads}
   * runs it on a thread per connection ({@link OpenLoop}) as before, to compare the generators'
   * own cost. {@code readBack} (or null) reads a measured write back right after its answer.
   */
  private OpenLoop.Result writes(double rate, int warmupSeconds, int measureSeconds, LongFunction<SelectorLoop.Call> calls,
                                 SelectorLoop.ReadBack readBack) throws InterruptedException {
    int connections = connectionsFor("write-connections", rate, 0.25);
    if ("threads".equals(opts.get("write-loop"))) {
      return OpenLoop.run(base.getHost(), base.getPort(), auth, connections, rate, warmupSeconds, measureSeconds, 30,
          (c, seq) -> {
            SelectorLoop.Call call = calls.apply(seq);
            return c.send(call.method(), call.path(), call.extraHeaders(), call.jsonBody());
          },
          readBack == null ? null : (c, seq, answer) -> {
            String path = readBack.path(seq);
            if (path != null) {
              RawHttp.Response back = c.get(path);
              readBack.answered(seq, back.status(), back.text());
            }
          });
    }
    try {
      return SelectorLoop.run(base.getHost(), base.getPort(), auth, connections, rate, warmupSeconds, measureSeconds, 30, calls, readBack);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The header line naming write {@code seq} for retries, or null for a one-off write. */
  private String idempotencyKey(String keyPrefix, long seq) {
    return idempotencyKeys ? "Idempotency-Key: " + run + "-" + keyPrefix + seq + "\r\n" : null;
  }

  /**
   * A read step: {@code GET /api/v1/configs/{id}} over the 100 read keys, on one selector thread
   * ({@link SelectorLoop}); {@code --read-loop=threads} runs it on a thread per connection
   * ({@link OpenLoop}) as before, to compare the generators' own cost.
   */
  private OpenLoop.Result reads(double rate, int warmupSeconds, int measureSeconds) throws InterruptedException {
    int connections = connectionsFor("read-connections", rate, 0.005);
    if ("threads".equals(opts.get("read-loop"))) {
      return OpenLoop.run(base.getHost(), base.getPort(), auth, connections, rate, warmupSeconds, measureSeconds, 30,
          (c, seq) -> c.get(readPath(seq)), null);
    }
    try {
      return SelectorLoop.run(base.getHost(), base.getPort(), auth, connections, rate, warmupSeconds, measureSeconds, 30, this::readPath);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Request {@code seq} reads key {@code read.k<seq % 100>}, one of the 100 created at set-up. */
  private String readPath(long seq) {
    return "/api/v1/configs/" + tenant((int) (seq % 100) % tenants) + ":development:read.k" + (seq % 100);
  }

  private RawHttp connection() {
    return new RawHttp(base.getHost(), base.getPort(), auth);
  }

  private String tenant(int i) {
    return "load-" + run + "-" + i;
  }

  private String pushTenant() {
    return "push-" + run;
  }

  private static void expect(RawHttp.Response r, int status) {
    if (r.status() != status) {
      throw new IllegalStateException("set-up call answered " + r.status() + ": " + r.text());
    }
  }

  private static double[] rates(String list) {
    return list.isBlank() ? new double[0] : Arrays.stream(list.split(",")).mapToDouble(Double::parseDouble).toArray();
  }

  /** CPU used during a step, in cores: this generator's JVM and the platform's process. */
  private record Cpu(long wallStart, long selfStart, long platformStart, String pid) {
    static Cpu start(String pid) {
      return new Cpu(System.nanoTime(), selfNanos(), platformNanos(pid), pid);
    }

    double[] stop() {
      double wall = System.nanoTime() - wallStart;
      return new double[] {(selfNanos() - selfStart) / wall, pid == null ? Double.NaN : (platformNanos(pid) - platformStart) / wall};
    }

    private static long selfNanos() {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of {@code /proc/<pid>/stat}, in clock ticks of 10 ms; summed over a comma-separated list (the cluster's JVMs). */
    private static long platformNanos(String pids) {
      if (pids == null) {
        return 0;
      }
      long sum = 0;
      for (String pid : pids.split(",")) {
        try {
          String stat = Files.readString(Path.of("/proc", pid.trim(), "stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          sum += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException e) {
          // a process that ended: its time is gone from the sum
        }
      }
      return sum;
    }
  }
}
