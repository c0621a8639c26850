package io.hotswap.gateway.reads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.hotswap.core.kafka.TenantPartitioner;
import io.hotswap.gateway.security.PeerSignature;
import io.hotswap.protocol.Envelope;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.test.condition.EmbeddedKafkaCondition;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.client.RestClient;

/**
 * Routing a tenant's read to the gateway instance that owns its partition, with real Kafka
 * Streams metadata: one streams instance owns every partition and advertises {@code owner}; a
 * router that is that instance answers locally, a router that is another instance forwards to
 * the owner (a plain HTTP server standing in for it) as a signed peer, and gives up with a clear
 * 503 when no one can answer.
 */
@Tag("integration")
@EmbeddedKafka(partitions = 3, topics = "router-test-source")
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class StoreRouterIT {

  private static final PeerSignature PEERS = new PeerSignature(Envelope.newDataKey());
  private static StreamsBuilderFactoryBean streams;
  private static HttpServer owner;
  private static HostInfo ownerHost;
  private static final Map<String, String> FORWARDED = new ConcurrentHashMap<>();
  private static final AtomicInteger OWNER_CALLS = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    owner = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
    owner.createContext("/", exchange -> {
      OWNER_CALLS.incrementAndGet();
      exchange.getRequestHeaders().forEach((k, v) -> FORWARDED.put(k.toLowerCase(java.util.Locale.ROOT), v.getFirst()));
      FORWARDED.put(":path", exchange.getRequestURI().toString());
      FORWARDED.put(":method", exchange.getRequestMethod());
      byte[] body = "{\"from\":\"owner\"}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.getResponseHeaders().set("ETag", "\"7\"");
      exchange.getResponseHeaders().set(StoreRouter.SERVED_BY_HEADER, "owner");
      exchange.sendResponseHeaders(exchange.getRequestURI().getPath().endsWith("/missing") ? 404 : 200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    owner.start();
    ownerHost = new HostInfo("localhost", owner.getAddress().getPort());

    Map<String, Object> props = Map.of(
        StreamsConfig.APPLICATION_ID_CONFIG, "router-test",
        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafkaCondition.getBroker().getBrokersAsString(),
        StreamsConfig.APPLICATION_SERVER_CONFIG, ownerHost.host() + ":" + ownerHost.port(),
        StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("router-test").toString());
    streams = new StreamsBuilderFactoryBean(new KafkaStreamsConfiguration(props));
    streams.afterPropertiesSet();
    streams.getObject().table("router-test-source", Consumed.with(Serdes.String(), Serdes.String()),
        Materialized.as(ReadTopology.CONFIG_STORE));
    streams.afterSingletonsInstantiated(); // builds the topology, as the application context does
    streams.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> streams.getKafkaStreams().state() == KafkaStreams.State.RUNNING);
  }

  @AfterAll
  static void stop() {
    streams.stop();
    owner.stop(0);
  }

  private static StoreRouter routerAt(HostInfo self) {
    return new StoreRouter(streams, self, RestClient.create(), Duration.ofMillis(500), "http", new StoreUpdates(), PEERS, new OpenViews());
  }

  private static MockHttpServletRequest read(String uri, String query) {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", uri);
    request.setQueryString(query);
    request.addHeader("Authorization", "Bearer caller-token");
    request.setRemoteAddr("203.0.113.9");
    return request;
  }

  @Test
  void shouldAnswerLocallyOnTheOwnerFromTheTenantsPartition() {
    StoreRouter router = routerAt(ownerHost);
    for (String tenant : java.util.List.of("acme", "globex", "initech", "umbrella")) {
      ResponseEntity<?> answer = router.route(tenant, read("/api/v1/configs/tenant/" + tenant, null),
          partition -> ResponseEntity.ok(Map.of("partition", partition)));
      assertThat(answer.getBody()).isEqualTo(Map.of("partition", TenantPartitioner.partition(tenant, 3)));
      assertThat(answer.getHeaders().getFirst(StoreRouter.SERVED_BY_HEADER)).isEqualTo("localhost:" + ownerHost.port());
      assertThat(router.ownerOf(tenant)).isEqualTo(ownerHost);
    }
  }

  @Test
  void shouldForwardTheCallersRequestToTheOwnerAsASignedPeerAndRelayItsAnswer() {
    StoreRouter router = routerAt(new HostInfo("localhost", 1));
    int before = OWNER_CALLS.get();
    ResponseEntity<?> answer = router.route("acme", read("/api/v1/configs/acme:development:x", "minVersion=3"),
        partition -> {
          throw new AssertionError("not the owner: must not read locally");
        });
    assertThat(OWNER_CALLS.get()).isEqualTo(before + 1);
    assertThat(answer.getStatusCode().value()).isEqualTo(200);
    assertThat(new String((byte[]) answer.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"from\":\"owner\"}");
    assertThat(answer.getHeaders().getETag()).isEqualTo("\"7\"");
    assertThat(answer.getHeaders().getFirst(StoreRouter.SERVED_BY_HEADER)).isEqualTo("owner");
    assertThat(FORWARDED).containsEntry(":method", "GET").containsEntry(":path", "/api/v1/configs/acme:development:x?minVersion=3")
        .containsEntry("authorization", "Bearer caller-token").containsEntry("x-forwarded-for", "203.0.113.9")
        .containsEntry(StoreRouter.FORWARDED_HEADER.toLowerCase(java.util.Locale.ROOT), "localhost:1");
    assertThat(PEERS.verify(FORWARDED.get(PeerSignature.HEADER.toLowerCase(java.util.Locale.ROOT)), "GET",
        "/api/v1/configs/acme:development:x?minVersion=3", java.time.Instant.now().getEpochSecond()))
        .as("signed for exactly that method and path").isTrue();

    ResponseEntity<?> missing = router.route("acme", read("/api/v1/configs/missing", null), p -> ResponseEntity.ok().build());
    assertThat(missing.getStatusCode().value()).as("the owner's 404 is the answer, not retried").isEqualTo(404);
  }

  @Test
  void shouldNeverForwardARequestTwiceAndGiveUpWith503WhenNoOneAnswers() {
    // a request a peer already forwarded here, though this instance is not the owner: no loops
    MockHttpServletRequest forwarded = read("/api/v1/configs/acme:development:x", null);
    forwarded.addHeader(StoreRouter.FORWARDED_HEADER, "localhost:2");
    int before = OWNER_CALLS.get();
    assertThatThrownBy(() -> routerAt(new HostInfo("localhost", 1)).route("acme", forwarded, p -> ResponseEntity.ok().build()))
        .isInstanceOf(StoreRouter.StoreUnavailable.class).hasMessageContaining("forwarded here but owned by");
    assertThat(OWNER_CALLS.get()).isEqualTo(before);
  }

  @Test
  @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // stops the owner: last
  void shouldAskAnUnreachableOwnerAgainUntilTheDeadlineThenAnswer503() {
    owner.stop(0);
    long start = System.nanoTime();
    assertThatThrownBy(() -> routerAt(new HostInfo("localhost", 1)).route("acme", read("/api/v1/configs/acme:development:x", null),
        p -> ResponseEntity.ok().build()))
        .isInstanceOfSatisfying(StoreRouter.StoreUnavailable.class, e -> assertThat(e.getMessage())
            .contains("tenant 'acme' is not available right now", "did not answer"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("retried, not given up at the first refusal")
        .isGreaterThanOrEqualTo(Duration.ofMillis(500));
  }
}
