package io.hotswap.loadtests;

import io.hotswap.client.Change;
import io.hotswap.client.HotSwapClient;
import io.hotswap.client.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Push latency while something else loads the platform: {@code clients} HotSwap clients listen to
 * one key of their own tenant; writes of that key are due at a fixed rate (open loop) and each is
 * timed from its due time until the last of the clients' listeners has seen the new value.
 */
final class PushProbe implements AutoCloseable {

  /** One probe run: latency to the last client, and writes that some client never saw. */
  record Figures(Histogram latencyMicros, long sent, long missing, OpenLoop.WorstSeconds worst) {
    double ms(double percentile) {
      return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(percentile) / 1_000.0;
    }

    double maxMs() {
      return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1_000.0;
    }

    String summary() {
      return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d, missing %d); worst seconds: %s", ms(50), ms(99), maxMs(),
          latencyMicros.getTotalCount(), missing, worst.top(5));
    }
  }

  private static final class Arrivals {
    final AtomicInteger clients = new AtomicInteger();
    final AtomicLong lastNanos = new AtomicLong();
  }

  private final List<HotSwapClient> clients = new ArrayList<>();
  private final Map<Long, Arrivals> seen = new ConcurrentHashMap<>();
  private final String tenant;
  private final String key;
  private final AtomicLong next = new AtomicLong();

  PushProbe(String bootstrap, String tenant, String key, int count) throws Exception {
    this.tenant = tenant;
    this.key = key;
    for (int c = 0; c < count; c++) {
      HotSwapClient client = HotSwapClient.builder().bootstrapServers(bootstrap).environment("development").tenant(tenant)
          .register(false).build().start();
      clients.add(client);
      client.subscribe(Selector.key(tenant, key), (Change change) -> {
        if (change.newValue() != null) {
          long at = System.nanoTime();
          Arrivals a = seen.computeIfAbsent(Long.parseLong(change.newValue().text()), v -> new Arrivals());
          a.clients.incrementAndGet();
          a.lastNanos.accumulateAndGet(at, Math::max);
        }
      });
    }
    for (HotSwapClient client : clients) {
      client.ready().get(120, TimeUnit.SECONDS);
    }
    next.set(clients.getFirst().getLong(key, 0) + 1);
  }

  /**
   * Writes at {@code perSecond} for {@code seconds} (open loop, over a few connections of its own so
   * a slow write does not delay the next one's send), waits up to 10 s for the stragglers, and
   * measures each write from its due time to the last client's listener.
   */
  Figures run(String host, int port, String authorization, double perSecond, int seconds) throws InterruptedException {
    String path = "/api/v1/configs/" + tenant + ":development:" + key;
    Map<Long, Long> dueByValue = new ConcurrentHashMap<>();
    OpenLoop.Result r = OpenLoop.run(host, port, authorization, 16, perSecond, 0, seconds, 30, (c, seq, due) -> {
      long value = next.getAndIncrement();
      dueByValue.put(value, due);
      return c.send("PUT", path, null, "{\"value\":" + value + "}");
    }, null);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && !dueByValue.keySet().stream().allMatch(this::allSeen)) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    Histogram h = new Histogram(3_600_000_000L, 3);
    OpenLoop.WorstSeconds worst = new OpenLoop.WorstSeconds();
    long missing = r.measured().sent - dueByValue.size();
    for (Map.Entry<Long, Long> e : dueByValue.entrySet()) {
      Arrivals a = seen.remove(e.getKey());
      if (a == null || a.clients.get() < clients.size()) {
        missing++;
      } else {
        long micros = Math.max(0, (a.lastNanos.get() - e.getValue()) / 1_000);
        h.recordValue(Math.min(h.getHighestTrackableValue(), micros));
        worst.record(e.getValue(), micros);
      }
    }
    return new Figures(h, r.measured().sent, missing, worst);
  }

  private boolean allSeen(long value) {
    Arrivals a = seen.get(value);
    return a != null && a.clients.get() >= clients.size();
  }

  @Override
  public void close() {
    clients.forEach(HotSwapClient::close);
  }
}
