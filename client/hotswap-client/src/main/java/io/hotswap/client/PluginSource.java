package io.hotswap.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Where a client fetches plugin binaries from. Whatever it returns is checked (SHA-256, then the
 * publisher's signature) before a class of it is loaded, so a source needs no trust of its own.
 */
@FunctionalInterface
public interface PluginSource {

  byte[] fetch(String pluginId, String version, String sha256) throws IOException;

  /**
   * The gateway's registry: {@code GET <baseUrl>/api/v1/plugins/{id}/versions/{version}/binary},
   * with a bearer token from {@code token} (a read-only service token is enough).
   */
  static PluginSource gateway(String baseUrl, Supplier<String> token) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return (pluginId, version, sha256) -> {
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/plugins/" + pluginId + "/versions/" + version + "/binary"))
          .header("Authorization", "Bearer " + token.get()).timeout(Duration.ofMinutes(2)).GET().build();
      try {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
          throw new IOException("the registry answered " + response.statusCode() + " for " + pluginId + "@" + version + ": "
              + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return response.body();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while fetching " + pluginId + "@" + version, e);
      }
    };
  }
}
