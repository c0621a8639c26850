package io.hotswap.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code tail}: changes as they go live, like {@code kubectl get -w} — from the gateway's
 * {@code GET /api/v1/watch} stream, reconnecting when the gateway ends a stream, until Ctrl-C,
 * {@code --count} changes or {@code --timeout}.
 */
@Command(name = "tail", description = "Follow changes as they go live (a key's new value, a deletion, a rollout's step).")
final class TailCommand extends Cmd {

  @Option(names = {"-t", "--tenant"}, description = "one tenant (default: every tenant the token sees)")
  String tenant;

  @Option(names = {"-e", "--env"}, description = "one environment (default: all)")
  String env;

  @Option(names = {"-n", "--count"}, description = "stop after this many changes")
  Integer count;

  @Option(names = "--timeout", description = "stop after this long (ISO-8601, e.g. PT10M)")
  Duration timeout;

  @Override
  public Integer call() {
    Instant deadline = timeout == null ? null : Instant.now().plus(timeout);
    int seen = 0;
    boolean announced = false;
    while (deadline == null || Instant.now().isBefore(deadline)) {
      Duration left = deadline == null ? Duration.ofHours(1) : Duration.between(Instant.now(), deadline);
      if (left.toMillis() < 1) {
        break;
      }
      StringBuilder q = new StringBuilder("/api/v1/watch?timeout=").append(left.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
          .plusMillis(left.toMillis() == 0 ? 1 : 0));
      if (tenant != null) {
        q.append("&tenantId=").append(RestApi.encode(tenant));
      }
      if (env != null) {
        q.append("&environment=").append(RestApi.encode(env));
      }
      try (Stream<String> lines = api().lines(q.toString())) {
        Iterator<String> it = lines.iterator();
        String event = "message";
        StringBuilder data = new StringBuilder();
        while (it.hasNext()) {
          String line = it.next();
          if (line.isEmpty()) {
            if (event.equals("ready") && !announced) {
              root().err.println("following changes of " + (tenant == null ? "every tenant" : tenant) + " in "
                  + (env == null ? "every environment" : env) + " (Ctrl-C to stop)");
              announced = true;
            } else if (event.equals("change")) {
              print(RestApi.JSON.readTree(data.toString()));
              if (count != null && ++seen >= count) {
                return ExitCodes.OK;
              }
            } else if (event.equals("overflow")) {
              root().err.println("fell behind: " + Output.cell(RestApi.JSON.readTree(data.toString()).path("detail")));
            }
            event = "message";
            data.setLength(0);
          } else if (line.startsWith("event:")) {
            event = line.substring(6).strip();
          } else if (line.startsWith("data:")) {
            data.append(line.substring(5).stripLeading());
          }
        }
      }
    }
    return ExitCodes.OK;
  }

  private void print(JsonNode c) {
    Output out = out();
    if (out.json()) {
      out.stream().println(c.toString()); // one JSON document per line
      return;
    }
    String where = text(c, "tenantId") + " " + text(c, "environment") + " " + text(c, "key");
    if (c.path("deleted").asBoolean()) {
      out.line(text(c, "at") + "  " + where + " deleted");
      return;
    }
    String line = text(c, "at") + "  " + where + " = " + Output.cell(c.path("value")) + "  (" + text(c, "type") + ", v"
        + (c.hasNonNull("semver") ? text(c, "semver") : text(c, "version")) + ")";
    JsonNode r = c.path("rollout");
    if (r.isObject()) {
      line += "  [deployment " + text(r, "deploymentId") + (r.hasNonNull("percentage") ? String.format(": %.0f%% get v%s",
          r.get("percentage").asDouble(), text(r, "candidateVersion")) : "") + "]";
    }
    out.line(line);
  }
}
