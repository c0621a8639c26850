package io.hotswap.standalone;

import io.hotswap.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** A tiny HTTP client for the gateway's REST API in tests. */
final class Api {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  /** Calls as an Admin (subject it-tester). */
  Api(int port) {
    this(port, io.hotswap.core.testing.Tokens.admin());
  }

  Api(int port, String token) {
    this.base = "http://localhost:" + port;
    this.token = token;
  }

  int port() {
    return Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
  }

  /** The same gateway, another caller (null: no Authorization header). */
  Api as(String otherToken) {
    return new Api(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherToken);
  }

  Response send(String method, String path, Object body) {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path));
    if (body == null) {
      r.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      r.method(method, body(body)).header("Content-Type", "application/json");
    }
    return send(r, Map.of());
  }

  /** A response: status, headers and body parsed as JSON (null when empty). */
  record Response(int status, java.net.http.HttpHeaders headers, String text) {
    JsonNode json() {
      return text == null || text.isBlank() ? null : Json.MAPPER.readTree(text);
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  /** Any method, a body sent as it is (null: none), extra headers as given (a Content-Type among them, or none). */
  Response raw(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return send(r, headers);
  }

  Response get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), Map.of());
  }

  Response post(String path, Object body) {
    return post(path, body, Map.of());
  }

  Response post(String path, Object body, Map<String, String> headers) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).POST(body(body)).header("Content-Type", "application/json"), headers);
  }

  Response put(String path, Object body, Map<String, String> headers) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(body(body)).header("Content-Type", "application/json"), headers);
  }

  Response delete(String path) {
    return delete(path, Map.of());
  }

  Response delete(String path, Map<String, String> headers) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), headers);
  }

  /**
   * A {@code multipart/form-data} POST: a {@code byte[]} value is a file part (named after its
   * field, {@code .jar}), anything else a text field.
   */
  Response multipart(String path, Map<String, Object> parts) {
    String boundary = "hotswap-" + java.util.UUID.randomUUID();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
    parts.forEach((name, value) -> {
      StringBuilder head = new StringBuilder("--").append(boundary).append("\r\n");
      if (value instanceof byte[]) {
        head.append("Content-Disposition: form-data; name=\"").append(name).append("\"; filename=\"").append(name).append(".jar\"\r\n")
            .append("Content-Type: application/java-archive\r\n\r\n");
      } else {
        head.append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n");
      }
      out.writeBytes(head.toString().getBytes(utf8));
      out.writeBytes(value instanceof byte[] b ? b : String.valueOf(value).getBytes(utf8));
      out.writeBytes("\r\n".getBytes(utf8));
    });
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(utf8));
    return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary), Map.of());
  }

  /** A GET whose body is bytes. */
  HttpResponse<byte[]> getBytes(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET().timeout(Duration.ofSeconds(60));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpRequest.BodyPublisher body(Object body) {
    return HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.MAPPER.writeValueAsString(body));
  }

  private Response send(HttpRequest.Builder request, Map<String, String> headers) {
    headers.forEach(request::header);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    request.timeout(Duration.ofSeconds(60));
    try {
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
