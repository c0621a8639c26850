package io.hotswap.gateway.watch;

import io.hotswap.protocol.Serdes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class WatchConfiguration {

  /** Closed with the gateway: every watcher's stream ends, the live topics' consumer stops. */
  @Bean(destroyMethod = "close")
  LiveWatch liveWatch(KafkaProperties kafka, Serdes serdes, @Value("${hotswap.gateway.watch.max-watchers:500}") int maxWatchers,
                      MeterRegistry meters) {
    LiveWatch watch = new LiveWatch(kafka.buildAdminProperties(), serdes, maxWatchers);
    Gauge.builder("watchers.connected", watch, LiveWatch::watchers).description("clients following GET /api/v1/watch on this gateway")
        .register(meters);
    return watch;
  }
}
