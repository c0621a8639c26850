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

/** Deployments and the instance registry: canary steps, manual and automatic rollback, instances through REST. */
class DeploymentsIT extends PlatformTest {

  @Test
  void shouldRollBackACanaryWhenItsTargetInstanceReportsErrorsThroughTheClient() throws Exception {
    createTenant("it-deploy-health");
    assertThat(api.post("/api/v1/configs", config("it-deploy-health", "search.ranking", "bm25", "String")).status()).isEqualTo(201);
    try (io.hotswap.client.HotSwapClient canary = io.hotswap.client.HotSwapClient.builder().bootstrapServers(bootstrap)
        .environment("development").tenant("it-deploy-health").instanceId("it-canary-1").service("search").tags(List.of("canary"))
        .heartbeatPeriod(Duration.ofSeconds(1)).healthReportPeriod(Duration.ofSeconds(2)).build().start()) {
      canary.ready().get(60, java.util.concurrent.TimeUnit.SECONDS);
      // the registry knows the instance holds the key
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(api.get("/api/v1/instances/it-canary-1").json()
          .path("applied").has("it-deploy-health|search.ranking")).isTrue());

      Api.Response started = api.post("/api/v1/deployments", Map.of("configId", "it-deploy-health:development:search.ranking",
          "value", "neural", "strategy", "canary", "targetTags", List.of("canary"), "bakeTime", "PT1H"));
      assertThat(started.status()).as(started.text()).isEqualTo(201);
      String id = started.json().get("deploymentId").asString();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(canary.getString("it-deploy-health", "search.ranking", "?", io.hotswap.client.Context.of("userId", "u1")))
              .as("the tagged instance serves the candidate to everyone").isEqualTo("neural"));

      // healthy traffic is seen on the deployment and changes nothing
      for (int i = 0; i < 40; i++) {
        canary.recordRequest(Duration.ofMillis(3), true);
      }
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        JsonNode cohort = api.get("/api/v1/deployments/" + id).json().path("cohort");
        assertThat(cohort.path("instances").asInt()).isEqualTo(1);
        assertThat(cohort.path("requests").asLong()).isPositive();
      });
      assertThat(api.get("/api/v1/deployments/" + id).json().get("status").asString()).isEqualTo("running");

      // then the candidate fails a third of the requests: rolled back without anyone calling the API
      for (int i = 0; i < 60; i++) {
        canary.recordRequest(Duration.ofMillis(3), i % 3 != 0);
      }
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(api.get("/api/v1/deployments/" + id).json().path("status").asString()).isEqualTo("rolled_back"));
      JsonNode d = api.get("/api/v1/deployments/" + id).json();
      assertThat(d.get("reason").asString()).startsWith("automatic rollback: error rate");
      assertThat(d.get("updatedBy").asString()).isEqualTo("hotswap-rollout");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(canary.getString("it-deploy-health", "search.ranking", "?", io.hotswap.client.Context.of("userId", "u1"))).isEqualTo("bm25"));
      // the webhook hears of it, as automatic, with the health it was judged on (and never a value)
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(NOTIFICATIONS).anySatisfy(n -> {
        assertThat(n.get("body")).contains("\"event\":\"deployment.rolled_back\"", "\"tenantId\":\"it-deploy-health\"",
            "\"automatic\":true", "automatic rollback: error rate", "\"errorRate\":").doesNotContain("neural");
        assertThat(n.get("delivery")).startsWith(d.get("deploymentId").asString() + "/");
      }));
    }
  }

  /**
   * A profile version deployed by canary (the tenant's default strategy for the environment): the
   * step's share of the instances (by their sticky hash, without a call context) serves the new
   * document and its semantic version, everyone else the current one; completing it gives everyone
   * the new version.
   */
  @Test
  void shouldRollAProfileVersionOutByCanaryToAShareOfTheInstancesThenToEveryone() throws Exception {
    assertThat(api.post("/api/v1/tenants", Map.of("tenantId", "it-profile-bad", "defaultStrategies", Map.of("development", "yolo")))
        .status()).isEqualTo(400);
    Api.Response tenant = api.post("/api/v1/tenants", Map.of("tenantId", "it-profile-canary", "tier", "Pro",
        "defaultStrategies", Map.of("Development", "Canary")));
    assertThat(tenant.status()).as(tenant.text()).isEqualTo(201);
    assertThat(tenant.json().get("defaultStrategies").get("development").asString()).isEqualTo("canary");
    Api.Response v1 = api.post("/api/v1/profiles", Map.of("tenantId", "it-profile-canary", "service", "search", "environment", "development",
        "version", "1.0.0", "document", Map.of("model", "bm25")));
    assertThat(v1.status()).as(v1.text()).isEqualTo(201);
    assertThat(v1.header("Link")).as("a first version has nothing to roll out from: live at once").isNull();
    assertThat(v1.json().get("strategy").asString()).as("the tenant's default, recorded").isEqualTo("canary");
    Map<String, io.hotswap.client.HotSwapClient> byId = new java.util.TreeMap<>();
    List<io.hotswap.client.HotSwapClient> fleet = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        String id = String.format("search-node-%02d", i);
        byId.put(id, io.hotswap.client.HotSwapClient.builder().bootstrapServers(bootstrap).environment("development").tenant("it-profile-canary")
            .instanceId(id).service("search").heartbeatPeriod(Duration.ofSeconds(1)).build().start());
        fleet.add(byId.get(id));
      }
      for (io.hotswap.client.HotSwapClient c : fleet) {
        c.ready().get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      java.util.function.Function<String, Long> serving = semver -> fleet.stream()
          .filter(c -> c.getProfile("it-profile-canary", "search").map(v -> semver.equals(v.semver())).orElse(false)).count();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(serving.apply("1.0.0")).isEqualTo(20));

      Api.Response v2 = api.post("/api/v1/profiles", Map.of("tenantId", "it-profile-canary", "service", "search", "environment",
          "development", "version", "1.1.0", "document", Map.of("model", "neural"), "steps", List.of(10, 100), "bakeTime", "PT1H"));
      assertThat(v2.status()).as(v2.text()).isEqualTo(201);
      assertThat(v2.json().get("strategy").asString()).as("the tenant's default for development").isEqualTo("canary");
      String link = v2.header("Link");
      assertThat(link).contains("rel=\"deployment\"");
      String deploymentId = link.substring(link.indexOf("/api/v1/deployments/") + "/api/v1/deployments/".length(), link.indexOf('>'));
      JsonNode deployment = api.get("/api/v1/deployments/" + deploymentId).json();
      assertThat(deployment.get("profileId").asString()).isEqualTo("it-profile-canary:search.development");
      assertThat(deployment.get("strategy").asString()).isEqualTo("canary");
      assertThat(deployment.get("stableSemver").asString()).isEqualTo("1.0.0");
      assertThat(deployment.get("candidateSemver").asString()).isEqualTo("1.1.0");
      // the step's share of instances is decided by a sticky hash of each instance id: exactly the instances whose hash
      // falls in the first 10 % of the buckets (for these twenty ids, some but far from all)
      List<String> expected = byId.keySet().stream()
          .filter(id -> io.hotswap.client.internal.Cohorts.bucket("it-profile-canary|profile:search", id) < 1000).toList();
      assertThat(expected).hasSizeBetween(1, 5);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(byId.entrySet().stream().filter(e -> "1.1.0".equals(e.getValue().getProfile("it-profile-canary", "search").orElseThrow().semver()))
            .map(Map.Entry::getKey).toList()).isEqualTo(expected);
        assertThat(serving.apply("1.0.0")).isEqualTo(20 - expected.size());
      });
      assertThat(fleet.stream().filter(c -> c.getProfileDocument("it-profile-canary", "search").orElseThrow().get("model").asString()
          .equals("neural")).count()).isEqualTo(serving.apply("1.1.0"));
      // the profile takes no other version while it rolls out
      assertThat(api.post("/api/v1/profiles", Map.of("tenantId", "it-profile-canary", "service", "search", "environment", "development",
          "version", "1.2.0", "document", Map.of("model", "x"))).status()).isEqualTo(409);

      assertThat(api.post("/api/v1/deployments/" + deploymentId + "/complete", null).status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(serving.apply("1.1.0")).isEqualTo(20));
    } finally {
      fleet.forEach(io.hotswap.client.HotSwapClient::close);
    }
  }

  @Test
  void shouldJudgeTheCandidateAgainstItsBaselineAcrossTwentyInstances() throws Exception {
    createTenant("it-verdict");
    assertThat(api.post("/api/v1/configs", config("it-verdict", "search.model", "v1", "String")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", config("it-verdict", "search.index", "i1", "String")).status()).isEqualTo(201);
    List<io.hotswap.client.HotSwapClient> fleet = new ArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean traffic = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread load = null;
    try {
      for (int i = 0; i < 20; i++) {
        fleet.add(io.hotswap.client.HotSwapClient.builder().bootstrapServers(bootstrap).environment("development").tenant("it-verdict")
            .instanceId(String.format("it-verdict-%02d", i)).service("search").heartbeatPeriod(Duration.ofSeconds(1))
            .healthReportPeriod(Duration.ofSeconds(1)).build().start());
      }
      for (io.hotswap.client.HotSwapClient c : fleet) {
        c.ready().get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(api.get("/api/v1/instances?service=search").json()
          .get("items")).filteredOn(i -> i.path("applied").has("it-verdict|search.model")).hasSize(20));

      // a 25 % canary reaches a quarter of the instances; only those fail one request in ten. The fixed threshold is set
      // high (20 %) so that only the comparison can catch it: reports arrive one instance at a time, and a window in
      // which only candidates have reported would otherwise breach a 5 % threshold over the audience first
      Api.Response started = api.post("/api/v1/deployments", Map.of("configId", "it-verdict:development:search.model", "value", "v2",
          "strategy", "canary", "steps", List.of(25, 100), "bakeTime", "PT1H", "maxErrorRate", 0.2));
      assertThat(started.status()).as(started.text()).isEqualTo(201);
      String id = started.json().get("deploymentId").asString();
      await().atMost(Duration.ofSeconds(30)).until(() -> fleet.stream().filter(c -> c.get("search.model").orElseThrow().arm()
          .equals(io.hotswap.client.Choice.CANDIDATE)).count() > 0);
      List<io.hotswap.client.HotSwapClient> candidates = fleet.stream()
          .filter(c -> c.get("search.model").orElseThrow().arm().equals(io.hotswap.client.Choice.CANDIDATE)).toList();
      assertThat(candidates.size()).as("a quarter of 20, give or take").isBetween(1, 9);
      java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.atomic.AtomicLong errors = new java.util.concurrent.atomic.AtomicLong();
      load = Thread.ofVirtual().start(() -> {
        for (long n = 0; traffic.get(); n++) {
          for (io.hotswap.client.HotSwapClient c : fleet) {
            boolean fails = candidates.contains(c) && n % 10 == 0;
            c.recordRequest(Duration.ofMillis(5), !fails);
            requests.incrementAndGet();
            errors.addAndGet(fails ? 1 : 0);
          }
          java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
      });
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(api.get("/api/v1/deployments/" + id).json().path("status").asString()).isEqualTo("rolled_back"));
      traffic.set(false);
      load.join();
      assertThat((double) errors.get() / requests.get()).as("the fleet's error rate stayed under the fixed 5 %").isLessThan(0.05);
      JsonNode d = api.get("/api/v1/deployments/" + id).json();
      // about one request in ten fails on the candidate (a report window cuts the loop anywhere), none on the baseline
      assertThat(d.get("reason").asString()).startsWith("automatic rollback: candidate error rate ").contains("against the baseline's 0 %")
          .contains("candidate: " + candidates.size() + " instances", "baseline: " + (20 - candidates.size()) + " instances");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(api.get("/api/v1/audit-logs?tenantId=it-verdict").json()
          .get("items")).anySatisfy(e -> {
            assertThat(e.get("eventType").asString()).isEqualTo("DEPLOYMENT_ROLLED_BACK");
            assertThat(e.get("detail").asString()).contains("candidate: " + candidates.size() + " instances", "errors (", "baseline: ");
          }));
      assertThat(api.get("/api/v1/deployments/" + id + "/rollback-history").json().get("items").get(0).get("automatic").asBoolean()).isTrue();

      // with no traffic at all the verdict is inconclusive: the step is held past its bake time. (An instance's report
      // covers all it served, so wait until the fleet's reports show the load has stopped.)
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(api.get("/api/v1/instances?service=search").json().get("items"))
          .allSatisfy(i -> assertThat(i.path("health").path("requests").asLong()).isZero()));
      Api.Response quiet = api.post("/api/v1/deployments", Map.of("configId", "it-verdict:development:search.index", "value", "i2",
          "strategy", "canary", "steps", List.of(25, 100), "bakeTime", "PT1S"));
      assertThat(quiet.status()).as(quiet.text()).isEqualTo(201);
      String quietId = quiet.json().get("deploymentId").asString();
      await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
        JsonNode q = api.get("/api/v1/deployments/" + quietId).json();
        assertThat(q.get("status").asString()).isEqualTo("running");
        assertThat(q.get("step").asInt()).isEqualTo(1);
      });
    } finally {
      traffic.set(false);
      if (load != null) {
        load.join();
      }
      fleet.forEach(io.hotswap.client.HotSwapClient::close);
    }
  }

  @Test
  void shouldDriveEveryStrategyThroughRest() throws Exception {
    createTenant("it-strategies");
    List<String> strategies = List.of("direct", "canary", "blue-green", "rolling", "ab-test");
    for (String strategy : strategies) {
      assertThat(api.post("/api/v1/configs", config("it-strategies", "k." + strategy.replace("-", "_"), 0, "Number")).status()).isEqualTo(201);
    }
    java.util.concurrent.atomic.AtomicBoolean traffic = new java.util.concurrent.atomic.AtomicBoolean(true);
    try (io.hotswap.client.HotSwapClient instance = io.hotswap.client.HotSwapClient.builder().bootstrapServers(bootstrap)
        .environment("development").tenant("it-strategies").instanceId("it-strategies-1").service("strategies")
        .heartbeatPeriod(Duration.ofSeconds(1)).healthReportPeriod(Duration.ofSeconds(1)).build().start()) {
      instance.ready().get(60, java.util.concurrent.TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(api.get("/api/v1/instances/it-strategies-1").json()
          .path("applied").has("it-strategies|k.rolling")).isTrue());
      // healthy traffic, so that a step whose candidate this instance serves can be judged and move on
      Thread load = Thread.ofVirtual().start(() -> {
        while (traffic.get()) {
          instance.recordRequest(Duration.ofMillis(2), true);
          java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
      });
      for (String strategy : strategies) {
        String configId = "it-strategies:development:k." + strategy.replace("-", "_");
        Map<String, Object> plan = new java.util.HashMap<>(Map.of("configId", configId, "strategy", strategy, "bakeTime", "PT2S"));
        switch (strategy) {
          case "canary" -> plan.put("steps", List.of(10, 50, 100));
          case "blue-green" -> plan.put("targetInstances", List.of("it-strategies-1"));
          case "rolling" -> plan.put("steps", List.of(50, 100));
          case "ab-test" -> plan.put("steps", List.of(40));
          default -> { }
        }
        // started, advanced (direct: done at once), paused, resumed, completed
        plan.put("value", 1);
        Api.Response started = api.post("/api/v1/deployments", plan);
        assertThat(started.status()).as(strategy + ": " + started.text()).isEqualTo(201);
        String id = started.json().get("deploymentId").asString();
        if (strategy.equals("direct")) {
          assertThat(started.json().get("status").asString()).isEqualTo("completed");
        } else {
          if (!strategy.equals("ab-test")) {
            await().atMost(Duration.ofSeconds(30)).alias(strategy + " advances").untilAsserted(() ->
                assertThat(api.get("/api/v1/deployments/" + id).json().get("step").asInt()).isGreaterThanOrEqualTo(2));
          }
          Api.Response paused = api.post("/api/v1/deployments/" + id + "/pause", Map.of("reason", "checking"));
          if (paused.status() == 200) { // a two-step plan may have completed by now
            assertThat(paused.json().get("status").asString()).isEqualTo("paused");
            assertThat(api.post("/api/v1/deployments/" + id + "/resume", null).json().get("status").asString()).as(strategy).isEqualTo("running");
            Api.Response completed = api.post("/api/v1/deployments/" + id + "/complete", null);
            assertThat(completed.status()).as(strategy + ": " + completed.text()).isEqualTo(200);
          } else {
            assertThat(paused.status()).as(strategy + ": " + paused.text()).isEqualTo(409);
          }
          await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
              assertThat(api.get("/api/v1/deployments/" + id).json().get("status").asString()).as(strategy).isEqualTo("completed"));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(api.get("/api/v1/configs/" + configId).json().get("value").asInt()).as(strategy + ": everyone has it").isEqualTo(1));

        // started again, rolled back: the value before it returns as a new version
        plan.put("value", 2);
        Api.Response again = api.post("/api/v1/deployments", plan);
        assertThat(again.status()).as(strategy + ": " + again.text()).isEqualTo(201);
        Api.Response back = api.post("/api/v1/deployments/" + again.json().get("deploymentId").asString() + "/rollback",
            Map.of("reason", "strategy matrix"));
        assertThat(back.status()).as(strategy + ": " + back.text()).isEqualTo(200);
        assertThat(back.json().get("status").asString()).isEqualTo("rolled_back");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(instance.getLong("k." + strategy.replace("-", "_"), -1)).as(strategy + ": the instance is back on 1").isEqualTo(1));
      }
      traffic.set(false);
      load.join();
    } finally {
      traffic.set(false);
    }
  }

  @Test
  void shouldSwitchBlueGreenThroughRestFromTheGreenInstancesToEveryone() throws Exception {
    createTenant("it-blue-green");
    assertThat(api.post("/api/v1/configs", config("it-blue-green", "web.theme", "blue", "String")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", config("it-blue-green", "web.font", "serif", "String")).status()).isEqualTo(201);
    try (io.hotswap.client.HotSwapClient green = io.hotswap.client.HotSwapClient.builder().bootstrapServers(bootstrap)
        .environment("development").tenant("it-blue-green").instanceId("it-green-1").service("web").tags(List.of("green"))
        .register(false).build().start();
         io.hotswap.client.HotSwapClient blue = io.hotswap.client.HotSwapClient.builder().bootstrapServers(bootstrap)
             .environment("development").tenant("it-blue-green").instanceId("it-blue-1").service("web").register(false).build().start()) {
      green.ready().get(60, java.util.concurrent.TimeUnit.SECONDS);
      blue.ready().get(60, java.util.concurrent.TimeUnit.SECONDS);

      // the green instances by tag, held until an operator switches everyone
      Api.Response started = api.post("/api/v1/deployments", Map.of("configId", "it-blue-green:development:web.theme",
          "value", "green", "strategy", "blue-green", "targetTags", List.of("green"), "bakeTime", "PT1H"));
      assertThat(started.status()).as(started.text()).isEqualTo(201);
      assertThat(started.json().get("strategy").asString()).isEqualTo("blue_green");
      String id = started.json().get("deploymentId").asString();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(green.getString("it-blue-green", "web.theme", "?", io.hotswap.client.Context.EMPTY)).isEqualTo("green");
        assertThat(green.choice("it-blue-green", "web.theme", io.hotswap.client.Context.EMPTY).orElseThrow().arm())
            .isEqualTo(io.hotswap.client.Choice.CANDIDATE);
      });
      assertThat(blue.getString("it-blue-green", "web.theme", "?", io.hotswap.client.Context.EMPTY)).as("blue keeps the stable value")
          .isEqualTo("blue");
      // calls without a context (plain getters, and so a Spring service's properties) serve the instance's arm too
      assertThat(green.getString("web.theme", "?")).isEqualTo("green");
      assertThat(green.get("web.theme").orElseThrow().arm()).isEqualTo(io.hotswap.client.Choice.CANDIDATE);
      assertThat(blue.getString("web.theme", "?")).isEqualTo("blue");
      assertThat(api.get("/api/v1/deployments/" + id).json().get("status").asString()).isEqualTo("running");

      Api.Response switched = api.post("/api/v1/deployments/" + id + "/complete", null);
      assertThat(switched.status()).as(switched.text()).isEqualTo(200);
      assertThat(switched.json().get("status").asString()).isEqualTo("completed");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(blue.getString("it-blue-green", "web.theme", "?")).as("everyone, once switched").isEqualTo("green"));

      // named green instances, no bake time given: the default plan
      Api.Response byInstance = api.post("/api/v1/deployments", Map.of("configId", "it-blue-green:development:web.font",
          "value", "sans", "strategy", "blue-green", "targetInstances", List.of("it-green-1")));
      assertThat(byInstance.status()).as(byInstance.text()).isEqualTo(201);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(green.getString("it-blue-green", "web.font", "?", io.hotswap.client.Context.EMPTY)).isEqualTo("sans"));
      assertThat(blue.getString("it-blue-green", "web.font", "?", io.hotswap.client.Context.EMPTY)).isEqualTo("serif");
    }
  }

  @Test
  void shouldRollOutACanaryStepByStepAndRollBackByHandOrOnBadHealth() throws Exception {
    createUnguardedTenant("it-deploy");
    Api.Response created = api.post("/api/v1/configs", Map.of("tenantId", "it-deploy", "key", "checkout.timeout_ms", "value", 500,
        "type", "Number", "environment", "production"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String configId = "it-deploy:production:checkout.timeout_ms";
    Api operator = api.as(io.hotswap.core.testing.Tokens.token("olga-operator", List.of("Operator"), List.of()));
    Api developer = api.as(io.hotswap.core.testing.Tokens.token("dev-dan", List.of("Developer"), List.of()));

    // Developers deploy to development and qa only
    Api.Response refused = developer.post("/api/v1/deployments", Map.of("configId", configId, "value", 800));
    assertThat(refused.status()).as(refused.text()).isEqualTo(403);
    assertThat(refused.json().get("detail").asString()).contains("production");
    // a bad plan is a 400 that names the field, and costs nothing
    Api.Response badPlan = operator.post("/api/v1/deployments", Map.of("configId", configId, "value", 800, "strategy", "canary",
        "steps", List.of(50, 25)));
    assertThat(badPlan.status()).isEqualTo(400);
    assertThat(badPlan.json().get("field").asString()).isEqualTo("steps");
    assertThat(operator.post("/api/v1/deployments", Map.of("configId", configId, "value", "eight hundred")).status())
        .as("the candidate is checked against the key's type").isEqualTo(422);

    // a canary: half of the callers first, everyone one bake time later
    try (KafkaConsumer<String, byte[]> liveProduction = consumer(Topics.live("production"))) {
      Api.Response started = operator.post("/api/v1/deployments", Map.of("configId", configId, "value", 800, "strategy", "canary",
          "steps", List.of(50, 100), "bakeTime", "PT1S"));
      assertThat(started.status()).as(started.text()).isEqualTo(201);
      JsonNode d = started.json();
      String deploymentId = d.get("deploymentId").asString();
      assertThat(started.header("Location")).isEqualTo("/api/v1/deployments/" + deploymentId);
      assertThat(d.get("strategy").asString()).isEqualTo("canary");
      assertThat(d.get("stableVersion").asLong()).isEqualTo(1);
      assertThat(d.get("candidateVersion").asLong()).isEqualTo(2);
      assertThat(d.get("createdBy").asString()).isEqualTo("olga-operator");

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(api.get("/api/v1/deployments/" + deploymentId).json().path("status").asString()).isEqualTo("completed"));
      List<LiveConfig> seen = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        liveProduction.poll(Duration.ofMillis(200)).forEach(r -> {
          if (r.key().equals("it-deploy|checkout.timeout_ms")) {
            seen.add(SERDES.liveConfig().fromBytes(r.value()));
          }
        });
        assertThat(seen).isNotEmpty();
        assertThat(seen.getLast().getValue()).isEqualTo("800");
      });
      LiveConfig half = seen.stream().filter(l -> l.getRollout() != null).findFirst().orElseThrow();
      assertThat(half.getValue()).as("everyone else keeps the stable value").isEqualTo("500");
      assertThat(half.getRollout().getCandidate()).isEqualTo("800");
      assertThat(half.getRollout().getPercentage()).isEqualTo(50.0);
      assertThat(seen.getLast().getRollout()).isNull();
      assertThat(seen.getLast().getVersion()).isEqualTo(2);
    }
    assertThat(api.get("/api/v1/configs/" + configId).json().get("value").asInt()).isEqualTo(800);

    // paused, resumed, rolled back by hand: the stable value returns as a new version
    String second = operator.post("/api/v1/deployments", Map.of("configId", configId, "value", 900, "strategy", "canary",
        "steps", List.of(10, 100), "bakeTime", "PT1H")).json().get("deploymentId").asString();
    Api.Response locked = api.put("/api/v1/configs/" + configId, Map.of("value", 950), Map.of());
    assertThat(locked.status()).as("the key is locked while a deployment rolls it out").isEqualTo(409);
    assertThat(locked.json().get("detail").asString()).contains(second);
    // what a service sees: a sticky 10 % of its users get the candidate, everyone else (and calls without a user) the stable value
    // (an instance id whose sticky hash lies outside the first steps' share: without a context it serves the stable value)
    try (io.hotswap.client.HotSwapClient client = io.hotswap.client.HotSwapClient.builder().bootstrapServers(bootstrap)
        .environment("production").tenant("it-deploy").instanceId("it-deploy-reader").register(false).build().start()) {
      client.ready().get(60, java.util.concurrent.TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        long candidates = java.util.stream.IntStream.range(0, 2000).filter(u -> client.getString("it-deploy", "checkout.timeout_ms", "?",
            io.hotswap.client.Context.of("userId", "user-" + u)).equals("900")).count();
        assertThat(candidates).isBetween(100L, 300L);
      });
      assertThat(client.getString("it-deploy", "checkout.timeout_ms", "?")).isEqualTo("800");
      Set<String> firstAnswers = new HashSet<>();
      for (int u = 0; u < 50; u++) {
        firstAnswers.add("user-" + u + "=" + client.getString("it-deploy", "checkout.timeout_ms", "?", io.hotswap.client.Context.of("userId", "user-" + u)));
      }
      for (int u = 0; u < 50; u++) {
        assertThat(firstAnswers).as("sticky per user").contains("user-" + u + "="
            + client.getString("it-deploy", "checkout.timeout_ms", "?", io.hotswap.client.Context.of("userId", "user-" + u)));
      }
    }
    Api.Response paused = operator.post("/api/v1/deployments/" + second + "/pause", Map.of("reason", "watching dashboards"));
    assertThat(paused.status()).as(paused.text()).isEqualTo(200);
    assertThat(paused.json().get("status").asString()).isEqualTo("paused");
    assertThat(operator.post("/api/v1/deployments/" + second + "/pause", Map.of()).status()).isEqualTo(409);
    assertThat(operator.post("/api/v1/deployments/" + second + "/resume", null).json().get("status").asString()).isEqualTo("running");
    Api.Response back = operator.post("/api/v1/deployments/" + second + "/rollback", Map.of("reason", "checkout errors"));
    assertThat(back.status()).as(back.text()).isEqualTo(200);
    assertThat(back.json().get("status").asString()).isEqualTo("rolled_back");
    assertThat(back.json().get("rollbackVersion").asLong()).isEqualTo(4);
    JsonNode restored = api.get("/api/v1/configs/" + configId).json();
    assertThat(restored.get("value").asInt()).isEqualTo(800);
    assertThat(restored.get("version").asLong()).isEqualTo(4);

    // a health report above the thresholds rolls back at once
    String third = operator.post("/api/v1/deployments", Map.of("configId", configId, "value", 1000, "strategy", "canary",
        "bakeTime", "PT1H", "maxErrorRate", 0.02)).json().get("deploymentId").asString();
    Api.Response healthy = operator.post("/api/v1/deployments/" + third + "/health", Map.of("errorRate", 0.01, "p99LatencyMs", 120));
    assertThat(healthy.json().get("status").asString()).isEqualTo("running");
    Api.Response sick = operator.post("/api/v1/deployments/" + third + "/health", Map.of("errorRate", 0.3, "source", "prometheus"));
    assertThat(sick.status()).as(sick.text()).isEqualTo(200);
    assertThat(sick.json().get("status").asString()).isEqualTo("rolled_back");
    assertThat(sick.json().get("reason").asString()).isEqualTo("automatic rollback: error rate 0.3 above 0.02");
    assertThat(api.get("/api/v1/configs/" + configId).json().get("value").asInt()).isEqualTo(800);

    JsonNode list = api.get("/api/v1/deployments/tenant/it-deploy?status=rolled_back").json();
    assertThat(list.get("totalItems").asLong()).isEqualTo(2);

    // the key's rollback history, newest first: the automatic one (with what it was judged on), then the operator's
    Api.Response history = api.get("/api/v1/deployments/" + third + "/rollback-history");
    assertThat(history.status()).as(history.text()).isEqualTo(200);
    JsonNode rollbacks = history.json().get("items");
    assertThat(rollbacks).hasSize(2);
    assertThat(rollbacks.get(0).get("deploymentId").asString()).isEqualTo(third);
    assertThat(rollbacks.get(0).get("automatic").asBoolean()).isTrue();
    assertThat(rollbacks.get(0).get("health").get("errorRate").asDouble()).isEqualTo(0.3);
    assertThat(rollbacks.get(0).get("health").get("source").asString()).isEqualTo("prometheus");
    assertThat(rollbacks.get(1).get("deploymentId").asString()).isEqualTo(second);
    assertThat(rollbacks.get(1).get("automatic").asBoolean()).isFalse();
    assertThat(rollbacks.get(1).get("rolledBackBy").asString()).isEqualTo("olga-operator");
    assertThat(rollbacks.get(1).get("reason").asString()).isEqualTo("checkout errors");
    assertThat(api.get("/api/v1/deployments/" + second + "/rollback-history").json().get("items")).as("the same key's history").hasSize(2);

    // an A/B test: sticky variants A (stable) and B (candidate) until an operator completes it
    String ab = operator.post("/api/v1/deployments", Map.of("configId", configId, "value", 700, "strategy", "ab-test", "steps", List.of(30)))
        .json().get("deploymentId").asString();
    // (an instance id whose sticky hash lies outside the first steps' share: without a context it serves the stable value)
    try (io.hotswap.client.HotSwapClient client = io.hotswap.client.HotSwapClient.builder().bootstrapServers(bootstrap)
        .environment("production").tenant("it-deploy").instanceId("it-deploy-reader").register(false).build().start()) {
      client.ready().get(60, java.util.concurrent.TimeUnit.SECONDS);
      Map<String, Integer> arms = new java.util.TreeMap<>();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        arms.clear();
        for (int u = 0; u < 2000; u++) {
          io.hotswap.client.Choice c = client.choice("it-deploy", "checkout.timeout_ms", io.hotswap.client.Context.of("userId", "user-" + u))
              .orElseThrow();
          arms.merge(c.arm() + "=" + c.value(), 1, Integer::sum);
        }
        assertThat(arms.keySet()).containsExactly("A=800", "B=700");
        assertThat(arms.get("B=700")).isBetween(500, 700);
      });
      Api.Response completed = operator.post("/api/v1/deployments/" + ab + "/complete", null);
      assertThat(completed.status()).as(completed.text()).isEqualTo(200);
      assertThat(completed.json().get("status").asString()).isEqualTo("completed");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.getString("it-deploy", "checkout.timeout_ms", "?",
          io.hotswap.client.Context.of("userId", "user-1"))).isEqualTo("700"));
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count(
        "SELECT count(*) FROM audit_log WHERE tenant_id = ? AND event_type LIKE 'DEPLOYMENT_%' AND actor IS NOT NULL", "it-deploy"))
        .as("started, completed; started, paused, resumed, rolled back; started, health, rolled back; started, completed").isEqualTo(11));

    // the trail through the gateway: exported as CSV, and replayed to what was live
    Api.Response csv = api.get("/api/v1/audit-logs/export?tenantId=it-deploy&format=csv");
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.header("Content-Disposition")).isEqualTo("attachment; filename=\"audit-it-deploy.csv\"");
    assertThat(csv.text().lines().filter(l -> l.contains(",DEPLOYMENT_")).count()).isEqualTo(11);
    JsonNode replayed = api.get("/api/v1/audit-logs/replay?tenantId=it-deploy&environment=production").json().get("items").get(0);
    assertThat(replayed.get("key").asString()).isEqualTo("checkout.timeout_ms");
    assertThat(replayed.get("value").asString()).isEqualTo("700");
    assertThat(replayed.get("lastEvent").asString()).isEqualTo("DEPLOYMENT_COMPLETED");
  }

  @Test
  void shouldTrackInstancesThroughRestAndEvictThoseThatStopHeartbeating() {
    assertThat(api.post("/api/v1/instances", Map.of()).json().get("field").asString()).isEqualTo("service");
    assertThat(api.post("/api/v1/instances", Map.of("service", "billing", "port", 70000)).status()).isEqualTo(400);
    assertThat(api.post("/api/v1/instances", Map.of("service", "billing", "instanceId", "bad id!")).status()).isEqualTo(400);
    assertThat(api.post("/api/v1/instances", Map.of("service", "billing", "environment", "moon")).status()).isEqualTo(400);

    Api.Response registered = api.post("/api/v1/instances", Map.of("instanceId", "billing-it-1", "service", "billing", "host", "10.1.2.3",
        "port", 8443, "environment", "production", "tags", List.of("eu-west"), "heartbeatPeriodMs", 500));
    assertThat(registered.status()).as(registered.text()).isEqualTo(201);
    assertThat(registered.headers().firstValue("Location")).hasValue("/api/v1/instances/billing-it-1");
    assertThat(registered.json().get("status").asString()).isEqualTo("Healthy");
    assertThat(registered.json().get("clientVersion").asString()).isEqualTo("rest");
    assertThat(api.get("/api/v1/instances?service=billing").json().get("items")).extracting(i -> i.get("instanceId").asString())
        .containsExactly("billing-it-1");
    Api.Response beat = api.post("/api/v1/instances/billing-it-1/heartbeat", Map.of());
    assertThat(beat.status()).as(beat.text()).isEqualTo(200);
    // heartbeats of one instance sent at once are all answered (each once waited for its own and the
    // earlier ones gave up with 503 — the fuzz test found it)
    try (var together = java.util.concurrent.Executors.newFixedThreadPool(8)) {
      List<java.util.concurrent.Future<Api.Response>> beats = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        beats.add(together.submit(() -> api.post("/api/v1/instances/billing-it-1/heartbeat", Map.of())));
      }
      for (var b : beats) {
        assertThat(b.get().status()).as(b.get().text()).isEqualTo(200);
      }
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e);
    }

    // silent for two periods: Unhealthy; silent past the eviction limit: gone
    await().atMost(Duration.ofSeconds(20)).until(() -> "Unhealthy".equals(api.get("/api/v1/instances/billing-it-1").json().path("status").asString("")));
    assertThat(api.get("/api/v1/instances?status=unhealthy&service=billing").json().get("totalItems").asInt()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/v1/instances/billing-it-1").status() == 404);
    assertThat(api.post("/api/v1/instances/billing-it-1/heartbeat", Map.of()).status()).as("register again").isEqualTo(404);

    assertThat(api.post("/api/v1/instances", Map.of("instanceId", "billing-it-2", "service", "billing")).status()).isEqualTo(201);
    assertThat(api.delete("/api/v1/instances/billing-it-2").status()).isEqualTo(204);
    assertThat(api.get("/api/v1/instances/billing-it-2").status()).isEqualTo(404);
    assertThat(api.delete("/api/v1/instances/billing-it-2").status()).isEqualTo(404);
  }
}
