package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.core.json.Json;
import io.hotswap.core.testing.Tokens;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /api/v1/configs} has a direct path in the gateway (past Spring Security's filter
 * chain and Spring MVC's dispatch, for capacity). Its answers must be the controller's: each write
 * through it is compared with the same write, on a second tenant, through the filter chain (a
 * {@code charset} in the content type goes that way) — status, headers and body, success or
 * problem; a write the direct path must not take (no or a bad token, a role that may not write, a
 * query, a cross-origin or forwarded request) reaches the chain. The gateway's
 * {@code config_writes_fast_total} counter says which way each write went.
 */
@Tag("integration")
@Timeout(120)
// it counts the gateway's write metrics before and after its own writes: no other class may write meanwhile
@org.junit.jupiter.api.parallel.Isolated
class FastWritesIT extends PlatformTest {

  private static final String CHAIN = "application/json;charset=UTF-8";

  @Test
  void shouldAnswerEachWriteExactlyAsTheControllerDoes() {
    createTenant("it-fastw-a");
    createTenant("it-fastw-b");
    List<Function<String, String>> bodies = List.of(
        t -> json(config(t, "plain.text", "hello", "String")),
        t -> json(Map.of("tenantId", t, "key", "db.password", "value", "s3cret", "type", "Secret", "tags", List.of("db"),
            "description", "sealed, shown masked")),
        t -> json(config(t, "limits.json", Map.of("max", 3, "names", List.of("a", "b")), "JSON")),
        t -> json(config(t, "logo.png", "a file-like key", "String")),
        // the same key again: 409 from the pipeline
        t -> json(config(t, "plain.text", "hello", "String")),
        // refused by the gateway's checks, by validation of the value, by the JSON reader
        t -> json(config(t, "n", "not a number", "Number")),
        t -> json(config(t, "bad key!", 1, "Number")),
        t -> json(config(t, "k", 1, "NoSuchType")),
        t -> json(Map.of("tenantId", t, "key", "no.value", "type", "String")),
        t -> "{\"tenantId\":\"" + t + "\", \"key\": ",
        t -> "null",
        t -> "[1, 2]",
        // a change into a guarded environment: held, 202 with its approval
        t -> json(Map.of("tenantId", t, "key", "held.k", "value", 1, "type", "Number", "environment", "production")));
    double servedBefore = fast("served");
    double passedBefore = fast("passed");
    for (Function<String, String> body : bodies) {
      Api.Response fast = api.raw("POST", "/api/v1/configs", body.apply("it-fastw-a"), Map.of("Content-Type", "application/json"));
      Api.Response chain = api.raw("POST", "/api/v1/configs", body.apply("it-fastw-b"), Map.of("Content-Type", CHAIN));
      String what = body.apply("it-fastw-a") + " -> " + fast.status() + " " + fast.text();
      assertThat(fast.status()).as(what).isEqualTo(chain.status());
      assertThat(normalized(fast.text(), "it-fastw-a")).as(what).isEqualTo(normalized(chain.text(), "it-fastw-b"));
      assertThat(headers(fast, "it-fastw-a")).as(what).isEqualTo(headers(chain, "it-fastw-b"));
    }
    assertThat(fast("served") - servedBefore).as("writes the direct path took").isEqualTo(bodies.size());
    assertThat(fast("passed") - passedBefore).as("writes handed to the chain").isEqualTo(bodies.size());

    // what the two ways stored is the same: the secret sealed and masked, the JSON typed
    Api.Response secret = api.get("/api/v1/configs/it-fastw-a:development:db.password");
    assertThat(secret.json().get("value").asString()).isEqualTo("******");
    assertThat(api.get("/api/v1/configs/it-fastw-a:development:limits.json").json().get("value").get("max").asInt()).isEqualTo(3);
    // the metrics users read name the endpoint, whichever way the write went
    assertThat(api.get("/actuator/prometheus").text()).containsPattern(
        "http_server_requests_seconds_count\\{[^}]*method=\"POST\"[^}]*status=\"201\"[^}]*uri=\"/api/v1/configs\"");
  }

  @Test
  void shouldAnswerARetryWithTheSameKeyAsTheFirstTimeAndAKeylessRepeatAsANewWrite() {
    createTenant("it-fastw-retry");
    String body = json(config("it-fastw-retry", "retried", 7, "Number"));
    Map<String, String> keyed = Map.of("Content-Type", "application/json", "Idempotency-Key", "fast-retry-1");
    Api.Response first = api.raw("POST", "/api/v1/configs", body, keyed);
    Api.Response again = api.raw("POST", "/api/v1/configs", body, keyed);
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    assertThat(again.status()).as(again.text()).isEqualTo(201);
    assertThat(again.json().get("version").asLong()).isEqualTo(1);
    Api.Response keyless = api.raw("POST", "/api/v1/configs", body, Map.of("Content-Type", "application/json"));
    assertThat(keyless.status()).as(keyless.text()).isEqualTo(409);
    assertThat(keyless.header("Content-Type")).startsWith("application/problem+json");
  }

  @Test
  void shouldLeaveEveryWriteItMustNotTakeToTheFilterChain() {
    createTenant("it-fastw-other");
    String body = json(config("it-fastw-other", "k", 1, "Number"));
    String expired = FastReadsIT.expiredToken();
    String forged = FastReadsIT.forgedToken();

    double servedBefore = fast("served");
    double passedBefore = fast("passed");
    Map<String, String> json = Map.of("Content-Type", "application/json");
    List<Integer> statuses = new ArrayList<>();
    statuses.add(api.as(null).raw("POST", "/api/v1/configs", body, json).status());
    statuses.add(api.as(expired).raw("POST", "/api/v1/configs", body, json).status());
    statuses.add(api.as(forged).raw("POST", "/api/v1/configs", body, json).status());
    // a Viewer may read configs, not write them
    statuses.add(api.as(Tokens.token("fast-viewer", List.of("Viewer"), List.of())).raw("POST", "/api/v1/configs", body, json).status());
    statuses.add(api.raw("POST", "/api/v1/configs?x=1", body, json).status());
    statuses.add(api.raw("POST", "/api/v1/configs", body, Map.of("Content-Type", "application/json", "X-HotSwap-Forwarded", "localhost:1"))
        .status());
    statuses.add(api.raw("POST", "/api/v1/configs", body, Map.of("Content-Type", "text/plain")).status());
    assertThat(statuses).containsExactly(401, 401, 401, 403, 201, 401, 415);
    assertThat(fast("served")).as("none of these is the direct path's to take").isEqualTo(servedBefore);
    assertThat(fast("passed") - passedBefore).isEqualTo(statuses.size());
    Api.Response unauthenticated = api.as(expired).raw("POST", "/api/v1/configs", body, json);
    assertThat(unauthenticated.header("WWW-Authenticate")).isEqualTo("Bearer");
  }

  /** The body with the tenant's name made common and the times of the write left out. */
  private static String normalized(String body, String tenant) {
    String common = body.replace(tenant, "TENANT");
    if (!common.startsWith("{")) {
      return common;
    }
    Map<String, Object> fields = new TreeMap<>(Json.MAPPER.readValue(common, LinkedHashMap.class));
    fields.remove("createdAt");
    fields.remove("updatedAt");
    // a held change's approval has an id of its own
    fields.computeIfPresent("approvalId", (k, v) -> "ID");
    return fields.toString();
  }

  private static Map<String, String> headers(Api.Response r, String tenant) {
    Map<String, String> headers = new TreeMap<>();
    r.headers().map().forEach((name, values) -> {
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (!FastReadsIT.VOLATILE.contains(lower)) {
        String value = String.join(", ", values).replace(tenant, "TENANT");
        headers.put(lower, lower.equals("location") ? value.replaceAll("/approvals/.*", "/approvals/ID") : value);
      }
    });
    return headers;
  }

  private static String json(Object body) {
    return Json.MAPPER.writeValueAsString(body);
  }

  private static double fast(String outcome) {
    return api.get("/actuator/prometheus").text().lines()
        .filter(l -> l.startsWith("config_writes_fast_total{") && l.contains("outcome=\"" + outcome + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
