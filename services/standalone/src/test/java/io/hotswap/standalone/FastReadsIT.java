package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.core.testing.Tokens;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /api/v1/configs/{configId}} has a direct path in the gateway (read before Spring
 * Security and Spring MVC, for capacity). Its answers must be the controller's: each read through
 * it is compared with the same read through the filter chain and controller ({@code ?minVersion=1}
 * goes that way), status, headers and body; everything it does not answer itself — bad tokens,
 * other tenants, missing keys, conditional requests, an exhausted limit — must reach the chain.
 * The gateway's {@code config_reads_fast_total} counter says which way each read went.
 */
@Tag("integration")
@Timeout(120)
// it counts the gateway's read metrics before and after its own reads: no other class may read meanwhile
@org.junit.jupiter.api.parallel.Isolated
class FastReadsIT extends PlatformTest {

  /** Headers that differ between two answers to the same read for reasons other than the read: time, framing, a bucket that moved. */
  static final Set<String> VOLATILE = Set.of("date", "content-length", "transfer-encoding", "connection", "keep-alive",
      "ratelimit-remaining");

  @Test
  void shouldAnswerEachReadExactlyAsTheControllerDoes() {
    createTenant("it-fast");
    assertThat(api.post("/api/v1/configs", config("it-fast", "plain.text", "hello", "String")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", Map.of("tenantId", "it-fast", "key", "db.password", "value", "s3cret", "type", "Secret",
        "tags", List.of("db"), "description", "sealed, shown masked")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", config("it-fast", "limits.json", Map.of("max", 3, "names", List.of("a", "b")), "JSON"))
        .status()).isEqualTo(201);
    // keys whose last part Spring MVC takes for a file extension, safe or not (reflected file download)
    for (String key : List.of("logo.png", "clip.mp4", "feature.new_ui", "page.html", "doc.svg")) {
      assertThat(api.post("/api/v1/configs", config("it-fast", key, key, "String")).status()).isEqualTo(201);
    }
    assertThat(api.put("/api/v1/configs/it-fast:development:plain.text", Map.of("value", "hello again"), Map.of()).status()).isEqualTo(200);

    List<Api> callers = List.of(api,
        api.as(Tokens.token("fast-viewer", List.of("Viewer"), List.of())),
        api.as(Tokens.token("fast-tenant-admin", List.of("TenantAdmin"), List.of("it-fast"))));
    double servedBefore = fast("served");
    int direct = 0;
    for (Api caller : callers) {
      for (String key : List.of("plain.text", "db.password", "limits.json", "logo.png", "clip.mp4", "feature.new_ui", "page.html", "doc.svg")) {
        String path = "/api/v1/configs/it-fast:development:" + key;
        Api.Response fast = caller.get(path);
        Api.Response controller = caller.get(path + "?minVersion=1");
        direct++;
        assertThat(fast.status()).as(fast.text()).isEqualTo(200);
        assertThat(fast.text()).as(path).isEqualTo(controller.text());
        assertThat(headers(fast)).as(path).isEqualTo(headers(controller));
      }
    }
    assertThat(fast("served") - servedBefore).as("reads the direct path answered").isEqualTo(direct);
    Api.Response secret = api.get("/api/v1/configs/it-fast:development:db.password");
    assertThat(secret.json().get("value").asString()).isEqualTo("******");
    assertThat(secret.header("ETag")).isEqualTo("\"1\"");
    assertThat(api.get("/api/v1/configs/it-fast:development:plain.text").header("ETag")).isEqualTo("\"2\"");
    // the metrics users read name the endpoint, whichever way the read went
    assertThat(api.get("/actuator/prometheus").text()).containsPattern(
        "http_server_requests_seconds_count\\{[^}]*method=\"GET\"[^}]*status=\"200\"[^}]*uri=\"/api/v1/configs/\\{configId}\"");
  }

  @Test
  void shouldLeaveEveryOtherAnswerToTheFilterChainAndController() {
    createTenant("it-fast-other");
    assertThat(api.post("/api/v1/configs", config("it-fast-other", "k", 1, "Number")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", config("it-fast-other", "gone", 1, "Number")).status()).isEqualTo(201);
    assertThat(api.delete("/api/v1/configs/it-fast-other:development:gone").status()).isEqualTo(204);
    String path = "/api/v1/configs/it-fast-other:development:k";
    String expired = expiredToken();
    String forged = forgedToken();

    double servedBefore = fast("served");
    double passedBefore = fast("passed");
    List<Integer> statuses = new ArrayList<>();
    statuses.add(api.as(null).get(path).status());
    statuses.add(api.as(expired).get(path).status());
    statuses.add(api.as(forged).get(path).status());
    statuses.add(api.as(Tokens.token("elsewhere", List.of("TenantAdmin"), List.of("it-someone-else"))).get(path).status());
    statuses.add(api.get("/api/v1/configs/it-fast-other:development:missing").status());
    statuses.add(api.get("/api/v1/configs/it-fast-other:development:gone").status());
    statuses.add(api.get("/api/v1/configs/not-an-id").status());
    statuses.add(api.raw("GET", path, null, Map.of("If-None-Match", "\"1\"")).status());
    statuses.add(api.raw("GET", path, null, Map.of("X-HotSwap-Forwarded", "localhost:1")).status());
    assertThat(statuses).containsExactly(401, 401, 401, 404, 404, 404, 404, 304, 401);
    Api.Response unauthenticated = api.as(expired).get(path);
    assertThat(unauthenticated.header("Content-Type")).startsWith("application/problem+json");
    assertThat(unauthenticated.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(fast("served")).as("none of these is the direct path's to answer").isEqualTo(servedBefore);
    assertThat(fast("passed") - passedBefore).isEqualTo(statuses.size() + 1);
  }

  @Test
  void shouldKeepAClientsConnectionOpenPastTomcatsHundredRequests() throws IOException {
    createTenant("it-fast-conn");
    assertThat(api.post("/api/v1/configs", config("it-fast-conn", "k", "v", "String")).status()).isEqualTo(201);
    byte[] read = ("GET /api/v1/configs/it-fast-conn:development:k HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
        + Tokens.admin() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    // Tomcat's own default closes a connection after its 100th request: a client that keeps its
    // connections (every HTTP client pool does) then reconnects, with TLS a handshake, every 100 calls
    try (Socket socket = new Socket("localhost", api.port())) {
      socket.setSoTimeout(10_000);
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      for (int i = 1; i <= 250; i++) {
        socket.getOutputStream().write(read);
        String status = line(in);
        Map<String, String> headers = new TreeMap<>();
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
          headers.put(h.substring(0, h.indexOf(':')).toLowerCase(Locale.ROOT), h.substring(h.indexOf(':') + 1).trim());
        }
        assertThat(status).as("answer %d", i).startsWith("HTTP/1.1 200");
        assertThat(headers.getOrDefault("connection", "")).as("answer %d", i).doesNotContainIgnoringCase("close");
        byte[] body = new byte[Integer.parseInt(headers.get("content-length"))];
        in.readFully(body);
        assertThat(new String(body, StandardCharsets.UTF_8)).as("answer %d", i).contains("\"value\":\"v\"");
      }
    }
  }

  /** One CRLF-terminated line of an HTTP/1.1 head. */
  private static String line(DataInputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("the gateway closed the connection");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  @Test
  void shouldChargeEachReadOnceAndRefuseTheFirstOverTheLimitWhicheverWayItGoes() {
    // Free tenants may read 1,000 times a minute here (PlatformTest.RATE_LIMITS)
    assertThat(api.post("/api/v1/tenants", Map.of("tenantId", "it-fast-free", "tier", "Free")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs", config("it-fast-free", "k", 1, "Number")).status()).isEqualTo(201);
    String path = "/api/v1/configs/it-fast-free:development:k";
    double rejectedBefore = rejections();
    int answered = 0;
    Api.Response refused = null;
    for (int i = 0; i < 1_200 && refused == null; i++) {
      Api.Response r = api.get(path);
      if (r.status() == 429) {
        refused = r;
      } else {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        answered++;
      }
    }
    assertThat(refused).as("a read over the limit").isNotNull();
    // a thousand in the bucket, and what refilled (1,000 a minute) while they were read
    assertThat(answered).isBetween(1_000, 1_150);
    assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
    assertThat(refused.header("RateLimit-Limit")).isEqualTo("1000");
    assertThat(refused.header("RateLimit-Remaining")).isEqualTo("0");
    assertThat(Long.parseLong(refused.header("Retry-After"))).isPositive();
    assertThat(refused.json().get("detail").asString()).contains("it-fast-free", "1000 config reads per minute");
    assertThat(rejections() - rejectedBefore).as("a refused read is counted once").isEqualTo(1);
  }

  @Test
  void shouldCountDirectReadsInTheHttpSeriesAndTraceOnlyReadsThatCarryATraceContext() {
    createTenant("it-fast-traced");
    for (String key : List.of("untraced.k", "traced.k")) {
      assertThat(api.post("/api/v1/configs", config("it-fast-traced", key, key, "String")).status()).isEqualTo(201);
    }
    String untraced = "/api/v1/configs/it-fast-traced:development:untraced.k";
    String traced = "/api/v1/configs/it-fast-traced:development:traced.k";
    assertThat(api.get(untraced).status()).isEqualTo(200);
    double readsBefore = readSeries();
    double servedBefore = fast("served");
    double passedBefore = fast("passed");
    for (int i = 0; i < 3; i++) {
      assertThat(api.get(untraced).json().get("value").asString()).isEqualTo("untraced.k");
    }
    // a caller's W3C trace context: the read joins that trace, so it goes the observed way
    String traceId = java.util.HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(16)
        .putLong(java.util.concurrent.ThreadLocalRandom.current().nextLong()).putLong(System.nanoTime()).array());
    String parentSpanId = "00f067aa0ba902b7";
    Api.Response joined = api.raw("GET", traced, null, Map.of("traceparent", "00-" + traceId + "-" + parentSpanId + "-01"));
    assertThat(joined.status()).isEqualTo(200);
    assertThat(joined.json().get("value").asString()).isEqualTo("traced.k");

    assertThat(fast("served") - servedBefore).as("the plain reads took the direct path").isEqualTo(3);
    assertThat(fast("passed") - passedBefore).as("the traced read went the observed way").isEqualTo(1);
    // one series for the endpoint's successful reads, whichever way each went (readSeries fails on a second one)
    assertThat(readSeries() - readsBefore).isEqualTo(4);

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(CapturedSpans.all())
        .filteredOn(span -> span.getTraceId().equals(traceId) && span.getKind() == io.opentelemetry.api.trace.SpanKind.SERVER)
        .singleElement().satisfies(span -> {
          assertThat(span.getParentSpanId()).isEqualTo(parentSpanId);
          assertThat(mentions(span, traced)).isTrue();
        }));
    // spans leave in the order they ended: had the plain reads (made before) been traced, theirs would be here by now
    assertThat(CapturedSpans.all()).noneMatch(span -> mentions(span, untraced));
  }

  /** An Admin's token, signed right, that expired an hour ago. */
  static String expiredToken() {
    return Tokens.sign(Tokens.SECRET, Tokens.ISSUER, "late", List.of("Admin"), List.of(), Instant.now().minus(Duration.ofHours(2)),
        Duration.ofHours(1));
  }

  /** An Admin's token whose signature was tampered with. */
  static String forgedToken() {
    String[] parts = Tokens.admin().split("\\.");
    return parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
  }

  private static boolean mentions(io.opentelemetry.sdk.trace.data.SpanData span, String path) {
    return span.getAttributes().asMap().values().stream().anyMatch(v -> String.valueOf(v).contains(path));
  }

  /** The count of {@code http.server.requests} for the endpoint's 200s, which must be a single series. */
  private static double readSeries() {
    List<String> series = api.get("/actuator/prometheus").text().lines().filter(l -> l.startsWith("http_server_requests_seconds_count{")
        && l.contains("method=\"GET\"") && l.contains("status=\"200\"") && l.contains("uri=\"/api/v1/configs/{configId}\"")).toList();
    assertThat(series).as("series of the endpoint's successful reads").hasSize(1);
    return Double.parseDouble(series.get(0).substring(series.get(0).lastIndexOf(' ') + 1));
  }

  private static Map<String, String> headers(Api.Response r) {
    Map<String, String> headers = new TreeMap<>();
    r.headers().map().forEach((name, values) -> {
      if (!VOLATILE.contains(name.toLowerCase(Locale.ROOT))) {
        headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", values));
      }
    });
    return headers;
  }

  private static double fast(String outcome) {
    return metric("config_reads_fast_total{", "outcome=\"" + outcome + "\"");
  }

  private static double rejections() {
    return metric("ratelimit_rejections_total{", "limit=\"read\"");
  }

  private static double metric(String name, String tag) {
    return api.get("/actuator/prometheus").text().lines().filter(l -> l.startsWith(name) && l.contains(tag))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
