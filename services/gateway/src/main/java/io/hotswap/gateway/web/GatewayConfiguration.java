package io.hotswap.gateway.web;

import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.gateway.pipeline.CommandGateway;
import io.hotswap.gateway.pipeline.PipelineReadiness;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.reads.StoreUpdates;
import io.hotswap.protocol.Serdes;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.kafka.annotation.KafkaStreamsDefaultConfiguration;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.web.client.RestClient;

@Configuration(proxyBeanMethods = false)
@org.springframework.boot.context.properties.EnableConfigurationProperties(io.hotswap.gateway.ratelimit.RateLimitProperties.class)
public class GatewayConfiguration {

  @Bean
  HostInfo selfHost(@Value("${hotswap.gateway.advertised-host:localhost}") String host, @Value("${server.port:8080}") int port) {
    return new HostInfo(host, port);
  }

  /** The gateway's stream only reads (no exactly-once transactions) and tells peers where it serves interactive queries. */
  @Bean(name = KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_CONFIG_BEAN_NAME)
  KafkaStreamsConfiguration kafkaStreamsConfig(KafkaProperties kafka, HostInfo self, io.hotswap.autoconfigure.HotSwapProperties hotswap) {
    Map<String, Object> props = StreamsDefaults.applyReadSide(kafka.buildStreamsProperties(), hotswap.getStreams().getApplicationId());
    props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
    return new KafkaStreamsConfiguration(props);
  }

  /** Ready once a probe command has made the whole trip on every partition; component {@code pipeline} of the readiness group. */
  @Bean
  PipelineReadiness pipeline(CommandGateway commands) {
    return new PipelineReadiness(commands);
  }

  @Bean
  StoreUpdates storeUpdates() {
    return new StoreUpdates();
  }

  @Bean
  io.hotswap.gateway.reads.OpenViews openViews() {
    return new io.hotswap.gateway.reads.OpenViews();
  }

  @Bean
  Object readTopology(StreamsBuilder builder, Serdes serdes, StoreUpdates updates, io.hotswap.gateway.reads.OpenViews views) {
    ReadTopology.build(builder, serdes, updates, views);
    return ReadTopology.class;
  }

  @Bean
  CommandGateway commandGateway(KafkaProperties kafka, Serdes serdes,
                                @Value("${hotswap.gateway.command-timeout:PT10S}") Duration timeout,
                                io.micrometer.core.instrument.MeterRegistry meters,
                                org.springframework.beans.factory.ObjectProvider<io.opentelemetry.api.OpenTelemetry> openTelemetry) {
    return new CommandGateway(kafka.buildAdminProperties(), serdes, timeout, meters,
        io.hotswap.protocol.KafkaTracing.of(openTelemetry.getIfAvailable()));
  }

  @Bean
  RestClient internalHttp(@Value("${hotswap.gateway.forward-timeout:PT5S}") Duration timeout) {
    return http(timeout, timeout);
  }

  /** A client for the platform's own HTTP calls: connect within {@code connect}, the answer's start within {@code read}. */
  public static RestClient http(Duration connect, Duration read) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(connect).build();
    JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(client);
    factory.setReadTimeout(read);
    return RestClient.builder().requestFactory(factory).build();
  }

  @Bean
  Writes writes(CommandGateway commands, StoreRouter router, Duration readYourWritesWait) {
    return new Writes(commands, router, readYourWritesWait);
  }

  @Bean
  StoreRouter storeRouter(StreamsBuilderFactoryBean streams, HostInfo self, RestClient internalHttp, StoreUpdates updates,
                          io.hotswap.gateway.security.PeerSignature peers, io.hotswap.gateway.reads.OpenViews views,
                          @Value("${hotswap.gateway.query-retry-timeout:PT5S}") Duration retryFor,
                          @Value("${server.ssl.enabled:false}") boolean tls) {
    return new StoreRouter(streams, self, internalHttp, retryFor, tls ? "https" : "http", updates, peers, views);
  }

  /** How gateway instances sign their calls to each other: with a key derived from the master key they share. */
  @Bean
  io.hotswap.gateway.security.PeerSignature peerSignature(@Value("${hotswap.security.master-key:}") String masterKey,
                                                          @Value("${hotswap.security.master-key-file:}") String masterKeyFile) {
    return new io.hotswap.gateway.security.PeerSignature(io.hotswap.gateway.config.SecretVault.masterKey(masterKey, masterKeyFile));
  }

  @Bean
  io.hotswap.gateway.schema.SchemaCatalog schemaCatalog(StoreRouter router) {
    return new io.hotswap.gateway.schema.SchemaCatalog(router);
  }

  /**
   * An example for every request body of the API, from {@code openapi-examples.json} (keyed
   * {@code "METHOD /path"}), shown in Swagger UI and {@code /v3/api-docs}.
   */
  @Bean
  org.springdoc.core.customizers.OpenApiCustomizer requestBodyExamples() throws java.io.IOException {
    java.util.Map<String, Object> examples;
    try (var in = GatewayConfiguration.class.getResourceAsStream("/openapi-examples.json")) {
      examples = io.hotswap.core.json.Json.MAPPER.readValue(in, new tools.jackson.core.type.TypeReference<java.util.Map<String, Object>>() {});
    }
    return openApi -> openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
      Object example = examples.get(method.name() + " " + path);
      if (example != null && operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
        operation.getRequestBody().getContent().values().forEach(media -> media.setExample(example));
      }
    }));
  }

  /** How long a write waits for its own result to become readable before answering. */
  @Bean
  Duration readYourWritesWait(@Value("${hotswap.gateway.read-your-writes-wait:PT5S}") Duration wait) {
    return wait;
  }
}
