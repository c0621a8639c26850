package io.hotswap.loadtests;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load at a fixed offered rate: request {@code i} is due at {@code start + i / rate},
 * whatever happened to the ones before it, and its latency runs from that due time to its answer.
 * When the server stalls, requests wait here and their wait counts (no coordinated omission).
 * {@code connections} keep-alive connections, each on a thread of its own with its own share of
 * the schedule; a step is a warm-up, reported separately, then the measured period.
 */
final class OpenLoop {

  /** One request on a connection; {@code seq} numbers the requests of the step from 0. */
  interface Call {
    RawHttp.Response call(RawHttp connection, long seq) throws IOException;
  }

  /** A request that needs its due time ({@link System#nanoTime} scale), e.g. to time what it causes elsewhere. */
  interface TimedCall {
    RawHttp.Response call(RawHttp connection, long seq, long dueNanos) throws IOException;
  }

  /** Called on the connection's thread after a measured 2xx answer (read-your-writes sampling). */
  interface AfterSuccess {
    void accept(RawHttp connection, long seq, RawHttp.Response answer) throws IOException;
  }

  /** The figures of one phase (warm-up or measured) of a step. */
  static final class Phase {
    final Histogram latencyMicros = new ConcurrentHistogram(3_600_000_000L, 3);
    final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    final LongAdder ok = new LongAdder();
    final AtomicLong lastDoneNanos = new AtomicLong();
    long firstDueNanos;
    long sent;

    final WorstSeconds worst = new WorstSeconds();

    void record(long dueNanos, long doneNanos, String outcome, boolean success) {
      long micros = Math.max(0, (doneNanos - dueNanos) / 1_000);
      latencyMicros.recordValue(Math.min(latencyMicros.getHighestTrackableValue(), micros));
      worst.record(dueNanos, micros);
      outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
      if (success) {
        ok.increment();
      }
      lastDoneNanos.accumulateAndGet(doneNanos, Math::max);
    }

    long answered() {
      return latencyMicros.getTotalCount();
    }

    long errors() {
      return answered() - ok.sum() + (sent - answered());
    }

    /** Successful answers per second, from the first due time to the last answer. */
    double achievedPerSecond() {
      long span = lastDoneNanos.get() - firstDueNanos;
      return span <= 0 ? 0 : ok.sum() * 1e9 / span;
    }

    Map<String, Long> outcomeCounts() {
      Map<String, Long> m = new TreeMap<>();
      outcomes.forEach((k, v) -> m.put(k, v.sum()));
      if (sent > answered()) {
        m.put("unanswered", sent - answered());
      }
      return m;
    }

    double ms(double percentile) {
      return answered() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(percentile) / 1_000.0;
    }

    double maxMs() {
      return answered() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1_000.0;
    }
  }

  /**
   * The slowest request of each wall-clock second (by due time), so a stall can be matched with
   * what the platform logged then (GC pauses, a store flush, a broker hiccup): a percentile says how
   * often requests were slow, not when.
   */
  static final class WorstSeconds {
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    /** Wall-clock milliseconds at {@code System.nanoTime()} zero, taken once: due times are nanoTime. */
    private final long epochMillisAtNanoZero = System.currentTimeMillis() - System.nanoTime() / 1_000_000;
    private final Map<Long, AtomicLong> bySecond = new ConcurrentHashMap<>();

    void record(long dueNanos, long micros) {
      long dueMillis = epochMillisAtNanoZero + dueNanos / 1_000_000;
      bySecond.computeIfAbsent(dueMillis / 1_000, k -> new AtomicLong()).accumulateAndGet(micros, Math::max);
    }

    /** The {@code n} worst seconds, slowest first, as "HH:mm:ssZ max ms". */
    String top(int n) {
      return bySecond.entrySet().stream()
          .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()))
          .limit(n)
          .map(e -> String.format(Locale.ROOT, "%s %.0f", SECOND.format(Instant.ofEpochSecond(e.getKey())), e.getValue().get() / 1_000.0))
          .collect(Collectors.joining(", ", "", " ms"));
    }
  }

  /**
   * When a step's requests are due: request {@code i} at {@code start + i * periodNanos}, the
   * warm-up until {@code warmEnd}, the measured period until {@code end}, {@code total} requests in
   * all. Also tells each phase when its first request is due and how many it sends.
   */
  record Schedule(long periodNanos, long start, long warmEnd, long end, long total) {
    static Schedule from(long now, double rate, int warmupSeconds, int measureSeconds, Phase warm, Phase measured) {
      long periodNanos = Math.round(1e9 / rate);
      long start = now + 50_000_000;
      long warmEnd = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
      long end = warmEnd + TimeUnit.SECONDS.toNanos(measureSeconds);
      long total = (end - start + periodNanos - 1) / periodNanos;
      warm.firstDueNanos = start;
      measured.firstDueNanos = warmEnd;
      warm.sent = Math.min(total, (warmEnd - start + periodNanos - 1) / periodNanos);
      measured.sent = total - warm.sent;
      return new Schedule(periodNanos, start, warmEnd, end, total);
    }
  }

  /** A step's two phases. */
  record Result(double offered, Phase warmup, Phase measured) {}

  private OpenLoop() {}

  /**
   * Offers {@code rate} requests per second for {@code warmupSeconds} then {@code measureSeconds},
   * then waits at most {@code drainSeconds} for the answers still outstanding (late answers count
   * with their full latency; requests never answered count as errors, "unanswered").
   */
  static Result run(String host, int port, String authorization, int connections, double rate, int warmupSeconds,
                    int measureSeconds, int drainSeconds, Call call, AfterSuccess afterSuccess) throws InterruptedException {
    return run(host, port, authorization, connections, rate, warmupSeconds, measureSeconds, drainSeconds,
        (TimedCall) (c, seq, due) -> call.call(c, seq), afterSuccess);
  }

  /**
   * {@link #run(String, int, String, int, double, int, int, int, Call, AfterSuccess)} for a call
   * that needs its due time. Request {@code seq} goes on connection {@code seq % connections}
   * (as wrk2 schedules): each connection's thread sleeps until its next request is due, so no
   * shared queue or scheduler thread adds to the generator's cost, and a connection held up by a
   * slow answer sends its next requests late, timed from when they were due.
   */
  static Result run(String host, int port, String authorization, int connections, double rate, int warmupSeconds,
                    int measureSeconds, int drainSeconds, TimedCall call, AfterSuccess afterSuccess) throws InterruptedException {
    Phase warm = new Phase();
    Phase measured = new Phase();
    Schedule schedule = Schedule.from(System.nanoTime(), rate, warmupSeconds, measureSeconds, warm, measured);
    long periodNanos = schedule.periodNanos();
    long start = schedule.start();
    long warmEnd = schedule.warmEnd();
    long end = schedule.end();
    long total = schedule.total();
    Thread[] workers = new Thread[connections];
    for (int c = 0; c < connections; c++) {
      int first = c;
      workers[c] = Thread.ofPlatform().daemon().name("load-" + c).start(() -> {
        try (RawHttp connection = new RawHttp(host, port, authorization)) {
          for (long seq = first; seq < total && !Thread.currentThread().isInterrupted(); seq += connections) {
            long due = start + seq * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
            once(connection, seq, due, due < warmEnd ? warm : measured, measured, call, afterSuccess);
          }
        }
      });
    }
    long drainDeadline = end + TimeUnit.SECONDS.toNanos(drainSeconds);
    for (Thread w : workers) {
      long left = drainDeadline - System.nanoTime();
      if (left > 0) {
        w.join(java.time.Duration.ofNanos(left));
      }
    }
    for (Thread w : workers) {
      w.interrupt();
    }
    return new Result(rate, warm, measured);
  }

  private static void once(RawHttp connection, long seq, long due, Phase phase, Phase measured, TimedCall call, AfterSuccess afterSuccess) {
    RawHttp.Response answer = null;
    String outcome;
    try {
      answer = call.call(connection, seq, due);
      outcome = Integer.toString(answer.status());
    } catch (IOException e) {
      outcome = "io-error";
      connection.close();
    }
    boolean success = answer != null && answer.status() / 100 == 2;
    phase.record(due, System.nanoTime(), outcome, success);
    if (success && phase == measured && afterSuccess != null) {
      try {
        afterSuccess.accept(connection, seq, answer);
      } catch (IOException e) {
        connection.close();
      }
    }
  }
}
