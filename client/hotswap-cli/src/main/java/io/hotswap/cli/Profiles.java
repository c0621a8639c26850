package io.hotswap.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where the CLI keeps the platforms it talks to: named profiles (URL and token) in one file,
 * {@code ~/.hotswap/cli.json} unless {@code HOTSWAP_CONFIG} names another, readable by its owner
 * only (it holds tokens). {@code login} writes a profile and makes it the current one.
 */
final class Profiles {

  static final String DEFAULT_URL = "http://localhost:8080";

  private final Path file;

  Profiles(Map<String, String> env) {
    String configured = env.get("HOTSWAP_CONFIG");
    this.file = configured != null && !configured.isBlank() ? Path.of(configured)
        : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".hotswap", "cli.json");
  }

  Path file() {
    return file;
  }

  /** A platform to talk to. */
  record Profile(String name, String url, String token) {}

  /** The named profile, or the current one when {@code name} is null; null when there is none. */
  Profile get(String name) {
    JsonNode all = read();
    String wanted = name != null ? name : all.path("current").asString("default");
    JsonNode p = all.path("profiles").path(wanted);
    if (p.isMissingNode()) {
      return null;
    }
    return new Profile(wanted, p.path("url").asString(DEFAULT_URL), p.path("token").asString(null));
  }

  /** Stores {@code profile} and makes it the current one. */
  void save(Profile profile) {
    ObjectNode all = (ObjectNode) read();
    ObjectNode profiles = all.has("profiles") ? (ObjectNode) all.get("profiles") : all.putObject("profiles");
    ObjectNode p = profiles.putObject(profile.name());
    p.put("url", profile.url());
    if (profile.token() != null) {
      p.put("token", profile.token());
    }
    all.put("current", profile.name());
    write(all);
  }

  /** Forgets the named profile's token (logout); true when there was one. */
  boolean forget(String name) {
    ObjectNode all = (ObjectNode) read();
    String wanted = name != null ? name : all.path("current").asString("default");
    JsonNode p = all.path("profiles").path(wanted);
    if (!(p instanceof ObjectNode o) || !o.has("token")) {
      return false;
    }
    o.remove("token");
    write(all);
    return true;
  }

  private JsonNode read() {
    if (!Files.exists(file)) {
      return RestApi.JSON.createObjectNode();
    }
    try {
      JsonNode node = RestApi.JSON.readTree(Files.readString(file));
      return node.isObject() ? node : RestApi.JSON.createObjectNode();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private void write(JsonNode all) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, RestApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(all));
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the directory's own permissions protect it
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
