package io.hotswap.cli;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * An environment's keys to and from a file — YAML, JSON (a flat map of key to value) or Java
 * properties. Import goes through the bulk endpoint: up to 1,000 keys per batch, each batch all or
 * nothing. Secrets are never exported (the API masks them), so an export re-imports without them.
 */
final class TransferCommands {

  static final int BATCH = 1_000;
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private TransferCommands() {}

  /** The file's format: as given, else by its extension, else YAML. */
  static String format(String given, Path file) {
    String f = given != null ? given : file == null ? "yaml" : extension(file.getFileName().toString());
    return switch (f.toLowerCase(java.util.Locale.ROOT)) {
      case "yaml", "yml" -> "yaml";
      case "json" -> "json";
      case "properties", "props" -> "properties";
      default -> throw new IllegalArgumentException("--format is yaml, json or properties, not '" + f + "'");
    };
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "yaml" : name.substring(dot + 1);
  }

  /** The keys of a tenant in an environment, with their declared types (only those stored there, unless {@code effective}). */
  static Map<String, JsonNode> keys(RestApi api, String tenant, String env, boolean effective) {
    Map<String, JsonNode> keys = new TreeMap<>();
    api.items("/api/v1/configs/tenant/" + Cmd.path(tenant) + "?environment=" + RestApi.encode(env)).forEach(c -> {
      if (effective || "override".equals(c.path("source").asString("override"))) {
        keys.put(c.path("key").asString(), c);
      }
    });
    return keys;
  }

  @Command(name = "export", description = "Write an environment's keys to a file (or standard output).")
  static final class Export extends Cmd {
    @Option(names = {"-t", "--tenant"}, required = true)
    String tenant;

    @Option(names = {"-e", "--env"}, defaultValue = "development")
    String env;

    @Option(names = "--format", description = "yaml (default), json or properties (default: the --out file's extension)")
    String format;

    @Option(names = "--out", description = "the file (default: standard output)")
    Path file;

    @Option(names = "--effective", description = "also the values the environment inherits (Development's, or Staging's for Production)")
    boolean effective;

    @Override
    public Integer call() throws IOException {
      String f = format(format, file);
      Map<String, JsonNode> keys = keys(api(), tenant, env, effective);
      ObjectNode flat = RestApi.JSON.createObjectNode();
      List<String> skipped = new ArrayList<>();
      keys.forEach((key, c) -> {
        if ("Secret".equals(c.path("type").asString()) || key.startsWith("plugin:")) {
          skipped.add(key); // masked (or sealed plugin settings): an export can't carry them
        } else {
          flat.set(key, c.path("value"));
        }
      });
      String text = switch (f) {
        case "json" -> RestApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(flat) + "\n";
        case "properties" -> properties(flat);
        default -> YAML.writeValueAsString(flat);
      };
      if (file == null) {
        root().out.print(text);
      } else {
        Files.writeString(file, text);
        root().err.println("exported " + flat.size() + " keys of " + tenant + " in " + env + " to " + file);
      }
      if (!skipped.isEmpty()) {
        root().err.println("not exported (secrets and plugin settings are never shown): " + String.join(", ", skipped));
      }
      return ExitCodes.OK;
    }

    private static String properties(ObjectNode flat) {
      StringBuilder b = new StringBuilder();
      for (Map.Entry<String, JsonNode> e : flat.properties()) {
        String v = e.getValue().isString() ? e.getValue().asString() : e.getValue().toString();
        b.append(e.getKey()).append('=').append(v.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
      }
      return b.toString();
    }
  }

  @Command(name = "import", description = "Write the keys of a file into an environment (bulk: 1,000 keys per all-or-nothing batch).")
  static final class Import extends Cmd {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(names = {"-t", "--tenant"}, required = true)
    String tenant;

    @Option(names = {"-e", "--env"}, defaultValue = "development")
    String env;

    @Option(names = "--format", description = "yaml, json or properties (default: the file's extension)")
    String format;

    @Override
    public Integer call() throws IOException {
      Map<String, JsonNode> values = read(format(format, file), Files.readString(file));
      Map<String, JsonNode> existing = keys(api(), tenant, env, false);
      List<Map<String, Object>> items = new ArrayList<>();
      values.forEach((key, value) -> {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("key", key);
        JsonNode current = existing.get(key);
        if (current != null) {
          // an existing key keeps its declared type: text stays text, whatever it looks like
          String type = current.path("type").asString();
          item.put("value", (type.equals("String") || type.equals("Secret")) && !value.isString()
              ? RestApi.JSON.getNodeFactory().stringNode(value.toString()) : value);
        } else {
          item.put("value", value);
          item.put("type", value.isNumber() ? "Number" : value.isBoolean() ? "Boolean" : value.isContainer() ? "Json" : "String");
        }
        items.add(item);
      });
      int applied = 0;
      List<String> held = new ArrayList<>();
      ObjectNode summary = RestApi.JSON.createObjectNode();
      for (int from = 0; from < items.size(); from += BATCH) {
        List<Map<String, Object>> batch = items.subList(from, Math.min(items.size(), from + BATCH));
        RestApi.Answer answer = api().post("/api/v1/configs:batch", Map.of("tenantId", tenant, "environment", env, "items", batch));
        if (answer.held()) {
          held.add(answer.body().get("approvalId").asString());
        } else {
          applied += answer.body().path("applied").asInt();
        }
      }
      summary.put("keys", items.size());
      summary.put("applied", applied);
      summary.set("approvalIds", RestApi.JSON.valueToTree(held));
      int total = applied;
      out().show(summary, () -> {
        out().line("imported " + total + " of " + items.size() + " keys into " + tenant + " " + env
            + (items.size() > BATCH ? " in " + ((items.size() + BATCH - 1) / BATCH) + " batches" : ""));
        held.forEach(id -> out().line("held for approval: " + id));
      });
      return held.isEmpty() ? ExitCodes.OK : ExitCodes.HELD;
    }

    /** The file's keys and values: a flat map (JSON, YAML) or properties, whose values are read as JSON where they parse. */
    static Map<String, JsonNode> read(String format, String text) throws IOException {
      Map<String, JsonNode> values = new LinkedHashMap<>();
      if (format.equals("properties")) {
        Properties p = new Properties();
        p.load(new StringReader(text));
        new TreeMap<>(p).forEach((k, v) -> values.put((String) k, ConfigCommands.typed((String) v, null).value()));
        return values;
      }
      JsonNode doc = format.equals("json") ? RestApi.JSON.readTree(text) : YAML.readTree(text);
      if (doc == null || !doc.isObject()) {
        throw new IllegalArgumentException("the file must hold a map of key to value");
      }
      Map<String, JsonNode> seen = new HashMap<>();
      doc.properties().forEach(e -> seen.put(e.getKey(), e.getValue()));
      new TreeMap<>(seen).forEach(values::put);
      return values;
    }
  }
}
