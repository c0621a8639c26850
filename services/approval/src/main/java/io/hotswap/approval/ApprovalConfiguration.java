package io.hotswap.approval;

import io.hotswap.core.avro.Serdes;
import io.hotswap.core.kafka.SchemaRegistrar;
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.core.kafka.StreamsHealth;
import io.hotswap.core.kafka.Topics;
import java.time.Duration;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.annotation.KafkaStreamsDefaultConfiguration;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.kafka.core.KafkaAdmin;

@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
class ApprovalConfiguration {

  @Bean
  Topics topics(@Value("${hotswap.kafka.partitions:3}") int partitions,
                @Value("${hotswap.kafka.replication-factor:1}") short replication) {
    return new Topics(partitions, replication);
  }

  /** Serdes whose schema store also knows every schema version published by other services. */
  @Bean
  Serdes serdes(KafkaProperties kafka) {
    Serdes serdes = Serdes.create();
    new SchemaRegistrar(kafka.buildAdminProperties(), serdes, "approval").register(Duration.ofSeconds(60));
    return serdes;
  }

  @Bean
  KafkaAdmin.NewTopics hotswapTopics(Topics topics) {
    return new KafkaAdmin.NewTopics(topics.newTopics().toArray(NewTopic[]::new));
  }

  @Bean(name = KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_CONFIG_BEAN_NAME)
  KafkaStreamsConfiguration kafkaStreamsConfig(KafkaProperties kafka,
                                               @Value("${hotswap.approval.application-id:hotswap-approval}") String applicationId) {
    return new KafkaStreamsConfiguration(StreamsDefaults.apply(kafka.buildStreamsProperties(), applicationId));
  }

  @Bean
  StreamsBuilderFactoryBeanConfigurer uncaughtExceptionHandler() {
    return factory -> {
      factory.setStreamsUncaughtExceptionHandler(StreamsDefaults.replaceThreadHandler("approval"));
      // leave the group on shutdown so a restarted instance gets its partitions back at once,
      // not after the session timeout
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

  @Bean
  Object approvalTopology(StreamsBuilder builder, Serdes serdes,
                          @Value("${hotswap.approval.check-period:PT10S}") java.time.Duration checkPeriod,
                          @Value("${hotswap.idempotency.window:PT24H}") java.time.Duration window) {
    ApprovalTopology.build(builder, serdes, checkPeriod, window);
    return ApprovalTopology.class;
  }

  /**
   * Webhook notifications of held changes, when {@code hotswap.notifications.webhook-url} is set
   * ({@code hotswap.notifications.webhook-secret} signs them).
   */
  @Bean
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty("hotswap.notifications.webhook-url")
  ApprovalNotifier approvalNotifier(KafkaProperties kafka, Serdes serdes,
                                    @Value("${hotswap.notifications.webhook-url}") java.net.URI webhook,
                                    @Value("${hotswap.notifications.webhook-secret:}") String secret,
                                    @Value("${hotswap.notifications.retry-backoff:PT1S}") Duration retryBackoff,
                                    @Value("${hotswap.notifications.start-from:latest}") String startFrom) {
    if (!startFrom.equals("latest") && !startFrom.equals("earliest")) {
      throw new IllegalArgumentException("hotswap.notifications.start-from must be latest or earliest (got '" + startFrom + "')");
    }
    return new ApprovalNotifier(kafka.buildConsumerProperties(), serdes, webhook, secret, retryBackoff, startFrom);
  }
}
