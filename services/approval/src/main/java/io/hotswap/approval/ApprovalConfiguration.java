package io.hotswap.approval;

import io.hotswap.protocol.Serdes;
import java.time.Duration;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Approval's own wiring: its topology and notifications. Everything every service shares comes from hotswap-service-autoconfigure. */
@Configuration(proxyBeanMethods = false)
class ApprovalConfiguration {

  @Bean
  Object approvalTopology(StreamsBuilder builder, Serdes serdes,
                          @Value("${hotswap.approval.check-period:PT10S}") java.time.Duration checkPeriod,
                          io.hotswap.autoconfigure.HotSwapProperties hotswap) {
    ApprovalTopology.build(builder, serdes, checkPeriod, hotswap.getIdempotency().getWindow());
    return ApprovalTopology.class;
  }

  /**
   * Webhook notifications of held changes and rolled-back deployments, when {@code hotswap.notifications.webhook-url} is set
   * ({@code hotswap.notifications.webhook-secret} signs them).
   */
  @Bean
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty("hotswap.notifications.webhook-url")
  WebhookNotifier webhookNotifier(KafkaProperties kafka, Serdes serdes,
                                    @Value("${hotswap.notifications.webhook-url}") java.net.URI webhook,
                                    @Value("${hotswap.notifications.webhook-secret:}") String secret,
                                    @Value("${hotswap.notifications.retry-backoff:PT1S}") Duration retryBackoff,
                                    @Value("${hotswap.notifications.start-from:latest}") String startFrom) {
    if (!startFrom.equals("latest") && !startFrom.equals("earliest")) {
      throw new IllegalArgumentException("hotswap.notifications.start-from must be latest or earliest (got '" + startFrom + "')");
    }
    return new WebhookNotifier(kafka.buildConsumerProperties(), serdes, webhook, secret, retryBackoff, startFrom);
  }
}
