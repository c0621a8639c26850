package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotswap.core.testing.Tokens;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every service talks to a SASL-secured Kafka when given the standard client settings through
 * {@code spring.kafka.properties.*}: the whole write path, reads and the audit sink work over
 * SASL_PLAINTEXT/PLAIN, and a wrong password is refused by the broker.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KafkaSaslIT {

  static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
  }

  @Test
  void shouldRunThePlatformAgainstASaslSecuredBroker() throws Exception {
    Path data = Files.createTempDirectory("hotswap-sasl");
    try (KafkaBroker broker = new KafkaBroker(data, PlatformTest.freePort(), PlatformTest.freePort())
             .withSaslPlain(PlatformTest.freePort(), Map.of("hotswap", "hotswap-secret")).start();
         EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      // a client with the wrong password is refused
      try (Admin intruder = Admin.create(Map.of("bootstrap.servers", broker.saslBootstrapServers(), "security.protocol", "SASL_PLAINTEXT",
          "sasl.mechanism", "PLAIN", "sasl.jaas.config", jaas("hotswap", "guess"), "default.api.timeout.ms", 10_000, "request.timeout.ms", 5_000))) {
        assertThatThrownBy(() -> intruder.listTopics().names().get()).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(SaslAuthenticationException.class);
      }

      Map<String, Object> common = new HashMap<>(Map.of(
          "spring.kafka.bootstrap-servers", broker.saslBootstrapServers(),
          "spring.kafka.properties.security.protocol", "SASL_PLAINTEXT",
          "spring.kafka.properties.sasl.mechanism", "PLAIN",
          "spring.kafka.properties.sasl.jaas.config", jaas("hotswap", "hotswap-secret"),
          "hotswap.kafka.partitions", 3,
          "hotswap.security.jwt.secret", Tokens.SECRET,
          "hotswap.security.master-key", Tokens.MASTER_KEY));
      Map<String, Map<String, Object>> perService = new HashMap<>();
      for (Platform.Service s : Platform.SERVICES) {
        perService.put(s.name(), new HashMap<>(Map.of("server.port", PlatformTest.freePort(),
            "spring.kafka.streams.state-dir", data.resolve("state").resolve(s.name()).toString())));
      }
      perService.get("audit").putAll(Map.of("spring.datasource.url", postgres.getJdbcUrl("postgres", "postgres"),
          "spring.datasource.username", "postgres", "spring.datasource.password", "postgres"));
      perService.get("gateway").put("hotswap.gateway.audit-url", "http://localhost:" + perService.get("audit").get("server.port"));

      try (Platform platform = new Platform(common, perService).startAll()) {
        Api api = new Api((Integer) perService.get("gateway").get("server.port"));
        assertThat(api.post("/api/v1/tenants", Map.of("tenantId", "sasl-co", "tier", "Pro")).status()).isEqualTo(201);
        Api.Response created = api.post("/api/v1/configs", Map.of("tenantId", "sasl-co", "key", "over.sasl", "value", "yes", "type", "String"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(api.get("/api/v1/configs/sasl-co:development:over.sasl").json().get("value").asString()).isEqualTo("yes");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(api.get("/api/v1/audit-logs?tenantId=sasl-co").json().get("totalItems").asLong()).isEqualTo(2));
      }
    }
  }
}
