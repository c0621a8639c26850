package io.hotswap.standalone;

import io.hotswap.core.json.Json;
import io.hotswap.gateway.security.AccessMatrix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generates hostile requests for the API fuzz test: an endpoint of the access matrix (sometimes
 * with the wrong method), its path variables valid or hostile, its documented example body valid,
 * mutated or replaced by something that is not JSON, odd headers. Everything comes from the
 * {@link Random} given, so a case is reproduced from its seed.
 */
final class Fuzz {

  private Fuzz() {}

  /** One request; {@code token} null: no Authorization header. */
  record Request(String method, String path, String body, Map<String, String> headers, String token) {
    @Override
    public String toString() {
      return method + " " + abbreviate(path) + " body=" + abbreviate(body) + " headers=" + headers.keySet()
          + (token == null ? " (no token)" : "");
    }
  }

  private static final Map<String, String> VALID = Map.ofEntries(
      Map.entry("{tenantId}", "it-fuzz"), Map.entry("{configId}", "it-fuzz:development:f.k"), Map.entry("{version}", "1"),
      Map.entry("{schemaId}", "it-fuzz:f-schema"), Map.entry("{profileId}", "it-fuzz:f-service.development"),
      Map.entry("{instanceId}", "f-instance"), Map.entry("{deploymentId}", "it-fuzz:dfuzz"), Map.entry("{approvalId}", "fuzz-approval"),
      Map.entry("{waveDeploymentId}", "wfuzz"), Map.entry("{pluginId}", "f-plugin"), Map.entry("{id}", "sb-fuzz"));

  /** Path segments a client can send (percent-encoded where a URL needs it). */
  private static final List<String> HOSTILE_SEGMENTS = List.of(
      "", "..", "%2e%2e", "%2F", "%00", "%ff%fe", "-1", "0", "99999999999999999999", "1e400", "it-fuzz:development:", ":::",
      "it-fuzz:production:f.k", "ghost:development:x", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%27%20OR%201%3D1--", "%E2%80%AE",
      "%F0%9F%98%80", "%C0%AF", "a".repeat(3000), "IT-FUZZ", "it_fuzz", "%20it-fuzz");

  /** JSON values (as raw text) that no field expects. */
  private static final List<String> HOSTILE_VALUES = List.of(
      "null", "true", "-0", "1e999999", "-1e400", "123456789012345678901234567890", "0.0000000000000000000000000001", "\"\"",
      "\"" + "x".repeat(70_000) + "\"", "[]", "{}", "[[[[[[[[[[]]]]]]]]]]", "\"\\ud800\"", "\"\\u0000\"", "\"Robert'); DROP TABLE audit_log;--\"",
      "\"../../../etc/passwd\"", "\"${jndi:ldap://x/a}\"", "{\"$gt\": \"\"}", "\"P-1D\"", "\"PT-5M\"", "\"9999-99-99\"", "-2147483649",
      "9223372036854775808", "\"NaN\"", "\"Infinity\"", "[\"a\", 1, null, {}]", "\"" + "é".repeat(2000) + "\"");

  /** Bodies that are not what any endpoint takes. */
  private static final List<String> MALFORMED = List.of(
      "", "{", "}", "[]", "null", "0", "\"text\"", "{\"a\":}", "{'a': 1}", "{\"a\": 1,}", "\u0000\u0001\u0002", "<xml/>",
      "{\"tenantId\": \"it-fuzz\"} trailing", "[".repeat(3000) + "]".repeat(3000), "{\"a\":".repeat(2000) + "1" + "}".repeat(2000),
      "{\"a\": 1e999999999}", "{\"value\": " + "9".repeat(5000) + "}", "\uFEFF{}");

  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH");

  static Request request(Random random, AccessMatrix matrix, List<String> tokens, JsonNode examples) {
    AccessMatrix.Row row = matrix.rows().get(random.nextInt(matrix.rows().size()));
    String method = random.nextInt(10) == 0 ? METHODS.get(random.nextInt(METHODS.size())) : row.method();
    String path = row.path();
    for (var v : VALID.entrySet()) {
      if (path.contains(v.getKey())) {
        path = path.replace(v.getKey(), random.nextInt(3) == 0 ? pick(random, HOSTILE_SEGMENTS) : v.getValue());
      }
    }
    if (random.nextInt(6) == 0) {
      path += pick(random, List.of("?page=-1", "?size=100000", "?page=abc", "?environment=prod", "?from=v0&to=v99999999999",
          "?minVersion=-5", "?tenantId=" + "x".repeat(500), "?x=%25zz", "?tag=%00"));
    }
    if (row.path().equals("/api/v1/watch")) {
      path += (path.contains("?") ? "&" : "?") + "timeout=PT1S"; // a stream: ended by its timeout, so the call answers
    }
    Map<String, String> headers = new HashMap<>();
    String body = null;
    if (method.equals("POST") || method.equals("PUT") || random.nextInt(20) == 0) {
      body = body(random, examples.get(row.method() + " " + row.path()));
      headers.put("Content-Type", pick(random, List.of("application/json", "application/json", "application/json", "text/plain",
          "application/xml", "application/json; charset=ISO-8859-1", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")));
    }
    if (random.nextInt(4) == 0) {
      headers.put("If-Match", pick(random, List.of("\"1\"", "\"0\"", "\"abc\"", "W/\"2\"", "*", "\"99999999999999999999\"", "x".repeat(300), "\"-1\"")));
    }
    if (random.nextInt(4) == 0) {
      headers.put("Idempotency-Key", pick(random, List.of("k-" + random.nextInt(50), " ", "k".repeat(201), "%C3%A9-\\u043a\tkey")));
    }
    if (random.nextInt(15) == 0) {
      headers.put(pick(random, List.of("X-HotSwap-Forwarded", "X-HotSwap-Peer", "X-Forwarded-For", "Forwarded")),
          pick(random, List.of("localhost:1", "1.2.3", "for=\"[::1]\"", "0.abcd", "a".repeat(200))));
    }
    return new Request(method, path, body, headers, tokens.get(random.nextInt(tokens.size())));
  }

  private static String body(Random random, JsonNode example) {
    int choice = random.nextInt(10);
    if (example == null || !example.isObject() || choice == 0) {
      return pick(random, MALFORMED);
    }
    ObjectNode node = ((ObjectNode) example).deepCopy();
    List<String> fields = new ArrayList<>(node.propertyNames());
    String raw = null;
    switch (choice) {
      case 1, 2 -> { // as documented: the request may well be accepted
      }
      case 3 -> node.remove(fields.get(random.nextInt(fields.size())));
      case 4 -> node.put("unexpected" + random.nextInt(3), "surprise");
      default -> {
        raw = pick(random, HOSTILE_VALUES);
        node.put(fields.get(random.nextInt(fields.size())), "@@RAW@@");
      }
    }
    String text = Json.MAPPER.writeValueAsString(node);
    return raw == null ? text : text.replace("\"@@RAW@@\"", raw);
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static String abbreviate(String s) {
    return s == null ? null : s.length() > 120 ? s.substring(0, 120) + "…(" + s.length() + " chars)" : s;
  }
}
