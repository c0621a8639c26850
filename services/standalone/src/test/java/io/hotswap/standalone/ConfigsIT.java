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

/** Configuration keys through REST: create, read, version, If-Match, bad input, idempotency, batches, value types, tenants, history, inheritance, retention, and poison commands. */
class ConfigsIT extends PlatformTest {

  @Test
  void shouldServeAWrittenConfigThroughRestOnTheLiveTopicAndInExactlyOneAuditRow() throws Exception {
    createTenant("it-acme");

    Api.Response created = api.post("/api/v1/configs", Map.of("tenantId", "it-acme", "key", "feature.new_ui", "value", true,
        "type", "Boolean", "environment", "development", "tags", List.of("ui"), "description", "the new UI"));

    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.header("Location")).isEqualTo("/api/v1/configs/it-acme:development:feature.new_ui");
    assertThat(created.header("ETag")).isEqualTo("\"1\"");
    assertThat(created.json().get("version").asLong()).isEqualTo(1);

    JsonNode read = api.get("/api/v1/configs/it-acme:development:feature.new_ui").json();
    assertThat(read.get("value").asBoolean()).isTrue();
    assertThat(read.get("type").asString()).isEqualTo("Boolean");
    assertThat(read.get("tags").get(0).asString()).isEqualTo("ui");
    // a read-back of a version that cannot exist is a 400 at once, not a wait ending in 503
    Api.Response noSuchVersion = api.get("/api/v1/configs/it-acme:development:feature.new_ui?minVersion=-5");
    assertThat(noSuchVersion.status()).isEqualTo(400);
    assertThat(noSuchVersion.json().get("field").asString()).isEqualTo("minVersion");
    assertThat(api.get("/api/v1/configs/it-acme:development:feature.new_ui?minVersion=1").json().get("version").asLong()).isEqualTo(1);

    JsonNode listed = api.get("/api/v1/configs/tenant/it-acme?environment=development&tag=ui&prefix=feature.").json();
    assertThat(listed.get("totalItems").asLong()).isEqualTo(1);

    try (KafkaConsumer<String, byte[]> live = consumer(Topics.live("development"))) {
      List<LiveConfig> seen = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<String, byte[]> r : live.poll(Duration.ofMillis(200))) {
          if (r.key().equals("it-acme|feature.new_ui")) {
            seen.add(SERDES.liveConfig().fromBytes(r.value()));
          }
        }
        return !seen.isEmpty();
      });
      assertThat(seen).singleElement().satisfies(l -> {
        assertThat(l.getValue()).isEqualTo("true");
        assertThat(l.getVersion()).isEqualTo(1);
      });
    }

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND config_key = ?", "it-acme", "feature.new_ui")).isEqualTo(1));
    JsonNode audit = api.get("/api/v1/audit-logs?tenantId=it-acme").json();
    assertThat(audit.get("totalItems").asLong()).isEqualTo(2); // tenant created, config created
    JsonNode event = audit.get("items").get(1);
    assertThat(event.get("eventType").asString()).isEqualTo("CONFIG_CREATED");
    assertThat(event.get("actor").asString()).isEqualTo("it-tester");
    assertThat(event.get("newValue").asString()).isEqualTo("true");
    assertThat(event.get("environment").asString()).isEqualTo("development");
    assertThat(event.get("sourceIp").asString()).isNotBlank();
    assertThat(event.get("traceId").asString()).isNotBlank();
    // the trail is hash-chained per tenant, and whole
    JsonNode chain = api.get("/api/v1/audit-logs/verify?tenantId=it-acme").json();
    assertThat(chain.get("valid").asBoolean()).as(chain.toString()).isTrue();
    assertThat(chain.get("checkedRows").asLong()).isEqualTo(2);
    assertThat(event.get("chainSeq").asLong()).isEqualTo(2);
    assertThat(chain.get("head").get("hash").asString()).isEqualTo(event.get("rowHash").asString());
  }

  @Test
  void shouldVersionUpdatesHonourIfMatchAndSoftDelete() throws Exception {
    createTenant("it-versions");
    assertThat(api.post("/api/v1/configs", config("it-versions", "limits.rps", 100, "Number")).status()).isEqualTo(201);
    String id = "/api/v1/configs/it-versions:development:limits.rps";

    Api.Response updated = api.put(id, Map.of("value", 200), Map.of("If-Match", "\"1\""));
    assertThat(updated.status()).as(updated.text()).isEqualTo(200);
    assertThat(updated.json().get("version").asLong()).isEqualTo(2);
    assertThat(updated.json().get("value").asInt()).isEqualTo(200);

    Api.Response stale = api.put(id, Map.of("value", 300), Map.of("If-Match", "\"1\""));
    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.header("Content-Type")).startsWith("application/problem+json");
    assertThat(stale.json().get("detail").asString()).contains("current version is 2");
    // a DELETE with a stale If-Match is refused, and the key stays as it was: readable and writable
    // (reported from outside: the next PUT once answered 404 while GET still served the key)
    assertThat(api.delete(id, Map.of("If-Match", "\"1\"")).status()).isEqualTo(409);
    Api.Response afterRefusedDelete = api.put(id, Map.of("value", 250), Map.of("If-Match", "\"2\""));
    assertThat(afterRefusedDelete.status()).as(afterRefusedDelete.text()).isEqualTo(200);
    assertThat(afterRefusedDelete.json().get("version").asLong()).isEqualTo(3);

    JsonNode versions = api.get(id + "/versions").json();
    assertThat(versions.get("items")).extracting(v -> v.get("value").asInt()).containsExactly(100, 200, 250);
    assertThat(api.get(id + "/versions/1").json().get("value").asInt()).isEqualTo(100);
    assertThat(api.get(id + "/versions/9").status()).isEqualTo(404);

    assertThat(api.delete(id).status()).isEqualTo(204);
    assertThat(api.get(id).status()).isEqualTo(404);
    assertThat(api.get(id + "/versions").json().get("totalItems").asLong()).isEqualTo(4); // history is kept
    assertThat(api.get("/api/v1/configs/tenant/it-versions?includeDeleted=true").json().get("items").get(0).get("deleted").asBoolean()).isTrue();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND config_key IS NOT NULL", "it-versions")).isEqualTo(4));
  }

  @Test
  void shouldRejectBadInputWithProblemDetailsAndLeaveNothingBehind() throws Exception {
    createTenant("it-bad");
    Api.Response suspend = api.put("/api/v1/tenants/it-bad", Map.of("status", "Suspended"), Map.of());
    assertThat(suspend.status()).as(suspend.text()).isEqualTo(200);
    createTenant("it-good");

    Map<String, Api.Response> cases = new java.util.LinkedHashMap<>();
    cases.put("bad tenant id", api.post("/api/v1/configs", config("x_y", "a.b", "v", "String")));
    cases.put("bad key", api.post("/api/v1/configs", config("it-good", "a..b", "v", "String")));
    cases.put("type mismatch", api.post("/api/v1/configs", config("it-good", "a.b", "many", "Number")));
    cases.put("too large", api.post("/api/v1/configs", config("it-good", "a.b", "x".repeat(1024 * 1024 + 1), "String")));
    cases.put("unknown tenant", api.post("/api/v1/configs", config("it-nobody", "a.b", "v", "String")));
    cases.put("suspended tenant", api.post("/api/v1/configs", config("it-bad", "a.b", "v", "String")));
    cases.put("malformed json", api.post("/api/v1/configs", "{\"tenantId\": \"it-good\", "));
    cases.put("unknown type", api.post("/api/v1/configs", config("it-good", "a.b", "v", "Integer")));

    assertThat(cases.get("bad tenant id").status()).isEqualTo(400);
    assertThat(cases.get("bad key").status()).isEqualTo(400);
    assertThat(cases.get("type mismatch").status()).isEqualTo(422);
    assertThat(cases.get("too large").status()).isEqualTo(413);
    assertThat(cases.get("unknown tenant").status()).isEqualTo(404);
    assertThat(cases.get("suspended tenant").status()).isEqualTo(409);
    assertThat(cases.get("malformed json").status()).isEqualTo(400);
    assertThat(cases.get("unknown type").status()).isEqualTo(400);
    cases.forEach((name, r) -> {
      assertThat(r.header("Content-Type")).as(name).startsWith("application/problem+json");
      assertThat(r.json().get("detail").asString()).as(name).isNotBlank();
      assertThat(r.json().get("type").asString()).as(name).startsWith("https://hotswap.io/problems/");
    });
    assertThat(cases.get("bad key").json().get("field").asString()).isEqualTo("key");
    assertThat(cases.get("type mismatch").json().get("detail").asString()).contains("Number");

    // a 1 MB value is accepted
    Api.Response max = api.post("/api/v1/configs", config("it-good", "big.blob", "x".repeat(1024 * 1024), "String"));
    assertThat(max.status()).as(max.text()).isEqualTo(201);

    Api.Response ok = api.post("/api/v1/configs", config("it-good", "a.b", "1", "Number"));
    assertThat(ok.status()).isEqualTo(201);
    Api.Response wrongIfMatch = api.put("/api/v1/configs/it-good:development:a.b", Map.of("value", 2), Map.of("If-Match", "\"5\""));
    assertThat(wrongIfMatch.status()).isEqualTo(409);
    assertThat(api.put("/api/v1/configs/it-good:development:a.b", Map.of("value", 2), Map.of("If-Match", "banana")).status()).isEqualTo(400);

    assertThat(api.get("/api/v1/configs/it-good:development:a.b/versions").json().get("totalItems").asLong()).isEqualTo(1);
    assertThat(api.get("/api/v1/configs/tenant/it-bad").json().get("totalItems").asLong()).isZero();
    // the service keeps serving, and only the accepted writes were audited
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id IN ('it-good', 'it-bad', 'x_y', 'it-nobody') AND config_key IS NOT NULL")).isEqualTo(2));
  }

  @Test
  void shouldAnswerARetriedPostWithTheSameIdempotencyKeyOnce() throws Exception {
    createTenant("it-idem");
    Map<String, String> key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
    Api.Response first = api.post("/api/v1/configs", config("it-idem", "a.b", "1", "Number"), key);
    Api.Response retry = api.post("/api/v1/configs", config("it-idem", "a.b", "1", "Number"), key);
    assertThat(first.status()).isEqualTo(201);
    assertThat(retry.status()).isEqualTo(201);
    assertThat(retry.json().get("version").asLong()).isEqualTo(1);
    assertThat(api.post("/api/v1/configs", config("it-idem", "a.b", "1", "Number")).status()).isEqualTo(409);
    // the tenant's first Secret also creates its first data key; that rotation must not take the write's idempotent id
    Api.Response secret = api.post("/api/v1/configs", config("it-idem", "db.password", "s3cret", "Secret"),
        Map.of("Idempotency-Key", UUID.randomUUID().toString()));
    assertThat(secret.status()).as(secret.text()).isEqualTo(201);
    assertThat(api.get("/api/v1/configs/it-idem:development:db.password").json().get("type").asString()).isEqualTo("Secret");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND config_key IS NOT NULL", "it-idem")).isEqualTo(2));
  }

  @Test
  void shouldApplyABatchOfAThousandItemsAsOneUnitOrNothingAtAll() throws Exception {
    createTenant("it-batch");
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      items.add(i == 7 ? Map.of("key", "db.password", "type", "Secret", "value", "s3cret")
          : Map.of("key", "import.k" + i, "type", "Number", "value", i, "tags", List.of("imported")));
    }
    Map<String, String> idempotency = Map.of("Idempotency-Key", "import-" + UUID.randomUUID());
    Api.Response applied = api.post("/api/v1/configs:batch", Map.of("tenantId", "it-batch", "environment", "qa", "items", items), idempotency);
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
    assertThat(applied.json().get("applied").asInt()).isEqualTo(1000);
    assertThat(applied.json().get("items").get(999).get("configId").asString()).isEqualTo("it-batch:qa:import.k999");
    assertThat(applied.json().get("items")).allSatisfy(item -> {
      assertThat(item.get("version").asLong()).isEqualTo(1);
      assertThat(item.get("status").asString()).isEqualTo("created");
    });
    // read-your-writes: every item is readable right after the answer; the Secret was sealed like any Secret write
    assertThat(api.get("/api/v1/configs/it-batch:qa:import.k999").json().get("value").asInt()).isEqualTo(999);
    assertThat(api.get("/api/v1/configs/it-batch:qa:import.k0").json().get("value").asInt()).isZero();
    assertThat(api.get("/api/v1/configs/it-batch:qa:db.password").json().get("value").asString()).isEqualTo("******");
    assertThat(api.get("/api/v1/configs/tenant/it-batch?tag=imported&size=1").json().get("totalItems").asLong()).isEqualTo(999);
    // a retry with the same Idempotency-Key is answered as the first time, applying nothing again
    Api.Response retried = api.post("/api/v1/configs:batch", Map.of("tenantId", "it-batch", "environment", "qa", "items", items), idempotency);
    assertThat(retried.status()).as(retried.text()).isEqualTo(200);
    assertThat(retried.json().get("items")).allSatisfy(item -> assertThat(item.get("version").asLong()).isEqualTo(1));
    assertThat(api.get("/api/v1/configs/it-batch:qa:import.k5/versions").json().get("totalItems").asLong()).isEqualTo(1);
    // one audit row per item, the Secret masked there too
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND config_key IS NOT NULL", "it-batch")).isEqualTo(1000));
    assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND new_value LIKE '%s3cret%'", "it-batch")).isZero();

    // a bad value is caught before the pipeline: 422 naming the item, nothing applied
    Api.Response badValue = api.post("/api/v1/configs:batch", Map.of("tenantId", "it-batch", "environment", "qa", "items", List.of(
        Map.of("key", "import.k1", "value", 11), Map.of("key", "fresh.one", "type", "Number", "value", 1), Map.of("key", "import.k2", "value", "many"))));
    assertThat(badValue.status()).as(badValue.text()).isEqualTo(422);
    assertThat(badValue.header("Content-Type")).startsWith("application/problem+json");
    assertThat(badValue.json().get("type").asString()).endsWith("/batch-rejected");
    assertThat(badValue.json().get("errors")).singleElement().satisfies(e -> assertThat(e.asString()).startsWith("/items/2/value: "));
    // a conflict only the pipeline sees (the key exists): the whole batch is rejected, the items before it undone
    Api.Response conflict = api.post("/api/v1/configs:batch", Map.of("tenantId", "it-batch", "environment", "qa", "items", List.of(
        Map.of("op", "update", "key", "import.k1", "value", 11), Map.of("key", "fresh.one", "type", "Number", "value", 1),
        Map.of("op", "create", "key", "import.k3", "type", "Number", "value", 33))));
    assertThat(conflict.status()).as(conflict.text()).isEqualTo(422);
    assertThat(conflict.json().get("errors")).singleElement().satisfies(e -> assertThat(e.asString()).startsWith("/items/2/key: ").contains("already exists"));
    assertThat(api.get("/api/v1/configs/it-batch:qa:import.k1").json().get("version").asLong()).isEqualTo(1);
    assertThat(api.get("/api/v1/configs/it-batch:qa:fresh.one").status()).isEqualTo(404);
    // and what the rejected batch tried is still possible afterwards: its items were undone in validation too
    Api.Response fixed = api.post("/api/v1/configs:batch", Map.of("tenantId", "it-batch", "environment", "qa", "items", List.of(
        Map.of("op", "update", "key", "import.k1", "value", 11), Map.of("op", "create", "key", "fresh.one", "type", "Number", "value", 1),
        Map.of("key", "import.k3", "value", 33))));
    assertThat(fixed.status()).as(fixed.text()).isEqualTo(200);
    assertThat(fixed.json().get("items")).extracting(i -> i.get("status").asString()).containsExactly("updated", "created", "updated");
    assertThat(api.get("/api/v1/configs/it-batch:qa:import.k3").json().get("value").asInt()).isEqualTo(33);

    // deleting stays an Admin's right, in a batch as alone
    Map<String, Object> deletion = Map.of("tenantId", "it-batch", "environment", "qa", "items", List.of(Map.of("op", "delete", "key", "import.k0")));
    Api developer = api.as(io.hotswap.core.testing.Tokens.token("dev", List.of("Developer"), List.of()));
    assertThat(developer.post("/api/v1/configs:batch", deletion).status()).isEqualTo(403);
    Api.Response deleted = api.post("/api/v1/configs:batch", deletion);
    assertThat(deleted.json().get("items").get(0).get("status").asString()).isEqualTo("deleted");
    assertThat(api.get("/api/v1/configs/it-batch:qa:import.k0").status()).isEqualTo(404);

    // a batch costs one write token per item: more items than a Free tenant's whole minute is refused as such
    api.post("/api/v1/tenants", Map.of("tenantId", "it-batch-free", "tier", "Free"));
    List<Map<String, Object>> six = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      six.add(Map.of("key", "k" + i, "type", "Number", "value", i));
    }
    Api.Response tooMany = api.post("/api/v1/configs:batch", Map.of("tenantId", "it-batch-free", "items", six));
    assertThat(tooMany.status()).as(tooMany.text()).isEqualTo(422);
    assertThat(tooMany.json().get("type").asString()).endsWith("/batch-exceeds-rate-limit");
    assertThat(api.post("/api/v1/configs:batch", Map.of("tenantId", "it-batch", "items", List.of())).status()).isEqualTo(400);
    List<Map<String, Object>> over = new ArrayList<>(items);
    over.add(Map.of("key", "one.more", "type", "Number", "value", 1));
    assertThat(api.post("/api/v1/configs:batch", Map.of("tenantId", "it-batch", "items", over)).json().get("type").asString())
        .endsWith("/batch-too-large");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND config_key IS NOT NULL", "it-batch")).isEqualTo(1004));
  }

  @Test
  void shouldJudgeEveryGeneratedValueAsTheReferenceModelDoesAndStoreOnlyTheAcceptedOnes() throws Exception {
    createTenant("it-values");
    long seed = Long.getLong("hotswap.values.seed", 20261130L);
    // samples drawn outside a jqwik property use jqwik's thread-local source of randomness: seed it for a reproducible run
    net.jqwik.engine.SourceOfRandomness.create(Long.toString(seed));
    List<io.hotswap.core.testing.ValueModel.Case> cases = new ArrayList<>();
    Map<io.hotswap.core.testing.ValueModel.Case, Boolean> expected = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 150; i++) {
      for (ValueType type : List.of(ValueType.NUMBER, ValueType.BOOLEAN, ValueType.STRING)) {
        net.jqwik.api.Arbitrary<String> values = switch (type) {
          case NUMBER -> io.hotswap.core.testing.ValueModel.numbers();
          case BOOLEAN -> io.hotswap.core.testing.ValueModel.booleans();
          default -> io.hotswap.core.testing.ValueModel.strings();
        };
        var c = new io.hotswap.core.testing.ValueModel.Case(type, values.sample());
        cases.add(c);
        expected.put(c, io.hotswap.core.testing.ValueModel.accepts(type, c.value()));
      }
      io.hotswap.core.testing.ValueModel.Json json = io.hotswap.core.testing.ValueModel.json().sample();
      var c = new io.hotswap.core.testing.ValueModel.Case(ValueType.JSON, json.text());
      cases.add(c);
      expected.put(c, json.valid());
    }
    System.out.printf("value model: %d generated cases, seed %d (-Dhotswap.values.seed to repeat)%n", cases.size(), seed);
    // bodies escape every non-ASCII character, as a hostile client may: a lone surrogate then arrives as "\\ud800", not as '?'
    tools.jackson.databind.ObjectMapper escaping = tools.jackson.databind.json.JsonMapper.builder()
        .enable(tools.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII).build();
    // the dry run answers every case as the model does
    for (var c : cases) {
      Api.Response r = api.post("/api/v1/configs/it-values:development:probe/validate",
          escaping.writeValueAsString(Map.of("value", c.value(), "type", io.hotswap.core.domain.ValueTypes.display(c.type()))));
      assertThat(r.status()).as("%s %s: %s", c.type(), c.value(), r.text()).isEqualTo(200);
      assertThat(r.json().get("valid").asBoolean()).as("%s '%s' (seed %d): %s", c.type(), c.value(), seed, r.text()).isEqualTo(expected.get(c));
    }
    // and writes: 201 for what the model accepts, 422 problem details naming the value for the rest, nothing stored for those
    int accepted = 0;
    for (int i = 0; i < cases.size(); i += 10) {
      var c = cases.get(i);
      Api.Response r = api.post("/api/v1/configs",
          escaping.writeValueAsString(config("it-values", "v" + i, c.value(), io.hotswap.core.domain.ValueTypes.display(c.type()))));
      if (expected.get(c)) {
        assertThat(r.status()).as("%s '%s': %s", c.type(), c.value(), r.text()).isEqualTo(201);
        accepted++;
      } else {
        assertThat(r.status()).as("%s '%s': %s", c.type(), c.value(), r.text()).isEqualTo(422);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("field").asString()).isEqualTo("value");
      }
    }
    assertThat(api.get("/api/v1/configs/tenant/it-values?size=1").json().get("totalItems").asLong()).isEqualTo(accepted);
    // the numbers that started this: infinity and a silent zero are refused, the largest double is kept exactly
    assertThat(api.post("/api/v1/configs", config("it-values", "huge", "1e400", "Number")).json().get("type").asString()).endsWith("/number-out-of-range");
    assertThat(api.post("/api/v1/configs", config("it-values", "tiny", "1e-400", "Number")).status()).isEqualTo(422);
    Api.Response max = api.post("/api/v1/configs", config("it-values", "max", "1.7976931348623157e308", "Number"));
    assertThat(max.status()).as(max.text()).isEqualTo(201);
    assertThat(api.get("/api/v1/configs/it-values:development:max").text()).contains("1.7976931348623157E+308");
  }

  @Test
  void shouldManageTenantsWithTierQuotasAndSoftDelete() {
    Api.Response created = api.post("/api/v1/tenants", Map.of("tenantId", "it-tenant", "name", "Tenant Co", "tier", "Free"));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().get("quotas").get("maxConfigs").asInt()).isEqualTo(100);
    assertThat(api.post("/api/v1/tenants", Map.of("tenantId", "it-tenant")).status()).isEqualTo(409);
    assertThat(api.post("/api/v1/tenants", Map.of("tenantId", "it-tenant-2", "tier", "Gold")).status()).isEqualTo(400);

    Api.Response upgraded = api.put("/api/v1/tenants/it-tenant", Map.of("tier", "Pro"), Map.of());
    assertThat(upgraded.json().get("tier").asString()).isEqualTo("Pro");
    assertThat(upgraded.json().get("quotas").get("maxConfigs").asInt()).isEqualTo(1000);

    assertThat(api.get("/api/v1/tenants?size=200").json().get("items")).extracting(t -> t.get("tenantId").asString()).contains("it-tenant");
    assertThat(api.delete("/api/v1/tenants/it-tenant").status()).isEqualTo(204);
    assertThat(api.get("/api/v1/tenants/it-tenant").json().get("status").asString()).isEqualTo("Deleted");
    assertThat(api.post("/api/v1/configs", config("it-tenant", "a.b", "1", "Number")).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/tenants/nobody-here").status()).isEqualTo(404);
    assertThat(api.get("/api/v1/tenants?page=-1").status()).isEqualTo(400);
    assertThat(api.get("/api/v1/environments").json()).extracting(e -> e.get("id").asString())
        .containsExactly("development", "qa", "staging", "production");
  }

  @Test
  void shouldRefuseANewKeyBeyondTheTenantsQuotasAndCountDeletedKeysOut() {
    Api.Response created = api.post("/api/v1/tenants", Map.of("tenantId", "it-quota", "tier", "Enterprise",
        "maxConfigs", 3, "maxEnvironments", 2, "guardedEnvironments", List.of()));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.json().get("quotas").get("maxConfigs").asInt()).isEqualTo(3);
    assertThat(api.post("/api/v1/configs", quotaKey("development", "a")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", quotaKey("qa", "b")).status()).isEqualTo(201);

    // a third environment is beyond maxEnvironments, though a key would still fit
    Api.Response thirdEnvironment = api.post("/api/v1/configs", quotaKey("staging", "c"));
    assertThat(thirdEnvironment.status()).as(thirdEnvironment.text()).isEqualTo(422);
    assertThat(thirdEnvironment.header("Content-Type")).startsWith("application/problem+json");
    assertThat(thirdEnvironment.json().get("type").asString()).endsWith("/quota-exceeded");
    assertThat(thirdEnvironment.json().get("field").asString()).isEqualTo("environment");
    assertThat(api.get("/api/v1/configs/it-quota:staging:c").status()).isEqualTo(404);

    assertThat(api.post("/api/v1/configs", quotaKey("development", "c")).status()).isEqualTo(201);
    // the fourth key is beyond maxConfigs, in whichever environment; nothing is stored
    Api.Response fourthKey = api.post("/api/v1/configs", quotaKey("development", "d"));
    assertThat(fourthKey.status()).as(fourthKey.text()).isEqualTo(422);
    assertThat(fourthKey.json().get("type").asString()).endsWith("/quota-exceeded");
    assertThat(fourthKey.json().get("field").asString()).isEqualTo("key");
    assertThat(fourthKey.json().get("detail").asString()).contains("3 configuration keys");
    assertThat(api.get("/api/v1/configs/it-quota:development:d").status()).isEqualTo(404);
    // a batch that would pass the quota is refused whole
    Api.Response batch = api.post("/api/v1/configs:batch", Map.of("tenantId", "it-quota", "environment", "development",
        "items", List.of(Map.of("key", "a", "value", 2), Map.of("key", "e", "type", "Number", "value", 1))));
    assertThat(batch.status()).as(batch.text()).isEqualTo(422);
    assertThat(api.get("/api/v1/configs/it-quota:development:a").json().get("version").asLong()).isEqualTo(1);
    // changing a key that exists needs no room
    assertThat(api.put("/api/v1/configs/it-quota:development:a", Map.of("value", 5), Map.of()).status()).isEqualTo(200);

    // a deleted key gives its place back, and so does the last key of an environment
    assertThat(api.delete("/api/v1/configs/it-quota:qa:b").status()).isEqualTo(204);
    Api.Response afterDelete = api.post("/api/v1/configs", quotaKey("staging", "c"));
    assertThat(afterDelete.status()).as(afterDelete.text()).isEqualTo(201);
    assertThat(api.get("/api/v1/configs/it-quota:staging:c").json().get("value").asInt()).isEqualTo(1);
  }

  private static Map<String, Object> quotaKey(String environment, String key) {
    return Map.of("tenantId", "it-quota", "key", key, "value", 1, "type", "Number", "environment", environment);
  }

  @Test
  void shouldDeadLetterAnUndecodableCommandAndKeepServing() throws Exception {
    createTenant("it-poison");
    String marker = "poison-" + UUID.randomUUID();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
      producer.send(new ProducerRecord<>(Topics.COMMANDS, "it-poison", marker.getBytes(StandardCharsets.UTF_8))).get();
    }

    try (KafkaConsumer<String, byte[]> dlq = consumer(Topics.DLQ)) {
      List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        dlq.poll(Duration.ofMillis(200)).forEach(r -> {
          if (new String(r.value(), StandardCharsets.UTF_8).equals(marker)) {
            dead.add(r);
          }
        });
        return !dead.isEmpty();
      });
      ConsumerRecord<String, byte[]> record = dead.getFirst();
      assertThat(record.key()).isEqualTo("it-poison");
      assertThat(new String(record.headers().lastHeader("__streams.errors.message").value(), StandardCharsets.UTF_8))
          .contains("Cannot decode Command");
      assertThat(new String(record.headers().lastHeader("__streams.errors.topic").value(), StandardCharsets.UTF_8)).isEqualTo(Topics.COMMANDS);
    }
    assertThat(api.post("/api/v1/configs", config("it-poison", "after.poison", "ok", "String")).status()).isEqualTo(201);
  }

  @Test
  void shouldDiffVersionsAndRollBackWithACompleteAuditTrail() throws Exception {
    createTenant("it-history");
    String id = "/api/v1/configs/it-history:development:db.pool";
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-history", "key", "db.pool", "type", "Json",
        "value", Map.of("max", 10, "min", 1, "hosts", List.of("a", "b")))).status()).isEqualTo(201);
    assertThat(api.put(id, Map.of("value", Map.of("max", 20, "min", 1, "hosts", List.of("a")), "description", "bigger"), Map.of()).status()).isEqualTo(200);
    assertThat(api.put(id, Map.of("value", Map.of("max", 30, "tls", true, "hosts", List.of("a"))), Map.of()).status()).isEqualTo(200);

    JsonNode diff = api.get(id + "/diff?from=v1&to=v3").json();
    List<String> changes = new ArrayList<>();
    diff.get("changes").forEach(c -> changes.add(c.get("op").asString() + " " + c.get("path").asString()));
    assertThat(changes).containsExactlyInAnyOrder("changed /max", "removed /min", "removed /hosts/1", "added /tls");
    diff.get("changes").forEach(c -> {
      if (c.get("path").asString().equals("/max")) {
        assertThat(c.get("oldValue").asInt()).isEqualTo(10);
        assertThat(c.get("newValue").asInt()).isEqualTo(30);
      }
    });
    assertThat(api.get(id + "/diff?from=1&to=9").status()).isEqualTo(404);
    assertThat(api.get(id + "/diff?from=one&to=2").status()).isEqualTo(400);

    Api.Response rolledBack = api.post(id + "/rollback", Map.of("version", 1));
    assertThat(rolledBack.status()).as(rolledBack.text()).isEqualTo(200);
    assertThat(rolledBack.json().get("rolledBackTo").asLong()).isEqualTo(1);
    assertThat(rolledBack.json().get("previousVersion").asLong()).isEqualTo(3);
    JsonNode v4 = rolledBack.json().get("config");
    assertThat(v4.get("version").asLong()).isEqualTo(4);
    assertThat(v4.get("value")).isEqualTo(api.get(id + "/versions/1").json().get("value"));
    assertThat(api.get(id).json().get("value").get("max").asInt()).isEqualTo(10);
    JsonNode history = api.get(id + "/versions").json();
    List<Long> numbers = new ArrayList<>();
    history.get("items").forEach(v -> numbers.add(v.get("version").asLong()));
    assertThat(numbers).containsExactly(1L, 2L, 3L, 4L);
    assertThat(api.get(id + "/diff?from=1&to=4").json().get("changes")).isEmpty();
    assertThat(api.post(id + "/rollback", Map.of()).status()).isEqualTo(400);
    assertThat(api.post(id + "/rollback", Map.of("version", 9)).status()).isEqualTo(404);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count(
        "SELECT count(*) FROM audit_log WHERE tenant_id = 'it-history' AND config_key = 'db.pool'")).isEqualTo(4));
    JsonNode trail = api.get("/api/v1/audit-logs?tenantId=it-history").json();
    JsonNode last = trail.get("items").get(trail.get("items").size() - 1);
    assertThat(last.get("eventType").asString()).isEqualTo("CONFIG_ROLLED_BACK");
    assertThat(Json.MAPPER.readTree(last.get("oldValue").asString()).get("max").asInt()).isEqualTo(30);
    assertThat(Json.MAPPER.readTree(last.get("newValue").asString()).get("max").asInt()).isEqualTo(10);
    assertThat(last.get("version").asLong()).isEqualTo(4);

    // a secret's diff says only that it changed
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-history", "key", "api.token", "value", "t0ken-1", "type", "Secret")).status()).isEqualTo(201);
    assertThat(api.put("/api/v1/configs/it-history:development:api.token", Map.of("value", "t0ken-2"), Map.of()).status()).isEqualTo(200);
    Api.Response secretDiff = api.get("/api/v1/configs/it-history:development:api.token/diff?from=1&to=2");
    assertThat(secretDiff.text()).doesNotContain("t0ken").contains("******");
  }

  @Test
  void shouldResolveEffectiveValuesThroughEnvironmentInheritance() {
    createUnguardedTenant("it-envs");
    for (String key : List.of("a.x", "b.x", "c.x")) {
      assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-envs", "key", key, "value", 1, "type", "Number", "environment", "Development")).status())
          .isEqualTo(201);
    }
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-envs", "key", "b.x", "value", 2, "type", "Number", "environment", "Staging")).status())
        .isEqualTo(201);
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-envs", "key", "c.x", "value", 3, "type", "Number", "environment", "Production")).status())
        .isEqualTo(201);

    Map<String, String> production = new java.util.TreeMap<>();
    api.get("/api/v1/configs/tenant/it-envs?environment=Production").json().get("items").forEach(i ->
        production.put(i.get("key").asString(), i.get("value").asInt() + " from " + i.get("source").asString()));
    assertThat(production).containsExactly(
        Map.entry("a.x", "1 from default"), Map.entry("b.x", "2 from staging"), Map.entry("c.x", "3 from override"));

    Map<String, String> qa = new java.util.TreeMap<>();
    api.get("/api/v1/configs/tenant/it-envs?environment=qa").json().get("items").forEach(i ->
        qa.put(i.get("key").asString(), i.get("value").asInt() + " from " + i.get("source").asString()));
    assertThat(qa).containsExactly(Map.entry("a.x", "1 from default"), Map.entry("b.x", "1 from default"), Map.entry("c.x", "1 from default"));

    // deleting an override brings the inherited value back
    assertThat(api.delete("/api/v1/configs/it-envs:production:c.x").status()).isEqualTo(204);
    assertThat(api.get("/api/v1/configs/tenant/it-envs?environment=production&prefix=c.").json().get("items").get(0).get("source").asString())
        .isEqualTo("default");
    assertThat(api.get("/api/v1/configs/tenant/it-envs").json().get("totalItems").asLong()).isEqualTo(4);
  }

  @Test
  void shouldPruneHistoryByTheRetentionPolicyAndAuditThePruning() throws Exception {
    createTenant("it-retention");
    String id = "/api/v1/configs/it-retention:development:retained.key";
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-retention", "key", "retained.key", "value", 1, "type", "Number")).status())
        .isEqualTo(201);
    assertThat(api.put(id, Map.of("value", 2, "tags", List.of("stable")), Map.of()).status()).isEqualTo(200);
    for (int v = 3; v <= 15; v++) {
      Map<String, Object> body = new HashMap<>(Map.of("value", v));
      if (v == 3) {
        body.put("tags", List.of());
      }
      assertThat(api.put(id, body, Map.of()).status()).isEqualTo(200);
    }
    // keep-last 12 keeps 4..15; version 2 is tagged stable; 1 and 3 go
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<Long> numbers = new ArrayList<>();
      api.get(id + "/versions").json().get("items").forEach(v -> numbers.add(v.get("version").asLong()));
      assertThat(numbers).containsExactly(2L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
    });
    assertThat(api.get(id + "/versions/1").status()).isEqualTo(404);
    assertThat(api.get(id).json().get("version").asLong()).isEqualTo(15);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-retention' AND event_type = 'CONFIG_VERSIONS_PRUNED'")).isEqualTo(2);
      assertThat(count("SELECT count(*) FROM audit_log WHERE tenant_id = 'it-retention' AND event_type = 'CONFIG_VERSIONS_PRUNED'"
          + " AND actor = 'hotswap-retention' AND old_value IN ('versions 1', 'versions 3')")).isEqualTo(2);
    });
  }
}
