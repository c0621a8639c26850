package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotswap.core.testing.Tokens;
import io.hotswap.plugin.api.PluginApi;
import io.hotswap.plugin.host.PluginSignatures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The plugin registry through REST, on the real broker, PostgreSQL and the local S3 API: signed
 * binaries registered once for the platform, every refusal a 4xx with what is wrong and nothing
 * stored, the binary served back byte for byte, and each registration in the audit trail.
 */
class PluginRegistryIT extends PlatformTest {

  @Test
  void shouldRegisterSignedVersionsServeTheirBinariesAndAuditEachStep() {
    byte[] v1 = greeting(1);
    byte[] v2 = greeting(2);

    Api.Response first = register(v1, sign(v1), "greets people");
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    assertThat(first.header("Location")).isEqualTo("/api/v1/plugins/greeting/versions/1.0.0");
    JsonNode registered = first.json();
    assertThat(registered.get("pluginId").asString()).isEqualTo("greeting");
    assertThat(registered.get("version").asString()).isEqualTo("1.0.0");
    assertThat(registered.get("sha256").asString()).isEqualTo(PluginSignatures.sha256(v1));
    assertThat(registered.get("publisher").asString()).isEqualTo(PUBLISHER);
    assertThat(registered.get("signed").asBoolean()).isTrue();
    assertThat(registered.get("entryPoint").asString()).isNotBlank();
    assertThat(registered.get("traceId").asString()).as("the upload's trace is kept with the metadata").isNotBlank();

    // the same version again, or an older one: the registry only moves forward
    Api.Response again = register(v1, sign(v1), null);
    assertThat(again.status()).as(again.text()).isEqualTo(409);
    assertThat(again.json().get("type").asString()).endsWith("/version-not-increasing");

    Api.Response second = register(v2, sign(v2), null);
    assertThat(second.status()).as(second.text()).isEqualTo(201);

    // what was registered reads back, newest last, and each binary comes back exactly as uploaded
    JsonNode plugin = api.get("/api/v1/plugins/greeting").json();
    assertThat(plugin.get("latestVersion").asString()).isEqualTo("2.0.0");
    assertThat(plugin.get("versions").valueStream().map(v -> v.get("version").asString()).toList()).containsExactly("1.0.0", "2.0.0");
    HttpResponse<byte[]> download = api.as(Tokens.token("it-viewer", List.of("Viewer"), List.of())).getBytes(
        "/api/v1/plugins/greeting/versions/1.0.0/binary");
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(v1);
    assertThat(download.headers().firstValue("X-HotSwap-Plugin-SHA256")).contains(PluginSignatures.sha256(v1));
    assertThat(download.headers().firstValue("X-HotSwap-Plugin-Signature")).contains(sign(v1));
    assertThat(api.get("/api/v1/plugins").json().valueStream().map(p -> p.get("pluginId").asString()).toList()).contains("greeting");

    // deprecating a version keeps it downloadable and says why
    Api.Response deprecated = api.post("/api/v1/plugins/greeting/versions/1.0.0/deprecate", Map.of("reason", "use 2.x"));
    assertThat(deprecated.status()).as(deprecated.text()).isEqualTo(200);
    assertThat(deprecated.json().get("status").asString()).isEqualTo("Deprecated");
    assertThat(deprecated.json().get("deprecationReason").asString()).isEqualTo("use 2.x");
    assertThat(api.getBytes("/api/v1/plugins/greeting/versions/1.0.0/binary").body()).isEqualTo(v1);
    // and the platform's webhook hears of it
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(NOTIFICATIONS).anySatisfy(n -> assertThat(n.get("body"))
        .contains("\"event\":\"plugin.deprecated\"", "\"pluginId\":\"greeting\"", "\"version\":\"1.0.0\"", "\"reason\":\"use 2.x\"")));

    // every registry step is in the audit trail, under the platform (tenant *)
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<String> trail = new ArrayList<>();
      api.get("/api/v1/audit-logs?tenantId=*&size=200").json().get("items").forEach(e ->
          trail.add(e.get("eventType").asString() + " " + e.get("resourceId").asString()));
      assertThat(trail).contains("PLUGIN_REGISTERED greeting@1.0.0", "PLUGIN_REGISTERED greeting@2.0.0", "PLUGIN_DEPRECATED greeting@1.0.0");
    });
  }

  @Test
  void shouldRefuseTamperedUnsignedAndWronglySignedBinariesAndStoreNothing() {
    byte[] jar = jar("it-refused", "1.0.0", null);
    String signature = sign(jar);
    byte[] tampered = jar.clone();
    tampered[tampered.length / 2] ^= 0x5a;

    Api.Response changed = register(tampered, signature, null);
    assertThat(changed.status()).as(changed.text()).isEqualTo(400);
    assertThat(changed.json().get("type").asString()).satisfiesAnyOf(
        t -> assertThat(t).endsWith("/bad-signature"), t -> assertThat(t).endsWith("/bad-manifest"));

    Api.Response unsigned = register(jar, null, null);
    assertThat(unsigned.status()).as(unsigned.text()).isEqualTo(400);
    assertThat(unsigned.json().get("type").asString()).endsWith("/unsigned");

    String strangers = Base64.getEncoder().encodeToString(PluginSignatures.sign(PluginSignatures.newKeyPair().getPrivate(), jar));
    Api.Response stranger = register(jar, strangers, null);
    assertThat(stranger.status()).as(stranger.text()).isEqualTo(400);
    assertThat(stranger.json().get("type").asString()).endsWith("/bad-signature");
    assertThat(stranger.json().get("detail").asString()).contains(PUBLISHER);

    assertThat(api.get("/api/v1/plugins/it-refused").status()).isEqualTo(404);
    // and the registry still takes the good binary afterwards
    assertThat(register(jar, signature, null).status()).isEqualTo(201);
  }

  @Test
  void shouldCheckTheManifestAndNameEveryProblem() {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put(PluginApi.ID, "Not An Id");
    attributes.put(PluginApi.PLUGIN_VERSION, "one");
    byte[] bad = jar(attributes, null);
    Api.Response r = register(bad, sign(bad), null);
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.json().get("type").asString()).endsWith("/bad-manifest");
    assertThat(r.json().get("errors").valueStream().map(JsonNode::asString).toList())
        .anySatisfy(e -> assertThat(e).contains(PluginApi.ID))
        .anySatisfy(e -> assertThat(e).contains(PluginApi.PLUGIN_VERSION))
        .anySatisfy(e -> assertThat(e).contains(PluginApi.ENTRY_POINT));

    // an entry point the jar does not contain
    Map<String, String> noEntry = manifest("it-noentry", "1.0.0", null);
    noEntry.put(PluginApi.ENTRY_POINT, "com.example.Missing");
    byte[] missing = jar(noEntry, "com.example.Other");
    Api.Response r2 = register(missing, sign(missing), null);
    assertThat(r2.status()).as(r2.text()).isEqualTo(400);
    assertThat(r2.json().get("detail").asString()).contains("com.example.Missing is not a class in the jar");

    // a newer API than the platform runs
    Map<String, String> future = manifest("it-future", "1.0.0", null);
    future.put(PluginApi.API_VERSION, "99.0");
    byte[] tooNew = jar(future, "com.example.Entry");
    Api.Response r3 = register(tooNew, sign(tooNew), null);
    assertThat(r3.status()).as(r3.text()).isEqualTo(400);
    assertThat(r3.json().get("detail").asString()).contains("API 99.0");

    // not a jar at all, and no binary
    byte[] text = "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(register(text, sign(text), null).status()).isEqualTo(400);
    Api.Response none = api.multipart("/api/v1/plugins", Map.of("description", "nothing"));
    assertThat(none.status()).as(none.text()).isEqualTo(400);
    assertThat(none.header("Content-Type")).contains("application/problem+json");
  }

  @Test
  void shouldResolveDependenciesAndReportConflictsWithTheirChains() {
    register(signed(jar("it-base", "1.0.0", null)));
    register(signed(jar("it-base", "2.0.0", null)));
    register(signed(jar("it-left", "1.0.0", "it-base@^1.0.0")));
    register(signed(jar("it-right", "1.0.0", "it-base@^2.0.0")));

    // a dependency nobody registered
    byte[] orphan = jar("it-orphan", "1.0.0", "it-nowhere@^1");
    Api.Response missing = register(orphan, sign(orphan), null);
    assertThat(missing.status()).as(missing.text()).isEqualTo(400);
    assertThat(missing.json().get("type").asString()).endsWith("/missing-dependency");
    assertThat(missing.json().get("detail").asString()).contains("it-nowhere");

    // two paths that need versions of it-base no single one satisfies: the answer names both chains
    byte[] both = jar("it-both", "1.0.0", "it-left@^1.0.0,it-right@^1.0.0");
    Api.Response conflict = register(both, sign(both), null);
    assertThat(conflict.status()).as(conflict.text()).isEqualTo(400);
    assertThat(conflict.json().get("type").asString()).endsWith("/dependency-conflict");
    assertThat(conflict.json().get("detail").asString()).contains("it-left", "it-right", "it-base");
    assertThat(api.get("/api/v1/plugins/it-both").status()).isEqualTo(404);

    // what a version runs with, and a dry run for one not built yet
    JsonNode deps = api.get("/api/v1/plugins/it-left/dependencies").json();
    assertThat(deps.get("resolvable").asBoolean()).isTrue();
    assertThat(deps.get("resolved").valueStream().map(JsonNode::asString).toList()).containsExactly("it-base@1.0.0");
    JsonNode dryRun = api.post("/api/v1/plugins/it-both/validate-dependencies",
        Map.of("version", "1.0.0", "dependencies", List.of("it-left@^1.0.0", "it-right@^1.0.0"))).json();
    assertThat(dryRun.get("resolvable").asBoolean()).isFalse();
    assertThat(dryRun.get("problem").asString()).isEqualTo("dependency-conflict");
    JsonNode fine = api.post("/api/v1/plugins/it-both/validate-dependencies", Map.of("dependencies", List.of("it-right@^1.0.0"))).json();
    assertThat(fine.get("resolvable").asBoolean()).isTrue();
    assertThat(fine.get("resolved").valueStream().map(JsonNode::asString).toList()).containsExactly("it-base@2.0.0", "it-right@1.0.0");
  }

  @Test
  void shouldLetOnlyPublishersRegisterAndOnlyAdminsDeprecate() {
    byte[] jar = jar("it-roles", "1.0.0", null);
    Api viewer = api.as(Tokens.token("it-viewer", List.of("Viewer"), List.of()));
    assertThat(viewer.multipart("/api/v1/plugins", Map.of("binary", jar, "signature", sign(jar))).status()).isEqualTo(403);
    Api developer = api.as(Tokens.token("it-developer", List.of("Developer"), List.of()));
    Api.Response byDeveloper = developer.multipart("/api/v1/plugins", Map.of("binary", jar, "signature", sign(jar)));
    assertThat(byDeveloper.status()).as(byDeveloper.text()).isEqualTo(201);
    assertThat(byDeveloper.json().get("createdBy").asString()).isEqualTo("it-developer");
    assertThat(developer.post("/api/v1/plugins/it-roles/versions/1.0.0/deprecate", Map.of()).status()).isEqualTo(403);
    assertThat(viewer.get("/api/v1/plugins/it-roles/versions/1.0.0").status()).isEqualTo(200);
  }

  @Test
  void shouldJudgeATenantsOwnPluginsByItsTrustKeepThemItsOwnAndTellItOfTheirDeprecation() {
    String owner = "it-own-a";
    String other = "it-own-b";
    createTenant(owner);
    createTenant(other);
    Api ownerAdmin = api.as(Tokens.token("it-own-a-admin", List.of("TenantAdmin"), List.of(owner)));
    Api otherAdmin = api.as(Tokens.token("it-own-b-admin", List.of("TenantAdmin"), List.of(other)));
    java.security.KeyPair tenantKeys = PluginSignatures.newKeyPair();
    byte[] v1 = jar("it-own", "1.0.0", null);
    String v1Signature = Base64.getEncoder().encodeToString(PluginSignatures.sign(tenantKeys.getPrivate(), v1));

    // unsigned, or signed by a key nobody trusts yet: refused; a tenant's token registers for its tenant only
    Api.Response unsigned = ownerAdmin.multipart("/api/v1/plugins", Map.of("binary", v1, "tenantId", owner));
    assertThat(unsigned.status()).as(unsigned.text()).isEqualTo(400);
    assertThat(unsigned.json().get("type").asString()).endsWith("/unsigned");
    assertThat(ownerAdmin.multipart("/api/v1/plugins", Map.of("binary", v1, "signature", v1Signature, "tenantId", owner)).status())
        .isEqualTo(400);
    assertThat(ownerAdmin.multipart("/api/v1/plugins", Map.of("binary", v1, "signature", v1Signature)).status()).isEqualTo(403);
    assertThat(otherAdmin.multipart("/api/v1/plugins", Map.of("binary", v1, "signature", v1Signature, "tenantId", owner)).status())
        .as("another tenant's token does not see the tenant").isEqualTo(404);

    // the tenant trusts its publisher's key: its own plugin is registered, under its name
    Api.Response badKey = ownerAdmin.put("/api/v1/tenants/" + owner + "/plugin-trust", Map.of("publishers", Map.of("acme", "bm90LWEta2V5")), Map.of());
    assertThat(badKey.status()).as(badKey.text()).isEqualTo(400);
    Api.Response trusted = ownerAdmin.put("/api/v1/tenants/" + owner + "/plugin-trust",
        Map.of("publishers", Map.of("acme", PluginSignatures.encode(tenantKeys.getPublic()))), Map.of());
    assertThat(trusted.status()).as(trusted.text()).isEqualTo(200);
    assertThat(trusted.json().get("allowUnsigned").asBoolean()).isFalse();
    assertThat(api.get("/api/v1/tenants/" + owner + "/plugin-trust").json().get("publishers").has("acme")).isTrue();
    Api.Response own = ownerAdmin.multipart("/api/v1/plugins", Map.of("binary", v1, "signature", v1Signature, "tenantId", owner));
    assertThat(own.status()).as(own.text()).isEqualTo(201);
    assertThat(own.json().get("tenantId").asString()).isEqualTo(owner);
    assertThat(own.json().get("publisher").asString()).isEqualTo(owner + "/acme");
    // the tenant's key is not the platform's: the same signature on a platform plugin is refused
    byte[] platformJar = jar("it-not-own", "1.0.0", null);
    assertThat(api.multipart("/api/v1/plugins", Map.of("binary", platformJar,
        "signature", Base64.getEncoder().encodeToString(PluginSignatures.sign(tenantKeys.getPrivate(), platformJar)))).status()).isEqualTo(400);

    // unsigned only once the tenant says so
    byte[] v2 = jar("it-own", "1.1.0", null);
    assertThat(ownerAdmin.multipart("/api/v1/plugins", Map.of("binary", v2, "tenantId", owner)).status()).isEqualTo(400);
    assertThat(ownerAdmin.put("/api/v1/tenants/" + owner + "/plugin-trust", Map.of("allowUnsigned", true), Map.of()).json()
        .get("allowUnsigned").asBoolean()).isTrue();
    Api.Response unsignedOwn = ownerAdmin.multipart("/api/v1/plugins", Map.of("binary", v2, "tenantId", owner));
    assertThat(unsignedOwn.status()).as(unsignedOwn.text()).isEqualTo(201);
    assertThat(unsignedOwn.json().get("publisher").asString()).isEqualTo("unsigned");
    assertThat(api.get("/api/v1/tenants/" + owner + "/plugin-trust").json().get("publishers").has("acme"))
        .as("a change of one setting keeps the other").isTrue();

    // the plugin is the tenant's alone: others neither see it nor run it, and its id is taken
    assertThat(otherAdmin.get("/api/v1/plugins/it-own").status()).isEqualTo(404);
    assertThat(otherAdmin.get("/api/v1/plugins").json().valueStream().map(p -> p.get("pluginId").asString()).toList())
        .doesNotContain("it-own");
    assertThat(otherAdmin.put("/api/v1/tenants/" + other + "/plugins/it-own", Map.of("version", "1.0.0"), Map.of()).status()).isEqualTo(404);
    Api.Response forOther = api.put("/api/v1/tenants/" + other + "/plugins/it-own", Map.of("version", "1.0.0"), Map.of());
    assertThat(forOther.status()).as(forOther.text()).isEqualTo(409);
    assertThat(forOther.json().get("type").asString()).endsWith("/plugin-not-for-tenant");
    Api.Response taken = register(jar("it-own", "9.0.0", null), null, null);
    assertThat(taken.status()).as(taken.text()).isIn(400, 409);
    Api.Response takenSigned = register(jar("it-own", "9.0.0", null), sign(jar("it-own", "9.0.0", null)), null);
    assertThat(takenSigned.status()).as(takenSigned.text()).isEqualTo(409);
    assertThat(takenSigned.json().get("type").asString()).endsWith("/plugin-id-taken");

    // the tenant runs 1.0.0; deprecating it tells the tenant, in its audit trail and by webhook
    Api.Response assigned = ownerAdmin.put("/api/v1/tenants/" + owner + "/plugins/it-own", Map.of("version", "1.0.0"), Map.of());
    assertThat(assigned.status()).as(assigned.text()).isEqualTo(201);
    Api.Response deprecated = ownerAdmin.post("/api/v1/plugins/it-own/versions/1.0.0/deprecate", Map.of("reason", "use 1.1"));
    assertThat(deprecated.status()).as(deprecated.text()).isEqualTo(200);
    assertThat(deprecated.json().get("deprecationNotified").valueStream().map(JsonNode::asString).toList())
        .containsExactly(owner + "/development");
    Api.Response platformPlugin = register(jar("it-platform-own", "1.0.0", null), sign(jar("it-platform-own", "1.0.0", null)), null);
    assertThat(platformPlugin.status()).as(platformPlugin.text()).isEqualTo(201);
    assertThat(ownerAdmin.post("/api/v1/plugins/it-platform-own/versions/1.0.0/deprecate", Map.of()).status())
        .as("a tenant deprecates its own plugins only").isEqualTo(403);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(NOTIFICATIONS).anySatisfy(n -> assertThat(n.get("body"))
        .contains("\"event\":\"plugin.deprecated\"", "\"tenantId\":\"" + owner + "\"", "\"environment\":\"development\"",
            "\"pluginId\":\"it-own\"")));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<String> trail = new ArrayList<>();
      api.get("/api/v1/audit-logs?tenantId=" + owner + "&size=200").json().get("items").forEach(e ->
          trail.add(e.get("eventType").asString() + " " + e.path("key").asString() + " " + e.path("environment").asString()));
      assertThat(trail).contains("PLUGIN_DEPRECATED plugin:it-own development").anyMatch(t -> t.startsWith("PLUGIN_REGISTERED"));
    });
  }

  private static void register(Map<String, Object> parts) {
    Api.Response r = api.multipart("/api/v1/plugins", parts);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }

  private static Map<String, Object> signed(byte[] jar) {
    return Map.of("binary", jar, "signature", sign(jar));
  }

  static Api.Response register(byte[] binary, String signature, String description) {
    Map<String, Object> parts = new LinkedHashMap<>();
    parts.put("binary", binary);
    if (signature != null) {
      parts.put("signature", signature);
    }
    if (description != null) {
      parts.put("description", description);
    }
    return api.multipart("/api/v1/plugins", parts);
  }

  /** Base64 of the test publisher's signature, as {@code ./hotswap plugin sign} writes it. */
  static String sign(byte[] binary) {
    return Base64.getEncoder().encodeToString(PluginSignatures.sign(PUBLISHER_KEYS.getPrivate(), binary));
  }

  /** The sample plugin "greeting" as the build made it (1.0.0, or 2.0.0 which fails its liveness on purpose). */
  static byte[] greeting(int major) {
    try {
      return Files.readAllBytes(Path.of("target/sample-plugins/hotswap-sample-plugin-greeting-v" + major + ".jar"));
    } catch (IOException e) {
      throw new UncheckedIOException("the build copies the sample plugins before the tests run", e);
    }
  }

  private static Map<String, String> manifest(String id, String version, String dependencies) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put(PluginApi.ID, id);
    attributes.put(PluginApi.PLUGIN_VERSION, version);
    attributes.put(PluginApi.ENTRY_POINT, "com.example.Entry");
    attributes.put(PluginApi.API_VERSION, PluginApi.VERSION);
    if (dependencies != null) {
      attributes.put(PluginApi.DEPENDENCIES, dependencies);
    }
    return attributes;
  }

  /** A plugin jar the registry accepts: a manifest and its entry point's class entry (the registry never loads it). */
  static byte[] jar(String id, String version, String dependencies) {
    return jar(manifest(id, version, dependencies), "com.example.Entry");
  }

  private static byte[] jar(Map<String, String> attributes, String className) {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    attributes.forEach((k, v) -> m.getMainAttributes().putValue(k, v));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(out, m)) {
      if (className != null) {
        jar.putNextEntry(new JarEntry(className.replace('.', '/') + ".class"));
        jar.write(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe});
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
