package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.ValueType;
import io.hotswap.core.json.Json;
import io.hotswap.gateway.GatewayApplication;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import tools.jackson.databind.JsonNode;

/** The gateway as clients and peers reach it: peer-only internal calls, trusted proxies, TLS, OpenAPI. */
// its metrics test counts the services' rejections and outcomes before and after a scripted session,
// exactly: no other class may write meanwhile
@org.junit.jupiter.api.parallel.Isolated
class GatewaySurfaceIT extends PlatformTest {

  /** The sum of a Prometheus sample's values over the series whose labels contain {@code labels}. */
  private static double sample(String exposition, String name, String labels) {
    return exposition.lines().filter(l -> l.startsWith(name + "{") && l.contains(labels))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /**
   * The seeds' metrics, as Prometheus scrapes them (with a token: without one, 401): changes
   * counted from the audit trail as it is stored — each once — and the platform's state from the
   * gateway's stores.
   */
  @Test
  void shouldCountChangesFromTheTrailAndShowThePlatformsStateToAScraperWithAToken() throws Exception {
    int auditPort = Integer.parseInt(platform.context("audit").getEnvironment().getProperty("local.server.port"));
    Api audit = new Api(auditPort, io.hotswap.core.testing.Tokens.token("prometheus", List.of("Viewer"), List.of()));
    assertThat(audit.as(null).get("/actuator/prometheus").status()).as("metrics need a token").isEqualTo(401);
    String before = audit.get("/actuator/prometheus").text();
    createTenant("it-metrics");
    assertThat(api.post("/api/v1/configs", config("it-metrics", "m.one", 1, "Number")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", config("it-metrics", "m.two", 2, "Number")).status()).isEqualTo(201);
    assertThat(api.put("/api/v1/configs/it-metrics:development:m.one", Map.of("value", 3), Map.of()).status()).isEqualTo(200);
    assertThat(api.delete("/api/v1/configs/it-metrics:development:m.two").status()).isEqualTo(204);
    Api.Response canary = api.post("/api/v1/deployments", Map.of("configId", "it-metrics:development:m.one", "value", 4, "strategy", "canary",
        "bakeTime", "PT1H", "instanceHealth", false));
    assertThat(canary.status()).as(canary.text()).isEqualTo(201);
    assertThat(api.post("/api/v1/deployments/" + canary.json().get("deploymentId").asString() + "/rollback", Map.of("reason", "metrics test"))
        .status()).isEqualTo(200);
    assertThat(api.post("/api/v1/deployments", Map.of("configId", "it-metrics:development:m.one", "value", 5)).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs/it-metrics:development:m.one/promote", Map.of()).status()).isEqualTo(201);
    String dev = "environment=\"development\"";
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String after = audit.get("/actuator/prometheus").text();
      assertThat(sample(after, "configs_creations_total", dev) - sample(before, "configs_creations_total", dev)).isGreaterThanOrEqualTo(2);
      assertThat(sample(after, "configs_updated_total", dev) - sample(before, "configs_updated_total", dev)).isGreaterThanOrEqualTo(1);
      assertThat(sample(after, "configs_deleted_total", dev) - sample(before, "configs_deleted_total", dev)).isGreaterThanOrEqualTo(1);
      assertThat(sample(after, "deployments_started_total", dev) - sample(before, "deployments_started_total", dev)).isGreaterThanOrEqualTo(2);
      assertThat(sample(after, "deployments_completed_total", dev) - sample(before, "deployments_completed_total", dev)).isGreaterThanOrEqualTo(1);
      assertThat(sample(after, "configs_promoted_total", "environment=\"qa\"") - sample(before, "configs_promoted_total", "environment=\"qa\""))
          .isGreaterThanOrEqualTo(1);
      assertThat(sample(after, "rollbacks_triggered_total", "automatic=\"false\"") - sample(before, "rollbacks_triggered_total", "automatic=\"false\""))
          .isGreaterThanOrEqualTo(1);
    });
    String gateway = api.as(io.hotswap.core.testing.Tokens.token("prometheus", List.of("Viewer"), List.of())).get("/actuator/prometheus").text();
    assertThat(gateway.lines().filter(l -> l.startsWith("tenants_active")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .max().orElse(0)).isGreaterThanOrEqualTo(1);
    assertThat(gateway).contains("instances_registered", "instances_healthy", "deployments_in_progress");

    // scraped as Prometheus asks (OpenMetrics) after a request whose trace is sampled: no exemplar, since a
    // Prometheus before 2.43 (Debian 12's) drops the whole scrape when a histogram's _count carries one
    String viewer = io.hotswap.core.testing.Tokens.token("prometheus", List.of("Viewer"), List.of());
    int gatewayPort = Integer.parseInt(platform.context("gateway").getEnvironment().getProperty("local.server.port"));
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.URI metrics = java.net.URI.create("http://localhost:" + gatewayPort + "/actuator/prometheus");
    http.send(java.net.http.HttpRequest.newBuilder(metrics).header("Authorization", "Bearer " + viewer)
        .header("traceparent", "00-6e0c63257de34c926f9efcd03899e7a1-51b4c2a9d3e1f0a7-01").build(),
        java.net.http.HttpResponse.BodyHandlers.discarding());
    String openMetrics = http.send(java.net.http.HttpRequest.newBuilder(metrics).header("Authorization", "Bearer " + viewer)
        .header("Accept", "application/openmetrics-text;version=1.0.0").build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    assertThat(openMetrics).contains("http_server_requests_seconds_count").doesNotContain("trace_id=");

  }

  /** A service's scrape, as Prometheus takes it (a Viewer token). */
  private String scrape(String service) {
    int port = Integer.parseInt(platform.context(service).getEnvironment().getProperty("local.server.port"));
    return new Api(port, io.hotswap.core.testing.Tokens.token("prometheus", List.of("Viewer"), List.of())).get("/actuator/prometheus").text();
  }

  /**
   * The rest of the seeds' metrics after a scripted session: writes timed by command and outcome,
   * rejections by the stage and reason that refused them, rate-limit refusals, reads, approvals
   * pending and decided, deployments in progress by strategy and how long finished ones ran,
   * and how long a change took to reach a running client — each in the scrape of the service
   * that knows it, with the values the session produced.
   */
  @Test
  void shouldExposeEveryStepOfAScriptedSessionInTheServicesMetrics() throws Exception {
    String gatewayBefore = scrape("gateway");
    String rolloutBefore = scrape("rollout");
    String auditBefore = scrape("audit");
    createTenant("it-metrics-session");
    assertThat(api.post("/api/v1/configs", config("it-metrics-session", "s.one", 1, "Number")).status()).isEqualTo(201);
    Api.Response bad = api.put("/api/v1/configs/it-metrics-session:development:s.one", Map.of("value", "not a number"), Map.of());
    assertThat(bad.status()).as(bad.text()).isEqualTo(422);
    Api.Response untyped = api.post("/api/v1/configs", Map.of("tenantId", "it-metrics-session", "key", "s.untyped", "value", 1));
    assertThat(untyped.status()).as(untyped.text()).isEqualTo(400);
    assertThat(api.post("/api/v1/configs", config("it-metrics-session", "s.gone", 1, "Number")).status()).isEqualTo(201);
    assertThat(api.delete("/api/v1/configs/it-metrics-session:development:s.gone").status()).isEqualTo(204);
    assertThat(api.post("/api/v1/configs/it-metrics-session:development:s.one/promote", Map.of()).status()).isEqualTo(201);
    Api.Response twice = api.post("/api/v1/configs", config("it-metrics-session", "s.one", 1, "Number"));
    assertThat(twice.status()).as(twice.text()).isEqualTo(409);
    assertThat(api.get("/api/v1/configs/it-metrics-session:development:s.one").status()).isEqualTo(200);
    // held for approval (staging is guarded), then refused by someone else
    Api.Response held = api.post("/api/v1/configs", Map.of("tenantId", "it-metrics-session", "key", "s.held", "value", 1, "type", "Number",
        "environment", "staging"));
    assertThat(held.status()).as(held.text()).isEqualTo(202);
    // gauges are read from the stores at most once a second
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(gauge(scrape("gateway"), "approvals_pending")).isGreaterThanOrEqualTo(1));
    Api approver = api.as(io.hotswap.core.testing.Tokens.token("metrics-approver", List.of("Admin"), List.of()));
    assertThat(approver.post("/api/v1/approvals/" + held.json().get("approvalId").asString() + "/reject", Map.of("reason", "metrics test"))
        .status()).isEqualTo(200);
    // a canary left running, and a direct deployment that completes at once
    Api.Response canary = api.post("/api/v1/deployments", Map.of("configId", "it-metrics-session:development:s.one", "value", 2,
        "strategy", "canary", "bakeTime", "PT1H", "instanceHealth", false));
    assertThat(canary.status()).as(canary.text()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String gatewayCanary = scrape("gateway");
      assertThat(sample(gatewayCanary, "deployments_in_progress", "status=\"running\",strategy=\"canary\"")).isGreaterThanOrEqualTo(1);
      assertThat(sample(gatewayCanary, "configs_active", "")).isGreaterThanOrEqualTo(1);
    });
    assertThat(api.post("/api/v1/deployments/" + canary.json().get("deploymentId").asString() + "/rollback", Map.of("reason", "metrics test"))
        .status()).isEqualTo(200);
    assertThat(api.post("/api/v1/deployments", Map.of("configId", "it-metrics-session:development:s.one", "value", 3)).status()).isEqualTo(201);
    // a running client applies a change and reports how long it took to arrive
    try (io.hotswap.client.HotSwapClient client = io.hotswap.client.HotSwapClient.builder().bootstrapServers(bootstrap)
        .environment("development").tenant("it-metrics-session").instanceId("it-metrics-1").service("metrics-svc").build().start()) {
      client.ready().get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(api.put("/api/v1/configs/it-metrics-session:development:s.one", Map.of("value", 4), Map.of()).status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(delta(rolloutBefore, scrape("rollout"), "config_push_propagation_seconds_count", "service=\"metrics-svc\"")).isGreaterThanOrEqualTo(1));
    }
    // a Free tenant may write 5 times a minute: the sixth is refused
    assertThat(api.post("/api/v1/tenants", Map.of("tenantId", "it-metrics-free", "tier", "Free")).status()).isEqualTo(201);
    int refused = 0;
    for (int i = 0; i < 7; i++) {
      if (api.post("/api/v1/configs", config("it-metrics-free", "f." + i, i, "Number")).status() == 429) {
        refused++;
      }
    }
    assertThat(refused).isGreaterThanOrEqualTo(1);

    String gateway = scrape("gateway");
    assertThat(delta(gatewayBefore, gateway, "commands_duration_seconds_count", "outcome=\"applied\",type=\"CONFIG_CREATE\"")).isGreaterThanOrEqualTo(1);
    assertThat(delta(gatewayBefore, gateway, "commands_duration_seconds_count", "outcome=\"pending\",type=\"CONFIG_CREATE\"")).isEqualTo(1);
    assertThat(delta(gatewayBefore, gateway, "commands_duration_seconds_count", "outcome=\"rejected\",type=\"CONFIG_CREATE\"")).isEqualTo(1);
    assertThat(delta(gatewayBefore, gateway, "requests_rejected_total", "reason=\"type-mismatch\",status=\"422\"")).isEqualTo(1);
    assertThat(delta(gatewayBefore, gateway, "requests_rejected_total", "reason=\"invalid-type\",status=\"400\"")).isEqualTo(1);
    assertThat(delta(gatewayBefore, gateway, "requests_rejected_total", "reason=\"config-exists\",status=\"409\"")).isEqualTo(1);
    assertThat(delta(gatewayBefore, gateway, "ratelimit_rejections_total", "limit=\"write\"")).isEqualTo(refused);
    assertThat(delta(gatewayBefore, gateway, "http_server_requests_seconds_count", "method=\"GET\"")).isGreaterThanOrEqualTo(1);
    assertThat(gateway).contains("instances_status{", "status=\"healthy\"");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String rollout = scrape("rollout");
      assertThat(delta(rolloutBefore, rollout, "deployment_duration_seconds_count", "status=\"completed\",strategy=\"direct\"")).isGreaterThanOrEqualTo(1);
      assertThat(delta(rolloutBefore, rollout, "deployment_duration_seconds_count", "status=\"rolled_back\",strategy=\"canary\"")).isEqualTo(1);
      assertThat(rollout).contains("config_push_propagation_seconds_bucket{", "config_reload_duration_seconds_count{");
      String audit = scrape("audit");
      assertThat(delta(auditBefore, audit, "approvals_decided_total", "decision=\"rejected\"")).isEqualTo(1);
      assertThat(delta(auditBefore, audit, "approvals_requested_total", "environment=\"staging\"")).isEqualTo(1);
    });
    // every metric the shipped alert rules watch, and every one the provisioned Grafana dashboards
    // draw, is one the services expose
    Path root = Path.of("").toAbsolutePath();
    while (!Files.exists(root.resolve("docker/alerts.yml"))) {
      root = root.getParent();
    }
    String exposed = scrape("gateway") + scrape("audit") + scrape("rollout");
    java.util.regex.Pattern metric = java.util.regex.Pattern.compile("\\b([a-z]+_[a-z_]+)\\b");
    List<String> watched = Files.readAllLines(root.resolve("docker/alerts.yml")).stream().filter(l -> l.trim().startsWith("expr:"))
        .flatMap(l -> metric.matcher(l).results().map(m -> m.group(1))).distinct().toList();
    assertThat(watched).contains("rollbacks_triggered_total", "instances_healthy", "commands_duration_seconds_count",
        "deployments_oldest_in_progress_seconds", "kafka_stream_task_dropped_records_total");
    assertThat(watched).allSatisfy(m -> assertThat(exposed).as("exposed: " + m).contains("\n" + m));
    List<String> drawn = new ArrayList<>();
    for (JsonNode dashboard : DeploymentManifestsTest.dashboards()) {
      dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(t -> metric.matcher(t.get("expr").asString()).results()
          .map(m -> m.group(1)).filter(name -> !name.equals("histogram_quantile")).forEach(drawn::add)));
    }
    assertThat(drawn).contains("configs_creations_total", "http_server_requests_seconds_bucket", "config_push_propagation_seconds_bucket",
        "deployment_duration_seconds_bucket", "requests_rejected_total", "approvals_decided_total");
    assertThat(drawn).allSatisfy(m -> assertThat(exposed).as("drawn: " + m).contains("\n" + m));
  }

  private static double delta(String before, String after, String name, String labels) {
    return sample(after, name, labels) - sample(before, name, labels);
  }

  /** The largest value of an unlabelled or labelled gauge across its series. */
  private static double gauge(String exposition, String name) {
    return exposition.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).max().orElse(0);
  }

  @Test
  void shouldLetOnlyGatewayPeersTakeRateLimitTokensOrClaimARequestWasForwarded() {
    assertThat(api.post("/api/v1/tenants", Map.of("tenantId", "it-peers", "tier", "Free")).status()).isEqualTo(201); // 5 writes a minute
    Api viewer = api.as(io.hotswap.core.testing.Tokens.token("viewer", List.of("Viewer"), List.of()));
    Api otherTenantsAdmin = api.as(io.hotswap.core.testing.Tokens.token("other-admin", List.of("TenantAdmin"), List.of("it-someone-else")));
    Api anonymous = api.as(null);
    for (Api caller : List.of(viewer, otherTenantsAdmin, anonymous, api)) {
      for (int i = 0; i < 6; i++) {
        Api.Response r = caller.post("/internal/v1/rate-limits/it-peers/write?tokens=5", null);
        assertThat(r.status()).as(r.text()).isEqualTo(401);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
      }
    }
    Api.Response forged = viewer.post("/internal/v1/rate-limits/it-peers/write", null,
        Map.of("X-HotSwap-Peer", java.time.Instant.now().getEpochSecond() + ".bm90LWEtc2lnbmF0dXJl"));
    assertThat(forged.status()).isEqualTo(401);
    // a client claiming its request was forwarded (and so already counted) is refused, not waved through
    Api.Response spoofed = api.post("/api/v1/configs", config("it-peers", "spoofed", 1, "Number"), Map.of("X-HotSwap-Forwarded", "localhost:1"));
    assertThat(spoofed.status()).as(spoofed.text()).isEqualTo(401);
    assertThat(spoofed.json().get("type").asString()).endsWith("/peer-signature-required");
    // nor do calls the caller may not make: a read-only token (403) and another tenant's admin (404)
    // never spend the tenant's write budget, however often they try
    for (int i = 0; i < 6; i++) {
      assertThat(viewer.post("/api/v1/configs", config("it-peers", "v" + i, i, "Number")).status()).isEqualTo(403);
      assertThat(otherTenantsAdmin.post("/api/v1/configs", config("it-peers", "o" + i, i, "Number")).status()).isEqualTo(404);
      assertThat(otherTenantsAdmin.post("/api/v1/configs:batch", Map.of("tenantId", "it-peers", "environment", "development",
          "items", List.of(Map.of("key", "b" + i, "value", i, "type", "Number"))))).extracting(Api.Response::status).isEqualTo(404);
    }
    // none of it moved the tenant's bucket: its five writes a minute are all there, the sixth is limited
    for (int i = 0; i < 5; i++) {
      Api.Response w = api.post("/api/v1/configs", config("it-peers", "k" + i, i, "Number"));
      assertThat(w.status()).as(w.text()).isEqualTo(201);
    }
    assertThat(api.post("/api/v1/configs", config("it-peers", "k5", 5, "Number")).status()).isEqualTo(429);
  }

  @Test
  void shouldAuditTheClientBehindATrustedProxyAndIgnoreForwardingHeadersFromAnyoneElse() throws Exception {
    createTenant("it-proxy");
    int port = api.port();
    Map<String, String> sent = new java.util.LinkedHashMap<>();
    sent.put("127.0.0.1", "via.proxy");   // the trusted proxy: the client it names is audited
    sent.put("127.0.0.2", "direct");      // anyone else: its own address, whatever it claims
    for (var from : sent.entrySet()) {
      java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().localAddress(java.net.InetAddress.getByName(from.getKey())).build();
      java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/configs"))
              .header("Authorization", "Bearer " + io.hotswap.core.testing.Tokens.admin()).header("Content-Type", "application/json")
              .header("X-Forwarded-For", "198.51.100.1, 203.0.113.7")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(config("it-proxy", from.getValue(), 1, "Number"))))
              .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-proxy' AND config_key = 'via.proxy' AND source_ip = '203.0.113.7'")).isOne();
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-proxy' AND config_key = 'direct' AND source_ip = '127.0.0.2'")).isOne();
    });
  }

  @Test
  void shouldServeTheGatewayOverTlsWhenServerSslIsSet() throws Exception {
    // Given a keystore (self-signed, made with the JDK's keytool) and a gateway started with the standard server.ssl.* properties
    Path keystore = stateDir.resolve("gateway-tls.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "gateway", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
    assertThat(keytool.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
    int tlsPort = freePort();
    ConfigurableApplicationContext tls = GatewayApplication.application().run(
        "--server.port=" + tlsPort,
        "--server.ssl.enabled=true",
        "--server.ssl.key-store=" + keystore,
        "--server.ssl.key-store-type=PKCS12",
        "--server.ssl.key-store-password=changeit",
        "--hotswap.gateway.advertised-host=localhost",
        "--spring.kafka.bootstrap-servers=" + bootstrap,
        "--hotswap.security.jwt.secret=" + io.hotswap.core.testing.Tokens.SECRET,
        "--hotswap.security.master-key=" + io.hotswap.core.testing.Tokens.MASTER_KEY,
        "--hotswap.kafka.partitions=3",
        "--hotswap.gateway.application-id=hotswap-gateway-tls-it",
        "--logging.include-application-name=false",
        "--spring.autoconfigure.exclude=" + Platform.NO_DATABASE,
        "--spring.kafka.streams.state-dir=" + stateDir.resolve("gateway-tls"));
    try {
      java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
      try (var in = Files.newInputStream(keystore)) {
        trust.load(in, "changeit".toCharArray());
      }
      var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      var ssl = javax.net.ssl.SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      var client = java.net.http.HttpClient.newBuilder().sslContext(ssl).build();
      // Then it answers over HTTPS, with the same authentication
      var health = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + tlsPort + "/actuator/health/liveness")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      var unauthenticated = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + tlsPort + "/api/v1/environments")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(unauthenticated.statusCode()).isEqualTo(401);
      var environments = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + tlsPort + "/api/v1/environments"))
          .header("Authorization", "Bearer " + io.hotswap.core.testing.Tokens.admin()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(environments.statusCode()).isEqualTo(200);
      assertThat(environments.body()).contains("production");
      // and plain HTTP on that port gets no API answer (Tomcat answers 400 "requires TLS" or drops the connection)
      try {
        assertThat(new Api(tlsPort).get("/api/v1/environments").status()).isEqualTo(400);
      } catch (java.io.UncheckedIOException refused) {
        assertThat(refused).hasCauseInstanceOf(java.io.IOException.class);
      }
    } finally {
      tls.close();
    }
  }

  @Test
  void shouldDocumentEveryRequestBodyWithAnExampleInOpenApi() {
    JsonNode paths = api.get("/v3/api-docs").json().get("paths");
    List<String> withBody = new ArrayList<>();
    List<String> withoutExample = new ArrayList<>();
    for (String path : paths.propertyNames()) {
      for (String method : paths.get(path).propertyNames()) {
        JsonNode body = paths.get(path).get(method).get("requestBody");
        if (body == null || path.startsWith("/internal/")) {
          continue;
        }
        withBody.add(method + " " + path);
        body.get("content").forEach(media -> {
          if (media.get("example") == null || media.get("example").isNull()) {
            withoutExample.add(method + " " + path);
          }
        });
      }
    }
    assertThat(withBody).contains("post /api/v1/schemas", "post /api/v1/profiles", "post /api/v1/configs");
    assertThat(withoutExample).as("request bodies without an example in openapi-examples.json").isEmpty();
    assertThat(paths.get("/api/v1/schemas").get("post").get("requestBody").get("content").get("application/json")
        .get("example").get("keyPattern").asString()).isEqualTo("database.*");
  }
}
