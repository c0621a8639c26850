package io.hotswap.client.internal;

import io.hotswap.avro.HealthReport;
import io.hotswap.avro.HealthReportKind;
import io.hotswap.avro.ServiceInstance;
import io.hotswap.client.Change;
import io.hotswap.client.ConfigValue;
import io.hotswap.client.RequestStats;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks for the instance on {@code hotswap.instances.v1} (registration, heartbeats, a tombstone
 * on close) and {@code hotswap.health.v1} (every applied change, request health). Runs on the
 * client's I/O thread, never on the consumer thread; a broker that is away costs dropped reports
 * (counted), never a stuck client.
 */
final class Reporter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Reporter.class);

  private final Producer<String, byte[]> producer;
  private final Serdes serdes;
  private final ServiceInstance.Builder instance;
  private final RequestStats stats;
  private final AtomicLong dropped = new AtomicLong();

  Reporter(Map<String, Object> producerConfig, Serdes serdes, ServiceInstance.Builder instance, RequestStats stats) {
    this.producer = new KafkaProducer<>(producerConfig, new org.apache.kafka.common.serialization.StringSerializer(),
        new org.apache.kafka.common.serialization.ByteArraySerializer());
    this.serdes = serdes;
    this.instance = instance;
    this.stats = stats;
  }

  long dropped() {
    return dropped.get();
  }

  void heartbeat(Instant now) {
    ServiceInstance record = instance.setSentAt(now).build();
    send(Topics.INSTANCES, record.getInstanceId(), serdes.serviceInstance().toBytes(record));
  }

  void applied(Change change, long applyMicros, Long propagationMs, Instant now) {
    send(appliedReport(change, now).setApplyMicros(applyMicros).setPropagationMs(propagationMs).build());
  }

  /**
   * The instance could not apply the change (a listener of it threw): the version is reported again
   * with what was thrown, so the deployment rolling it out judges this instance's check failed.
   */
  void applyFailed(Change change, Throwable error, Instant now) {
    String message = error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    send(appliedReport(change, now).setApplyError(message.length() > 500 ? message.substring(0, 500) : message).build());
  }

  /** An APPLIED report of the change: its key, the version and arm the instance now holds. */
  private HealthReport.Builder appliedReport(Change change, Instant now) {
    ConfigValue v = change.newValue();
    return base(now, HealthReportKind.APPLIED).setTenantId(change.tenantId()).setKey(reportedKey(change.key(), change.kind()))
        .setVersion(v == null ? null : v.version()).setArm(v == null ? null : v.arm());
  }

  private void send(HealthReport report) {
    send(Topics.HEALTH, report.getInstanceId(), serdes.healthReport().toBytes(report));
  }

  /**
   * Everything the instance holds after its first catch-up (tenant|key, {@code profile:<service>}
   * for profiles, → version, and the arm where it is not stable), so the registry knows what it
   * runs without waiting for a change. One
   * record: at roughly 40 bytes a value it fits the health topic up to ~25,000 values; beyond that
   * the producer refuses it and it counts as dropped.
   */
  void loaded(Map<String, Long> versions, Map<String, String> arms, Instant now) {
    HealthReport report = base(now, HealthReportKind.LOADED).setLoaded(versions).setLoadedArms(arms).build();
    send(report);
  }

  /** How reports name a value: its key, or {@code profile:<service>}. */
  static String reportedKey(String key, ConfigValue.Kind kind) {
    return kind == ConfigValue.Kind.PROFILE ? "profile:" + key : key;
  }

  void health(Instant now) {
    RequestStats.Sample sample = stats.drain();
    List<Double> bounds = new ArrayList<>();
    for (double b : RequestStats.BOUNDS_MS) {
      bounds.add(b);
    }
    List<Long> counts = new ArrayList<>();
    for (long c : sample.counts()) {
      counts.add(c);
    }
    Double p99 = sample.p99Ms();
    if (p99 != null && p99.isInfinite()) {
      p99 = openBucketFloor();
    }
    HealthReport report = base(now, HealthReportKind.HEALTH).setRequests(sample.requests()).setErrors(sample.errors())
        .setLatencyBoundsMs(bounds).setLatencyCounts(counts).setP99Ms(p99)
        .build();
    send(report);
  }

  /** The open bucket's lower bound: a p99 beyond the histogram is reported as at least this. */
  private static double openBucketFloor() {
    return RequestStats.BOUNDS_MS[RequestStats.BOUNDS_MS.length - 1];
  }

  private HealthReport.Builder base(Instant now, HealthReportKind kind) {
    return HealthReport.newBuilder().setInstanceId(instance.getInstanceId()).setService(instance.getService())
        .setReportedAt(now).setKind(kind);
  }

  void deregister(Duration timeout) {
    try {
      producer.send(new ProducerRecord<>(Topics.INSTANCES, instance.getInstanceId(), null)).get(timeout.toMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("HotSwap client: could not deregister instance {}: {}", instance.getInstanceId(), e.toString());
    }
  }

  private void send(String topic, String key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value), (md, e) -> {
        if (e != null) {
          dropped.incrementAndGet();
        }
      });
    } catch (RuntimeException e) {
      dropped.incrementAndGet();
      LOG.debug("HotSwap client: report to {} dropped: {}", topic, e.toString());
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
