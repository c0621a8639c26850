package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A backup of the running platform restored into an empty one (its own broker, database and
 * services) answers as the original did: every tenant, every tenant's configurations with their
 * versions and values, its deployments and the audit trail row for row (the hash chain intact);
 * a sealed secret opens with the same master key; and the restored platform goes on where the
 * original stopped — the next write is the next version. Restoring into a platform that is not
 * empty is refused.
 */
// it backs up the whole platform and compares everything: no other class may write meanwhile
@org.junit.jupiter.api.parallel.Isolated
class BackupRestoreIT extends PlatformTest {

  /** Every item of a paged list. */
  private static List<JsonNode> all(Api api, String path) {
    List<JsonNode> items = new ArrayList<>();
    for (int page = 0; ; page++) {
      Api.Response r = api.get(path + (path.contains("?") ? "&" : "?") + "size=200&page=" + page);
      assertThat(r.status()).as(path + ": " + r.text()).isEqualTo(200);
      r.json().get("items").forEach(items::add);
      if ((long) (page + 1) * 200 >= r.json().get("totalItems").asLong()) {
        return items;
      }
    }
  }

  /** What a user sees of the platform: tenants, each one's configurations and deployments. */
  private static Map<String, String> seen(Api api) {
    Map<String, String> seen = new TreeMap<>();
    for (JsonNode tenant : all(api, "/api/v1/tenants")) {
      String id = tenant.get("tenantId").asString();
      seen.put("tenant " + id, tenant.toString());
      seen.put("configs " + id, all(api, "/api/v1/configs/tenant/" + id + "?includeDeleted=true").toString());
      List<String> deployments = new ArrayList<>();
      for (JsonNode d : all(api, "/api/v1/deployments/tenant/" + id)) {
        deployments.add(d.get("deploymentId").asString() + " " + d.get("status").asString() + " " + d.path("percentage").asString()
            + " " + d.path("candidateVersion").asString());
      }
      seen.put("deployments " + id, deployments.toString());
    }
    return seen;
  }

  /** The trail, row for row: each tenant's events with their place in the chain and their hashes. */
  private static Map<String, List<String>> trail(String url, String user, String password) throws Exception {
    Map<String, List<String>> rows = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url, user, password);
         ResultSet rs = c.createStatement().executeQuery("SELECT tenant_id, chain_seq, event_id, event_type, row_hash FROM audit_log "
             + "ORDER BY tenant_id, chain_seq")) {
      while (rs.next()) {
        rows.computeIfAbsent(rs.getString(1), t -> new ArrayList<>())
            .add(rs.getLong(2) + " " + rs.getString(3) + " " + rs.getString(4) + " " + rs.getString(5));
      }
    }
    return rows;
  }

  private static List<String> eventTypes(List<String> rows) {
    return rows.stream().map(r -> r.split(" ")[2]).toList();
  }

  @Test
  void shouldRestoreIntoAnEmptyPlatformEverythingItHeldAndGoOnFromThere() throws Exception {
    createTenant("it-backup");
    String key = "it-backup:development:limits.rps";
    assertThat(api.post("/api/v1/configs", config("it-backup", "limits.rps", 100, "Number")).status()).isEqualTo(201);
    for (int v = 2; v <= 3; v++) {
      assertThat(api.put("/api/v1/configs/" + key, Map.of("value", 100 * v), Map.of()).status()).isEqualTo(200);
    }
    assertThat(api.post("/api/v1/configs", config("it-backup", "db.password", "s3cr3t-to-restore", "Secret")).status()).isEqualTo(201);
    String flag = "it-backup:development:feature.flag";
    assertThat(api.post("/api/v1/configs", config("it-backup", "feature.flag", false, "Boolean")).status()).isEqualTo(201);
    assertThat(api.put("/api/v1/configs/" + flag, Map.of("value", true), Map.of()).status()).isEqualTo(200);
    assertThat(api.post("/api/v1/deployments", Map.of("configId", key, "value", 400)).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/deployments", Map.of("configId", key, "value", 500, "strategy", "canary", "bakeTime", "PT1H",
        "instanceHealth", false)).status()).isEqualTo(201);
    // everything written is in the trail before the copy
    String sourceDb = postgres.getJdbcUrl("postgres", "postgres");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(trail(sourceDb, "postgres", "postgres").get("it-backup"))
        .extracting(r -> r.split(" ")[2]).contains("DEPLOYMENT_STARTED", "CONFIG_CREATED", "CONFIG_UPDATED"));
    // other tests' deployments may still be moving: a copy taken while nothing moved is the one to compare with
    Path dir = null;
    Map<String, String> before = null;
    Map<String, List<String>> trailBefore = null;
    for (int attempt = 0; attempt < 5 && dir == null; attempt++) {
      Map<String, String> seenFirst = seen(api);
      Map<String, List<String>> trailFirst = trail(sourceDb, "postgres", "postgres");
      Path candidate = Files.createTempDirectory("hotswap-backup").resolve("b");
      // ./hotswap backup <dir>, pointed at this platform's broker and database
      assertThat(Backup.main("backup", List.of(candidate.toString()), Map.of("HOTSWAP_KAFKA_BOOTSTRAP", bootstrap, "HOTSWAP_DB_URL", sourceDb,
          "HOTSWAP_DB_USER", "postgres", "HOTSWAP_DB_PASSWORD", "postgres"))).isZero();
      if (seen(api).equals(seenFirst) && trail(sourceDb, "postgres", "postgres").equals(trailFirst)) {
        dir = candidate;
        before = seenFirst;
        trailBefore = trailFirst;
      }
    }
    assertThat(dir).as("a backup taken while nothing changed").isNotNull();
    JsonNode manifest = io.hotswap.core.json.Json.MAPPER.readTree(Files.readString(dir.resolve("manifest.json")));
    List<String> topics = new ArrayList<>(manifest.get("topics").propertyNames());
    assertThat(topics).as("state topics and the stores' changelogs")
        .contains("hotswap.tenants.v1", "hotswap.config-versions.v1", "hotswap.deployments.v1", "hotswap.live.development.v1")
        .doesNotContain("hotswap.commands.v1", "hotswap.audit.v1")
        .noneMatch(t -> t.startsWith("__")).anyMatch(t -> t.endsWith("-changelog"));
    assertThat(topics).as("tables read straight from a compacted topic are restored from it and keep no changelog of their own "
            + "(so the restored platform below serves them from the topics alone)")
        .doesNotContain("hotswap-gateway-gateway-config-by-tenant-env-key-store-changelog", "hotswap-gateway-gateway-config-versions-store-changelog",
            "hotswap-gateway-gateway-profiles-store-changelog", "hotswap-gateway-gateway-deployments-store-changelog",
            "hotswap-validation-validation-config-view-changelog")
        .contains("hotswap-rollout-rollout-usage-store-changelog");
    assertThat(manifest.get("groups").propertyNames()).as("where each service had read")
        .contains("hotswap-validation", "hotswap-rollout", "hotswap-gateway");
    long rows = trailBefore.values().stream().mapToLong(List::size).sum();
    assertThat(manifest.get("rows").get("audit_log").asLong()).isEqualTo(rows);
    assertThat(Backup.main("backup", List.of(dir.toString()), Map.of("HOTSWAP_KAFKA_BOOTSTRAP", bootstrap, "HOTSWAP_DB_URL", sourceDb)))
        .as("never over another backup").isEqualTo(1);

    // ./hotswap restore <dir> into an empty data directory (its own broker and database), then the platform starts on it
    Path data = Files.createTempDirectory("hotswap-restored");
    Map<String, String> env = backingPorts();
    env.put("HOTSWAP_DATA_DIR", data.toString());
    assertThat(Backup.main("restore", List.of(dir.toString()), env)).isZero();
    assertThat(Backup.main("restore", List.of(dir.toString()), env)).as("a platform that is not empty is refused").isEqualTo(1);
    try (Backing target = Backing.start(env, data)) {
      Map<String, Object> common = new HashMap<>();
      common.put("spring.kafka.bootstrap-servers", target.bootstrap());
      common.put("hotswap.kafka.partitions", 3);
      common.put("hotswap.security.jwt.secret", io.hotswap.core.testing.Tokens.SECRET);
      common.put("hotswap.security.master-key", io.hotswap.core.testing.Tokens.MASTER_KEY);
      RATE_LIMITS.forEach(common::put);
      Map<String, Map<String, Object>> perService = new HashMap<>();
      for (Platform.Service s : Platform.SERVICES) {
        perService.put(s.name(), new HashMap<>(Map.of("server.port", freePort(),
            "spring.kafka.streams.state-dir", data.resolve("state").resolve(s.name()).toString())));
      }
      perService.get("audit").putAll(Map.of("spring.datasource.url", target.postgres().url(),
          "spring.datasource.username", target.postgres().user(), "spring.datasource.password", target.postgres().password()));
      perService.get("gateway").put("hotswap.gateway.audit-url", "http://localhost:" + perService.get("audit").get("server.port"));
      try (Platform platform = new Platform(common, perService).startAll()) {
        Api restoredApi = new Api((Integer) perService.get("gateway").get("server.port"));
        // both go on from the backup: a deployment that was baking finishes on the clock in both, and
        // nothing else moves — so the restored platform answers as the original answers now, and
        // its trail is the original's row for row up to the backup, followed by the same events
        Map<String, List<String>> trailExpected = trailBefore;
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
          assertThat(seen(restoredApi)).isEqualTo(seen(api));
          Map<String, List<String>> restoredTrail = trail(target.postgres().url(), target.postgres().user(), target.postgres().password());
          Map<String, List<String>> originalTrail = trail(sourceDb, "postgres", "postgres");
          assertThat(restoredTrail.keySet()).isEqualTo(originalTrail.keySet());
          for (Map.Entry<String, List<String>> t : restoredTrail.entrySet()) {
            List<String> upToBackup = trailExpected.getOrDefault(t.getKey(), List.of());
            assertThat(t.getValue()).as(t.getKey()).startsWith(upToBackup.toArray(String[]::new));
            assertThat(eventTypes(t.getValue().subList(upToBackup.size(), t.getValue().size()))).as(t.getKey() + ", since the backup")
                .isEqualTo(eventTypes(originalTrail.get(t.getKey()).subList(upToBackup.size(), originalTrail.get(t.getKey()).size())));
          }
        });
        assertThat(restoredApi.get("/api/v1/audit-logs/verify?tenantId=it-backup").json().get("valid").asBoolean()).isTrue();
        assertThat(restoredApi.get("/api/v1/configs/it-backup:development:db.password/reveal").json().get("value").asString())
            .isEqualTo("s3cr3t-to-restore");
        // it goes on from there: the next write is the next version, in the trail after the restored rows
        Api.Response next = restoredApi.put("/api/v1/configs/" + flag, Map.of("value", false), Map.of());
        assertThat(next.status()).as(next.text()).isEqualTo(200);
        assertThat(next.json().get("version").asLong()).isEqualTo(3);
        assertThat(restoredApi.get("/api/v1/configs/" + flag + "/versions").json().get("totalItems").asLong()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(trail(target.postgres().url(), target.postgres().user(),
            target.postgres().password()).get("it-backup")).hasSize(trailExpected.get("it-backup").size() + 2)
            .extracting(r -> r.split(" ")[2]).endsWith("SECRET_REVEALED", "CONFIG_UPDATED"));
        assertThat(restoredApi.get("/api/v1/audit-logs/verify?tenantId=it-backup").json().get("valid").asBoolean()).isTrue();
      }
    }
  }
}
