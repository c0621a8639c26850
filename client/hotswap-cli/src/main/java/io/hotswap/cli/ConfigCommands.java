package io.hotswap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/** The commands on one key: read, write, delete, its history, a diff, a rollback, a promotion. */
final class ConfigCommands {

  private ConfigCommands() {}

  /** Where a bare key lives: {@code --tenant} and {@code --env}. */
  static class Where {
    @Option(names = {"-t", "--tenant"}, description = "the tenant (for a bare key)")
    String tenant;

    @Option(names = {"-e", "--env"}, description = "the environment (for a bare key; default development)")
    String env;
  }

  /** The key a command is about: {@code tenant:environment:key}, or a bare key with {@code --tenant}/{@code --env}. */
  static class KeyRef {
    @Parameters(index = "0", paramLabel = "KEY", description = "tenant:environment:key, or a key with --tenant/--env")
    String key;

    @picocli.CommandLine.Mixin
    Where where;

    String id() {
      return Cmd.configId(key, where.tenant, where.env);
    }
  }

  /**
   * A value as typed on the command line, as the API takes it: a number, true/false, a JSON
   * document, or text. With no type given the text decides (what parses as a JSON number, boolean,
   * object or array is one; anything else is a String).
   */
  static Typed typed(String text, String type) {
    if (type != null) {
      String t = type.toLowerCase(java.util.Locale.ROOT);
      return switch (t) {
        case "string", "secret" -> new Typed(RestApi.JSON.getNodeFactory().stringNode(text), t.equals("string") ? "String" : "Secret");
        case "number", "boolean", "json" -> new Typed(parse(text, type), Character.toUpperCase(t.charAt(0)) + t.substring(1));
        default -> throw new IllegalArgumentException("--type is String, Number, Boolean, Json or Secret, not '" + type + "'");
      };
    }
    JsonNode parsed;
    try {
      parsed = RestApi.JSON.readTree(text);
    } catch (RuntimeException e) {
      parsed = null;
    }
    if (parsed != null && parsed.isNumber()) {
      return new Typed(parsed, "Number");
    }
    if (parsed != null && parsed.isBoolean()) {
      return new Typed(parsed, "Boolean");
    }
    if (parsed != null && (parsed.isObject() || parsed.isArray())) {
      return new Typed(parsed, "Json");
    }
    return new Typed(RestApi.JSON.getNodeFactory().stringNode(text), null);
  }

  /** A value and its declared type (null: a String, or the key's current type). */
  record Typed(JsonNode value, String type) {}

  private static JsonNode parse(String text, String type) {
    try {
      return RestApi.JSON.readTree(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + text + "' is not a " + type + " value");
    }
  }

  /** One value for people: {@code key = value  (Type, v3)}. */
  static String describe(JsonNode c) {
    return Cmd.text(c, "key") + " = " + Output.cell(c.path("value")) + "  (" + Cmd.text(c, "type") + ", v" + Cmd.text(c, "version")
        + (c.hasNonNull("source") ? ", " + Cmd.text(c, "source") : "") + (c.path("deleted").asBoolean() ? ", deleted" : "") + ")";
  }

  @Command(name = "get", description = "A key's current value; without a key, every key of --tenant in --env with where its value comes from.")
  static final class Get extends Cmd {
    @Parameters(paramLabel = "KEY", arity = "0..1", description = "tenant:environment:key, or a key with --tenant/--env")
    String key;

    @picocli.CommandLine.Mixin
    Where where;

    @Override
    public Integer call() {
      if (key == null) {
        if (where.tenant == null) {
          throw new IllegalArgumentException("give a key, or --tenant to list a tenant's keys");
        }
        String env = where.env == null ? "development" : where.env;
        ArrayNode all = api().items("/api/v1/configs/tenant/" + path(where.tenant) + "?environment=" + RestApi.encode(env));
        out().show(all, () -> {
          List<List<String>> rows = new ArrayList<>();
          all.forEach(c -> rows.add(List.of(text(c, "key"), Output.cell(c.path("value")), text(c, "type"), "v" + text(c, "version"),
              text(c, "source"))));
          out().table(List.of("KEY", "VALUE", "TYPE", "VERSION", "SOURCE"), rows);
        });
        return ExitCodes.OK;
      }
      JsonNode c = api().get("/api/v1/configs/" + path(configId(key, where.tenant, where.env))).body();
      out().show(c, () -> out().line(describe(c)));
      return ExitCodes.OK;
    }
  }

  @Command(name = "set", description = "Write a key: a new version of an existing one, or a new key.")
  static final class Set extends Cmd {
    @picocli.CommandLine.Mixin
    KeyRef ref;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = "the value (or --file)")
    String value;

    @Option(names = "--file", description = "read the value from a file ('-' for standard input)")
    Path file;

    @Option(names = "--type", description = "String, Number, Boolean, Json or Secret (default: the key's type; for a new key, what the value looks like)")
    String type;

    @Option(names = "--if-version", description = "only if the key is still at this version (else exit 5)")
    Long ifVersion;

    @Option(names = "--tags", split = ",", description = "tags of the new version")
    List<String> tags;

    @Option(names = "--description", description = "what the key is for")
    String description;

    @Override
    public Integer call() throws IOException {
      if ((value == null) == (file == null)) {
        throw new IllegalArgumentException("give the value, or --file, not both");
      }
      String text = value != null ? value
          : file.toString().equals("-") ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8) : Files.readString(file);
      if (file != null && text.endsWith("\n")) {
        text = text.substring(0, text.length() - 1);
      }
      Typed typed = typed(text, type);
      String id = ref.id();
      String[] parts = id.split(":", 3);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("value", typed.value());
      if (typed.type() != null) {
        body.put("type", typed.type());
      }
      if (tags != null) {
        body.put("tags", tags);
      }
      if (description != null) {
        body.put("description", description);
      }
      // a read first (it costs no write from the tenant's limit, as a refused update would): update or create
      boolean exists = exists(id);
      RestApi.Answer answer;
      if (exists || ifVersion != null) {
        answer = api().put("/api/v1/configs/" + path(id), body, ifVersion == null ? Map.of() : Map.of("If-Match", "\"" + ifVersion + "\""));
      } else {
        Map<String, Object> create = new LinkedHashMap<>(body);
        create.put("tenantId", parts[0]);
        create.put("environment", parts[1]);
        create.put("key", parts[2]);
        create.putIfAbsent("type", "String");
        answer = api().post("/api/v1/configs", create);
      }
      RestApi.Answer done = answer;
      return heldOrDone(answer, () -> out().line((done.status() == 201 ? "created " : "updated ") + describe(done.body())));
    }
  }

  @Command(name = "delete", description = "Delete a key (a new version marked deleted; its history stays).")
  static final class Delete extends Cmd {
    @picocli.CommandLine.Mixin
    KeyRef ref;

    @Override
    public Integer call() {
      String id = ref.id();
      RestApi.Answer answer = api().delete("/api/v1/configs/" + path(id));
      return heldOrDone(answer, () -> out().line("deleted " + id));
    }
  }

  @Command(name = "history", description = "Every version of a key, oldest first.")
  static final class History extends Cmd {
    @picocli.CommandLine.Mixin
    KeyRef ref;

    @Override
    public Integer call() {
      String id = ref.id();
      ArrayNode all = api().items("/api/v1/configs/" + path(id) + "/versions?");
      out().show(all, () -> {
        List<List<String>> rows = new ArrayList<>();
        all.forEach(v -> rows.add(List.of("v" + text(v, "version"), Output.cell(v.path("value")), text(v, "updatedBy"), text(v, "updatedAt"),
            v.path("deleted").asBoolean() ? "deleted" : "")));
        out().table(List.of("VERSION", "VALUE", "BY", "AT", ""), rows);
      });
      return ExitCodes.OK;
    }
  }

  @Command(name = "diff", description = "What changed between two versions of a key (JSON Pointers for Json values).")
  static final class Diff extends Cmd {
    @picocli.CommandLine.Mixin
    KeyRef ref;

    @Option(names = "--from", required = true, description = "the older version")
    long from;

    @Option(names = "--to", description = "the newer version (default: the current one)")
    Long to;

    @Override
    public Integer call() {
      String id = ref.id();
      long target = to != null ? to : api().get("/api/v1/configs/" + path(id)).body().path("version").asLong();
      JsonNode d = api().get("/api/v1/configs/" + path(id) + "/diff?from=" + from + "&to=" + target).body();
      out().show(d, () -> {
        out().line("--- " + id + " v" + from);
        out().line("+++ " + id + " v" + target);
        if (d.path("changes").isEmpty()) {
          out().line("(no changes)");
        }
        d.path("changes").forEach(c -> {
          String at = c.path("path").asString("");
          at = at.isEmpty() ? "(value)" : at;
          switch (c.path("op").asString()) {
            case "added" -> out().line("+ " + at + ": " + Output.cell(c.path("newValue")));
            case "removed" -> out().line("- " + at + ": " + Output.cell(c.path("oldValue")));
            default -> {
              out().line("- " + at + ": " + Output.cell(c.path("oldValue")));
              out().line("+ " + at + ": " + Output.cell(c.path("newValue")));
            }
          }
        });
      });
      return ExitCodes.OK;
    }
  }

  @Command(name = "rollback", description = "Make an older version's value current again, as a new version.")
  static final class Rollback extends Cmd {
    @picocli.CommandLine.Mixin
    KeyRef ref;

    @Option(names = "--to-version", required = true, description = "the version whose value comes back")
    long version;

    @Override
    public Integer call() {
      String id = ref.id();
      RestApi.Answer answer = api().post("/api/v1/configs/" + path(id) + "/rollback", Map.of("version", version));
      return heldOrDone(answer, () -> out().line("rolled " + id + " back to v" + version + "'s value: now v" + text(answer.body().path("config"), "version")));
    }
  }

  @Command(name = "promote", description = "Copy a key's current value into the next environment (or --to).")
  static final class Promote extends Cmd {
    @picocli.CommandLine.Mixin
    KeyRef ref;

    @Option(names = "--to", description = "the target environment (default: the next one)")
    String target;

    @Override
    public Integer call() {
      String id = ref.id();
      RestApi.Answer answer = api().post("/api/v1/configs/" + path(id) + "/promote",
          target == null ? Map.of() : Map.of("targetEnvironment", target));
      return heldOrDone(answer, () -> out().line("promoted to " + text(answer.body().path("config"), "configId") + ": v" + text(answer.body().path("config"), "version")));
    }
  }
}
