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

/** Promotions and approvals: guarded environments, distinct approvers, rejection, expiry, notifications. */
class ApprovalsIT extends PlatformTest {

  @Test
  void shouldPromoteForwardApplyingUnguardedTargetsAndHoldingGuardedOnes() throws Exception {
    createTenant("it-promote");
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-promote", "key", "limits.rps", "value", 100, "type", "Number")).status())
        .isEqualTo(201);
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-promote", "key", "db.password", "value", "pr0m0ted", "type", "Secret"))
        .status()).isEqualTo(201);

    Api.Response toQa = api.post("/api/v1/configs/it-promote:development:limits.rps/promote", Map.of());
    assertThat(toQa.status()).as(toQa.text()).isEqualTo(201);
    assertThat(toQa.header("Location")).isEqualTo("/api/v1/configs/it-promote:qa:limits.rps");
    assertThat(toQa.json().get("config").get("value").asInt()).isEqualTo(100);
    assertThat(api.get("/api/v1/configs/it-promote:qa:limits.rps").json().get("value").asInt()).isEqualTo(100);
    // a secret is re-sealed for its new environment and stays revealable
    assertThat(api.post("/api/v1/configs/it-promote:development:db.password/promote", Map.of("targetEnvironment", "QA")).status()).isEqualTo(201);
    assertThat(api.get("/api/v1/configs/it-promote:qa:db.password/reveal").json().get("value").asString()).isEqualTo("pr0m0ted");

    Api.Response toStaging = api.post("/api/v1/configs/it-promote:qa:limits.rps/promote", Map.of());
    assertThat(toStaging.status()).as(toStaging.text()).isEqualTo(202);
    assertThat(toStaging.json().get("status").asString()).isEqualTo("Pending");
    assertThat(toStaging.json().get("approvalId").asString()).isNotBlank();
    assertThat(api.get("/api/v1/configs/it-promote:staging:limits.rps").status()).isEqualTo(404);

    assertThat(api.post("/api/v1/configs/it-promote:qa:limits.rps/promote", Map.of("targetEnvironment", "development")).status()).isEqualTo(400);
    assertThat(api.post("/api/v1/configs/it-promote:production:nothing.here/promote", Map.of()).status()).isEqualTo(400);
    assertThat(api.post("/api/v1/configs/it-promote:development:nothing.here/promote", Map.of()).status()).isEqualTo(404);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count(
        "SELECT count(*) FROM audit_log WHERE tenant_id = 'it-promote' AND event_type = 'CONFIG_PROMOTED'")).isEqualTo(2));
    try (KafkaConsumer<String, byte[]> approvals = consumer(Topics.APPROVALS)) {
      List<String> held = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        approvals.poll(Duration.ofMillis(200)).forEach(r -> {
          var request = SERDES.approvalRequest().fromBytes(r.value());
          if (request.getTenantId().equals("it-promote")) {
            held.add(request.getEnvironment() + " " + request.getStatus());
          }
        });
        return !held.isEmpty();
      });
      assertThat(held).containsExactly("staging PENDING");
    }
  }

  @Test
  void shouldHoldPromotionsAsTheTenantsApprovalPolicySays() {
    Api.Response tenant = api.post("/api/v1/tenants", Map.of("tenantId", "it-policy", "tier", "Pro", "guardedEnvironments", List.of("Production")));
    assertThat(tenant.status()).as(tenant.text()).isEqualTo(201);
    assertThat(texts(tenant.json().get("guardedEnvironments"))).containsExactly("production");
    createTenant("it-policy-default");
    assertThat(texts(api.get("/api/v1/tenants/it-policy-default").json().get("guardedEnvironments"))).containsExactly("staging", "production");
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-policy", "key", "feature.x", "value", true, "type", "Boolean")).status())
        .isEqualTo(201);
    assertThat(api.post("/api/v1/configs/it-policy:development:feature.x/promote", Map.of("targetEnvironment", "staging")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs/it-policy:staging:feature.x/promote", Map.of()).status()).isEqualTo(202);

    assertThat(api.put("/api/v1/tenants/it-policy", Map.of("guardedEnvironments", List.of("moon")), Map.of()).status()).isEqualTo(400);
    Api.Response open = api.put("/api/v1/tenants/it-policy", Map.of("guardedEnvironments", List.of()), Map.of());
    assertThat(open.status()).as(open.text()).isEqualTo(200);
    assertThat(open.json().get("guardedEnvironments")).isEmpty();
    Api.Response applied = api.post("/api/v1/configs/it-policy:staging:feature.x/promote", Map.of());
    assertThat(applied.status()).as(applied.text()).isEqualTo(201);
    assertThat(api.get("/api/v1/configs/it-policy:production:feature.x").json().get("value").asBoolean()).isTrue();
  }

  @Test
  void shouldApplyAHeldPromotionOnlyAfterDistinctApproversAndDropRejectedOrExpiredOnes() throws Exception {
    Api.Response tenant = api.post("/api/v1/tenants", Map.of("tenantId", "it-approve", "tier", "Enterprise", "approvalLevels", 2,
        "approvalTimeout", "PT1H"));
    assertThat(tenant.status()).as(tenant.text()).isEqualTo(201);
    assertThat(tenant.json().get("approvalLevels").asInt()).isEqualTo(2);
    assertThat(tenant.json().get("approvalTimeout").asString()).isEqualTo("PT1H");
    assertThat(api.post("/api/v1/configs", config("it-approve", "limits.rps", 100, "Number")).status()).isEqualTo(201);
    Api requester = api.as(io.hotswap.core.testing.Tokens.token("dev-dan", List.of("Developer", "Approver"), List.of()));
    Api developer = api.as(io.hotswap.core.testing.Tokens.token("dev-dora", List.of("Developer"), List.of()));
    Api ann = api.as(io.hotswap.core.testing.Tokens.token("ann", List.of("Approver"), List.of()));
    Api bert = api.as(io.hotswap.core.testing.Tokens.token("bert", List.of("Approver"), List.of()));
    assertThat(requester.post("/api/v1/configs/it-approve:development:limits.rps/promote", Map.of("targetEnvironment", "qa")).status())
        .isEqualTo(201);

    Api.Response held = requester.post("/api/v1/configs/it-approve:qa:limits.rps/promote", Map.of("targetEnvironment", "staging"));
    assertThat(held.status()).as(held.text()).isEqualTo(202);
    String id = held.json().get("approvalId").asString();
    JsonNode pending = api.get("/api/v1/approvals/" + id).json();
    assertThat(pending.get("status").asString()).isEqualTo("pending");
    assertThat(pending.get("kind").asString()).isEqualTo("promotion");
    assertThat(pending.get("requiredApprovals").asInt()).isEqualTo(2);
    assertThat(pending.get("requestedBy").asString()).isEqualTo("dev-dan");
    assertThat(pending.get("change").get("configId").asString()).isEqualTo("it-approve:staging:limits.rps");
    assertThat(pending.get("change").get("value").asInt()).isEqualTo(100);
    assertThat(api.get("/api/v1/approvals?tenantId=it-approve&status=pending").json().get("items"))
        .extracting(n -> n.get("approvalId").asString()).containsExactly(id);

    Api.Response self = requester.post("/api/v1/approvals/" + id + "/approve", Map.of());
    assertThat(self.status()).as(self.text()).isEqualTo(409);
    assertThat(self.json().get("detail").asString()).contains("'dev-dan' requested this change and cannot approve it");
    assertThat(developer.post("/api/v1/approvals/" + id + "/approve", Map.of()).status()).as("not an approver").isEqualTo(403);
    Api.Response first = ann.post("/api/v1/approvals/" + id + "/approve", Map.of("comment", "capacity checked"));
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    assertThat(first.json().get("status").asString()).isEqualTo("pending");
    assertThat(first.json().get("approvals").get(0).get("approver").asString()).isEqualTo("ann");
    assertThat(ann.post("/api/v1/approvals/" + id + "/approve", Map.of()).json().get("type").asString()).endsWith("/already-approved");
    assertThat(api.get("/api/v1/configs/it-approve:staging:limits.rps").status()).as("not before the second approval").isEqualTo(404);
    Api.Response second = bert.post("/api/v1/approvals/" + id + "/approve", Map.of());
    assertThat(second.json().get("status").asString()).isEqualTo("approved");
    assertThat(second.json().get("decidedBy").asString()).isEqualTo("bert");
    assertThat(second.json().get("release").get("outcome").asString()).as("the approval answers once the change is applied").isEqualTo("applied");
    assertThat(second.json().get("release").get("resourceId").asString()).isEqualTo("it-approve:staging:limits.rps");
    Api.Response applied = api.get("/api/v1/configs/it-approve:staging:limits.rps");
    assertThat(applied.status()).isEqualTo(200);
    assertThat(applied.json().get("value").asInt()).isEqualTo(100);
    assertThat(applied.json().get("updatedBy").asString()).as("the change is the requester's").isEqualTo("dev-dan");
    assertThat(bert.post("/api/v1/approvals/" + id + "/reject", Map.of()).status()).as("decided already").isEqualTo(409);

    // rejected: dropped, with the reason
    String rejected = requester.post("/api/v1/configs/it-approve:staging:limits.rps/promote", Map.of()).json().get("approvalId").asString();
    Api.Response no = ann.post("/api/v1/approvals/" + rejected + "/reject", Map.of("comment", "not during the sale"));
    assertThat(no.json().get("status").asString()).isEqualTo("rejected");
    assertThat(no.json().get("comment").asString()).isEqualTo("not during the sale");
    assertThat(api.get("/api/v1/configs/it-approve:production:limits.rps").status()).isEqualTo(404);

    // not decided in time: expired
    assertThat(api.put("/api/v1/tenants/it-approve", Map.of("approvalTimeout", "PT1S"), Map.of()).status()).isEqualTo(200);
    String forgotten = requester.post("/api/v1/configs/it-approve:staging:limits.rps/promote", Map.of()).json().get("approvalId").asString();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(api.get("/api/v1/approvals/" + forgotten).json().path("status").asString()).isEqualTo("expired"));
    assertThat(api.get("/api/v1/configs/it-approve:production:limits.rps").status()).isEqualTo(404);

    // another tenant's admin sees none of it
    Api outsider = api.as(io.hotswap.core.testing.Tokens.token("eve", List.of("TenantAdmin"), List.of("it-approve-other")));
    assertThat(outsider.get("/api/v1/approvals").json().get("totalItems").asLong()).isZero();
    assertThat(outsider.get("/api/v1/approvals/" + id).status()).isEqualTo(404);
    assertThat(outsider.post("/api/v1/approvals/" + forgotten + "/approve", Map.of()).status()).isEqualTo(404);

    // each state was notified to the webhook, signed, without the value
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(NOTIFICATIONS.stream()
        .map(n -> Json.MAPPER.readTree(n.get("body")))
        .filter(b -> b.get("tenantId").asString().equals("it-approve") && b.get("approvalId").asString().equals(id))
        .map(b -> b.get("event").asString()).distinct().toList())
        .containsExactly("approval.requested", "approval.granted", "approval.approved"));
    Map<String, String> approvedNote = NOTIFICATIONS.stream().filter(n -> n.get("body").contains(id) && n.get("body").contains("approval.approved"))
        .findFirst().orElseThrow();
    JsonNode note = Json.MAPPER.readTree(approvedNote.get("body"));
    assertThat(note.get("key").asString()).isEqualTo("limits.rps");
    assertThat(note.get("approvedBy")).extracting(JsonNode::asString).containsExactly("ann", "bert");
    assertThat(note.has("value")).isFalse();
    assertThat(approvedNote.get("delivery")).isEqualTo(id + "/3");
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec("it-webhook-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
    assertThat(approvedNote.get("signature")).isEqualTo("sha256=" + java.util.HexFormat.of().formatHex(
        mac.doFinal(approvedNote.get("body").getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(NOTIFICATIONS.stream()
        .anyMatch(n -> n.get("body").contains(forgotten) && n.get("body").contains("approval.expired"))).isTrue());
    // the webhook refused the first notification of this tenant once: it was delivered again
    Map<String, String> refused = NOTIFICATIONS.stream().filter(n -> n.get("body").contains("\"tenantId\":\"it-approve\"")).findFirst().orElseThrow();
    assertThat(refused.get("status")).isEqualTo("503");
    assertThat(NOTIFICATIONS).as("the refused notification was delivered again")
        .anySatisfy(n -> assertThat(n).containsEntry("delivery", refused.get("delivery")).containsEntry("status", "204"));

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count(
        "SELECT count(*) FROM audit_log WHERE tenant_id = ? AND event_type IN ('APPROVAL_REQUESTED', 'APPROVAL_GRANTED', 'CHANGE_APPROVED',"
            + " 'CHANGE_REJECTED', 'APPROVAL_EXPIRED')", "it-approve")).as("3 requested, 1 granted, approved, rejected, expired").isEqualTo(7));
    assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND event_type = 'CONFIG_PROMOTED' AND environment = 'staging'"
        + " AND actor = 'dev-dan'", "it-approve")).isEqualTo(1);
  }
}
