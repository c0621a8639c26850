package io.hotswap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/** {@code audit}: the trail (query), its export, a replay of what was live at a time, and its hash chain's check. */
@Command(name = "audit", description = "The audit trail: query (default), export, replay at a time, verify.",
    subcommands = {AuditCommand.Export.class, AuditCommand.Replay.class, AuditCommand.Verify.class})
final class AuditCommand extends Cmd {

  @Option(names = {"-t", "--tenant"})
  String tenant;

  @Option(names = "--from", description = "ISO-8601 time")
  String from;

  @Option(names = "--to", description = "ISO-8601 time")
  String to;

  @Option(names = "--type", description = "only events of this type (CONFIG_UPDATED, DEPLOYMENT_STARTED, ...)")
  String type;

  @Option(names = "--limit", defaultValue = "200", description = "at most this many events (the newest of the range are last)")
  int limit;

  @Override
  public Integer call() {
    ArrayNode events = RestApi.JSON.createArrayNode();
    for (int page = 0; events.size() < limit; page++) {
      JsonNode p = api().get("/api/v1/audit-logs?size=200&page=" + page + range(tenant, from, to)).body();
      p.path("items").forEach(e -> {
        if (events.size() < limit && (type == null || type.equalsIgnoreCase(e.path("eventType").asString()))) {
          events.add(e);
        }
      });
      if (page + 1 >= p.path("totalPages").asLong()) {
        break;
      }
    }
    out().show(events, () -> {
      List<List<String>> rows = new ArrayList<>();
      events.forEach(e -> rows.add(List.of(text(e, "timestamp"), text(e, "eventType"), text(e, "tenantId"),
          e.path("environment").isNull() ? "-" : text(e, "environment"), e.path("key").isNull() ? text(e, "resourceId") : text(e, "key"),
          e.path("version").asLong() == 0 ? "-" : "v" + text(e, "version"), text(e, "actor"))));
      out().table(List.of("TIME", "EVENT", "TENANT", "ENV", "KEY", "VERSION", "ACTOR"), rows);
    });
    return ExitCodes.OK;
  }

  static String range(String tenant, String from, String to) {
    return (tenant == null ? "" : "&tenantId=" + RestApi.encode(tenant)) + (from == null ? "" : "&from=" + RestApi.encode(from))
        + (to == null ? "" : "&to=" + RestApi.encode(to));
  }

  @Command(name = "export", description = "The trail as CSV or JSON, to a file or standard output.")
  static final class Export extends Cmd {
    @Option(names = {"-t", "--tenant"})
    String tenant;

    @Option(names = "--from")
    String from;

    @Option(names = "--to")
    String to;

    @Option(names = "--format", defaultValue = "csv", description = "csv (default) or json")
    String format;

    @Option(names = "--out", description = "the file (default: standard output)")
    Path file;

    @Override
    public Integer call() throws IOException {
      String body = api().text("/api/v1/audit-logs/export?format=" + RestApi.encode(format) + range(tenant, from, to));
      if (file == null) {
        root().out.print(body);
      } else {
        Files.writeString(file, body);
        root().err.println("exported the audit trail to " + file);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "replay", description = "What was live for a tenant at a time, folded from its trail.")
  static final class Replay extends Cmd {
    @Option(names = {"-t", "--tenant"}, required = true)
    String tenant;

    @Option(names = "--at", description = "ISO-8601 time (default: now)")
    String at;

    @Option(names = {"-e", "--env"})
    String env;

    @Override
    public Integer call() {
      JsonNode r = api().get("/api/v1/audit-logs/replay?tenantId=" + RestApi.encode(tenant) + (at == null ? "" : "&at=" + RestApi.encode(at))
          + (env == null ? "" : "&environment=" + RestApi.encode(env))).body();
      out().show(r, () -> {
        out().line("live for " + tenant + " at " + text(r, "at") + ":");
        List<List<String>> rows = new ArrayList<>();
        r.path("items").forEach(i -> rows.add(List.of(text(i, "environment"), text(i, "key"), Output.cell(i.path("value")),
            "v" + text(i, "version"), text(i, "since"), text(i, "actor"),
            i.hasNonNull("deployment") ? "deploying v" + text(i.get("deployment"), "candidateVersion") : "")));
        out().table(List.of("ENV", "KEY", "VALUE", "VERSION", "SINCE", "BY", ""), rows);
      });
      return ExitCodes.OK;
    }
  }

  @Command(name = "verify", description = "Whether a tenant's hash-chained trail is whole (exit 1 when it is not).")
  static final class Verify extends Cmd {
    @Option(names = {"-t", "--tenant"}, required = true)
    String tenant;

    @Override
    public Integer call() {
      JsonNode v = api().get("/api/v1/audit-logs/verify?tenantId=" + RestApi.encode(tenant)).body();
      boolean valid = v.path("valid").asBoolean();
      out().show(v, () -> out().line(valid ? "the trail of " + tenant + " is whole (" + text(v, "checkedRows") + " rows)"
          : "the trail of " + tenant + " is BROKEN: " + Output.cell(v.path("firstBrokenLink"))));
      return valid ? ExitCodes.OK : ExitCodes.REJECTED;
    }
  }
}
