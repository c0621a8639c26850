package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The embedded default as {@code ./hotswap up} runs it: its own KRaft broker (Kafka's server jar),
 * embedded PostgreSQL, the five services — and data that survives a restart.
 */
@Tag("integration")
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class StandaloneIT {

  @Test
  void shouldStartTheWholePlatformAndKeepDataAcrossARestart() throws Exception {
    Path data = Files.createTempDirectory("hotswap-standalone-it");
    Map<String, String> env = new HashMap<>();
    env.put("HOTSWAP_DATA_DIR", data.toString());
    env.putAll(PlatformTest.backingPorts());
    for (Platform.Service s : Platform.SERVICES) {
      env.put("HOTSWAP_" + s.name().toUpperCase() + "_PORT", Integer.toString(PlatformTest.freePort()));
    }

    try (HotSwapStandalone platform = HotSwapStandalone.start(env)) {
      // the embedded default generated a signing secret; ./hotswap token signs with it
      assertThat(data.resolve("jwt-secret")).exists();
      String token = TokenCommand.run(List.of("--role", "Admin", "--subject", "standalone-it", "--ttl", "10m"), env);
      Api api = new Api(platform.port("gateway"), token);
      assertThat(api.as(null).get("/actuator/health").json().get("status").asString()).isEqualTo("UP");
      assertThat(api.as(null).get("/api/v1/tenants").status()).isEqualTo(401);
      assertThat(api.get("/actuator/health/readiness").status()).isEqualTo(200);
      // ready means a probe command made the whole trip through validation, approval and rollout
      assertThat(api.get("/actuator/health").json().get("components").get("pipeline").get("status").asString()).isEqualTo("UP");
      assertThat(api.get("/actuator/health/readiness").text()).contains("pipeline");
      assertThat(api.get("/actuator/prometheus").text()).contains("kafka_stream");
      assertThat(api.get("/v3/api-docs").json().get("paths").has("/api/v1/configs")).isTrue();
      // every service has the shared wiring: open health, a token for everything else, streams in readiness
      for (String service : List.of("validation", "approval", "rollout", "audit")) {
        Api direct = new Api(platform.port(service), token);
        assertThat(direct.as(null).get("/actuator/health").status()).as(service).isEqualTo(200);
        assertThat(direct.as(null).get("/actuator/prometheus").status()).as(service).isEqualTo(401);
        assertThat(direct.get("/actuator/prometheus").text()).as(service).contains("application=\"hotswap-" + service + "\"");
        if (!service.equals("audit")) {
          assertThat(direct.get("/actuator/health/readiness").text()).as(service).contains("kafkaStreams");
        }
      }
      assertThat(api.post("/api/v1/tenants", Map.of("tenantId", "durable", "tier", "Pro")).status()).isEqualTo(201);
      assertThat(api.post("/api/v1/configs", Map.of("tenantId", "durable", "key", "survives.restart", "value", "yes", "type", "String")).status())
          .isEqualTo(201);
    }
    // the servers of the next start, started side by side, find Tomcat's JVM-wide home in place
    // rather than racing to create it (the first server's own directory, gone once it stopped)
    assertThat(Path.of(System.getProperty("catalina.home"))).isDirectory();
    assertThat(data.resolve("kafka/meta.properties")).exists();
    assertThat(data.resolve("postgres/PG_VERSION")).exists();

    try (HotSwapStandalone platform = HotSwapStandalone.start(env)) {
      // the same secret after a restart: tokens stay valid
      Api api = new Api(platform.port("gateway"), TokenCommand.run(List.of("--role", "Viewer"), env));
      Api.Response after = api.get("/api/v1/configs/durable:development:survives.restart");
      assertThat(after.status()).as(after.text()).isEqualTo(200);
      assertThat(after.json().get("value").asString()).isEqualTo("yes");
      assertThat(api.get("/api/v1/tenants/durable").json().get("tier").asString()).isEqualTo("Pro");
      assertThat(api.get("/api/v1/audit-logs?tenantId=durable").json().get("totalItems").asLong()).isEqualTo(2);
    }
  }
}
