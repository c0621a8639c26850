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

/** Secrets: sealed at the gateway, encrypted on every topic and in every store, clear only in the audited reveal. */
class SecretsIT extends PlatformTest {

  @Test
  void shouldKeepASecretEncryptedEverywhereButTheAuditedReveal() throws Exception {
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs = new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    // a Spring context closing (other tests stop extra gateways) stops Logback's context; capture needs it running
    if (!root.getLoggerContext().isStarted()) {
      root.getLoggerContext().start();
    }
    root.setLevel(ch.qos.logback.classic.Level.INFO);
    root.addAppender(logs);
    org.slf4j.LoggerFactory.getLogger(SecretsIT.class).info("secret-test-canary: log capture is on");
    try {
      createUnguardedTenant("it-secret");
      String first = "first-" + UUID.randomUUID();
      String second = "second-" + UUID.randomUUID();
      String id = "/api/v1/configs/it-secret:production:db.password";

      Api.Response created = api.post("/api/v1/configs", Map.of("tenantId", "it-secret", "key", "db.password", "value", first,
          "type", "Secret", "environment", "production"));
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      assertThat(created.json().get("value").asString()).isEqualTo("******");
      Api.Response updated = api.put(id, Map.of("value", second), Map.of());
      assertThat(updated.status()).as(updated.text()).isEqualTo(200);
      // a canary of a third secret value: sealed at the gateway, masked in every answer, rolled back (the stable value returns)
      String third = "third-" + UUID.randomUUID();
      Api.Response deployed = api.post("/api/v1/deployments", Map.of("configId", "it-secret:production:db.password", "value", third,
          "strategy", "canary", "bakeTime", "PT1H"));
      assertThat(deployed.status()).as(deployed.text()).isEqualTo(201);
      assertThat(deployed.json().get("candidateValue").asString()).isEqualTo("******");
      assertThat(deployed.json().get("stableValue").asString()).isEqualTo("******");
      Api.Response rolledBack = api.post("/api/v1/deployments/" + deployed.json().get("deploymentId").asString() + "/rollback", Map.of());
      assertThat(rolledBack.status()).as(rolledBack.text()).isEqualTo(200);
      List<Api.Response> answers = new ArrayList<>(List.of(created, updated, deployed, rolledBack, api.get(id), api.get(id + "/versions"),
          api.get(id + "/versions/1"), api.get("/api/v1/configs/tenant/it-secret"), api.get("/api/v1/deployments/tenant/it-secret")));

      // the audited reveal is the only answer with the clear value, and only for Admins
      Api.Response revealed = api.get(id + "/reveal");
      assertThat(revealed.status()).as(revealed.text()).isEqualTo(200);
      assertThat(revealed.json().get("value").asString()).isEqualTo(second);
      assertThat(api.as(io.hotswap.core.testing.Tokens.token("v", List.of("Viewer"), List.of())).get(id + "/reveal").status()).isEqualTo(403);
      assertThat(api.as(io.hotswap.core.testing.Tokens.token("t", List.of("TenantAdmin"), List.of("it-secret"))).get(id + "/reveal").status()).isEqualTo(403);
      assertThat(api.get("/api/v1/configs/it-secret:production:nope/reveal").status()).isEqualTo(404);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count(
          "SELECT count(*) FROM audit_log WHERE tenant_id = 'it-secret' AND event_type = 'SECRET_REVEALED' AND actor = 'it-tester'")).isEqualTo(1));
      answers.add(api.get("/api/v1/audit-logs?tenantId=it-secret"));
      answers.add(api.get("/api/v1/audit-logs/export?tenantId=it-secret"));
      answers.add(api.get("/api/v1/audit-logs/replay?tenantId=it-secret"));
      for (Api.Response r : answers) {
        assertThat(r.text()).doesNotContain(first).doesNotContain(second).doesNotContain(third);
      }

      // a service holding the tenant's data key decrypts what it receives on the live topic
      javax.crypto.SecretKey master = io.hotswap.protocol.Envelope.aesKey(java.util.Base64.getDecoder().decode(io.hotswap.core.testing.Tokens.MASTER_KEY));
      Map<Integer, javax.crypto.SecretKey> dataKeys = new HashMap<>();
      try (KafkaConsumer<String, byte[]> keys = consumer(Topics.TENANT_KEYS)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          keys.poll(Duration.ofMillis(200)).forEach(r -> {
            if (r.key().startsWith("it-secret|")) {
              var k = SERDES.tenantKey().fromBytes(r.value());
              byte[] wrapped = new byte[k.getWrappedKey().remaining()];
              k.getWrappedKey().duplicate().get(wrapped);
              dataKeys.put(k.getVersion(), io.hotswap.protocol.Envelope.unwrap(master, wrapped, "it-secret"));
            }
          });
          return !dataKeys.isEmpty();
        });
      }
      try (KafkaConsumer<String, byte[]> live = consumer(Topics.live("production"))) {
        List<LiveConfig> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          live.poll(Duration.ofMillis(200)).forEach(r -> {
            if (r.key().equals("it-secret|db.password") && r.value() != null) {
              seen.add(SERDES.liveConfig().fromBytes(r.value()));
            }
          });
          return seen.size() >= 4;
        });
        LiveConfig latest = seen.getLast();
        int keyVersion = io.hotswap.protocol.Envelope.parse(latest.getValue()).keyVersion();
        assertThat(io.hotswap.protocol.Envelope.decrypt(dataKeys.get(keyVersion), "it-secret|production|db.password", latest.getValue()))
            .isEqualTo(second);
        String candidate = seen.stream().filter(l -> l.getRollout() != null).findFirst().orElseThrow().getRollout().getCandidate();
        assertThat(io.hotswap.protocol.Envelope.decrypt(dataKeys.get(io.hotswap.protocol.Envelope.parse(candidate).keyVersion()),
            "it-secret|production|db.password", candidate)).as("the canary's audience can decrypt the candidate").isEqualTo(third);
      }

      // rotation: new secrets use the new key, old ones stay readable, re-encryption moves them
      Api.Response rotated = api.post("/api/v1/tenants/it-secret/keys/rotate", Map.of());
      assertThat(rotated.status()).as(rotated.text()).isEqualTo(201);
      assertThat(rotated.json().get("keyVersion").asInt()).isEqualTo(2);
      assertThat(api.get(id + "/reveal").json().get("value").asString()).isEqualTo(second);
      Api.Response reEncrypted = api.post("/api/v1/tenants/it-secret/secrets/re-encrypt", Map.of());
      assertThat(reEncrypted.status()).as(reEncrypted.text()).isEqualTo(200);
      assertThat(reEncrypted.json().get("reEncrypted").asInt()).isEqualTo(1);
      assertThat(api.get(id).json().get("version").asLong()).as("v3 the canary, v4 its rollback, v5 re-encrypted").isEqualTo(5);
      assertThat(api.get(id + "/reveal").json().get("value").asString()).isEqualTo(second);
      assertThat(api.post("/api/v1/tenants/it-secret/secrets/re-encrypt", Map.of()).json().get("reEncrypted").asInt()).isZero();

      // nothing clear on any topic (raw bytes, committed or not), in any audit row, in any log line
      byte[][] needles = {first.getBytes(StandardCharsets.UTF_8), second.getBytes(StandardCharsets.UTF_8), third.getBytes(StandardCharsets.UTF_8)};
      try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        Set<String> topics = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(false)).names().get();
        assertThat(topics).contains(Topics.COMMANDS, Topics.CONFIG_STATE, Topics.live("production"), Topics.AUDIT, Topics.TENANT_KEYS);
        for (String topic : topics) {
          try (KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(Map.of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
              ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
              ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
              ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            List<TopicPartition> parts = raw.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            raw.assign(parts);
            raw.seekToBeginning(parts);
            Map<TopicPartition, Long> end = raw.endOffsets(parts);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
              raw.poll(Duration.ofMillis(100)).forEach(r -> {
                for (byte[] needle : needles) {
                  assertThat(contains(r.value(), needle) || contains(r.key(), needle)).as("clear secret on " + topic).isFalse();
                }
              });
              return parts.stream().allMatch(p -> raw.position(p) >= end.get(p));
            });
          }
        }
      }
      assertThat(count("SELECT count(*) FROM audit_log WHERE row_to_json(audit_log)::text LIKE ? OR row_to_json(audit_log)::text LIKE ?"
          + " OR row_to_json(audit_log)::text LIKE ?", "%" + first + "%", "%" + second + "%", "%" + third + "%")).isZero();
      assertThat(logs.list).as("the capture works").anyMatch(e -> e.getFormattedMessage().contains("secret-test-canary"));
      assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains(first) || e.getFormattedMessage().contains(second)
          || e.getFormattedMessage().contains(third));
    } finally {
      root.detachAppender(logs);
    }
  }
}
