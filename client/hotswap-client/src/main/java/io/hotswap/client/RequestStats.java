package io.hotswap.client;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request health between two reports: counts, errors and a fixed-bucket latency histogram.
 * Lock-free; {@link #drain()} returns and resets the figures.
 */
public final class RequestStats {

  /** Upper bounds (ms) of the histogram buckets; one more open bucket above the last. */
  public static final double[] BOUNDS_MS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};

  private final LongAdder requests = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_MS.length + 1);

  public record Sample(long requests, long errors, long[] counts) {

    /** p99 estimated as the upper bound of the bucket holding the 99th percentile (null: no requests). */
    public Double p99Ms() {
      return percentile(0.99);
    }

    public Double percentile(double q) {
      long total = 0;
      for (long c : counts) {
        total += c;
      }
      if (total == 0) {
        return null;
      }
      long rank = (long) Math.ceil(q * total);
      long seen = 0;
      for (int i = 0; i < counts.length; i++) {
        seen += counts[i];
        if (seen >= rank) {
          return i < BOUNDS_MS.length ? BOUNDS_MS[i] : Double.POSITIVE_INFINITY;
        }
      }
      return Double.POSITIVE_INFINITY;
    }
  }

  public void record(Duration duration, boolean success) {
    requests.increment();
    if (!success) {
      errors.increment();
    }
    double ms = duration.toNanos() / 1_000_000.0;
    int i = 0;
    while (i < BOUNDS_MS.length && ms > BOUNDS_MS[i]) {
      i++;
    }
    buckets.incrementAndGet(i);
  }

  /** Adds counts observed elsewhere (e.g. Micrometer's http.server.requests) to the next report. */
  public void add(long requestCount, long errorCount, long[] counts) {
    requests.add(requestCount);
    errors.add(errorCount);
    for (int i = 0; i < counts.length && i < buckets.length(); i++) {
      buckets.addAndGet(i, counts[i]);
    }
  }

  public Sample drain() {
    long[] counts = new long[buckets.length()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = buckets.getAndSet(i, 0);
    }
    return new Sample(requests.sumThenReset(), errors.sumThenReset(), counts);
  }
}
