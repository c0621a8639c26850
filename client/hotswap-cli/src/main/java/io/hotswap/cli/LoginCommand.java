package io.hotswap.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * Saves where to talk to and with which token, after checking that the platform takes the token.
 * On the embedded platform: {@code hotswap login --token "$(./hotswap token --role Admin)"}.
 */
@Command(name = "login", description = "Check a token against the platform and save it (with --url) as a profile.")
final class LoginCommand extends Cmd {

  @Option(names = "--token-stdin", description = "read the token from standard input (keeps it out of the shell's history)")
  boolean tokenFromStdin;

  @Option(names = "--name", description = "the profile's name (default: --profile, else 'default')")
  String name;

  @Override
  public Integer call() throws Exception {
    HotSwapCli root = root();
    String token = root.token;
    if (tokenFromStdin) {
      token = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    if (token == null || token.isBlank()) {
      token = root.env.get("HOTSWAP_TOKEN");
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("give the token: --token <jwt>, --token-stdin or HOTSWAP_TOKEN");
    }
    String url = root.url != null ? root.url : root.env.getOrDefault("HOTSWAP_URL", Profiles.DEFAULT_URL);
    new RestApi(url, token).get("/api/v1/tenants?size=1"); // 401 here when the platform does not take it
    String profile = name != null ? name : root.profile != null ? root.profile : "default";
    Profiles profiles = new Profiles(root.env);
    profiles.save(new Profiles.Profile(profile, url, token));
    JsonNode claims = claims(token);
    out().line("Logged in to " + url + " as " + Output.cell(claims.path("sub")) + " (roles " + Output.cell(claims.path("roles"))
        + (claims.has("tenants") ? ", tenants " + Output.cell(claims.path("tenants")) : "")
        + (claims.has("exp") ? ", until " + Instant.ofEpochSecond(claims.get("exp").asLong()) : "") + ")");
    out().line("Saved as profile '" + profile + "' in " + profiles.file());
    return ExitCodes.OK;
  }

  /** The token's claims, to show whom it names (the platform, not this, decides what they are worth). */
  static JsonNode claims(String token) {
    String[] parts = token.strip().split("\\.");
    if (parts.length < 2) {
      return RestApi.JSON.createObjectNode();
    }
    try {
      return RestApi.JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return RestApi.JSON.createObjectNode();
    }
  }
}
