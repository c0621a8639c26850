package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotswap.client.HotSwapClient;
import io.hotswap.client.PluginOptions;
import io.hotswap.client.PluginSource;
import io.hotswap.core.testing.Tokens;
import io.hotswap.plugin.api.Invocable;
import io.hotswap.plugin.api.PluginApi;
import io.hotswap.plugin.host.PluginSignatures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The plugin manager from end to end, on the real broker, PostgreSQL and the local S3 API, through
 * REST and the Java client: two signed versions registered; tenant A pinned to 1.x while tenant B
 * gets 2.x by canary; both versions running side by side in one client; B's 2.x failing its
 * liveness checks and rolled back automatically; every step in the audit trail; and a production
 * plugin deployment waiting for two approvers.
 */
class PluginsEndToEndIT extends PlatformTest {

  private static final String PLUGIN = "e2e-greeting";
  private static final String A = "it-plugins-a";
  private static final String B = "it-plugins-b";

  @Test
  void shouldPinOneTenantCanaryAnotherRunBothSideBySideAndRollBackTheFailingVersion() throws Exception {
    byte[] v1 = withId(PluginRegistryIT.greeting(1), PLUGIN);
    byte[] v2 = withId(PluginRegistryIT.greeting(2), PLUGIN);
    assertThat(PluginRegistryIT.register(v1, PluginRegistryIT.sign(v1), null).status()).isEqualTo(201);
    assertThat(PluginRegistryIT.register(v2, PluginRegistryIT.sign(v2), null).status()).isEqualTo(201);
    createUnguardedTenant(A);
    createUnguardedTenant(B);

    // A stays on 1.x whatever is newer; B is given 1.0.0 by name
    Api.Response pinned = api.put("/api/v1/tenants/" + A + "/plugins/" + PLUGIN, Map.of("environment", "qa", "pin", "1.x",
        "config", Map.of("template", "Hi, %s."), "credentials", Map.of("apiKey", "a-secret")), Map.of());
    assertThat(pinned.status()).as(pinned.text()).isEqualTo(201);
    assertThat(pinned.json().get("version").asString()).isEqualTo("1.0.0");
    assertThat(pinned.json().get("why").asString()).isEqualTo("pinned to 1.x");
    assertThat(pinned.json().get("credentials").get("apiKey").asString()).as("credentials are never shown").isEqualTo("******");
    Api.Response explicit = api.put("/api/v1/tenants/" + B + "/plugins/" + PLUGIN, Map.of("environment", "qa", "version", "1.0.0"), Map.of());
    assertThat(explicit.status()).as(explicit.text()).isEqualTo(201);

    // settings are checked against the schema the plugin ships, and nothing is stored when they fail it
    Api.Response badSettings = api.put("/api/v1/tenants/" + B + "/plugins/" + PLUGIN, Map.of("environment", "qa", "version", "1.0.0",
        "config", Map.of("template", "no placeholder")), Map.of());
    assertThat(badSettings.status()).as(badSettings.text()).isEqualTo(400);
    assertThat(badSettings.json().get("type").asString()).endsWith("/plugin-config-invalid");

    Path cache = Files.createTempDirectory("it-plugin-cache");
    String instanceId = "it-plugins-host-1";
    try (HotSwapClient service = HotSwapClient.builder().bootstrapServers(bootstrap).environment("qa").tenants(List.of(A, B))
        .instanceId(instanceId).service("greeter").heartbeatPeriod(Duration.ofSeconds(1)).healthReportPeriod(Duration.ofSeconds(1))
        .masterKeyBase64(Tokens.MASTER_KEY)
        .plugins(PluginOptions.create()
            .trustPublisher(PUBLISHER, PUBLISHER_KEYS.getPublic())
            .source(PluginSource.gateway("http://localhost:" + api.port(), () -> Tokens.token("greeter-service", List.of("Viewer"), List.of())))
            .cacheDirectory(cache)
            .livenessPeriod(Duration.ofMillis(200)))
        .build().start()) {
      service.ready().get(60, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(service.plugins().activeVersion(A, PLUGIN)).contains("1.0.0");
        assertThat(service.plugins().activeVersion(B, PLUGIN)).contains("1.0.0");
      });
      assertThat(greet(service, A)).as("A's settings reach its instance").isEqualTo("Hi, Ada.");
      assertThat(cache.resolve(PluginSignatures.sha256(v1) + ".jar")).exists();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(api.get("/api/v1/instances/" + instanceId).json()
          .path("applied").has(B + "|plugin:" + PLUGIN)).isTrue());

      // B gets 2.0.0 by canary: this instance is the canary's first step
      Api.Response started = api.post("/api/v1/plugins/" + PLUGIN + "/deployments", Map.of("tenantId", B, "environment", "qa",
          "version", "2.0.0", "strategy", "canary", "targetInstances", List.of(instanceId), "steps", List.of(50, 100), "bakeTime", "PT1H"));
      assertThat(started.status()).as(started.text()).isEqualTo(201);
      assertThat(started.json().get("fromVersion").asString()).isEqualTo("1.0.0");
      String deploymentId = started.json().get("deploymentId").asString();

      // the pinned tenant can't be moved outside its range
      Api.Response outside = api.post("/api/v1/plugins/" + PLUGIN + "/deployments", Map.of("tenantId", A, "environment", "qa",
          "version", "2.0.0", "credentials", Map.of("apiKey", "a-secret")));
      assertThat(outside.status()).as(outside.text()).isEqualTo(409);

      // both versions run side by side in one JVM, each tenant on its own
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(service.plugins().activeVersion(B, PLUGIN)).contains("2.0.0"));
      assertThat(service.plugins().activeVersion(A, PLUGIN)).contains("1.0.0");
      assertThat(service.plugins().host().loadedVersions()).isEqualTo(2);
      assertThat(greet(service, A)).isEqualTo("Hi, Ada.");
      JsonNode during = api.get("/api/v1/tenants/" + B + "/plugins/" + PLUGIN + "?environment=qa").json();
      assertThat(during.get("why").asString()).isIn("deployment in progress", "rolled out by a deployment");

      // 2.0.0 fails its liveness checks: the instance reports it, rollout rolls the deployment back, B is on 1.0.0 again
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(api.get("/api/v1/deployments/" + deploymentId).json().path("status").asString()).isEqualTo("rolled_back"));
      assertThat(api.get("/api/v1/deployments/" + deploymentId).text()).as("the rollback says why")
          .contains(instanceId, PLUGIN + "@2.0.0 failed 3 liveness checks in a row");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(service.plugins().activeVersion(B, PLUGIN)).contains("1.0.0"));
      assertThat(greet(service, B)).isEqualTo("Hello, Ada!");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(service.plugins().host().loadedVersions()).isEqualTo(1));

      // how the plugin runs out there: both tenants' assignments on this instance, healthy again
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        JsonNode health = api.get("/api/v1/plugins/" + PLUGIN + "/health").json();
        assertThat(health.get("status").asString()).isEqualTo("healthy");
        assertThat(health.get("hosts").valueStream().map(h -> h.get("tenantId").asString() + "@" + h.get("instanceId").asString()).toList())
            .containsExactlyInAnyOrder(A + "@" + instanceId, B + "@" + instanceId);
      });

      // and how its calls go: every greet above counted as a request of this instance
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        greet(service, A);
        JsonNode metrics = api.get("/api/v1/plugins/" + PLUGIN + "/metrics").json();
        assertThat(metrics.get("versions").asInt()).isEqualTo(2);
        assertThat(metrics.get("byArm").get("stable").get("instances").asInt()).isEqualTo(1);
        assertThat(metrics.get("byArm").get("stable").get("requests").asLong()).isPositive();
      });

      // what each tenant runs, and why
      JsonNode a = api.get("/api/v1/tenants/" + A + "/plugins?environment=qa").json().get("plugins").get(0);
      assertThat(a.get("version").asString()).isEqualTo("1.0.0");
      assertThat(a.get("why").asString()).isEqualTo("pinned to 1.x");
      JsonNode b = api.get("/api/v1/tenants/" + B + "/plugins/" + PLUGIN + "?environment=qa").json();
      assertThat(b.get("version").asString()).isEqualTo("1.0.0");

      // disabling the plugin stops and unloads it for that tenant only
      Api.Response disabled = api.put("/api/v1/tenants/" + B + "/plugins/" + PLUGIN, Map.of("environment", "qa", "version", "1.0.0",
          "enabled", false), Map.of());
      assertThat(disabled.status()).as(disabled.text()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(service.plugins().activeVersion(B, PLUGIN)).isEmpty());
      assertThat(service.plugins().activeVersion(A, PLUGIN)).contains("1.0.0");

      // new settings for A without its credentials: they are kept (rollout carries them over), and the service picks the settings up
      Api.Response resettled = api.put("/api/v1/tenants/" + A + "/plugins/" + PLUGIN, Map.of("environment", "qa", "pin", "1.x",
          "config", Map.of("template", "Hey, %s.")), Map.of());
      assertThat(resettled.status()).as(resettled.text()).isEqualTo(200);
      assertThat(resettled.json().get("credentials").get("apiKey").asString()).isEqualTo("******");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(greet(service, A)).isEqualTo("Hey, Ada."));
    }

    // promoting A's assignment to staging re-seals its credentials there: a staging service opens them and runs the plugin
    Api.Response promoted = api.post("/api/v1/configs/" + A + ":qa:plugin:" + PLUGIN + "/promote", Map.of("targetEnvironment", "staging"));
    assertThat(promoted.status()).as(promoted.text()).isIn(200, 201);
    try (HotSwapClient staging = HotSwapClient.builder().bootstrapServers(bootstrap).environment("staging").tenant(A)
        .instanceId("it-plugins-staging-1").service("greeter").register(false).masterKeyBase64(Tokens.MASTER_KEY)
        .plugins(PluginOptions.create().trustPublisher(PUBLISHER, PUBLISHER_KEYS.getPublic())
            .source(PluginSource.gateway("http://localhost:" + api.port(), () -> Tokens.token("greeter-service", List.of("Viewer"), List.of())))
            .cacheDirectory(cache))
        .build().start()) {
      staging.ready().get(60, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(staging.plugins().activeVersion(A, PLUGIN)).contains("1.0.0"));
      assertThat(greet(staging, A)).isEqualTo("Hey, Ada.");
    }

    // every step is in the audit trail
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<String> trail = trail(B);
      assertThat(trail).contains("CONFIG_CREATED plugin:" + PLUGIN, "DEPLOYMENT_STARTED plugin:" + PLUGIN,
          "DEPLOYMENT_ROLLED_BACK plugin:" + PLUGIN, "CONFIG_UPDATED plugin:" + PLUGIN);
      assertThat(trail(A)).contains("CONFIG_CREATED plugin:" + PLUGIN);
      List<String> platform = new ArrayList<>();
      api.get("/api/v1/audit-logs?tenantId=*&size=500").json().get("items").forEach(e -> platform.add(e.get("resourceId").asString()));
      assertThat(platform).contains(PLUGIN + "@1.0.0", PLUGIN + "@2.0.0");
    });
    assertThat(api.get("/api/v1/audit-logs?tenantId=" + A + "&size=200").text()).doesNotContain("a-secret");
  }

  @Test
  void shouldHoldAProductionPluginDeploymentForTwoApprovers() {
    byte[] v1 = withId(PluginRegistryIT.greeting(1), "e2e-prod-greeting");
    byte[] v1b = withId(PluginRegistryIT.greeting(1), "e2e-prod-greeting", "1.1.0");
    assertThat(PluginRegistryIT.register(v1, PluginRegistryIT.sign(v1), null).status()).isEqualTo(201);
    assertThat(PluginRegistryIT.register(v1b, PluginRegistryIT.sign(v1b), null).status()).isEqualTo(201);
    createUnguardedTenant("it-plugins-prod");
    Api.Response assigned = api.put("/api/v1/tenants/it-plugins-prod/plugins/e2e-prod-greeting",
        Map.of("environment", "production", "version", "1.0.0"), Map.of());
    assertThat(assigned.status()).as("the tenant guards nothing, so the assignment itself is direct: " + assigned.text()).isEqualTo(201);

    Api.Response held = api.post("/api/v1/plugins/e2e-prod-greeting/deployments", Map.of("tenantId", "it-plugins-prod",
        "environment", "production", "version", "1.1.0", "strategy", "canary", "steps", List.of(25, 100), "bakeTime", "PT1H"));
    assertThat(held.status()).as("new plugin code in production waits for approvers: " + held.text()).isEqualTo(202);
    JsonNode approval = api.get("/api/v1/approvals/" + held.json().get("approvalId").asString()).json();
    assertThat(approval.get("requiredApprovals").asInt()).isEqualTo(2);
    assertThat(approval.get("kind").asString()).isEqualTo("deployment");
  }

  @Test
  void shouldRunATenantsPluginInASpringBootServiceThroughTheStarter(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    String tenant = "it-plugins-spring";
    byte[] v1 = withId(PluginRegistryIT.greeting(1), "e2e-spring-greeting");
    assertThat(PluginRegistryIT.register(v1, PluginRegistryIT.sign(v1), null).status()).isEqualTo(201);
    createUnguardedTenant(tenant);
    assertThat(api.put("/api/v1/tenants/" + tenant + "/plugins/e2e-spring-greeting", Map.of("environment", "development",
        "config", Map.of("template", "Welcome, %s!")), Map.of()).status()).isEqualTo(201);
    try (var app = io.hotswap.sample.SampleApplication.application().run("--server.port=0", "--hotswap.client.bootstrap-servers=" + bootstrap,
        "--hotswap.client.environment=development", "--hotswap.client.tenant=" + tenant, "--hotswap.client.service=greeter",
        "--hotswap.client.instance-id=it-spring-greeter", "--hotswap.client.heartbeat-period=PT1S",
        "--hotswap.client.snapshot-file=" + dir.resolve("greeter.json"),
        "--hotswap.client.plugins.enabled=true", "--hotswap.client.plugins.registry-url=http://localhost:" + api.port(),
        "--hotswap.client.plugins.token=" + Tokens.token("greeter-service", List.of("Viewer"), List.of()),
        "--hotswap.client.plugins.publishers." + PUBLISHER + "=" + PluginSignatures.encode(PUBLISHER_KEYS.getPublic()),
        "--hotswap.client.plugins.cache-dir=" + dir.resolve("plugins"), ClientIT.SAMPLE_NEEDS_NO_PLATFORM)) {
      io.hotswap.client.ClientPlugins plugins = app.getBean(io.hotswap.client.ClientPlugins.class);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(plugins.activeVersion(tenant, "e2e-spring-greeting")).contains("1.0.0"));
      String greeting = plugins.call(tenant, "e2e-spring-greeting", Invocable.class, g -> g.invoke("greet", Map.of("name", "Ada")));
      assertThat(greeting).isEqualTo("Welcome, Ada!");
    }
  }

  @Test
  void shouldRunATenantsOwnPluginOnlyWhereTheServiceTrustsThatTenantsPublisher() throws Exception {
    String tenant = "it-own-runner";
    String plugin = "e2e-own-greeting";
    createUnguardedTenant(tenant);
    java.security.KeyPair tenantKeys = PluginSignatures.newKeyPair();
    String tenantKey = PluginSignatures.encode(tenantKeys.getPublic());
    assertThat(api.put("/api/v1/tenants/" + tenant + "/plugin-trust", Map.of("publishers", Map.of("own", tenantKey)), Map.of()).status())
        .isEqualTo(200);
    byte[] jar = withId(PluginRegistryIT.greeting(1), plugin);
    Api.Response registered = api.multipart("/api/v1/plugins", Map.of("binary", jar, "tenantId", tenant,
        "signature", java.util.Base64.getEncoder().encodeToString(PluginSignatures.sign(tenantKeys.getPrivate(), jar))));
    assertThat(registered.status()).as(registered.text()).isEqualTo(201);
    assertThat(api.put("/api/v1/tenants/" + tenant + "/plugins/" + plugin, Map.of("environment", "development"), Map.of()).status())
        .isEqualTo(201);

    // one service trusts the tenant's publisher for that tenant; another trusts it for some other tenant only
    try (HotSwapClient trusting = ownPluginHost(tenant, "it-own-trusting", PluginOptions.create().trustPublisherForTenant(tenant, "own", tenantKey));
         HotSwapClient other = ownPluginHost(tenant, "it-own-untrusting", PluginOptions.create().trustPublisherForTenant("it-someone-else", "own",
             tenantKey))) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(trusting.plugins().activeVersion(tenant, plugin)).contains("1.0.0"));
      String greeting = trusting.plugins().call(tenant, plugin, Invocable.class, g -> g.invoke("greet", Map.of("name", "Ada")));
      assertThat(greeting).contains("Ada");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(api.get("/api/v1/instances/it-own-untrusting").json()
          .path("applied").path(tenant + "|plugin:" + plugin).path("applyError").asString()).contains("signature"));
      assertThat(other.plugins().activeVersion(tenant, plugin)).isEmpty();
    }
  }

  @Test
  void shouldMovePluginVersionsByBlueGreenRollingAndABTestAndRollBack() throws Exception {
    String tenant = "it-plugin-strategies";
    String plugin = "e2e-strategy-greeting";
    List<String> versions = List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0");
    for (String v : versions) {
      byte[] jar = withId(PluginRegistryIT.greeting(1), plugin, v);
      assertThat(PluginRegistryIT.register(jar, PluginRegistryIT.sign(jar), null).status()).isEqualTo(201);
    }
    createUnguardedTenant(tenant);
    assertThat(api.put("/api/v1/tenants/" + tenant + "/plugins/" + plugin, Map.of("environment", "development", "version", "1.0.0"), Map.of())
        .status()).isEqualTo(201);
    String instanceId = "it-plugin-strategies-1";
    java.util.concurrent.atomic.AtomicBoolean traffic = new java.util.concurrent.atomic.AtomicBoolean(true);
    try (HotSwapClient service = HotSwapClient.builder().bootstrapServers(bootstrap).environment("development").tenant(tenant)
        .instanceId(instanceId).service("strategy-greeter").tags(List.of("green")).heartbeatPeriod(Duration.ofSeconds(1))
        .healthReportPeriod(Duration.ofSeconds(1)).masterKeyBase64(Tokens.MASTER_KEY)
        .plugins(PluginOptions.create().trustPublisher(PUBLISHER, PUBLISHER_KEYS.getPublic())
            .source(PluginSource.gateway("http://localhost:" + api.port(), () -> Tokens.token("strategy-greeter", List.of("Viewer"), List.of()))))
        .build().start()) {
      service.ready().get(60, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(service.plugins().activeVersion(tenant, plugin)).contains("1.0.0"));
      // healthy plugin calls, so that a step this instance serves is judged and moves on
      Thread load = Thread.ofVirtual().start(() -> {
        while (traffic.get()) {
          try {
            service.plugins().call(tenant, plugin, Invocable.class, g -> g.invoke("greet", Map.of("name", "Ada")));
          } catch (Exception e) {
            // between versions a call may find none running; the next one will
          }
          java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
      });
      Map<String, Map<String, Object>> plans = new LinkedHashMap<>();
      plans.put("1.1.0", Map.of("strategy", "blue-green", "targetInstances", List.of(instanceId)));
      plans.put("1.2.0", Map.of("strategy", "rolling", "steps", List.of(50, 100)));
      plans.put("1.3.0", Map.of("strategy", "ab-test", "steps", List.of(40)));
      for (Map.Entry<String, Map<String, Object>> step : plans.entrySet()) {
        String version = step.getKey();
        Map<String, Object> plan = new java.util.HashMap<>(step.getValue());
        plan.putAll(Map.of("tenantId", tenant, "environment", "development", "version", version, "bakeTime", "PT1S"));
        Api.Response started = api.post("/api/v1/plugins/" + plugin + "/deployments", plan);
        assertThat(started.status()).as(plan.get("strategy") + ": " + started.text()).isEqualTo(201);
        String id = started.json().get("deploymentId").asString();
        Api.Response completed = api.post("/api/v1/deployments/" + id + "/complete", null);
        assertThat(completed.status()).as(plan.get("strategy") + ": " + completed.text()).isIn(200, 409);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(api.get("/api/v1/deployments/" + id).json().get("status").asString()).as(version).isEqualTo("completed"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(service.plugins().activeVersion(tenant, plugin)).as(plan.get("strategy") + " moved the tenant").contains(version));
      }
      // a blue-green started and rolled back: the tenant is on the version before it again
      Api.Response again = api.post("/api/v1/plugins/" + plugin + "/deployments", Map.of("tenantId", tenant, "environment", "development",
          "version", "1.4.0", "strategy", "blue-green", "targetInstances", List.of(instanceId), "bakeTime", "PT1H"));
      assertThat(again.status()).as(again.text()).isEqualTo(201);
      String againId = again.json().get("deploymentId").asString();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(service.plugins().activeVersion(tenant, plugin)).contains("1.4.0"));
      assertThat(api.post("/api/v1/deployments/" + againId + "/rollback", Map.of("reason", "not today")).status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(service.plugins().activeVersion(tenant, plugin)).contains("1.3.0"));
      traffic.set(false);
      load.join();
    } finally {
      traffic.set(false);
    }
  }

  @Test
  void shouldReSealPluginCredentialsWithTheNewestDataKey() {
    String tenant = "it-plugin-rekey";
    String plugin = "e2e-rekey-greeting";
    byte[] jar = withId(PluginRegistryIT.greeting(1), plugin);
    assertThat(PluginRegistryIT.register(jar, PluginRegistryIT.sign(jar), null).status()).isEqualTo(201);
    createUnguardedTenant(tenant);
    Api.Response assigned = api.put("/api/v1/tenants/" + tenant + "/plugins/" + plugin,
        Map.of("environment", "development", "credentials", Map.of("apiKey", "sk-rekey")), Map.of());
    assertThat(assigned.status()).as(assigned.text()).isEqualTo(201);
    assertThat(api.post("/api/v1/tenants/" + tenant + "/keys/rotate", Map.of()).status()).isEqualTo(201);

    Api.Response reEncrypted = api.post("/api/v1/tenants/" + tenant + "/secrets/re-encrypt", Map.of());
    assertThat(reEncrypted.status()).as(reEncrypted.text()).isEqualTo(200);
    assertThat(reEncrypted.json().get("reEncrypted").asInt()).as("the assignment's credentials were sealed with the old key").isEqualTo(1);
    assertThat(api.post("/api/v1/tenants/" + tenant + "/secrets/re-encrypt", Map.of()).json().get("reEncrypted").asInt())
        .as("now under the newest key").isZero();
    Api.Response after = api.get("/api/v1/tenants/" + tenant + "/plugins/" + plugin + "?environment=development");
    assertThat(after.header("ETag")).as("a new version of the assignment").contains("2");
    assertThat(after.json().get("credentials").has("apiKey")).as("the credential is kept, re-sealed").isTrue();
    assertThat(api.get("/api/v1/audit-logs?tenantId=" + tenant + "&size=50").text()).doesNotContain("sk-rekey");
  }

  private HotSwapClient ownPluginHost(String tenant, String instanceId, PluginOptions options) throws Exception {
    HotSwapClient client = HotSwapClient.builder().bootstrapServers(bootstrap).environment("development").tenant(tenant)
        .instanceId(instanceId).service("own-greeter").heartbeatPeriod(Duration.ofSeconds(1)).masterKeyBase64(Tokens.MASTER_KEY)
        .plugins(options.source(PluginSource.gateway("http://localhost:" + api.port(), () -> Tokens.token("own-greeter", List.of("Viewer"), List.of()))))
        .build().start();
    client.ready().get(60, TimeUnit.SECONDS);
    return client;
  }

  @Test
  void shouldMigrateTheTenantsOnAVersionRespectingTheirPins() {
    String plugin = "e2e-migrate-greeting";
    byte[] v100 = withId(PluginRegistryIT.greeting(1), plugin);
    byte[] v110 = withId(PluginRegistryIT.greeting(1), plugin, "1.1.0");
    assertThat(PluginRegistryIT.register(v100, PluginRegistryIT.sign(v100), null).status()).isEqualTo(201);
    for (String t : List.of("it-migrate-1", "it-migrate-2", "it-migrate-3")) {
      createUnguardedTenant(t);
    }
    assertThat(api.put("/api/v1/tenants/it-migrate-1/plugins/" + plugin, Map.of("environment", "qa", "version", "1.0.0"), Map.of())
        .status()).isEqualTo(201);
    assertThat(api.put("/api/v1/tenants/it-migrate-2/plugins/" + plugin, Map.of("environment", "qa", "pin", "~1.0.0"), Map.of())
        .status()).isEqualTo(201);
    assertThat(PluginRegistryIT.register(v110, PluginRegistryIT.sign(v110), null).status()).isEqualTo(201);
    assertThat(api.put("/api/v1/tenants/it-migrate-3/plugins/" + plugin, Map.of("environment", "qa", "version", "1.1.0"), Map.of())
        .status()).isEqualTo(201);

    Api.Response migrated = api.post("/api/v1/plugins/" + plugin + "/versions/1.0.0/migrate", Map.of("to", "1.1.0", "environment", "qa",
        "tenants", List.of("it-migrate-1", "it-migrate-2", "it-migrate-3")));
    assertThat(migrated.status()).as(migrated.text()).isEqualTo(200);
    Map<String, String> outcomes = new java.util.HashMap<>();
    migrated.json().get("tenants").forEach(t -> outcomes.put(t.get("tenantId").asString(),
        t.get("outcome").asString() + (t.has("reason") ? " " + t.get("reason").asString() : "")));
    assertThat(outcomes).containsEntry("it-migrate-1", "started").containsEntry("it-migrate-2", "skipped outside-pin")
        .containsEntry("it-migrate-3", "skipped not-on-version");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(api.get("/api/v1/tenants/it-migrate-1/plugins/" + plugin
        + "?environment=qa").json().get("version").asString()).isEqualTo("1.1.0"));
    assertThat(api.get("/api/v1/tenants/it-migrate-2/plugins/" + plugin + "?environment=qa").json().get("version").asString())
        .isEqualTo("1.0.0");
    assertThat(api.as(Tokens.token("it-dev", List.of("Developer"), List.of()))
        .post("/api/v1/plugins/" + plugin + "/versions/1.0.0/migrate", Map.of("to", "1.1.0", "environment", "qa")).status()).isEqualTo(403);
  }

  private static String greet(HotSwapClient service, String tenant) throws Exception {
    return service.plugins().call(tenant, PLUGIN, Invocable.class, g -> g.invoke("greet", Map.of("name", "Ada")));
  }

  private static List<String> trail(String tenant) {
    List<String> trail = new ArrayList<>();
    api.get("/api/v1/audit-logs?tenantId=" + tenant + "&size=500").json().get("items").forEach(e ->
        trail.add(e.get("eventType").asString() + " " + e.path("key").asString()));
    return trail;
  }

  /** The sample plugin's jar under another plugin id (so each test class registers its own plugin). */
  static byte[] withId(byte[] jar, String id) {
    return withId(jar, id, null);
  }

  static byte[] withId(byte[] jar, String id, String version) {
    try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
      Manifest manifest = new Manifest(in.getManifest());
      manifest.getMainAttributes().putValue(PluginApi.ID, id);
      if (version != null) {
        manifest.getMainAttributes().putValue(PluginApi.PLUGIN_VERSION, version);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
        for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
          jarOut.putNextEntry(new JarEntry(e.getName()));
          jarOut.write(in.readAllBytes());
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
