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

/** The Java client and its Spring Boot starter on the running platform. */
class ClientIT extends PlatformTest {

  /** This JVM's classpath holds every platform service (JDBC, Spring Security): the sample needs neither. */
  static final String SAMPLE_NEEDS_NO_PLATFORM = "--spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
      + "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
      + "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration,"
      + "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration,"
      + "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration,"
      + "org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration,"
      + "org.springframework.boot.security.oauth2.server.resource.autoconfigure.web.OAuth2ResourceServerWebSecurityAutoConfiguration";

  @Test
  void shouldHotSwapIntoASpringBootServiceWithoutARestart(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    createTenant("it-sample");
    assertThat(api.post("/api/v1/configs", config("it-sample", "payment.timeout-ms", 1500, "Number")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", config("it-sample", "payment.new-checkout", false, "Boolean")).status()).isEqualTo(201);
    Api.Response profile = api.post("/api/v1/profiles", Map.of("tenantId", "it-sample", "service", "payment-service",
        "environment", "development", "version", "1.0.0", "document", Map.of("retries", 3, "region", Map.of("primary", "eu-west"))));
    assertThat(profile.status()).as(profile.text()).isEqualTo(201);

    List<io.hotswap.client.spring.HotSwapChangedEvent> events = java.util.Collections.synchronizedList(new ArrayList<>());
    var sample = io.hotswap.sample.SampleApplication.application();
    sample.addListeners((org.springframework.context.ApplicationListener<io.hotswap.client.spring.HotSwapChangedEvent>) events::add);
    try (var app = sample.run("--server.port=0", "--hotswap.client.bootstrap-servers=" + bootstrap, "--hotswap.client.environment=development",
        "--hotswap.client.tenant=it-sample", "--hotswap.client.service=payment-service", "--hotswap.client.instance-id=payment-it-1",
        "--hotswap.client.heartbeat-period=PT1S", "--hotswap.client.snapshot-file=" + dir.resolve("payment.json"),
        SAMPLE_NEEDS_NO_PLATFORM)) {
      var payment = app.getBean(io.hotswap.sample.SampleApplication.Payment.class);
      assertThat(payment.getTimeoutMs()).as("bound from HotSwap at start").isEqualTo(1500);
      assertThat(payment.isNewCheckout()).isFalse();
      assertThat(app.getEnvironment().getProperty("retries")).as("profile members are properties").isEqualTo("3");
      assertThat(app.getEnvironment().getProperty("region.primary")).isEqualTo("eu-west");

      Api.Response changed = api.put("/api/v1/configs/it-sample:development:payment.timeout-ms", Map.of("value", 2500), Map.of());
      assertThat(changed.status()).as(changed.text()).isEqualTo(200);
      assertThat(api.put("/api/v1/configs/it-sample:development:payment.new-checkout", Map.of("value", true), Map.of()).status()).isEqualTo(200);

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(payment.getTimeoutMs()).as("rebound without a restart").isEqualTo(2500);
        assertThat(payment.isNewCheckout()).isTrue();
      });
      assertThat(app.getEnvironment().getProperty("payment.timeout-ms")).isEqualTo("2500");
      await().atMost(Duration.ofSeconds(10)).until(() -> events.stream()
          .anyMatch(e -> e.getChange().key().equals("payment.timeout-ms") && e.getChange().newVersion() == 2));
      var health = app.getBean("hotSwapHealthIndicator", org.springframework.boot.health.contributor.HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(org.springframework.boot.health.contributor.Status.UP);
      var meters = app.getBean(io.micrometer.core.instrument.MeterRegistry.class);
      assertThat(meters.get("hotswap.client.snapshot.size").gauge().value()).isEqualTo(3);
      assertThat(meters.get("hotswap.client.apply.duration").timer().count()).isGreaterThanOrEqualTo(2);

      // the service's requests are counted from http.server.requests and reported as its health
      int port = app.getEnvironment().getProperty("local.server.port", Integer.class);
      var http = java.net.http.HttpClient.newHttpClient();
      for (int i = 0; i < 5; i++) {
        var answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + "/payment")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.body()).contains("\"timeoutMs\":2500");
      }
      // the registry knows the instance, its status, what it applied and its request health
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        Api.Response instance = api.get("/api/v1/instances/payment-it-1");
        assertThat(instance.status()).as(instance.text()).isEqualTo(200);
        assertThat(instance.json().get("service").asString()).isEqualTo("payment-service");
        assertThat(instance.json().get("status").asString()).isEqualTo("Healthy");
        assertThat(instance.json().path("applied").path("it-sample|payment.timeout-ms").path("version").asLong()).isEqualTo(2);
        // held since start, never changed: known from the instance's LOADED report
        assertThat(instance.json().path("applied").path("it-sample|profile:payment-service").path("version").asLong()).isEqualTo(1);
      });
      // each report covers one heartbeat period (1 s here); the first requests of a fresh service may be slow
      // enough (class loading, JIT) to rate it Degraded for that period, so only the count is asserted
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .until(() -> api.get("/api/v1/instances/payment-it-1").json().path("health").path("requests").asLong() > 0);
      assertThat(api.get("/api/v1/instances?service=payment-service").json().get("items")).extracting(i -> i.get("instanceId").asString())
          .contains("payment-it-1");
    }
    // a service that stops cleanly deregisters
    await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/v1/instances/payment-it-1").status() == 404);
  }

  /** The sample service started as one instance of a fleet (its own id, tags and snapshot file). */
  private org.springframework.context.ConfigurableApplicationContext sample(String tenant, String instanceId, String tags, Path dir) {
    return io.hotswap.sample.SampleApplication.application().run("--server.port=0", "--hotswap.client.bootstrap-servers=" + bootstrap,
        "--hotswap.client.environment=development", "--hotswap.client.tenant=" + tenant, "--hotswap.client.service=payment-service",
        "--hotswap.client.instance-id=" + instanceId, "--hotswap.client.tags=" + tags, "--hotswap.client.heartbeat-period=PT1S",
        "--hotswap.client.snapshot-file=" + dir.resolve(instanceId + ".json"),
        SAMPLE_NEEDS_NO_PLATFORM);
  }

  private long appliedVersion(String instanceId, String liveKey) {
    return api.get("/api/v1/instances/" + instanceId).json().path("applied").path(liveKey).path("version").asLong();
  }

  @Test
  void shouldRollOutToSpringServicesInstanceByInstance(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    createTenant("it-fleet");
    assertThat(api.post("/api/v1/configs", config("it-fleet", "payment.timeout-ms", 1000, "Number")).status()).isEqualTo(201);
    String configId = "it-fleet:development:payment.timeout-ms";
    String live = "it-fleet|payment.timeout-ms";
    try (var blue = sample("it-fleet", "pay-blue", "blue", dir); var green = sample("it-fleet", "pay-green", "green", dir)) {
      var bluePayment = blue.getBean(io.hotswap.sample.SampleApplication.Payment.class);
      var greenPayment = green.getBean(io.hotswap.sample.SampleApplication.Payment.class);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(appliedVersion("pay-blue", live)).isEqualTo(1);
        assertThat(appliedVersion("pay-green", live)).isEqualTo(1);
      });

      // blue-green: the green service's @ConfigurationProperties first, and the registry shows who serves what
      Api.Response bg = api.post("/api/v1/deployments", Map.of("configId", configId, "value", 3000, "strategy", "blue-green",
          "targetTags", List.of("green"), "bakeTime", "PT1H"));
      assertThat(bg.status()).as(bg.text()).isEqualTo(201);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(greenPayment.getTimeoutMs()).isEqualTo(3000);
        assertThat(appliedVersion("pay-green", live)).as("green serves the candidate's version").isEqualTo(2);
        assertThat(appliedVersion("pay-blue", live)).isEqualTo(1);
      });
      assertThat(bluePayment.getTimeoutMs()).isEqualTo(1000);
      // the deployment shows each instance holding the key, the version it serves and so its arm
      String bgId = bg.json().get("deploymentId").asString();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        tools.jackson.databind.JsonNode instances = api.get("/api/v1/deployments/" + bgId).json().get("instances");
        assertThat(instances).hasSize(2);
        assertThat(instances.get(0).get("instanceId").asString()).isEqualTo("pay-blue");
        assertThat(instances.get(0).get("arm").asString()).isEqualTo("stable");
        assertThat(instances.get(1).get("instanceId").asString()).isEqualTo("pay-green");
        assertThat(instances.get(1).get("arm").asString()).isEqualTo("candidate");
        assertThat(instances.get(1).get("version").asLong()).isEqualTo(2);
        assertThat(instances.get(1).get("status").asString()).isEqualTo("Healthy");
        // and each instance says which arm it serves in the registry
        assertThat(api.get("/api/v1/instances/pay-green").json().path("applied").path(live).path("arm").asString()).isEqualTo("candidate");
        assertThat(api.get("/api/v1/instances/pay-blue").json().path("applied").path(live).path("arm").asString()).isEqualTo("stable");
      });
      assertThat(api.post("/api/v1/deployments/" + bgId + "/complete", null).status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(bluePayment.getTimeoutMs()).as("then both").isEqualTo(3000));
      assertThat(greenPayment.getTimeoutMs()).isEqualTo(3000);

      // rolling: the instances holding the key in batches, by id (pay-blue before pay-green); a rollback restores both
      Api.Response rolling = api.post("/api/v1/deployments", Map.of("configId", configId, "value", 4000, "strategy", "rolling",
          "steps", List.of(50, 100), "bakeTime", "PT1H"));
      assertThat(rolling.status()).as(rolling.text()).isEqualTo(201);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(bluePayment.getTimeoutMs()).as("first batch").isEqualTo(4000));
      assertThat(greenPayment.getTimeoutMs()).as("not in the first batch").isEqualTo(3000);
      String rollingId = rolling.json().get("deploymentId").asString();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(api.get("/api/v1/deployments/" + rollingId).json().get("instances"))
          .extracting(i -> i.get("instanceId").asString() + "=" + i.get("arm").asString()).containsExactly("pay-blue=candidate", "pay-green=stable"));
      Api.Response back = api.post("/api/v1/deployments/" + rolling.json().get("deploymentId").asString() + "/rollback",
          Map.of("reason", "fleet test"));
      assertThat(back.status()).as(back.text()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(bluePayment.getTimeoutMs()).isEqualTo(3000);
        assertThat(greenPayment.getTimeoutMs()).isEqualTo(3000);
      });

      // a candidate the service cannot bind (2.5 into an int): the green instance keeps its value,
      // reports the failed apply, and the deployment rolls back on that failed check by itself
      Api.Response unbindable = api.post("/api/v1/deployments", Map.of("configId", configId, "value", 2.5, "strategy", "blue-green",
          "targetTags", List.of("green"), "bakeTime", "PT1H"));
      assertThat(unbindable.status()).as(unbindable.text()).isEqualTo(201);
      String unbindableId = unbindable.json().get("deploymentId").asString();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        tools.jackson.databind.JsonNode d = api.get("/api/v1/deployments/" + unbindableId).json();
        assertThat(d.get("status").asString()).as(d.toString()).isEqualTo("rolled_back");
        assertThat(d.get("reason").asString()).contains("automatic rollback");
        assertThat(d.get("lastHealth").get("source").asString()).contains("could not apply the candidate: pay-green");
      });
      assertThat(greenPayment.getTimeoutMs()).as("the bean kept the value it could bind").isEqualTo(3000);
      assertThat(api.get("/api/v1/deployments/" + unbindableId + "/rollback-history").json().get("items").get(0).get("automatic").asBoolean())
          .isTrue();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-fleet'"
          + " AND event_type = 'DEPLOYMENT_ROLLED_BACK' AND detail LIKE '%could not apply the candidate: pay-green%'")).isEqualTo(1));
    }
  }

  /**
   * README, "A service that cannot apply a value": a listener that throws shows as the version's
   * {@code applyError} on {@code GET /api/v1/instances/{id}} until the instance applies another
   * version — also across the LOADED report the client repeats a heartbeat after it starts.
   */
  @org.junit.jupiter.api.Test
  void shouldShowAFailedApplyOnTheInstanceUntilAnotherVersionIsApplied() throws Exception {
    createTenant("it-apply-fail");
    assertThat(api.post("/api/v1/configs", config("it-apply-fail", "limit", 1, "Number")).status()).isEqualTo(201);
    String path = "/api/v1/instances/apply-fail-1";
    try (io.hotswap.client.HotSwapClient client = io.hotswap.client.HotSwapClient.builder().bootstrapServers(bootstrap)
        .environment("development").tenant("it-apply-fail").instanceId("apply-fail-1").service("apply-fail")
        .heartbeatPeriod(Duration.ofSeconds(3)).build().start()) {
      client.subscribe(io.hotswap.client.Selector.key("it-apply-fail", "limit"), change -> {
        if (Long.valueOf(2).equals(change.newVersion())) {
          throw new IllegalStateException("limit 2 is more than this service takes");
        }
      });
      client.ready().get(60, java.util.concurrent.TimeUnit.SECONDS);
      // written right after the start, so the failure is known before the client repeats its LOADED report
      assertThat(api.put("/api/v1/configs/it-apply-fail:development:limit", Map.of("value", 2), Map.of()).status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(api.get(path).json().path("applied")
          .path("it-apply-fail|limit").path("applyError").asString()).contains("limit 2 is more than this service takes"));
      // the repeated LOADED report (a heartbeat, 3 s, after the start) names version 2 again: the failure stays
      await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        tools.jackson.databind.JsonNode held = api.get(path).json().path("applied").path("it-apply-fail|limit");
        assertThat(held.path("version").asLong()).isEqualTo(2);
        assertThat(held.path("applyError").asString()).contains("limit 2 is more than this service takes");
      });
      assertThat(api.put("/api/v1/configs/it-apply-fail:development:limit", Map.of("value", 3), Map.of()).status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        tools.jackson.databind.JsonNode held = api.get(path).json().path("applied").path("it-apply-fail|limit");
        assertThat(held.path("version").asLong()).isEqualTo(3);
        assertThat(held.path("applyError").isMissingNode() || held.path("applyError").isNull()).as("applied since").isTrue();
      });
    }
  }
}
