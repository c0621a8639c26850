package io.hotswap.client.spring;

import io.hotswap.client.HotSwapClient;
import io.hotswap.client.RequestStats;
import io.hotswap.client.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Beans around the client the {@link HotSwapInitializer} registered: rebinding and change events,
 * an Actuator health indicator, Micrometer metrics, and request health from {@code
 * http.server.requests} reported on {@code hotswap.health.v1}.
 */
@AutoConfiguration
@ConditionalOnBean(name = HotSwapInitializer.BEAN)
public class HotSwapAutoConfiguration {

  /** The tenants' plugins this service runs, when {@code hotswap.client.plugins.enabled=true} (closed with the client). */
  @Bean(destroyMethod = "")
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(prefix = "hotswap.client.plugins", name = "enabled", havingValue = "true")
  io.hotswap.client.ClientPlugins hotSwapPlugins(HotSwapClient client) {
    return client.plugins();
  }

  @Bean
  HotSwapRefresher hotSwapRefresher(HotSwapClient client, HotSwapClientProperties props, ApplicationContext context) {
    return new HotSwapRefresher(client, context, props.getTenant(), props.isProfileProperties() ? props.getService() : null);
  }

  /** UP while fresh; UP with details while serving the file or reconnecting; DOWN once stale beyond max-stale-age. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class HealthConfiguration {
    @Bean
    HealthIndicator hotSwapHealthIndicator(HotSwapClient client, HotSwapClientProperties props) {
      Duration maxStale = props.getMaxStaleAge();
      return () -> health(client.status(), maxStale);
    }
  }

  static Health health(Status s, Duration maxStale) {
    boolean tooStale = !s.fresh() && (s.staleFor() == null || s.staleFor().compareTo(maxStale) > 0);
    Health.Builder b = tooStale ? Health.down() : Health.up();
    b.withDetail("connected", s.connected()).withDetail("caughtUp", s.caughtUp()).withDetail("lag", s.lag())
        .withDetail("servingFromFile", s.servingFromFile()).withDetail("snapshotSize", s.snapshotSize());
    if (s.staleFor() != null) {
      b.withDetail("staleFor", s.staleFor().toString());
    }
    if (s.lastUpdateAge() != null) {
      b.withDetail("lastUpdateAge", s.lastUpdateAge().toString());
    }
    if (s.lastError() != null) {
      b.withDetail("lastError", s.lastError());
    }
    return b.build();
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class MetricsConfiguration {

    @Bean
    MeterBinder hotSwapClientMetrics(HotSwapClient client) {
      return registry -> {
        Gauge.builder("hotswap.client.snapshot.size", client, c -> c.status().snapshotSize()).description("keys and profiles held").register(registry);
        Gauge.builder("hotswap.client.consumer.lag", client, c -> c.status().lag()).description("records not yet applied (-1: unknown)").register(registry);
        Gauge.builder("hotswap.client.last.update.age", client, c -> seconds(c.status().lastUpdateAge())).baseUnit("seconds")
            .description("since the last applied change (-1: none)").register(registry);
        Gauge.builder("hotswap.client.stale", client, c -> seconds(c.status().staleFor())).baseUnit("seconds")
            .description("how long the snapshot has not been confirmed current (0: fresh)").register(registry);
        Gauge.builder("hotswap.client.serving.file", client, c -> c.status().servingFromFile() ? 1 : 0).register(registry);
        Gauge.builder("hotswap.client.reports.dropped", client, HotSwapClient::droppedReports)
            .description("heartbeats and health reports the broker didn't take").register(registry);
        Timer apply = Timer.builder("hotswap.client.apply.duration").description("time to apply a change to the snapshot").register(registry);
        client.onApplied((change, micros) -> apply.record(Duration.ofNanos(micros * 1_000)));
      };
    }

    /** Gives http.server.requests the client's histogram buckets, so request health can be reported from it. */
    @Bean
    MeterFilter hotSwapRequestBuckets() {
      return new MeterFilter() {
        @Override
        public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
          if (!id.getName().equals("http.server.requests")) {
            return config;
          }
          double[] slos = new double[RequestStats.BOUNDS_MS.length];
          for (int i = 0; i < slos.length; i++) {
            slos[i] = RequestStats.BOUNDS_MS[i] * 1_000_000;
          }
          return DistributionStatisticConfig.builder().serviceLevelObjectives(slos).build().merge(config);
        }
      };
    }

    @Bean
    HttpRequestsFeed hotSwapHttpRequestsFeed(HotSwapClient client, org.springframework.beans.factory.ObjectProvider<MeterRegistry> registry) {
      return new HttpRequestsFeed(client, registry);
    }
  }

  private static double seconds(Duration d) {
    return d == null ? -1 : d.toMillis() / 1000.0;
  }

  /** Every second, adds the new http.server.requests (count, 5xx, buckets) to the client's request stats. */
  static final class HttpRequestsFeed implements DisposableBean {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hotswap-http-requests-feed");
      t.setDaemon(true);
      return t;
    });
    private final Map<Meter.Id, long[]> seen = new HashMap<>();

    HttpRequestsFeed(HotSwapClient client, org.springframework.beans.factory.ObjectProvider<MeterRegistry> registry) {
      timer.scheduleWithFixedDelay(() -> {
        try {
          registry.ifAvailable(r -> feed(client, r));
        } catch (RuntimeException e) {
          // the context is starting or closing; the next tick tries again (a throwing task would stop the schedule)
        }
      }, 1, 1, TimeUnit.SECONDS);
    }

    synchronized void feed(HotSwapClient client, MeterRegistry registry) {
      for (Timer t : registry.find("http.server.requests").timers()) {
        CountAtBucket[] cumulative = t.takeSnapshot().histogramCounts();
        long[] now = new long[RequestStats.BOUNDS_MS.length + 2];
        for (int i = 0; i < cumulative.length && i < RequestStats.BOUNDS_MS.length; i++) {
          now[i] = (long) cumulative[i].count();
        }
        now[now.length - 1] = t.count();
        long[] before = seen.getOrDefault(t.getId(), new long[now.length]);
        seen.put(t.getId(), now);
        long requests = now[now.length - 1] - before[before.length - 1];
        if (requests <= 0) {
          continue;
        }
        long[] buckets = new long[RequestStats.BOUNDS_MS.length + 1];
        long previous = 0;
        for (int i = 0; i < RequestStats.BOUNDS_MS.length; i++) {
          long inBucket = (now[i] - before[i]);
          buckets[i] = Math.max(0, inBucket - previous);
          previous = inBucket;
        }
        buckets[RequestStats.BOUNDS_MS.length] = Math.max(0, requests - previous);
        String status = t.getId().getTag("status");
        boolean error = status != null && status.startsWith("5");
        client.requestStats().add(requests, error ? requests : 0, buckets);
      }
    }

    @Override
    public void destroy() {
      timer.shutdownNow();
    }
  }
}
