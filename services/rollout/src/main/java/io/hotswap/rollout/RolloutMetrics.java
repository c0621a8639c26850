package io.hotswap.rollout;

import io.hotswap.avro.Deployment;
import io.hotswap.avro.HealthReport;
import io.hotswap.avro.HealthReportKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * What rollout measures as it goes: how long a change took to reach each instance
 * ({@code config.push.propagation}, from the live record's timestamp to the instance's apply, as
 * the instance reports it) and to apply there ({@code config.reload.duration}), both tagged with
 * the reporting service; and how long each deployment ran until it ended
 * ({@code deployment.duration}, tagged with its strategy and how it ended: completed or
 * rolled_back). All are histograms (Prometheus: {@code _bucket} series) so that percentiles can
 * be taken across instances of rollout.
 *
 * <p>They are measured on the stream thread as records are processed: a task that fails over
 * processes a few records again, and those are measured twice. The figures are for dashboards and
 * alerts, not for counting changes — the audit service counts those, once each.
 */
final class RolloutMetrics {

  /** For topologies built without Spring (tests): measured, shown nowhere. */
  static final RolloutMetrics NONE = new RolloutMetrics(new SimpleMeterRegistry());

  private final MeterRegistry meters;

  RolloutMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  /** An instance reported a change it applied. */
  void reported(HealthReport report) {
    if (report == null || report.getKind() != HealthReportKind.APPLIED || report.getApplyError() != null) {
      return;
    }
    if (report.getPropagationMs() != null && report.getPropagationMs() >= 0) {
      timer("config.push.propagation", "From a change's live record to an instance applying it, as the instance reports it", report.getService())
          .record(Duration.ofMillis(report.getPropagationMs()));
    }
    if (report.getApplyMicros() != null && report.getApplyMicros() >= 0) {
      timer("config.reload.duration", "Time an instance took to apply a change and hand it to its listeners", report.getService())
          .record(Duration.ofNanos(report.getApplyMicros() * 1000));
    }
  }

  /** A deployment ended (completed or rolled back) at {@code now}. */
  void ended(Deployment d, Instant now) {
    Duration ran = d.getCreatedAt() == null ? Duration.ZERO : Duration.between(d.getCreatedAt(), now);
    Timer.builder("deployment.duration").description("From a deployment's start to its end, by strategy and how it ended")
        .tag("strategy", d.getStrategy().name().toLowerCase(Locale.ROOT))
        .tag("status", d.getStatus().name().toLowerCase(Locale.ROOT))
        .publishPercentileHistogram().register(meters)
        .record(ran.isNegative() ? Duration.ZERO : ran);
  }

  private Timer timer(String name, String description, String service) {
    return Timer.builder(name).description(description).tag("service", service == null ? "unknown" : service)
        .publishPercentileHistogram().register(meters);
  }
}
