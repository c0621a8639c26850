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

  /**
   * Tried as a new user would: into a guarded environment every change is held — a ConfigManager's
   * create, update, rollback, deployment and profile version, an Admin's deletion, a batch — each
   * answered 202 with its approval id, applied only after the environment's number of distinct
   * approvers (never the requester), and only the change the approval was given for.
   */
  @Test
  void shouldHoldEveryChangeIntoAGuardedEnvironmentUntilItsApproversReleaseExactlyThatChange() throws Exception {
    Api.Response tenant = api.post("/api/v1/tenants", Map.of("tenantId", "it-guard", "tier", "Enterprise",
        "approvalLevelsByEnvironment", Map.of("Production", 2)));
    assertThat(tenant.status()).as(tenant.text()).isEqualTo(201);
    assertThat(tenant.json().get("approvalLevelsByEnvironment").get("production").asInt()).isEqualTo(2);
    assertThat(api.post("/api/v1/tenants", Map.of("tenantId", "it-guard-bad", "approvalLevelsByEnvironment", Map.of("production", 4))).status())
        .isEqualTo(422);
    Api cora = api.as(io.hotswap.core.testing.Tokens.token("cora", List.of("ConfigManager"), List.of()));
    Api ann = api.as(io.hotswap.core.testing.Tokens.token("ann", List.of("Approver"), List.of()));
    Api bert = api.as(io.hotswap.core.testing.Tokens.token("bert", List.of("Approver"), List.of()));
    String configId = "it-guard:production:checkout.timeout_ms";
    java.util.function.BiConsumer<String, String> approveTwice = (approvalId, hash) -> {
      Api.Response one = ann.post("/api/v1/approvals/" + approvalId + "/approve", Map.of("changeHash", hash));
      assertThat(one.status()).as(one.text()).isEqualTo(200);
      assertThat(one.json().get("status").asString()).isEqualTo("pending");
      Api.Response two = bert.post("/api/v1/approvals/" + approvalId + "/approve", Map.of("changeHash", hash));
      assertThat(two.status()).as(two.text()).isEqualTo(200);
      assertThat(two.json().get("release").get("outcome").asString()).as(two.text()).isEqualTo("applied");
    };

    // development is not guarded: applied at once
    assertThat(cora.post("/api/v1/configs", Map.of("tenantId", "it-guard", "key", "checkout.timeout_ms", "value", 100, "type", "Number"))
        .status()).isEqualTo(201);

    // create: held, nothing stored until two approvers release it
    Api.Response create = cora.post("/api/v1/configs", Map.of("tenantId", "it-guard", "key", "checkout.timeout_ms", "value", 100,
        "type", "Number", "environment", "production"));
    assertThat(create.status()).as(create.text()).isEqualTo(202);
    assertThat(create.header("Location")).isEqualTo("/api/v1/approvals/" + create.json().get("approvalId").asString());
    assertThat(create.json().get("configId").asString()).isEqualTo(configId);
    String created = create.json().get("approvalId").asString();
    assertThat(api.get("/api/v1/configs/" + configId).status()).isEqualTo(404);
    JsonNode pending = api.get("/api/v1/approvals/" + created).json();
    assertThat(pending.get("kind").asString()).isEqualTo("config-create");
    assertThat(pending.get("environment").asString()).isEqualTo("production");
    assertThat(pending.get("requiredApprovals").asInt()).as("the production level of the policy").isEqualTo(2);
    assertThat(pending.get("change").get("value").asInt()).isEqualTo(100);
    String createHash = pending.get("changeHash").asString();
    assertThat(createHash).matches("[0-9a-f]{64}");

    // another held change: its approval cannot release the first one, nor the first's approval this one
    Map<String, Object> otherBody = Map.of("tenantId", "it-guard", "key", "checkout.retries", "value", 9, "type", "Number",
        "environment", "production");
    Api.Response other = cora.post("/api/v1/configs", otherBody, Map.of("Idempotency-Key", "retries-9"));
    assertThat(other.status()).as(other.text()).isEqualTo(202);
    String otherId = other.json().get("approvalId").asString();
    String otherHash = api.get("/api/v1/approvals/" + otherId).json().get("changeHash").asString();
    assertThat(otherHash).isNotEqualTo(createHash);
    // the requester's retry is answered with the same approval, which keeps the approval it has
    assertThat(bert.post("/api/v1/approvals/" + otherId + "/approve", Map.of("changeHash", otherHash)).status()).isEqualTo(200);
    Api.Response retried = cora.post("/api/v1/configs", otherBody, Map.of("Idempotency-Key", "retries-9"));
    assertThat(retried.status()).as(retried.text()).isEqualTo(202);
    assertThat(retried.json().get("approvalId").asString()).isEqualTo(otherId);
    assertThat(api.get("/api/v1/approvals/" + otherId).json().get("approvals")).as(retried.text()).hasSize(1);
    Api.Response mismatch = ann.post("/api/v1/approvals/" + created + "/approve", Map.of("changeHash", otherHash));
    assertThat(mismatch.status()).as(mismatch.text()).isEqualTo(409);
    assertThat(mismatch.json().get("type").asString()).endsWith("/approval-change-mismatch");
    assertThat(api.get("/api/v1/approvals/" + created).json().get("approvals")).as("a refused decision counts for nothing").isEmpty();
    assertThat(cora.post("/api/v1/approvals/" + created + "/approve", Map.of()).status()).as("a ConfigManager is no approver").isEqualTo(403);
    approveTwice.accept(created, createHash);
    Api.Response live = api.get("/api/v1/configs/" + configId);
    assertThat(live.json().get("value").asInt()).isEqualTo(100);
    assertThat(live.json().get("updatedBy").asString()).as("the change is the requester's").isEqualTo("cora");
    assertThat(api.get("/api/v1/configs/it-guard:production:checkout.retries").status()).as("only the approved change").isEqualTo(404);
    assertThat(ann.post("/api/v1/approvals/" + otherId + "/reject", Map.of("comment", "not needed")).status()).isEqualTo(200);

    // update and rollback: held, then applied as asked
    Api.Response update = cora.put("/api/v1/configs/" + configId, Map.of("value", 150), Map.of());
    assertThat(update.status()).as(update.text()).isEqualTo(202);
    assertThat(api.get("/api/v1/configs/" + configId).json().get("value").asInt()).isEqualTo(100);
    String updateId = update.json().get("approvalId").asString();
    assertThat(api.get("/api/v1/approvals?tenantId=it-guard&status=pending").json().get("items"))
        .extracting(n -> n.get("approvalId").asString()).containsExactly(updateId);
    approveTwice.accept(updateId, api.get("/api/v1/approvals/" + updateId).json().get("changeHash").asString());
    assertThat(api.get("/api/v1/configs/" + configId).json().get("value").asInt()).isEqualTo(150);
    Api.Response rollback = cora.post("/api/v1/configs/" + configId + "/rollback", Map.of("version", 1));
    assertThat(rollback.status()).as(rollback.text()).isEqualTo(202);
    JsonNode heldRollback = api.get("/api/v1/approvals/" + rollback.json().get("approvalId").asString()).json();
    assertThat(heldRollback.get("kind").asString()).isEqualTo("config-rollback");
    assertThat(heldRollback.get("change").get("rollbackToVersion").asLong()).isEqualTo(1);
    approveTwice.accept(heldRollback.get("approvalId").asString(), heldRollback.get("changeHash").asString());
    assertThat(api.get("/api/v1/configs/" + configId).json().get("value").asInt()).isEqualTo(100);

    // deployment: held under its id; refused, asked again, released: it starts
    Api.Response deploy = cora.post("/api/v1/deployments", Map.of("configId", configId, "value", 120, "strategy", "canary",
        "steps", List.of(10, 100), "bakeTime", "PT1H"));
    assertThat(deploy.status()).as(deploy.text()).isEqualTo(202);
    String deploymentId = deploy.json().get("deploymentId").asString();
    JsonNode waiting = api.get("/api/v1/deployments/" + deploymentId).json();
    assertThat(waiting.get("status").asString()).isEqualTo("pending_approval");
    assertThat(waiting.get("approvalId").asString()).isEqualTo(deploy.json().get("approvalId").asString());
    assertThat(api.get("/api/v1/approvals/" + waiting.get("approvalId").asString()).json().get("change").get("deploymentId").asString())
        .isEqualTo(deploymentId);
    Api.Response again = cora.post("/api/v1/deployments/" + deploymentId + "/request-approval", Map.of());
    assertThat(again.status()).as("still waiting: the same approval").isEqualTo(202);
    assertThat(again.json().get("approvalId").asString()).isEqualTo(waiting.get("approvalId").asString());
    assertThat(ann.post("/api/v1/approvals/" + waiting.get("approvalId").asString() + "/reject", Map.of("comment", "after the sale")).status())
        .isEqualTo(200);
    assertThat(api.get("/api/v1/deployments/" + deploymentId).json().get("approvalStatus").asString()).isEqualTo("rejected");
    Api.Response asked = cora.post("/api/v1/deployments/" + deploymentId + "/request-approval", Map.of());
    assertThat(asked.status()).as(asked.text()).isEqualTo(202);
    String askedId = asked.json().get("approvalId").asString();
    assertThat(askedId).isNotEqualTo(waiting.get("approvalId").asString());
    approveTwice.accept(askedId, api.get("/api/v1/approvals/" + askedId).json().get("changeHash").asString());
    JsonNode running = api.get("/api/v1/deployments/" + deploymentId).json();
    assertThat(running.get("status").asString()).as(running.toString()).isEqualTo("running");
    assertThat(running.get("createdBy").asString()).isEqualTo("cora");
    assertThat(cora.post("/api/v1/deployments/" + deploymentId + "/request-approval", Map.of()).status()).isEqualTo(409);
    // stopping harm never waits for approvers: an emergency rollback applies at once, and says so in the trail
    Api.Response stop = api.post("/api/v1/deployments/" + deploymentId + "/rollback", Map.of("reason", "checkout errors"));
    assertThat(stop.status()).as(stop.text()).isEqualTo(200);
    assertThat(stop.json().get("status").asString()).isEqualTo("rolled_back");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-guard'"
        + " AND event_type = 'DEPLOYMENT_ROLLED_BACK' AND detail LIKE '%emergency rollback, not held for approval%'")).isEqualTo(1));

    // a profile version and a batch touching production: held whole
    Api.Response profile = cora.post("/api/v1/profiles", Map.of("tenantId", "it-guard", "service", "checkout", "environment", "production",
        "version", "1.0.0", "document", Map.of("retries", 3)));
    assertThat(profile.status()).as(profile.text()).isEqualTo(202);
    assertThat(api.get("/api/v1/approvals/" + profile.json().get("approvalId").asString()).json().get("kind").asString()).isEqualTo("profile-version");
    assertThat(api.get("/api/v1/profiles/it-guard:checkout.production").status()).isEqualTo(404);
    Api.Response batch = cora.post("/api/v1/configs:batch", Map.of("tenantId", "it-guard", "items", List.of(
        Map.of("key", "a.one", "value", 1, "type", "Number"), Map.of("key", "a.two", "value", 2, "type", "Number", "environment", "production"))));
    assertThat(batch.status()).as(batch.text()).isEqualTo(202);
    assertThat(api.get("/api/v1/configs/it-guard:development:a.one").status()).as("a batch is one unit").isEqualTo(404);

    // deletion is an Admin's, and held too; the Admin cannot approve it
    assertThat(cora.delete("/api/v1/configs/" + configId).status()).isEqualTo(403);
    Api.Response delete = api.delete("/api/v1/configs/" + configId);
    assertThat(delete.status()).as(delete.text()).isEqualTo(202);
    String deleteId = delete.json().get("approvalId").asString();
    assertThat(api.post("/api/v1/approvals/" + deleteId + "/approve", Map.of()).status()).isEqualTo(409);
    assertThat(api.get("/api/v1/configs/" + configId).status()).isEqualTo(200);
    approveTwice.accept(deleteId, api.get("/api/v1/approvals/" + deleteId).json().get("changeHash").asString());
    assertThat(api.get("/api/v1/configs/" + configId).status()).isEqualTo(404);

    // staging takes the tenant's general level: one approver
    Api.Response staging = cora.post("/api/v1/configs", Map.of("tenantId", "it-guard", "key", "checkout.timeout_ms", "value", 90,
        "type", "Number", "environment", "staging"));
    assertThat(staging.status()).as(staging.text()).isEqualTo(202);
    Api.Response once = ann.post("/api/v1/approvals/" + staging.json().get("approvalId").asString() + "/approve", Map.of());
    assertThat(once.json().get("release").get("outcome").asString()).as(once.text()).isEqualTo("applied");
    assertThat(api.get("/api/v1/configs/it-guard:staging:checkout.timeout_ms").json().get("value").asInt()).isEqualTo(90);
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
