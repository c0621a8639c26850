package io.hotswap.client.internal;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The Kafka settings of a client's consumer (the live topic) and producer (reports), over the user's own. */
final class KafkaSettings {

  private KafkaSettings() {}

  static Map<String, Object> consumer(Settings s) {
    Map<String, Object> props = new HashMap<>(s.kafka());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "hotswap-client-" + s.instance().instanceId());
    // a fetch returns as soon as a committed record arrives; the wait only sets how often an idle
    // client asks (Kafka's default): no latency cost, a tenth of the requests of 50 ms per instance
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
    props.putIfAbsent(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG); // no group: every instance reads its tenants' partitions itself
    return props;
  }

  static Map<String, Object> producer(Settings s) {
    Map<String, Object> props = new HashMap<>(s.kafka());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "hotswap-client-reporter-" + s.instance().instanceId());
    props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
    props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000);
    props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.remove(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
    return props;
  }
}
