package io.hotswap.audit;

import io.hotswap.avro.AuditEvent;
import io.hotswap.core.avro.Serdes;
import io.hotswap.core.kafka.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
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
import org.springframework.transaction.annotation.Transactional;

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

  AuditSink(AuditRepository repository, Serdes serdes, KafkaTemplate<byte[], byte[]> dlq, MeterRegistry meters) {
    this.repository = repository;
    this.serdes = serdes;
    this.dlq = dlq;
    this.stored = meters.counter("hotswap.audit.events.stored");
    this.deadLettered = meters.counter("hotswap.audit.events.dead.lettered");
  }

  @KafkaListener(id = "hotswap-audit-sink", topics = Topics.AUDIT, batch = "true",
      groupId = "${hotswap.audit.group-id:hotswap-audit-sink}")
  @Transactional
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
    stored.increment(repository.insert(events));
  }
}
