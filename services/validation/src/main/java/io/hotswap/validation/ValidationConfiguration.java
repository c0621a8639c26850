package io.hotswap.validation;

import io.hotswap.protocol.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Validation's own wiring: its topology. Everything every service shares comes from hotswap-service-autoconfigure. */
@Configuration(proxyBeanMethods = false)
class ValidationConfiguration {

  @Bean
  Object validationTopology(StreamsBuilder builder, Serdes serdes, io.hotswap.autoconfigure.HotSwapProperties hotswap) {
    ValidationTopology.build(builder, serdes, hotswap.getIdempotency().getWindow());
    return ValidationTopology.class;
  }
}
