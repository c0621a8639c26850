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

/** Who may call what: tokens, the access matrix for every role, and tenant scope. */
class SecurityIT extends PlatformTest {

  @Test
  void shouldRefuseMissingExpiredForgedUnsignedAndForeignTokens() {
    Api anonymous = api.as(null);
    String expired = io.hotswap.core.testing.Tokens.sign(io.hotswap.core.testing.Tokens.SECRET, "hotswap", "x", List.of("Admin"), List.of(),
        java.time.Instant.now().minus(Duration.ofHours(2)), Duration.ofMinutes(10));
    String notYetValid = io.hotswap.core.testing.Tokens.sign(io.hotswap.core.testing.Tokens.SECRET, "hotswap", "x", List.of("Admin"), List.of(),
        java.time.Instant.now().plus(Duration.ofHours(1)), Duration.ofHours(1));
    String forged = io.hotswap.core.testing.Tokens.sign("another-secret-another-secret-another-secret", "hotswap", "x", List.of("Admin"), List.of(),
        java.time.Instant.now(), Duration.ofHours(1));
    String wrongIssuer = io.hotswap.core.testing.Tokens.sign(io.hotswap.core.testing.Tokens.SECRET, "someone-else", "x", List.of("Admin"), List.of(),
        java.time.Instant.now(), Duration.ofHours(1));
    String[] parts = io.hotswap.core.testing.Tokens.admin().split("\\.");
    String unsigned = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
        + "." + parts[1] + ".";
    for (Api caller : List.of(anonymous, api.as(expired), api.as(notYetValid), api.as(forged), api.as(wrongIssuer), api.as(unsigned), api.as("garbage"))) {
      Api.Response r = caller.get("/api/v1/tenants");
      assertThat(r.status()).as(r.text()).isEqualTo(401);
      assertThat(r.header("Content-Type")).startsWith("application/problem+json");
      assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
      assertThat(caller.post("/api/v1/tenants", Map.of("tenantId", "it-intruder")).status()).isEqualTo(401);
    }
    assertThat(anonymous.get("/actuator/health").status()).isEqualTo(200);
    assertThat(anonymous.get("/actuator/prometheus").status()).isEqualTo(401);
    assertThat(api.get("/actuator/prometheus").status()).isEqualTo(200);
    assertThat(api.get("/api/v1/tenants/it-intruder").status()).isEqualTo(404);
  }

  @Test
  void shouldAllowEachRoleExactlyTheEndpointsOfTheAccessMatrix() {
    createTenant("it-matrix");
    assertThat(api.post("/api/v1/configs", config("it-matrix", "m.k", 1, "Number")).status()).isEqualTo(201);
    io.hotswap.gateway.security.AccessMatrix matrix = io.hotswap.gateway.security.AccessMatrix.load();
    List<String> failures = new ArrayList<>();
    for (io.hotswap.core.security.Role role : matrix.roles()) {
      String token = io.hotswap.core.testing.Tokens.token("matrix-" + role.claim(), List.of(role.claim()), List.of("it-matrix"));
      Api caller = api.as(token);
      for (io.hotswap.gateway.security.AccessMatrix.Row row : matrix.rows()) {
        String path = row.path().replace("{tenantId}", "it-matrix").replace("{configId}", "it-matrix:development:m.k").replace("{version}", "1").replace("{kind}", "read")
            .replace("{schemaId}", "it-matrix:m-schema").replace("{profileId}", "it-matrix:m-service.development")
            .replace("{instanceId}", "m-instance-absent").replace("{deploymentId}", "it-matrix:dabsent")
            .replace("{approvalId}", "absent-approval").replace("{waveDeploymentId}", "wabsent")
            .replace("{pluginId}", "m-plugin-absent").replace("{id}", "sb-absent");
        // bodies that pass authorization but change nothing: empty JSON objects fail validation (400)
        Object body = row.method().equals("POST") || row.method().equals("PUT") ? Map.of() : null;
        if (row.method().equals("DELETE")) {
          path = path.replace("it-matrix:development:m.k", "it-matrix:development:absent.key").replace("/tenants/it-matrix", "/tenants/it-matrix-absent");
        }
        if (path.equals("/api/v1/watch")) {
          path += "?timeout=PT1S"; // a stream: ended by its timeout, so the call answers
        }
        int status = caller.send(row.method(), path, body).status();
        boolean allowed = row.allowed().contains(role);
        if (allowed ? (status == 401 || status == 403) : status != 403) {
          failures.add(role.claim() + " " + row.method() + " " + path + " -> " + status + " (expected " + (allowed ? "allowed" : "403") + ")");
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void shouldTellATokenWhoItNamesAndWhatItMayCall() {
    JsonNode viewer = api.as(io.hotswap.core.testing.Tokens.token("val", List.of("Viewer"), List.of())).get("/api/v1/me").json();
    assertThat(viewer.get("subject").asString()).isEqualTo("val");
    assertThat(viewer.get("tenants").isNull()).as("not scoped: every tenant").isTrue();
    assertThat(texts(viewer.get("allowed"))).contains("GET /api/v1/configs/{configId}").doesNotContain("POST /api/v1/configs", "PUT /api/v1/configs/{configId}");
    JsonNode admin = api.as(io.hotswap.core.testing.Tokens.token("tam", List.of("TenantAdmin"), List.of("it-me"))).get("/api/v1/me").json();
    assertThat(texts(admin.get("tenants"))).containsExactly("it-me");
    assertThat(texts(admin.get("allowed"))).contains("POST /api/v1/configs").doesNotContain("POST /api/v1/tenants");
  }

  @Test
  void shouldShowATenantAdminNothingOfAnotherTenant() throws Exception {
    List<String> hiddenAnswers = new ArrayList<>();
    createTenant("it-scope-a");
    createTenant("it-scope-b");
    assertThat(api.post("/api/v1/configs", config("it-scope-a", "own.key", "a", "String")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", config("it-scope-b", "secret.plan", "b", "String")).status()).isEqualTo(201);
    Api tenantA = api.as(io.hotswap.core.testing.Tokens.token("alice-of-a", List.of("TenantAdmin"), List.of("it-scope-a")));

    // their own tenant: full configuration access, recorded as them
    assertThat(tenantA.get("/api/v1/configs/it-scope-a:development:own.key").status()).isEqualTo(200);
    Api.Response own = tenantA.put("/api/v1/configs/it-scope-a:development:own.key", Map.of("value", "a2"), Map.of());
    assertThat(own.status()).as(own.text()).isEqualTo(200);
    assertThat(own.json().get("updatedBy").asString()).isEqualTo("alice-of-a");

    // the other tenant does not exist for them: every probe answers exactly as for a tenant that really doesn't exist
    for (String other : List.of("it-scope-b", "it-scope-nonexistent")) {
      String id = other + ":development:secret.plan";
      List<Api.Response> probes = List.of(
          tenantA.get("/api/v1/tenants/" + other),
          tenantA.get("/api/v1/configs/" + id),
          tenantA.get("/api/v1/configs/" + id + "/versions"),
          tenantA.get("/api/v1/configs/" + id + "/versions/1"),
          tenantA.get("/api/v1/configs/tenant/" + other),
          tenantA.put("/api/v1/configs/" + id, Map.of("value", "pwned"), Map.of()),
          tenantA.post("/api/v1/configs", config(other, "planted.key", "x", "String")),
          tenantA.get("/api/v1/audit-logs?tenantId=" + other),
          tenantA.get("/api/v1/deployments/tenant/" + other),
          tenantA.get("/api/v1/deployments/" + other + ":d0123456789abcdef"),
          tenantA.post("/api/v1/deployments/" + other + ":d0123456789abcdef/rollback", Map.of()),
          tenantA.post("/api/v1/deployments", Map.of("configId", id, "value", "pwned")),
          tenantA.get("/api/v1/approvals?tenantId=" + other),
          tenantA.post("/api/v1/approvals/" + other + "-approval/approve", Map.of()));
      List<String> normalized = new ArrayList<>();
      for (Api.Response r : probes) {
        assertThat(r.status()).as(r.text()).isEqualTo(404);
        normalized.add(r.text().replace(other, "OTHER"));
      }
      if (other.equals("it-scope-b")) {
        hiddenAnswers.clear();
        hiddenAnswers.addAll(normalized);
      } else {
        assertThat(normalized).as("a hidden tenant must look exactly like a missing one").isEqualTo(hiddenAnswers);
      }
    }
    assertThat(api.get("/api/v1/configs/it-scope-b:development:secret.plan/versions").json().get("totalItems").asLong()).isEqualTo(1);
    assertThat(tenantA.get("/api/v1/tenants").json().get("items")).extracting(t -> t.get("tenantId").asString()).containsExactly("it-scope-a");
    JsonNode trail = tenantA.get("/api/v1/audit-logs").json();
    assertThat(trail.get("items")).isNotEmpty().allSatisfy(e -> assertThat(e.get("tenantId").asString()).isEqualTo("it-scope-a"));
    assertThat(tenantA.get("/api/v1/audit-logs/verify").json().get("tenantId").asString()).isEqualTo("it-scope-a");
    assertThat(tenantA.get("/api/v1/audit-logs/verify?tenantId=it-scope-b").status()).isEqualTo(404);
    assertThat(api.get("/api/v1/configs/it-scope-b:development:secret.plan").json().get("value").asString()).isEqualTo("b");
    // a TenantAdmin token without tenants sees no tenant at all
    Api none = api.as(io.hotswap.core.testing.Tokens.token("nobody", List.of("TenantOwner"), List.of()));
    assertThat(none.get("/api/v1/tenants").json().get("totalItems").asLong()).isZero();
    assertThat(none.get("/api/v1/configs/it-scope-a:development:own.key").status()).isEqualTo(404);
  }
}
