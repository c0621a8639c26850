package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Plugin sandboxes through REST: a registered version loaded from object storage, test cases run in
 * a child JVM with limits and no network, results read back, sessions cleaned up and bounded per
 * environment; and a plugin deployment that requires a passing sandbox run first.
 */
class SandboxApiIT extends PlatformTest {

  private static final String PLUGIN = "sb-greeting";

  private static void registerOnce() {
    if (api.get("/api/v1/plugins/" + PLUGIN).status() == 404) {
      byte[] v1 = PluginsEndToEndIT.withId(PluginRegistryIT.greeting(1), PLUGIN);
      byte[] v2 = PluginsEndToEndIT.withId(PluginRegistryIT.greeting(2), PLUGIN);
      assertThat(PluginRegistryIT.register(v1, PluginRegistryIT.sign(v1), null).status()).isEqualTo(201);
      assertThat(PluginRegistryIT.register(v2, PluginRegistryIT.sign(v2), null).status()).isEqualTo(201);
    }
  }

  @Test
  void shouldRunTestCasesOfARegisteredVersionInASandboxAndCleanItUp() {
    registerOnce();
    // (not development: other tests' anonymous calls open sandboxes there, and ten are the most)
    Api.Response created = api.post("/api/v1/sandbox/create", Map.of("environment", "production",
        "limits", Map.of("heapMb", 64, "cpuSeconds", 30, "wallSeconds", 60)));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String id = created.json().get("sandboxId").asString();
    assertThat(created.json().get("status").asString()).isEqualTo("created");
    assertThat(created.json().get("limits").get("heapMb").asInt()).isEqualTo(64);

    // nothing to run before a version is loaded
    assertThat(api.post("/api/v1/sandbox/" + id + "/execute", Map.of("testCases", List.of(Map.of("operation", "greet")))).status())
        .isEqualTo(409);
    Api.Response loaded = api.post("/api/v1/sandbox/" + id + "/load", Map.of("pluginId", PLUGIN, "version", "1.0.0",
        "config", Map.of("template", "Hi, %s.")));
    assertThat(loaded.status()).as(loaded.text()).isEqualTo(200);
    assertThat(loaded.json().get("plugin").asString()).isEqualTo(PLUGIN + "@1.0.0");

    Api.Response started = api.post("/api/v1/sandbox/" + id + "/execute", Map.of("testCases", List.of(
        Map.of("operation", "greet", "arguments", Map.of("name", "Ada"), "expected", "Hi, Ada."),
        Map.of("operation", "version", "expected", "1.0.0"))));
    assertThat(started.status()).as(started.text()).isEqualTo(202);
    JsonNode result = awaitResult(id);
    assertThat(result.get("outcome").asString()).as(result.toString()).isEqualTo("PASSED");
    assertThat(result.get("cases").valueStream().map(c -> c.get("passed").asBoolean()).toList()).containsExactly(true, true);
    assertThat(result.get("networkIsolated").isBoolean()).isTrue();

    // a case whose output differs fails, with what it got
    api.post("/api/v1/sandbox/" + id + "/execute", Map.of("testCases", List.of(
        Map.of("operation", "greet", "arguments", Map.of("name", "Ada"), "expected", "Bonjour, Ada."))));
    JsonNode failed = awaitResult(id);
    assertThat(failed.get("outcome").asString()).isEqualTo("FAILED");
    assertThat(failed.get("cases").get(0).get("output").asString()).isEqualTo("Hi, Ada.");

    assertThat(api.post("/api/v1/sandbox/" + id + "/cleanup", Map.of()).json().get("status").asString()).isEqualTo("cleaned_up");
    Api.Response gone = api.get("/api/v1/sandbox/" + id + "/results");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().get("type").asString()).endsWith("/sandbox-not-found");
  }

  @Test
  void shouldAllowTenSandboxesPerEnvironmentAndRefuseBadRequests() {
    List<String> open = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Api.Response r = api.post("/api/v1/sandbox/create", Map.of("environment", "staging"));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      open.add(r.json().get("sandboxId").asString());
    }
    Api.Response eleventh = api.post("/api/v1/sandbox/create", Map.of("environment", "staging"));
    assertThat(eleventh.status()).as(eleventh.text()).isEqualTo(429);
    assertThat(eleventh.json().get("type").asString()).endsWith("/sandbox-limit");
    assertThat(api.post("/api/v1/sandbox/create", Map.of("environment", "qa")).status()).as("another environment has its own ten")
        .isEqualTo(201);
    api.post("/api/v1/sandbox/" + open.getFirst() + "/cleanup", Map.of());
    assertThat(api.post("/api/v1/sandbox/create", Map.of("environment", "staging")).status()).isEqualTo(201);

    assertThat(api.post("/api/v1/sandbox/create", Map.of("limits", Map.of("heapMb", 1_000_000))).status()).isEqualTo(400);
    assertThat(api.post("/api/v1/sandbox/" + open.get(1) + "/load", Map.of("pluginId", PLUGIN, "version", "9.9.9")).status())
        .isEqualTo(404);
    assertThat(api.as(io.hotswap.core.testing.Tokens.token("it-viewer", List.of("Viewer"), List.of()))
        .post("/api/v1/sandbox/create", Map.of()).status()).isEqualTo(403);
  }

  @Test
  void shouldStartAPluginDeploymentOnlyAfterItsSandboxRunPasses() {
    registerOnce();
    createUnguardedTenant("it-sandboxed");
    assertThat(api.put("/api/v1/tenants/it-sandboxed/plugins/" + PLUGIN, Map.of("environment", "qa", "version", "1.0.0"), Map.of())
        .status()).isEqualTo(201);
    Api.Response refused = api.post("/api/v1/plugins/" + PLUGIN + "/deployments", Map.of("tenantId", "it-sandboxed", "environment", "qa",
        "version", "2.0.0", "sandbox", Map.of("testCases", List.of(Map.of("operation", "greet", "arguments", Map.of("name", "Ada"),
            "expected", "Hello, Ada!")))));
    assertThat(refused.status()).as(refused.text()).isEqualTo(422);
    assertThat(refused.json().get("type").asString()).endsWith("/sandbox-failed");
    assertThat(refused.json().get("errors").get(0).asString()).contains("HELLO, ADA!");
    Api.Response passed = api.post("/api/v1/plugins/" + PLUGIN + "/deployments", Map.of("tenantId", "it-sandboxed", "environment", "qa",
        "version", "2.0.0", "sandbox", Map.of("testCases", List.of(Map.of("operation", "version", "expected", "2.0.0")))));
    assertThat(passed.status()).as(passed.text()).isEqualTo(201);
  }

  private static JsonNode awaitResult(String id) {
    await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/api/v1/sandbox/" + id + "/results").json().get("status").asString()
        .equals("completed"));
    return api.get("/api/v1/sandbox/" + id + "/results").json().get("result");
  }
}
