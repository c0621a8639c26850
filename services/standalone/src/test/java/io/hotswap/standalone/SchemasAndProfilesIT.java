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

/** The schema registry and config profiles. */
class SchemasAndProfilesIT extends PlatformTest {

  @Test
  void shouldRejectAValueThatMakesATenantPatternBacktrackAndKeepValidatingOthers() {
    createTenant("it-redos");
    // a tenant's own pattern that backtracks exponentially on the wrong value (the back-reference
    // defeats the JDK's memoisation): unbounded, this write would hold the validation stream thread
    // for hours and, after the rebalance, again — every tenant on the partition would stall
    Api.Response schema = api.post("/api/v1/schemas", Map.of("tenantId", "it-redos", "name", "codes", "keyPattern", "codes.*",
        "rules", Map.of("type", "string", "regex", "^(a+)+\\1$")));
    assertThat(schema.status()).as(schema.text()).isEqualTo(201);
    String evil = "a".repeat(40) + "!";
    Api.Response rejected = api.post("/api/v1/configs", Map.of("tenantId", "it-redos", "key", "codes.primary", "type", "String", "value", evil));
    assertThat(rejected.status()).as(rejected.text()).isEqualTo(422);
    assertThat(texts(rejected.json().get("errors"))).singleElement().satisfies(e -> assertThat(e).contains("did not finish within 100 ms"));
    assertThat(api.post("/api/v1/configs/it-redos:development:codes.primary/validate", Map.of("type", "String", "value", evil)).json()
        .get("valid").asBoolean()).isFalse();
    // nothing stored, and the stream goes on: the next write validates against the same pattern
    assertThat(api.get("/api/v1/configs/it-redos:development:codes.primary").status()).isEqualTo(404);
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-redos", "key", "codes.primary", "type", "String", "value", "aaaa")).status())
        .isEqualTo(201);
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-redos", "key", "codes.backup", "type", "String", "value", "aab")).status())
        .isEqualTo(422);
  }

  @Test
  void shouldRegisterSchemasAndEnforceThemOnEveryWrite() throws Exception {
    createTenant("it-schemas");
    Map<String, Object> database = Map.of("type", "object", "required", List.of("host", "port"), "properties", Map.of(
        "host", Map.of("type", "string"),
        "port", Map.of("type", "integer", "minimum", 1, "maximum", 65535),
        "poolSize", Map.of("type", "integer", "default", 10)));
    Api.Response registered = api.post("/api/v1/schemas", Map.of("tenantId", "it-schemas", "name", "database", "keyPattern", "database.*",
        "schema", database, "description", "database connections"));
    assertThat(registered.status()).as(registered.text()).isEqualTo(201);
    assertThat(registered.header("Location")).isEqualTo("/api/v1/schemas/it-schemas:database");
    assertThat(registered.json().get("version").asInt()).isEqualTo(1);
    assertThat(registered.json().get("compatibility").asString()).isEqualTo("BACKWARD");

    // a valid write gets the schema's defaults; an invalid one is refused with the JSON Pointer of each error and nothing is stored
    Api.Response primary = api.post("/api/v1/configs", Map.of("tenantId", "it-schemas", "key", "database.primary", "type", "Json",
        "value", Map.of("host", "db1", "port", 5432)));
    assertThat(primary.status()).as(primary.text()).isEqualTo(201);
    assertThat(primary.json().get("value").get("poolSize").asInt()).isEqualTo(10);
    Api.Response badPort = api.post("/api/v1/configs", Map.of("tenantId", "it-schemas", "key", "database.replica", "type", "Json",
        "value", Map.of("host", "db2", "port", 70000)));
    assertThat(badPort.status()).as(badPort.text()).isEqualTo(422);
    assertThat(badPort.json().get("type").asString()).endsWith("/schema-violation");
    assertThat(badPort.json().get("field").asString()).isEqualTo("value");
    assertThat(texts(badPort.json().get("errors"))).anySatisfy(e -> assertThat(e).startsWith("/port: ").contains("65535"));
    Api.Response noHost = api.post("/api/v1/configs", Map.of("tenantId", "it-schemas", "key", "database.replica", "type", "Json",
        "value", Map.of("port", 1)));
    assertThat(noHost.status()).isEqualTo(422);
    assertThat(texts(noHost.json().get("errors"))).anySatisfy(e -> assertThat(e).startsWith("/host: "));
    assertThat(api.get("/api/v1/configs/it-schemas:development:database.replica").status()).isEqualTo(404);
    Api.Response badUpdate = api.put("/api/v1/configs/it-schemas:development:database.primary", Map.of("value", Map.of("host", "db1", "port", 0)), Map.of());
    assertThat(badUpdate.status()).isEqualTo(422);
    assertThat(api.get("/api/v1/configs/it-schemas:development:database.primary").json().get("version").asLong()).isEqualTo(1);

    // the short rule form becomes a schema
    Api.Response rules = api.post("/api/v1/schemas", Map.of("tenantId", "it-schemas", "name", "limits", "keyPattern", "limits.rps",
        "rules", Map.of("type", "number", "min", 1, "max", 1000, "default", 100)));
    assertThat(rules.status()).as(rules.text()).isEqualTo(201);
    assertThat(rules.json().get("schema").get("maximum").asInt()).isEqualTo(1000);
    Api.Response tooMany = api.post("/api/v1/configs", Map.of("tenantId", "it-schemas", "key", "limits.rps", "type", "Number", "value", 5000));
    assertThat(tooMany.status()).isEqualTo(422);
    assertThat(texts(tooMany.json().get("errors"))).anySatisfy(e -> assertThat(e).startsWith("/: ").contains("1000"));
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-schemas", "key", "limits.rps", "type", "Number", "value", 500)).status())
        .isEqualTo(201);
    assertThat(api.post("/api/v1/schemas", Map.of("tenantId", "it-schemas", "name", "bad-rules", "rules", Map.of("type", "number", "mni", 1)))
        .json().get("field").asString()).isEqualTo("rules.mni");

    // dry runs store nothing
    JsonNode dry = api.post("/api/v1/configs/it-schemas:development:database.primary/validate", Map.of("value", Map.of("host", "x", "port", 0))).json();
    assertThat(dry.get("valid").asBoolean()).isFalse();
    assertThat(texts(dry.get("errors"))).anySatisfy(e -> assertThat(e).startsWith("/port: "));
    JsonNode dryNew = api.post("/api/v1/configs/it-schemas:development:database.analytics/validate",
        Map.of("type", "Json", "value", Map.of("host", "x", "port", 1))).json();
    assertThat(dryNew.get("valid").asBoolean()).as(dryNew.toString()).isTrue();
    assertThat(dryNew.get("value").get("poolSize").asInt()).isEqualTo(10);
    assertThat(dryNew.get("schemaId").asString()).isEqualTo("it-schemas:database");
    JsonNode drySchema = api.post("/api/v1/schemas/it-schemas:database/validate", Map.of("value", Map.of("host", 7))).json();
    assertThat(drySchema.get("valid").asBoolean()).isFalse();
    assertThat(texts(drySchema.get("errors"))).anySatisfy(e -> assertThat(e).startsWith("/host: "))
        .anySatisfy(e -> assertThat(e).startsWith("/port: "));
    assertThat(api.get("/api/v1/configs/it-schemas:development:database.analytics").status()).isEqualTo(404);

    assertThat(api.get("/api/v1/schemas?tenantId=it-schemas").json().get("totalItems").asLong()).isEqualTo(2);
    assertThat(api.get("/api/v1/schemas/it-schemas:database").json().get("versions").toString()).isEqualTo("[1]");
    assertThat(api.get("/api/v1/schemas/it-schemas:nothing").status()).isEqualTo(404);

    // invalid schemas are refused with the rule they break
    assertThat(api.post("/api/v1/schemas", Map.of("tenantId", "it-schemas", "name", "broken", "schema", Map.of("type", "strnig"))).status())
        .isEqualTo(422);
    Api.Response remote = api.post("/api/v1/schemas", Map.of("tenantId", "it-schemas", "name", "remote",
        "schema", Map.of("$ref", "http://example.invalid/schema.json")));
    assertThat(remote.status()).isEqualTo(422);
    assertThat(remote.json().get("detail").asString()).contains("self-contained");

    // a compatible version applies at once
    Api.Response wider = api.post("/api/v1/schemas", Map.of("tenantId", "it-schemas", "name", "limits", "keyPattern", "limits.rps",
        "rules", Map.of("type", "number", "min", 1, "max", 2000)));
    assertThat(wider.status()).as(wider.text()).isEqualTo(201);
    assertThat(wider.json().get("version").asInt()).isEqualTo(2);

    // a breaking version of a schema nobody uses is refused with what breaks
    assertThat(api.post("/api/v1/schemas", Map.of("tenantId", "it-schemas", "name", "unused", "keyPattern", "nothing.*",
        "schema", Map.of("type", "string"))).status()).isEqualTo(201);
    Api.Response breaking = api.post("/api/v1/schemas", Map.of("tenantId", "it-schemas", "name", "unused", "keyPattern", "nothing.*",
        "schema", Map.of("type", "integer")));
    assertThat(breaking.status()).as(breaking.text()).isEqualTo(422);
    assertThat(breaking.json().get("type").asString()).endsWith("/breaking-schema-change");
    assertThat(texts(breaking.json().get("errors"))).anySatisfy(e -> assertThat(e).startsWith("/type: no longer accepts string"));

    // a breaking version of a schema in use waits for an Admin
    Map<String, Object> narrower = Map.of("type", "object", "required", List.of("host", "port"), "properties", Map.of(
        "host", Map.of("type", "string"),
        "port", Map.of("type", "integer", "minimum", 1, "maximum", 1024),
        "poolSize", Map.of("type", "integer", "default", 10)));
    Map<String, Object> narrowerBody = Map.of("tenantId", "it-schemas", "name", "database", "keyPattern", "database.*", "schema", narrower);
    Api.Response held = api.post("/api/v1/schemas", narrowerBody, Map.of("Idempotency-Key", "narrower-database"));
    assertThat(held.status()).as(held.text()).isEqualTo(202);
    // the caller's retry is answered as the first request was: held, and not applied
    Api.Response retried = api.post("/api/v1/schemas", narrowerBody, Map.of("Idempotency-Key", "narrower-database"));
    assertThat(retried.status()).as(retried.text()).isEqualTo(202);
    assertThat(retried.json().get("status").asString()).isEqualTo("Pending");
    assertThat(held.json().get("status").asString()).isEqualTo("Pending");
    assertThat(texts(held.json().get("breaks")))
        .anySatisfy(e -> assertThat(e).startsWith("/properties/port/maximum: lowered from 65535 to 1024"))
        .anySatisfy(e -> assertThat(e).startsWith("stored value it-schemas:development:database.primary /port: "));
    assertThat(api.get("/api/v1/schemas/it-schemas:database").json().get("version").asInt()).isEqualTo(1);
    assertThat(api.post("/api/v1/schemas", Map.of("tenantId", "it-schemas", "name", "database", "keyPattern", "database.*", "schema", database))
        .status()).isEqualTo(409);
    String manager = io.hotswap.core.testing.Tokens.token("carol", List.of("ConfigManager"), List.of());
    assertThat(api.as(manager).post("/api/v1/schemas/it-schemas:database/approve", Map.of()).status()).isEqualTo(403);
    Api.Response approved = api.post("/api/v1/schemas/it-schemas:database/approve", Map.of(), Map.of("Idempotency-Key", "approve-narrower"));
    assertThat(approved.status()).as(approved.text()).isEqualTo(200);
    assertThat(approved.json().get("version").asInt()).isEqualTo(2);
    Api.Response approvedAgain = api.post("/api/v1/schemas/it-schemas:database/approve", Map.of(), Map.of("Idempotency-Key", "approve-narrower"));
    assertThat(approvedAgain.status()).as(approvedAgain.text()).isEqualTo(200);
    assertThat(approvedAgain.json().get("version").asInt()).as("the same approval, not a second version").isEqualTo(2);
    assertThat(approved.json().get("approvedBy").asString()).isEqualTo("it-tester");
    assertThat(approved.json().get("schema").get("properties").get("port").get("maximum").asInt()).isEqualTo(1024);
    assertThat(api.post("/api/v1/schemas/it-schemas:database/approve", Map.of()).status()).isEqualTo(404);
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-schemas", "key", "database.cache", "type", "Json",
        "value", Map.of("host", "c", "port", 6379))).status()).isEqualTo(422);

    // an Admin may turn a held version down: the schema stays as it was and takes new versions again
    Map<String, Object> tiny = Map.of("type", "object", "required", List.of("host", "port"), "properties", Map.of(
        "host", Map.of("type", "string"), "port", Map.of("type", "integer", "minimum", 1, "maximum", 100)));
    assertThat(api.post("/api/v1/schemas", Map.of("tenantId", "it-schemas", "name", "database", "keyPattern", "database.*", "schema", tiny))
        .status()).isEqualTo(202);
    assertThat(api.as(manager).post("/api/v1/schemas/it-schemas:database/reject", Map.of()).status()).isEqualTo(403);
    Api.Response rejected = api.post("/api/v1/schemas/it-schemas:database/reject", Map.of());
    assertThat(rejected.status()).as(rejected.text()).isEqualTo(200);
    assertThat(rejected.json().get("currentVersion").asInt()).isEqualTo(2);
    assertThat(api.post("/api/v1/schemas/it-schemas:database/reject", Map.of()).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/schemas/it-schemas:database").json().get("versions").toString()).isEqualTo("[1,2]");
    // the approved version made database.primary invalid; until it is fixed, every new version would be held for it
    assertThat(api.put("/api/v1/configs/it-schemas:development:database.primary", Map.of("value", Map.of("host", "db1", "port", 1000)), Map.of())
        .status()).isEqualTo(200);
    Api.Response relaxed = api.post("/api/v1/schemas", Map.of("tenantId", "it-schemas", "name", "database", "keyPattern", "database.*",
        "schema", narrower, "description", "same rules, described"));
    assertThat(relaxed.status()).as(relaxed.text()).isEqualTo(201);
    assertThat(relaxed.json().get("version").asInt()).isEqualTo(3);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-schemas' AND event_type = 'SCHEMA_REGISTERED'")).isEqualTo(5);
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-schemas' AND event_type = 'SCHEMA_APPROVED'")).isEqualTo(1);
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-schemas' AND event_type = 'SCHEMA_REJECTED'")).isEqualTo(1);
    });
    try (KafkaConsumer<String, byte[]> approvals = consumer(Topics.APPROVALS)) {
      // each held version's request (keyed by approval id) goes from PENDING to its decision
      Map<String, List<String>> decisions = new java.util.TreeMap<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        approvals.poll(Duration.ofMillis(200)).forEach(r -> {
          var request = SERDES.approvalRequest().fromBytes(r.value());
          if (request.getTenantId().equals("it-schemas")) {
            decisions.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(request.getStatus().name());
          }
        });
        return decisions.values().stream().mapToInt(List::size).sum() >= 4;
      });
      assertThat(decisions.values()).containsExactlyInAnyOrder(List.of("PENDING", "APPROVED"), List.of("PENDING", "REJECTED"));
    }
  }

  @Test
  void shouldNotHoldABreakingSchemaVersionForADeletedKey() {
    createTenant("it-schema-deleted");
    assertThat(api.post("/api/v1/schemas", Map.of("tenantId", "it-schema-deleted", "name", "limits", "keyPattern", "limit.*",
        "rules", Map.of("type", "number", "max", 1000))).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-schema-deleted", "key", "limit.rps", "type", "Number", "value", 500))
        .status()).isEqualTo(201);
    assertThat(api.delete("/api/v1/configs/it-schema-deleted:development:limit.rps").status()).isEqualTo(204);

    // config-state keeps the deleted key (marked deleted, no value); it is no use of the schema: the
    // breaking version is refused outright, as for a schema nothing uses, instead of waiting for an
    // Admin over a key nobody reads
    Api.Response narrower = api.post("/api/v1/schemas", Map.of("tenantId", "it-schema-deleted", "name", "limits", "keyPattern", "limit.*",
        "rules", Map.of("type", "number", "max", 100)));
    assertThat(narrower.status()).as(narrower.text()).isEqualTo(422);
    assertThat(narrower.json().get("type").asString()).endsWith("/breaking-schema-change");
    assertThat(texts(narrower.json().get("errors"))).noneSatisfy(e -> assertThat(e).startsWith("stored value"));
  }

  @Test
  void shouldVersionProfilesSemanticallyAndServeThemLive() throws Exception {
    createUnguardedTenant("it-profiles");
    assertThat(api.post("/api/v1/schemas", Map.of("tenantId", "it-profiles", "name", "payment", "schema", Map.of("type", "object",
        "properties", Map.of("timeoutMs", Map.of("type", "integer", "maximum", 60000), "retries", Map.of("type", "integer", "default", 3)))))
        .status()).isEqualTo(201);
    String base = "/api/v1/profiles/it-profiles:payment-service.production";
    Api.Response v1 = api.post("/api/v1/profiles", Map.of("tenantId", "it-profiles", "service", "payment-service", "environment", "Production",
        "version", "1.0.0", "document", Map.of("timeoutMs", 1000), "schemaId", "payment", "strategy", "Canary", "tags", List.of("beta")));
    assertThat(v1.status()).as(v1.text()).isEqualTo(201);
    assertThat(v1.header("Location")).isEqualTo(base + "/versions/1.0.0");
    assertThat(v1.json().get("document").get("retries").asInt()).isEqualTo(3);
    assertThat(v1.json().get("strategy").asString()).isEqualTo("canary");

    Map<String, Object> next = new HashMap<>(Map.of("tenantId", "it-profiles", "service", "payment-service", "environment", "production",
        "document", Map.of("timeoutMs", 1500)));
    next.put("version", "1.0.0");
    Api.Response same = api.post("/api/v1/profiles", next);
    assertThat(same.status()).isEqualTo(409);
    assertThat(same.json().get("field").asString()).isEqualTo("version");
    assertThat(same.json().get("detail").asString()).contains("greater than the current 1.0.0");
    next.put("version", "0.9.9");
    assertThat(api.post("/api/v1/profiles", next).status()).isEqualTo(409);
    next.put("version", "1.1");
    assertThat(api.post("/api/v1/profiles", next).status()).isEqualTo(400);
    next.put("version", "1.1.0");
    next.put("schemaId", "payment");
    next.put("document", Map.of("timeoutMs", 99999));
    Api.Response invalid = api.post("/api/v1/profiles", next);
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(texts(invalid.json().get("errors"))).anySatisfy(e -> assertThat(e).startsWith("/timeoutMs: "));
    next.put("document", Map.of("timeoutMs", 2000));
    assertThat(api.post("/api/v1/profiles", next).status()).isEqualTo(201);
    next.put("version", "2.0.0");
    next.put("document", Map.of("timeoutMs", 3000, "region", "eu"));
    assertThat(api.post("/api/v1/profiles", next).status()).isEqualTo(201);

    assertThat(api.get(base).json().get("version").asString()).isEqualTo("2.0.0");
    List<String> versions = new ArrayList<>();
    api.get(base + "/versions").json().get("items").forEach(v -> versions.add(v.get("version").asString()));
    assertThat(versions).containsExactly("1.0.0", "1.1.0", "2.0.0");
    List<String> changes = new ArrayList<>();
    api.get(base + "/diff?from=1.0.0&to=2.0.0").json().get("changes").forEach(c -> changes.add(c.get("op").asString() + " " + c.get("path").asString()));
    assertThat(changes).containsExactlyInAnyOrder("changed /timeoutMs", "added /region");

    Api.Response tagged = api.put(base + "/versions/1.1.0/tags", Map.of("tags", List.of("stable")), Map.of());
    assertThat(tagged.status()).as(tagged.text()).isEqualTo(200);
    assertThat(texts(tagged.json().get("tags"))).containsExactly("stable");
    assertThat(tagged.json().get("document").get("timeoutMs").asInt()).isEqualTo(2000);
    assertThat(api.put(base + "/versions/9.9.9/tags", Map.of("tags", List.of("stable")), Map.of()).status()).isEqualTo(404);

    Api.Response rolledBack = api.post(base + "/rollback", Map.of("version", "1.0.0"));
    assertThat(rolledBack.status()).as(rolledBack.text()).isEqualTo(201);
    assertThat(rolledBack.json().get("rolledBackTo").asString()).isEqualTo("1.0.0");
    assertThat(rolledBack.json().get("previousVersion").asString()).isEqualTo("2.0.0");
    JsonNode restored = rolledBack.json().get("profile");
    assertThat(restored.get("version").asString()).isEqualTo("2.0.1");
    assertThat(restored.get("document")).isEqualTo(api.get(base + "/versions/1.0.0").json().get("document"));
    assertThat(api.get(base).json().get("version").asString()).isEqualTo("2.0.1");

    // the current version is on the live topic of its environment, as a whole document
    try (KafkaConsumer<String, byte[]> live = consumer(Topics.live("production"))) {
      List<LiveConfig> seen = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        live.poll(Duration.ofMillis(200)).forEach(r -> {
          if (r.key().equals("it-profiles|profile:payment-service") && r.value() != null) {
            seen.add(SERDES.liveConfig().fromBytes(r.value()));
          }
        });
        return seen.size() >= 4;
      });
      LiveConfig last = seen.get(seen.size() - 1);
      assertThat(last.getKind()).isEqualTo(io.hotswap.avro.LiveKind.PROFILE);
      assertThat(last.getSemver()).isEqualTo("2.0.1");
      assertThat(Json.MAPPER.readTree(last.getValue()).get("timeoutMs").asInt()).isEqualTo(1000);
    }

    // up to 1 MB (the compact JSON text) is accepted, one byte more is not
    String filler = "x".repeat(1024 * 1024 - "{\"blob\":\"\"}".length());
    Api.Response oneMb = api.post("/api/v1/profiles", Map.of("tenantId", "it-profiles", "service", "big-service", "environment", "development",
        "version", "1.0.0", "document", Map.of("blob", filler)));
    assertThat(oneMb.status()).as(oneMb.text().substring(0, Math.min(300, oneMb.text().length()))).isEqualTo(201);
    Api.Response tooBig = api.post("/api/v1/profiles", Map.of("tenantId", "it-profiles", "service", "big-service", "environment", "development",
        "version", "1.0.1", "document", Map.of("blob", filler + "x")));
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tooBig.json().get("field").asString()).isEqualTo("document");
    assertThat(api.get("/api/v1/profiles/tenant/it-profiles?environment=production").json().get("totalItems").asLong()).isEqualTo(1);
    assertThat(api.get("/api/v1/profiles/tenant/it-profiles").json().get("totalItems").asLong()).isEqualTo(2);
    assertThat(api.get("/api/v1/profiles/it-profiles:absent.production").status()).isEqualTo(404);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-profiles' AND event_type = 'PROFILE_CREATED'")).isEqualTo(4);
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-profiles' AND event_type = 'PROFILE_TAGGED'")).isEqualTo(1);
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-profiles' AND event_type = 'PROFILE_ROLLED_BACK'")).isEqualTo(1);
    });
  }
}
