package io.hotswap.audit;

import io.hotswap.avro.AuditEvent;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reads committed audit events in batches and stores them; an event that can't be decoded goes
 * to {@link Topics#DLQ} with the reason in headers and the batch goes on. Offsets are committed
 * after the database transaction, and the insert skips known ids, so a crash between the two
 * duplicates nothing.
 */
@Component
class AuditSink {

  static final String REASON_HEADER = "hotswap.dlq.reason";
  private static final Logger LOG = LoggerFactory.getLogger(AuditSink.class);

  private final AuditRepository repository;
  private final Serdes serdes;
  private final KafkaTemplate<byte[], byte[]> dlq;
  private final Counter stored;
  private final Counter deadLettered;
  private final PlatformActivity activity;
  /** Events per database transaction: how well the sink's fetches batch under load. */
  private final io.micrometer.core.instrument.DistributionSummary batches;
  /** One database transaction per batch, begun inside {@link #onBatch} so that a database that is away is seen failing there. */
  private final TransactionTemplate transaction;
  /** When storing started failing (null while it works), and why: the sink's health shows both. */
  private volatile Instant failingSince;
  private volatile String lastError;
  private volatile Instant lastStoredAt;

  AuditSink(AuditRepository repository, Serdes serdes, KafkaTemplate<byte[], byte[]> dlq, MeterRegistry meters,
            PlatformTransactionManager transactions) {
    this.repository = repository;
    this.transaction = new TransactionTemplate(transactions);
    this.serdes = serdes;
    this.dlq = dlq;
    this.stored = meters.counter("hotswap.audit.events.stored");
    this.deadLettered = meters.counter("hotswap.audit.events.dead.lettered");
    this.batches = io.micrometer.core.instrument.DistributionSummary.builder("hotswap.audit.batch.size")
        .description("Events stored per database transaction of the audit sink").baseUnit("events").register(meters);
    this.activity = new PlatformActivity(meters);
  }

  @KafkaListener(id = "hotswap-audit-sink", topics = Topics.AUDIT, batch = "true",
      groupId = "${hotswap.audit.group-id:hotswap-audit-sink}")
  public void onBatch(List<ConsumerRecord<byte[], byte[]>> records) throws ExecutionException, InterruptedException {
    List<AuditRepository.Stored> events = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.value() == null) {
        continue;
      }
      try {
        AuditEvent event = serdes.auditEvent().fromBytes(r.value());
        events.add(new AuditRepository.Stored(event, r.partition(), r.offset()));
      } catch (RuntimeException e) {
        LOG.warn("Audit record {}-{}@{} cannot be decoded; sent to {}: {}", r.topic(), r.partition(), r.offset(), Topics.DLQ, e.getMessage());
        ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(Topics.DLQ, r.key(), r.value());
        dead.headers().add(REASON_HEADER, String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        dead.headers().add("hotswap.dlq.source", (r.topic() + "-" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
        dlq.send(dead).get();
        deadLettered.increment();
      }
    }
    try {
      List<AuditEvent> inserted = transaction.execute(tx -> repository.insert(events));
      stored.increment(inserted == null ? 0 : inserted.size());
      batches.record(events.size());
      // counted once stored: the trail is where every change is committed exactly once
      if (inserted != null) {
        inserted.forEach(activity::count);
      }
    } catch (RuntimeException e) {
      // the batch is retried with back-off until the database takes it (AuditConfiguration): nothing is skipped
      if (failingSince == null) {
        failingSince = Instant.now();
        LOG.warn("Cannot store audit events (retrying until the database is back): {}", e.getMessage());
      }
      lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
      throw e;
    }
    if (failingSince != null) {
      LOG.info("Audit events are stored again after {} s of failures", Duration.between(failingSince, Instant.now()).toSeconds());
    }
    failingSince = null;
    lastError = null;
    lastStoredAt = Instant.now();
  }

  /** When storing started failing, or null while it works. */
  Instant failingSince() {
    return failingSince;
  }

  String lastError() {
    return lastError;
  }

  Instant lastStoredAt() {
    return lastStoredAt;
  }
}
