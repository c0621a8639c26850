package io.hotswap.autoconfigure;

import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.core.kafka.StreamsHealth;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.annotation.KafkaStreamsDefaultConfiguration;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

/**
 * A service with a Kafka Streams application ({@code hotswap.streams.application-id} set): the
 * exactly-once settings every stage shares ({@link StreamsDefaults}), a stream thread that dies is
 * replaced rather than the application stopped, the group is left on shutdown so a restarted
 * instance gets its partitions back at once, and health component {@code kafkaStreams} is UP only
 * while the stream is RUNNING (part of readiness). The service adds its topology to the
 * {@code StreamsBuilder}; a service whose stream needs other settings declares its own
 * {@code defaultKafkaStreamsConfig}.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnProperty({"hotswap.service-name", "hotswap.streams.application-id"})
@EnableKafkaStreams
public class HotSwapStreamsAutoConfiguration {

  @Bean(name = KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_CONFIG_BEAN_NAME)
  @ConditionalOnMissingBean(name = KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_CONFIG_BEAN_NAME)
  KafkaStreamsConfiguration defaultKafkaStreamsConfig(KafkaProperties kafka, HotSwapProperties properties,
                                                      org.springframework.beans.factory.ObjectProvider<io.opentelemetry.api.OpenTelemetry> openTelemetry) {
    java.util.Map<String, Object> props = StreamsDefaults.apply(kafka.buildStreamsProperties(), properties.getStreams().getApplicationId());
    // the stages' processors continue the requests' traces with the service's OpenTelemetry (KafkaTracing)
    openTelemetry.ifAvailable(otel -> props.put(io.hotswap.protocol.KafkaTracing.OPEN_TELEMETRY_CONFIG, otel));
    return new KafkaStreamsConfiguration(props);
  }

  @Bean
  StreamsBuilderFactoryBeanConfigurer hotswapStreamsLifecycle(HotSwapProperties properties) {
    return factory -> {
      factory.setStreamsUncaughtExceptionHandler(StreamsDefaults.replaceThreadHandler(properties.getServiceName()));
      factory.setLeaveGroupOnClose(true);
    };
  }

  /** Ready only while the stream is RUNNING; part of the readiness group. */
  @Bean
  HealthIndicator kafkaStreams(StreamsBuilderFactoryBean factory) {
    return () -> {
      var streams = factory.getKafkaStreams();
      Health.Builder health = switch (StreamsHealth.of(streams)) {
        case UP -> Health.up();
        case STARTING -> Health.outOfService();
        case DOWN -> Health.down();
      };
      return health.withDetail("state", StreamsHealth.state(streams)).build();
    };
  }
}
