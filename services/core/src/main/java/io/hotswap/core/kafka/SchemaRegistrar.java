package io.hotswap.core.kafka;

import io.hotswap.avro.AvroSchemaRecord;
import io.hotswap.protocol.AvroSchemas;
import io.hotswap.protocol.HotSwapSchemaStore;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the schemas this jar ships to {@code hotswap.avro-schemas.v1} (keyed by fingerprint)
 * and loads every schema other versions published into the {@link HotSwapSchemaStore}. Run once
 * at start-up, before any stream or consumer starts, so a reader knows a writer one version
 * newer during a rolling upgrade.
 */
public final class SchemaRegistrar {

  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistrar.class);

  private final Map<String, Object> clientProps;
  private final Serdes serdes;
  private final String service;

  public SchemaRegistrar(Map<String, Object> clientProps, Serdes serdes, String service) {
    this.clientProps = Map.copyOf(clientProps);
    this.serdes = serdes;
    this.service = service;
  }

  /** Publishes the shipped schemas and loads all published ones; returns how many are known. */
  public int register(Duration timeout) {
    ensureTopic(timeout);
    publish(timeout);
    return load(timeout);
  }

  /** Creates the compacted single-partition schema topic unless it exists. */
  void ensureTopic(Duration timeout) {
    try (Admin admin = Admin.create(clientProps)) {
      NewTopic topic = new NewTopic(Topics.AVRO_SCHEMAS, 1, (short) -1).configs(Map.of("cleanup.policy", "compact"));
      admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("Cannot create " + Topics.AVRO_SCHEMAS + ": " + e.getCause().getMessage(), e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within " + timeout + " while creating " + Topics.AVRO_SCHEMAS, e);
    }
  }

  void publish(Duration timeout) {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, service + "-schema-registrar");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      for (var schema : AvroSchemas.SHIPPED) {
        long fp = HotSwapSchemaStore.fingerprint(schema);
        AvroSchemaRecord record =
            AvroSchemaRecord.newBuilder()
                .setFingerprint(fp)
                .setFullName(schema.getFullName())
                .setSchemaJson(schema.toString())
                .setPublishedBy(service)
                .setPublishedAt(Instant.now())
                .build();
        producer.send(new ProducerRecord<>(Topics.AVRO_SCHEMAS, Long.toHexString(fp), serdes.schemaRecord().toBytes(record)));
      }
      producer.flush();
    }
  }

  int load(Duration timeout) {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, service + "-schema-loader");
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.AVRO_SCHEMAS, timeout).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      while (!caughtUp(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Timed out reading " + Topics.AVRO_SCHEMAS);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            continue;
          }
          try {
            serdes.schemaStore().add(serdes.schemaRecord().fromBytes(r.value()).getSchemaJson());
          } catch (RuntimeException e) {
            LOG.warn("Skipping unreadable schema record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
          }
        }
      }
    }
    int known = serdes.schemaStore().schemas().size();
    LOG.info("{}: {} Avro schema versions known", service, known);
    return known;
  }

  private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }
}
