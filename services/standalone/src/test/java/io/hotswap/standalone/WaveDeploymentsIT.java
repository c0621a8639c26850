package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Wave deployments through REST: one key rolled out across tenants Free → Pro → Enterprise (or by
 * tenant-id ranges), each wave's deployments completed before the next wave starts; a wave whose
 * deployment is rolled back stops the rollout and rolls the rest of its wave back; pause, resume
 * and a rollback of everything.
 */
class WaveDeploymentsIT extends PlatformTest {

  private static Api operator() {
    return api.as(io.hotswap.core.testing.Tokens.token("olga-operator", List.of("Operator"), List.of()));
  }

  /** Tenants {@code prefix-<tier>-<n>}, unguarded, each with {@code search.engine = bm25} in staging; ids in wave order. */
  private static List<String> tenants(String prefix, int perTier, String... tiers) {
    List<String> ids = new ArrayList<>();
    for (String tier : tiers) {
      for (int n = 1; n <= perTier; n++) {
        String id = prefix + "-" + tier.toLowerCase(java.util.Locale.ROOT) + "-" + n;
        Api.Response t = api.post("/api/v1/tenants", Map.of("tenantId", id, "tier", tier, "guardedEnvironments", List.of()));
        assertThat(t.status()).as(t.text()).isEqualTo(201);
        Api.Response c = api.post("/api/v1/configs", Map.of("tenantId", id, "key", "search.engine", "value", "bm25", "type", "String",
            "environment", "staging"));
        assertThat(c.status()).as(c.text()).isEqualTo(201);
        ids.add(id);
      }
    }
    return ids;
  }

  private static Map<String, Object> start(List<String> tenants, String bakeTime, Object... more) {
    Map<String, Object> body = new LinkedHashMap<>(Map.of("environment", "staging", "key", "search.engine", "value", "neural",
        "tenants", tenants, "strategy", "canary", "steps", List.of(50, 100), "bakeTime", bakeTime, "instanceHealth", false));
    for (int i = 0; i < more.length; i += 2) {
      body.put((String) more[i], more[i + 1]);
    }
    return body;
  }

  private static JsonNode wave(String id) {
    Api.Response r = api.get("/api/v1/deployments/waves/" + id);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  private static String value(String tenant) {
    return api.get("/api/v1/configs/" + tenant + ":staging:search.engine").json().get("value").asString();
  }

  @Test
  void shouldRollAKeyOutTierByTierEachWaveCompletedBeforeTheNextStarts() throws Exception {
    List<String> ids = tenants("it-wave", 3, "Enterprise", "Pro", "Free");
    Api operator = operator();

    // only platform operators run a wave deployment; a bad plan or an unknown tenant is a 400 that starts nothing
    Api configManager = api.as(io.hotswap.core.testing.Tokens.token("cm-carla", List.of("ConfigManager"), List.of()));
    assertThat(configManager.post("/api/v1/deployments/waves", start(ids, "PT1S")).status()).isEqualTo(403);
    Api.Response badPlan = operator.post("/api/v1/deployments/waves", start(ids, "PT1S", "steps", List.of(50, 25)));
    assertThat(badPlan.status()).as(badPlan.text()).isEqualTo(400);
    assertThat(badPlan.json().get("field").asString()).isEqualTo("steps");
    Map<String, Object> everyone = new LinkedHashMap<>(start(ids, "PT1S"));
    everyone.remove("tenants");
    Api.Response unnamed = operator.post("/api/v1/deployments/waves", everyone);
    assertThat(unnamed.status()).as("every tenant at once is never a default").isEqualTo(400);
    assertThat(unnamed.json().get("type").asString()).endsWith("choose-tenants");
    Api.Response unknown = operator.post("/api/v1/deployments/waves", start(List.of("it-wave-free-1", "it-wave-nobody"), "PT1S"));
    assertThat(unknown.status()).as(unknown.text()).isEqualTo(400);
    assertThat(unknown.json().get("detail").asString()).contains("it-wave-nobody");
    assertThat(operator.get("/api/v1/deployments/waves").json().findValuesAsString("tenantId")).as("nothing was started")
        .doesNotContain("it-wave-free-1");

    Api.Response started = operator.post("/api/v1/deployments/waves", start(ids, "PT3S"));
    assertThat(started.status()).as(started.text()).isEqualTo(201);
    JsonNode w = started.json();
    String id = w.get("waveDeploymentId").asString();
    assertThat(started.header("Location")).isEqualTo("/api/v1/deployments/waves/" + id);
    assertThat(w.get("status").asString()).isEqualTo("running");
    assertThat(w.get("strategy").asString()).isEqualTo("canary");
    assertThat(w.get("currentWave").asInt()).isEqualTo(1);
    assertThat(texts(w.get("waves"), "name")).containsExactly("free", "pro", "enterprise");
    assertThat(texts(w.get("waves").get(0).get("tenants"), "tenantId")).containsExactly("it-wave-free-1", "it-wave-free-2", "it-wave-free-3");
    assertThat(texts(w.get("waves"), "status")).containsExactly("running", "waiting", "waiting");
    // the Pro and Enterprise tenants have nothing yet
    assertThat(api.get("/api/v1/deployments/it-wave-pro-1:" + id).status()).isEqualTo(404);

    // a wave waits for every one of its tenants: with free-2's deployment paused, the others complete and Pro does not start
    await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/v1/deployments/it-wave-free-2:" + id).status() == 200);
    Api.Response paused = operator.post("/api/v1/deployments/it-wave-free-2:" + id + "/pause", Map.of("reason", "look first"));
    assertThat(paused.status()).as(paused.text()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(texts(wave(id).get("waves").get(0).get("tenants"), "status"))
        .containsExactly("completed", "paused", "completed"));
    assertThat(wave(id).get("currentWave").asInt()).isEqualTo(1);
    assertThat(api.get("/api/v1/deployments/it-wave-pro-1:" + id).status()).isEqualTo(404);
    assertThat(operator.post("/api/v1/deployments/it-wave-free-2:" + id + "/resume", Map.of()).status()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(wave(id).get("status").asString()).isEqualTo("completed"));
    JsonNode done = wave(id);
    assertThat(texts(done.get("waves"), "status")).containsExactly("passed", "passed", "passed");
    for (String tenant : ids) {
      assertThat(value(tenant)).as(tenant).isEqualTo("neural");
    }
    // each wave's deployments started only after every deployment of the wave before it had completed
    Instant previousCompleted = Instant.EPOCH;
    for (String tier : List.of("free", "pro", "enterprise")) {
      Instant firstStart = Instant.MAX;
      Instant lastCompleted = Instant.EPOCH;
      for (int n = 1; n <= 3; n++) {
        JsonNode d = api.get("/api/v1/deployments/it-wave-" + tier + "-" + n + ":" + id).json();
        assertThat(d.get("status").asString()).isEqualTo("completed");
        assertThat(d.get("createdBy").asString()).as("each tenant's deployment names who started the wave").isEqualTo("olga-operator");
        Instant created = Instant.parse(d.get("createdAt").asString());
        Instant completed = Instant.parse(d.get("updatedAt").asString());
        firstStart = created.isBefore(firstStart) ? created : firstStart;
        lastCompleted = completed.isAfter(lastCompleted) ? completed : lastCompleted;
      }
      assertThat(firstStart).as("the %s wave started after the wave before it completed", tier).isAfterOrEqualTo(previousCompleted);
      previousCompleted = lastCompleted;
    }
    // every tenant's audit trail says what the wave deployment did
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND event_type = 'WAVE_DEPLOYMENT_STARTED'", "it-wave-pro-2"))
          .isEqualTo(1);
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND event_type = 'WAVE_DEPLOYMENT_ADVANCED'", "it-wave-pro-2"))
          .isEqualTo(2);
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND event_type = 'WAVE_DEPLOYMENT_COMPLETED'", "it-wave-pro-2"))
          .isEqualTo(1);
    });
    assertThat(operator.get("/api/v1/deployments/waves?status=completed").json().findValuesAsString("waveDeploymentId")).contains(id);
  }

  @Test
  void shouldStopAtAFailingWaveAndRollBackTheRestOfIt() {
    List<String> ids = tenants("it-wavefail", 2, "Free", "Pro");
    Api operator = operator();
    // an operator whose token names these tenants reaches exactly them with allTenants
    Api scoped = api.as(io.hotswap.core.testing.Tokens.token("olga-operator", List.of("Operator"), ids));
    Map<String, Object> all = new LinkedHashMap<>(start(ids, "PT30S"));
    all.remove("tenants");
    all.put("allTenants", true);
    Api.Response started = scoped.post("/api/v1/deployments/waves", all);
    assertThat(started.status()).as(started.text()).isEqualTo(201);
    assertThat(started.json().findValuesAsString("tenantId")).containsExactlyInAnyOrderElementsOf(ids);
    String id = started.json().get("waveDeploymentId").asString();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(texts(wave(id).get("waves").get(0).get("tenants"), "status")).containsExactly("running", "running"));

    // a health report above the threshold rolls one Free tenant's deployment back: the wave fails
    Api.Response sick = operator.post("/api/v1/deployments/it-wavefail-free-1:" + id + "/health", Map.of("errorRate", 0.5));
    assertThat(sick.status()).as(sick.text()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode w = wave(id);
      assertThat(w.get("status").asString()).isEqualTo("failed");
      assertThat(texts(w.get("waves").get(0).get("tenants"), "status")).containsExactly("rolled_back", "rolled_back");
    });
    JsonNode failed = wave(id);
    assertThat(failed.get("reason").asString()).contains("wave 1/2 'free' failed", "it-wavefail-free-1", "error rate 0.5");
    assertThat(texts(failed.get("waves"), "status")).containsExactly("failed", "waiting");
    assertThat(texts(failed.get("waves").get(1).get("tenants"), "status")).containsExactly("waiting", "waiting");
    // the other Free tenant got its stable value back; the Pro tenants never got the candidate
    assertThat(api.get("/api/v1/deployments/it-wavefail-free-2:" + id).json().get("reason").asString()).contains("wave deployment");
    for (String tenant : ids) {
      assertThat(value(tenant)).as(tenant).isEqualTo("bm25");
    }
    assertThat(api.get("/api/v1/deployments/it-wavefail-pro-1:" + id).status()).isEqualTo(404);
    assertThat(operator.post("/api/v1/deployments/waves/" + id + "/resume", Map.of()).status()).as("a failed wave deployment is over")
        .isEqualTo(409);
  }

  @Test
  void shouldWaitWhilePausedThenResumeAndRollEverythingBack() {
    List<String> ids = tenants("it-wavepause", 1, "Free", "Pro");
    Api operator = operator();
    Api.Response started = operator.post("/api/v1/deployments/waves", Map.of("environment", "staging", "key", "search.engine",
        "value", "neural", "ranges", List.of(Map.of("to", "it-wavepause-free-z"), Map.of("from", "it-wavepause-pro")),
        "tenants", ids, "strategy", "canary", "steps", List.of(50, 100), "bakeTime", "PT2S", "instanceHealth", false));
    assertThat(started.status()).as(started.text()).isEqualTo(201);
    String id = started.json().get("waveDeploymentId").asString();
    assertThat(texts(started.json().get("waves"), "name")).containsExactly("..it-wavepause-free-z", "it-wavepause-pro..");
    assertThat(operator.post("/api/v1/deployments/waves/" + id + "/pause", Map.of("reason", "checking dashboards")).status())
        .isEqualTo(200);
    // the first wave finishes, the second does not start while paused
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(wave(id).get("waves").get(0).get("status").asString())
        .isEqualTo("passed"));
    JsonNode paused = wave(id);
    assertThat(paused.get("status").asString()).isEqualTo("paused");
    assertThat(paused.get("reason").asString()).isEqualTo("checking dashboards");
    assertThat(value("it-wavepause-pro-1")).isEqualTo("bm25");

    assertThat(operator.post("/api/v1/deployments/waves/" + id + "/resume", Map.of()).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(wave(id).get("status").asString()).isEqualTo("completed"));
    assertThat(value("it-wavepause-pro-1")).isEqualTo("neural");

    // a rollback of the wave deployment restores every tenant it reached
    Api.Response back = operator.post("/api/v1/deployments/waves/" + id + "/rollback", Map.of("reason", "search quality dropped"));
    assertThat(back.status()).as(back.text()).isEqualTo(200);
    assertThat(back.json().get("status").asString()).isEqualTo("rolled_back");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (String tenant : ids) {
        assertThat(value(tenant)).as(tenant).isEqualTo("bm25");
      }
    });
    // the record follows the tenants' deployments as they report back
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(texts(wave(id).get("waves").get(1).get("tenants"), "status")).containsExactly("rolled_back"));
    assertThat(operator.post("/api/v1/deployments/waves/" + id + "/rollback", Map.of()).status()).isEqualTo(409);
    assertThat(operator.get("/api/v1/deployments/waves/wnothing").status()).isEqualTo(404);
  }

  @Test
  void shouldHoldATenantsDeploymentForItsOwnApproversAndGoOnOnceReleased() {
    // it-waveheld guards staging with one approver; it-wavefree guards nothing: both are Free, so one wave
    Api.Response guarded = api.post("/api/v1/tenants", Map.of("tenantId", "it-waveheld", "tier", "Free", "guardedEnvironments", List.of("staging"),
        "approvalLevels", 1));
    assertThat(guarded.status()).as(guarded.text()).isEqualTo(201);
    List<String> ids = new ArrayList<>(tenants("it-wavefree", 1, "Free"));
    // the key exists in the guarded tenant's staging through its approver too
    Api.Response held = api.post("/api/v1/configs", Map.of("tenantId", "it-waveheld", "key", "search.engine", "value", "bm25", "type", "String",
        "environment", "staging"));
    assertThat(held.status()).as(held.text()).isEqualTo(202);
    Api ann = api.as(io.hotswap.core.testing.Tokens.token("ann", List.of("Approver"), List.of()));
    assertThat(ann.post("/api/v1/approvals/" + held.json().get("approvalId").asString() + "/approve", Map.of()).status()).isEqualTo(200);
    ids.add("it-waveheld");

    String id = operator().post("/api/v1/deployments/waves", start(ids, "PT1S")).json().get("waveDeploymentId").asString();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode tenants = wave(id).get("waves").get(0).get("tenants");
      assertThat(texts(tenants, "tenantId")).containsExactly("it-wavefree-free-1", "it-waveheld");
      assertThat(texts(tenants, "status")).containsExactly("completed", "pending_approval");
    });
    String approvalId = wave(id).get("waves").get(0).get("tenants").get(1).get("approvalId").asString();
    JsonNode approval = api.get("/api/v1/approvals/" + approvalId).json();
    assertThat(approval.get("kind").asString()).isEqualTo("deployment");
    assertThat(approval.get("requestedBy").asString()).as("asked for by who started the wave").isEqualTo("olga-operator");
    assertThat(wave(id).get("status").asString()).isEqualTo("running");

    assertThat(ann.post("/api/v1/approvals/" + approvalId + "/approve", Map.of()).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(wave(id).get("status").asString()).isEqualTo("completed"));
    assertThat(value("it-waveheld")).isEqualTo("neural");
  }

  @Test
  void shouldRollAProfilesNewVersionOutTierByTierAndStopWhereATenantDoesNotRunIt() {
    // Free and Pro run search-svc 1.0.0 in staging; the Enterprise tenant has no such profile
    for (String[] t : new String[][] {{"it-waveprof-free", "Free"}, {"it-waveprof-pro", "Pro"}, {"it-waveprof-ent", "Enterprise"}}) {
      Api.Response created = api.post("/api/v1/tenants", Map.of("tenantId", t[0], "tier", t[1], "guardedEnvironments", List.of()));
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      if (!t[1].equals("Enterprise")) {
        Api.Response v1 = api.post("/api/v1/profiles", Map.of("tenantId", t[0], "service", "search-svc", "environment", "staging",
            "version", "1.0.0", "document", Map.of("engine", "bm25", "timeoutMs", 200)));
        assertThat(v1.status()).as(v1.text()).isEqualTo(201);
      }
    }
    List<String> ids = List.of("it-waveprof-free", "it-waveprof-pro", "it-waveprof-ent");
    Api operator = operator();
    Api.Response badVersion = operator.post("/api/v1/deployments/waves", Map.of("environment", "staging", "service", "search-svc",
        "version", "1.1", "document", Map.of("engine", "neural"), "tenants", ids));
    assertThat(badVersion.status()).as(badVersion.text()).isEqualTo(400);
    assertThat(badVersion.json().get("field").asString()).isEqualTo("version");
    assertThat(operator.post("/api/v1/deployments/waves", Map.of("environment", "staging", "service", "search-svc", "key", "search.engine",
        "value", "x", "version", "1.1.0", "document", Map.of(), "tenants", ids)).status()).as("a key or a profile, not both").isEqualTo(400);

    Api.Response started = operator.post("/api/v1/deployments/waves", Map.of("environment", "staging", "service", "search-svc",
        "version", "1.1.0", "document", Map.of("engine", "neural", "timeoutMs", 200), "tenants", ids, "strategy", "canary",
        "steps", List.of(50, 100), "bakeTime", "PT1S", "instanceHealth", false));
    assertThat(started.status()).as(started.text()).isEqualTo(201);
    String id = started.json().get("waveDeploymentId").asString();
    assertThat(started.json().get("key").asString()).isEqualTo("profile:search-svc");
    assertThat(started.json().get("version").asString()).isEqualTo("1.1.0");

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(wave(id).get("status").asString()).isEqualTo("failed"));
    JsonNode failed = wave(id);
    assertThat(texts(failed.get("waves"), "status")).containsExactly("passed", "passed", "failed");
    assertThat(failed.get("reason").asString()).contains("it-waveprof-ent was refused", "profile-not-found");
    for (String tenant : List.of("it-waveprof-free", "it-waveprof-pro")) {
      JsonNode profile = api.get("/api/v1/profiles/" + tenant + ":search-svc.staging").json();
      assertThat(profile.get("version").asString()).as(tenant).isEqualTo("1.1.0");
      JsonNode d = api.get("/api/v1/deployments/" + tenant + ":" + id).json();
      assertThat(d.get("status").asString()).isEqualTo("completed");
    }
    assertThat(api.get("/api/v1/profiles/it-waveprof-ent:search-svc.staging").status()).as("nothing was created where it did not run")
        .isEqualTo(404);
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(field).asString()));
    return out;
  }
}
