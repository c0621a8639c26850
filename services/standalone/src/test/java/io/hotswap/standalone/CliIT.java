package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotswap.cli.HotSwapCli;
import io.hotswap.core.testing.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The {@code hotswap} command line against the running platform: every command through its real
 * entry point (the one its jar's main calls), with the output people and scripts read and the exit
 * codes scripts branch on.
 */
class CliIT extends PlatformTest {

  @TempDir
  Path home;

  private Map<String, String> env;

  /** What one command printed, and how it ended. */
  record Run(int exit, String out, String err) {
    JsonNode json() {
      return io.hotswap.core.json.Json.MAPPER.readTree(out);
    }
  }

  @BeforeEach
  void environment() {
    env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("HOTSWAP_URL", "http://localhost:" + api.port());
  }

  private Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = HotSwapCli.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void shouldManageKeysFromLoginToAuditWithExitCodesScriptsCanRelyOn() throws Exception {
    // login checks the token and saves it, readable by its owner only; later commands need no token
    Run login = cli("login", "--token", Tokens.token("carol", List.of("Admin"), List.of()));
    assertThat(login.exit()).as(login.err()).isZero();
    assertThat(login.out()).contains("Logged in to http://localhost:" + api.port() + " as carol");
    Path profile = home.resolve(".hotswap/cli.json");
    assertThat(Files.getPosixFilePermissions(profile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(cli("login", "--token", "not-a-token").exit()).as("a token the platform refuses is not saved").isEqualTo(4);

    assertThat(cli("tenants", "create", "it-cli", "--tier", "Pro").exit()).isZero();
    assertThat(cli("tenants").out()).containsPattern("it-cli\\s+it-cli\\s+Pro\\s+Active");
    assertThat(cli("tenants", "get", "it-cli").out()).contains("it-cli — it-cli (Pro, Active)").contains("[\"staging\",\"production\"]");

    // set creates, then updates; get reads it back, for people and for scripts
    Run created = cli("set", "db.pool", "10", "-t", "it-cli");
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(created.out()).contains("created db.pool = 10  (Number, v1)");
    assertThat(cli("set", "it-cli:development:db.pool", "20").out()).contains("updated db.pool = 20  (Number, v2)");
    assertThat(cli("get", "db.pool", "-t", "it-cli").out()).contains("db.pool = 20  (Number, v2)");
    JsonNode asJson = cli("-o", "json", "get", "it-cli:development:db.pool").json();
    assertThat(asJson.get("value").asInt()).isEqualTo(20);
    assertThat(asJson.get("configId").asString()).isEqualTo("it-cli:development:db.pool");
    Path doc = home.resolve("flags.json");
    Files.writeString(doc, "{\"checkout\": true, \"limit\": 5}\n");
    assertThat(cli("set", "feature.flags", "--file", doc.toString(), "-t", "it-cli").out()).contains("(Json, v1)");
    Files.writeString(doc, "{\"checkout\": false, \"limit\": 5, \"beta\": \"on\"}");
    assertThat(cli("set", "feature.flags", "--file", doc.toString(), "-t", "it-cli").exit()).isZero();

    // history, diff, rollback
    assertThat(cli("history", "db.pool", "-t", "it-cli").out()).containsPattern("v1\\s+10\\s+carol").containsPattern("v2\\s+20\\s+carol");
    Run diff = cli("diff", "feature.flags", "-t", "it-cli", "--from", "1");
    assertThat(diff.out()).contains("--- it-cli:development:feature.flags v1", "+++ it-cli:development:feature.flags v2",
        "+ /beta: on", "- /checkout: true", "+ /checkout: false").doesNotContain("/limit");
    Run rollback = cli("rollback", "db.pool", "-t", "it-cli", "--to-version", "1");
    assertThat(rollback.exit()).as(rollback.err()).isZero();
    assertThat(rollback.out()).contains("now v3");
    assertThat(cli("get", "db.pool", "-t", "it-cli").out()).contains("db.pool = 10  (Number, v3)");

    // errors: the problem's words on stderr, never a stack trace, and an exit code per kind
    Run missing = cli("get", "no.such.key", "-t", "it-cli");
    assertThat(missing.exit()).isEqualTo(3);
    assertThat(missing.err()).contains("Error: ", "(HTTP 404)").doesNotContain("\tat ");
    Run invalid = cli("set", "db.pool", "many", "-t", "it-cli");
    assertThat(invalid.exit()).as(invalid.err()).isEqualTo(1);
    assertThat(invalid.err()).contains("(HTTP 4");
    assertThat(cli("get", "db.pool", "-t", "it-cli").out()).as("nothing was stored").contains("db.pool = 10  (Number, v3)");
    assertThat(cli("set", "db.pool", "ten", "--type", "Number", "-t", "it-cli").exit()).as("not a number: nothing sent").isEqualTo(2);
    assertThat(cli("set", "db.pool", "11", "-t", "it-cli", "--if-version", "1").exit()).as("a stale version").isEqualTo(5);
    assertThat(cli("--bogus").exit()).isEqualTo(2);
    Run viewer = cli("--token", Tokens.token("vic", List.of("Viewer"), List.of()), "set", "db.pool", "12", "-t", "it-cli");
    assertThat(viewer.exit()).isEqualTo(4);
    assertThat(viewer.err()).contains("(HTTP 403)");

    // promotion: into qa applied; into staging (guarded) held, exit 8, then approved by someone else
    assertThat(cli("promote", "db.pool", "-t", "it-cli").out()).contains("promoted to it-cli:qa:db.pool");
    Run held = cli("promote", "it-cli:qa:db.pool");
    assertThat(held.exit()).as(held.out() + held.err()).isEqualTo(8);
    String approvalId = held.out().replaceAll("(?s).*held for approval: (\\S+).*", "$1").strip();
    assertThat(cli("approvals", "-t", "it-cli").out()).contains(approvalId).contains("it-cli:staging:db.pool = 10");
    assertThat(cli("approvals", "get", approvalId).out()).contains("pending").contains("change hash ");
    Run self = cli("approvals", "approve", approvalId);
    assertThat(self.exit()).as("the requester can't approve their own change").isEqualTo(5);
    Run approved = cli("--token", Tokens.token("dave", List.of("Approver"), List.of()), "approvals", "approve", approvalId, "-m", "ok");
    assertThat(approved.exit()).as(approved.err()).isZero();
    assertThat(approved.out()).contains(approvalId + ": approved (1 of 1 approvals)", "the change: applied as v1 of it-cli:staging:db.pool");
    assertThat(cli("get", "it-cli:staging:db.pool").out()).contains("db.pool = 10");
    assertThat(cli("get", "-t", "it-cli", "-e", "production").out()).as("effective values with their source")
        .containsPattern("db.pool\\s+10\\s+Number\\s+v1\\s+staging");

    // export and import an environment, in each format
    Path yaml = home.resolve("dev.yaml");
    Run exported = cli("export", "-t", "it-cli", "--out", yaml.toString());
    assertThat(exported.exit()).as(exported.err()).isZero();
    assertThat(Files.readString(yaml)).contains("db.pool: 10");
    assertThat(cli("tenants", "create", "it-cli-copy", "--tier", "Enterprise").exit()).isZero();
    Run imported = cli("import", yaml.toString(), "-t", "it-cli-copy");
    assertThat(imported.exit()).as(imported.err()).isZero();
    assertThat(imported.out()).contains("imported 2 of 2 keys into it-cli-copy development");
    assertThat(cli("get", "feature.flags", "-t", "it-cli-copy").out()).contains("{\"checkout\":false,\"limit\":5,\"beta\":\"on\"}  (Json, v1)");
    assertThat(cli("export", "-t", "it-cli-copy", "--format", "properties").out()).contains("db.pool=10\n");
    Path props = home.resolve("more.properties");
    Files.writeString(props, "db.pool=30\nservice.name=checkout\n");
    assertThat(cli("import", props.toString(), "-t", "it-cli-copy").exit()).isZero();
    assertThat(cli("get", "-t", "it-cli-copy").out()).containsPattern("db.pool\\s+30\\s+Number").containsPattern("service.name\\s+checkout\\s+String");
    Files.writeString(props, "db.pool=lots\nservice.owner=team-a\n");
    Run rejected = cli("import", props.toString(), "-t", "it-cli-copy");
    assertThat(rejected.exit()).as("one bad item: nothing applied; " + rejected.err()).isEqualTo(1);
    assertThat(rejected.err()).contains("/items/0/value");
    assertThat(cli("get", "service.owner", "-t", "it-cli-copy").exit()).isEqualTo(3);

    // a Free tenant's write limit (5 a minute): the sixth write says when to retry, exit 6
    assertThat(cli("tenants", "create", "it-cli-free").exit()).isZero();
    for (int i = 0; i < 5; i++) {
      assertThat(cli("set", "k" + i, "1", "-t", "it-cli-free").exit()).isZero();
    }
    Run limited = cli("set", "k5", "1", "-t", "it-cli-free");
    assertThat(limited.exit()).isEqualTo(6);
    assertThat(limited.err()).contains("Too Many Requests", "retry in", "(HTTP 429)");

    // delete, instances, the audit trail
    assertThat(cli("delete", "feature.flags", "-t", "it-cli-copy").out()).contains("deleted it-cli-copy:development:feature.flags");
    assertThat(cli("instances").exit()).isZero();
    assertThat(cli("instances", "get", "no-such-instance").exit()).isEqualTo(3);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cli("audit", "-t", "it-cli").out())
        .containsPattern("CONFIG_CREATED\\s+it-cli\\s+development\\s+db.pool\\s+v1\\s+carol")
        .containsPattern("CONFIG_PROMOTED\\s+it-cli\\s+staging\\s+db.pool"));
    assertThat(cli("audit", "-t", "it-cli", "--type", "config_rolled_back").out()).contains("CONFIG_ROLLED_BACK").doesNotContain("CONFIG_CREATED");
    assertThat(cli("audit", "export", "-t", "it-cli").out()).contains("CONFIG_ROLLED_BACK");
    assertThat(cli("audit", "replay", "-t", "it-cli", "-e", "development").out()).containsPattern("development\\s+db.pool\\s+10\\s+v3");
    Run verified = cli("audit", "verify", "-t", "it-cli");
    assertThat(verified.exit()).as(verified.out()).isZero();
    assertThat(verified.out()).contains("the trail of it-cli is whole");

    assertThat(cli("generate-completion").out()).contains("complete -F").contains("hotswap");
    Run help = cli("deploy", "start", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Usage: hotswap deploy start", "--strategy", "--watch");
    assertThat(cli("--help").out()).contains("Exit codes:", "8   held for approval");
    assertThat(cli("logout").out()).contains("Logged out.");
    assertThat(cli("tenants").exit()).as("no token any more").isEqualTo(4);
  }

  @Test
  void shouldFollowACanaryToItsEndAndStopOneByRollingItBack() throws Exception {
    createUnguardedTenant("it-cli-deploy");
    env.put("HOTSWAP_TOKEN", Tokens.admin());
    assertThat(cli("set", "search.ranking", "bm25", "-t", "it-cli-deploy").exit()).isZero();

    Run watched = cli("deploy", "start", "search.ranking", "neural", "-t", "it-cli-deploy", "--strategy", "canary", "--steps", "50,100",
        "--bake-time", "PT1S", "--watch", "--interval", "PT0.2S");
    assertThat(watched.exit()).as(watched.out() + watched.err()).isZero();
    assertThat(watched.out()).containsPattern("canary \\[#{10}\\.{10}\\]\\s+50% step 1/2 running")
        .containsPattern("canary \\[#{20}\\] 100% step 2/2 completed")
        .contains("completed: everyone has v2");
    assertThat(cli("get", "search.ranking", "-t", "it-cli-deploy").out()).contains("= neural");

    // a long canary: steered from another shell while one watches it; the watch ends with exit 7
    Run started = cli("-o", "json", "deploy", "start", "search.ranking", "learned", "-t", "it-cli-deploy", "--strategy", "canary",
        "--bake-time", "PT1H");
    assertThat(started.exit()).as(started.err()).isZero();
    String id = started.json().get("deploymentId").asString();
    assertThat(cli("deploy", "pause", id, "--reason", "look first").out()).contains("paused").contains("look first");
    assertThat(cli("deploy", "resume", id).out()).contains("running");
    assertThat(cli("deploy", "get", id).out()).containsPattern("10% step 1/4 running, next step ");
    assertThat(cli("deploy", "list", "-t", "it-cli-deploy", "--status", "running").out()).contains(id);
    CompletableFuture<Run> watch = CompletableFuture.supplyAsync(() -> cli("deploy", "watch", id, "--interval", "PT0.2S"));
    assertThat(cli("deploy", "rollback", id, "--reason", "too slow").exit()).isZero();
    Run ended = watch.get(30, TimeUnit.SECONDS);
    assertThat(ended.exit()).as(ended.out()).isEqualTo(7);
    assertThat(ended.out()).contains("rolled back: everyone has the stable value again (too slow)");
    assertThat(cli("get", "search.ranking", "-t", "it-cli-deploy").out()).contains("= neural");

    // complete: an A/B test ends with B
    String ab = cli("-o", "json", "deploy", "start", "search.ranking", "hybrid", "-t", "it-cli-deploy", "--strategy", "ab-test")
        .json().get("deploymentId").asString();
    assertThat(cli("deploy", "complete", ab).out()).contains("completed");
    assertThat(cli("deploy").exit()).as("a group of commands alone shows its usage").isEqualTo(2);
  }

  @Test
  void shouldTailChangesWrittenByAnotherClientAndOnlyOfTheTenantsTheTokenSees() throws Exception {
    createUnguardedTenant("it-cli-tail");
    createUnguardedTenant("it-cli-other");
    env.put("HOTSWAP_TOKEN", Tokens.token("tia", List.of("TenantAdmin"), List.of("it-cli-tail")));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CompletableFuture<Integer> tail = CompletableFuture.supplyAsync(() -> HotSwapCli.run(new String[] {"tail", "-n", "2", "--timeout", "PT60S"},
        env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
    await().atMost(Duration.ofSeconds(30)).until(() -> err.toString(StandardCharsets.UTF_8).contains("following changes"));

    // another client writes: first a tenant the token can't see, then its own (a new key, then a deletion)
    assertThat(api.post("/api/v1/configs", config("it-cli-other", "hidden.key", "x", "String")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", config("it-cli-tail", "cache.ttl", 30, "Number")).status()).isEqualTo(201);
    assertThat(api.delete("/api/v1/configs/it-cli-tail:development:cache.ttl").status()).isIn(200, 204);
    assertThat(tail.get(30, TimeUnit.SECONDS)).as(err.toString(StandardCharsets.UTF_8)).isZero();
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("it-cli-tail development cache.ttl = 30  (Number, v1)").contains("it-cli-tail development cache.ttl deleted")
        .doesNotContain("it-cli-other").doesNotContain("hidden.key");

    // for scripts: one JSON document per change
    env.put("HOTSWAP_TOKEN", Tokens.admin());
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    ByteArrayOutputStream jsonErr = new ByteArrayOutputStream();
    CompletableFuture<Integer> jsonTail = CompletableFuture.supplyAsync(() -> HotSwapCli.run(
        new String[] {"-o", "json", "tail", "-t", "it-cli-tail", "-e", "development", "-n", "1"}, env,
        new PrintStream(json, true, StandardCharsets.UTF_8), new PrintStream(jsonErr, true, StandardCharsets.UTF_8)));
    await().atMost(Duration.ofSeconds(30)).until(() -> jsonErr.toString(StandardCharsets.UTF_8).contains("following changes"));
    assertThat(api.post("/api/v1/configs", config("it-cli-tail", "secret.token", "s3cr3t", "Secret")).status()).isEqualTo(201);
    assertThat(jsonTail.get(30, TimeUnit.SECONDS)).isZero();
    JsonNode change = io.hotswap.core.json.Json.MAPPER.readTree(json.toString(StandardCharsets.UTF_8));
    assertThat(change.get("configId").asString()).isEqualTo("it-cli-tail:development:secret.token");
    assertThat(change.get("value").asString()).as("secrets stay masked").isEqualTo("******");
    assertThat(json.toString(StandardCharsets.UTF_8)).doesNotContain("s3cr3t");

    // the stream itself: a bad timeout is a 400 with problem details; another tenant's is 404
    Api.Response bad = api.get("/api/v1/watch?timeout=forever");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.header("Content-Type")).startsWith("application/problem+json");
    assertThat(api.as(Tokens.token("tia", List.of("TenantAdmin"), List.of("it-cli-tail"))).get("/api/v1/watch?tenantId=it-cli-other&timeout=PT1S")
        .status()).isEqualTo(404);
  }

  @Test
  void shouldRunAsItsOwnExecutableJar() throws Exception {
    Path jar;
    try (var files = Files.list(Path.of("../../client/hotswap-cli/target"))) {
      jar = files.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).findFirst().orElseThrow(() ->
          new AssertionError("the CLI's executable jar is missing: build client/hotswap-cli first"));
    }
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
        "--url", "http://localhost:" + api.port(), "--token", Tokens.admin(), "-o", "json", "get", "no.such:development:key")
        .redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isEqualTo(3);
    assertThat(printed).contains("Error: ").contains("(HTTP 404)");
  }
}
