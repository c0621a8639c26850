package io.hotswap.audit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * How far the audit trail in PostgreSQL is behind the audit topic, as a health detail
 * ({@code /actuator/health}, component {@code auditSink}) and as metrics: {@code
 * hotswap.audit.sink.lag.records} (events on the topic not yet stored) and {@code
 * hotswap.audit.sink.failing.seconds} (how long storing has been failing, 0 while it works). The
 * sink stays UP while the database is away — writes to the platform go on and every event is
 * stored once it is back — so an operator watches these figures, not the status.
 */
@Component("auditSinkHealthIndicator") // shown as component "auditSink"
class AuditSinkHealth implements HealthIndicator {

  private final AuditSink sink;
  private final KafkaListenerEndpointRegistry listeners;

  AuditSinkHealth(AuditSink sink, KafkaListenerEndpointRegistry listeners, MeterRegistry meters) {
    this.sink = sink;
    this.listeners = listeners;
    Gauge.builder("hotswap.audit.sink.lag.records", this, AuditSinkHealth::recordsBehind)
        .description("audit events on the topic not yet stored in PostgreSQL").register(meters);
    Gauge.builder("hotswap.audit.sink.failing.seconds", this, AuditSinkHealth::failingSeconds)
        .description("how long storing audit events has been failing; 0 while it works").register(meters);
  }

  @Override
  public Health health() {
    Health.Builder health = Health.up()
        .withDetail("recordsBehind", (long) recordsBehind())
        .withDetail("storing", sink.failingSince() == null);
    if (sink.lastStoredAt() != null) {
      health.withDetail("lastStoredAt", sink.lastStoredAt().toString());
    }
    if (sink.failingSince() != null) {
      health.withDetail("failingSince", sink.failingSince().toString()).withDetail("lastError", String.valueOf(sink.lastError()));
    }
    return health.build();
  }

  double failingSeconds() {
    Instant since = sink.failingSince();
    return since == null ? 0 : Duration.between(since, Instant.now()).toMillis() / 1000.0;
  }

  /** The sink consumer's own lag (records-lag-max over its partitions); 0 before it has fetched. */
  double recordsBehind() {
    MessageListenerContainer container = listeners.getListenerContainer("hotswap-audit-sink");
    if (container == null) {
      return 0;
    }
    double lag = 0;
    for (Map<MetricName, ? extends Metric> metrics : container.metrics().values()) {
      for (var e : metrics.entrySet()) {
        if (e.getKey().name().equals("records-lag-max") && e.getKey().group().equals("consumer-fetch-manager-metrics")
            && !e.getKey().tags().containsKey("partition") && e.getValue().metricValue() instanceof Double d && !d.isNaN()) {
          lag = Math.max(lag, d);
        }
      }
    }
    return lag;
  }
}
