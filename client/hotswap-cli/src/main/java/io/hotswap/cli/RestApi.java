package io.hotswap.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's public REST API as the CLI calls it: JSON in, JSON out, the caller's token on
 * every call. An answer outside 2xx becomes a {@link Problem} carrying the platform's problem
 * details, which the CLI prints instead of a stack trace.
 */
final class RestApi {

  static final ObjectMapper JSON = JsonMapper.builder().build();

  private final URI base;
  private final String token;
  private final HttpClient http;

  RestApi(String url, String token) {
    this.base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** An answer: its status, and its body as JSON (an empty object for none). */
  record Answer(int status, JsonNode body, Map<String, String> headers) {
    /** Whether the change was held for approval rather than applied (202 with an approval id). */
    boolean held() {
      return status == 202 && body.hasNonNull("approvalId");
    }
  }

  /** A refusal or failure of the platform: the HTTP status and its problem details. */
  static final class Problem extends RuntimeException {
    final int status;
    final JsonNode detail;

    Problem(int status, JsonNode detail, String message) {
      super(message);
      this.status = status;
      this.detail = detail;
    }
  }

  /** The platform could not be reached at all. */
  static final class Unreachable extends RuntimeException {
    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  URI base() {
    return base;
  }

  Answer get(String path) {
    return send("GET", path, null, Map.of());
  }

  Answer post(String path, Object body) {
    return send("POST", path, body, Map.of());
  }

  Answer put(String path, Object body, Map<String, String> headers) {
    return send("PUT", path, body, headers);
  }

  Answer delete(String path) {
    return send("DELETE", path, null, Map.of());
  }

  /** Every item of a paged list ({@code path} already has a query), fetched 200 at a time. */
  tools.jackson.databind.node.ArrayNode items(String path) {
    tools.jackson.databind.node.ArrayNode all = JSON.createArrayNode();
    for (int page = 0; ; page++) {
      JsonNode p = get(path + "&size=200&page=" + page).body();
      p.path("items").forEach(all::add);
      if (page + 1 >= p.path("totalPages").asLong()) {
        return all;
      }
    }
  }

  /** The raw body of a GET (an export in CSV, say). */
  String text(String path) {
    HttpResponse<String> r = exchange(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw problem(r.statusCode(), r.body());
    }
    return r.body();
  }

  /** Server-sent events of a GET, line by line, as they arrive (the stream ends with the answer). */
  Stream<String> lines(String path) {
    HttpResponse<Stream<String>> r = exchange(request(path).header("Accept", "text/event-stream").GET().build(),
        HttpResponse.BodyHandlers.ofLines());
    if (r.statusCode() >= 300) {
      throw problem(r.statusCode(), String.join("\n", r.body().toList()));
    }
    return r.body();
  }

  Answer send(String method, String path, Object body, Map<String, String> headers) {
    HttpRequest.Builder b = request(path);
    headers.forEach(b::header);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }
    HttpResponse<String> r = exchange(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw problem(r.statusCode(), r.body());
    }
    Map<String, String> seen = new LinkedHashMap<>();
    r.headers().map().forEach((k, v) -> seen.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
    JsonNode json = r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
    return new Answer(r.statusCode(), json, seen);
  }

  static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null && !token.isBlank()) {
      b.header("Authorization", "Bearer " + token.strip());
    }
    return b;
  }

  private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (ConnectException e) {
      throw new Unreachable("cannot reach HotSwap at " + base + " (is it running? ./hotswap up)", e);
    } catch (IOException e) {
      throw new Unreachable("the call to " + base + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted", e);
    }
  }

  private static Problem problem(int status, String body) {
    JsonNode detail;
    try {
      detail = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (RuntimeException e) {
      detail = JSON.createObjectNode().put("detail", body);
    }
    if (!detail.isObject()) {
      detail = JSON.createObjectNode().put("detail", body);
    }
    String title = detail.path("title").asString("HTTP " + status);
    String text = detail.path("detail").asString("");
    return new Problem(status, detail, title + (text.isEmpty() ? "" : ": " + text));
  }
}
