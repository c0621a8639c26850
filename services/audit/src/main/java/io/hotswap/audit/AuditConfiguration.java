package io.hotswap.audit;

import io.hotswap.protocol.Topics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

  /** The audit trail's hash chain, keyed by the platform's master key (which PostgreSQL never holds). */
  @Bean
  AuditChain auditChain(io.hotswap.autoconfigure.HotSwapProperties hotswap) {
    return new AuditChain(io.hotswap.core.security.MasterKeys.load(hotswap.getSecurity().getMasterKey(), hotswap.getSecurity().getMasterKeyFile()));
  }

  /** The least the sink's fetch waits for under load, and the longest it waits when quiet. */
  static final int FETCH_MIN_BYTES = 64 * 1024;
  static final int FETCH_MAX_WAIT_MS = 100;

  @Bean
  KafkaTemplate<byte[], byte[]> dlqTemplate(KafkaProperties kafka) {
    Map<String, Object> props = new HashMap<>(kafka.buildProducerProperties());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    return new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(props));
  }

  /**
   * Batch listener on committed records only (the audit topic is written transactionally);
   * offsets are committed after each batch's database transaction; a failing database is retried
   * with back-off, never skipped.
   */
  @Bean
  ConcurrentKafkaListenerContainerFactory<byte[], byte[]> kafkaListenerContainerFactory(KafkaProperties kafka) {
    Map<String, Object> props = new HashMap<>(kafka.buildConsumerProperties());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES);
    // Under load the broker answers a fetch once 64 KiB of events (~150) are there, so each
    // database transaction stores many events; when the platform is quiet an event waits at most
    // 100 ms for its batch. With Kafka's defaults every fetch returned what one pipeline commit
    // (every 20 ms) had made visible: at 1,000 writes/s ~50 small transactions a second, each with
    // its chain-head lock, look-ups and updates, and PostgreSQL took a tenth of the machine
    // (load-tests/RESULTS.md). spring.kafka.consumer.fetch-min-size / fetch-max-wait override these.
    props.putIfAbsent(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES);
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
    ConcurrentKafkaListenerContainerFactory<byte[], byte[]> factory = new ConcurrentKafkaListenerContainerFactory<>();
    factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(props));
    factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
    ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
    backOff.setMaxInterval(10_000);
    factory.setCommonErrorHandler(new DefaultErrorHandler(backOff));
    return factory;
  }
}
