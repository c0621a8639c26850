package io.hotswap.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code deploy}: start a rollout of a key's new value by a strategy, watch it to its end with a
 * live progress line, and steer it (pause, resume, complete, roll back).
 */
@Command(name = "deploy", description = "Roll a new value out (start), follow it (watch), steer it (pause, resume, complete, rollback).",
    subcommands = {DeployCommand.Start.class, DeployCommand.Watch.class, DeployCommand.Get.class, DeployCommand.ListAll.class,
        DeployCommand.Pause.class, DeployCommand.Resume.class, DeployCommand.Complete.class, DeployCommand.Rollback.class})
final class DeployCommand extends Cmd {

  @Override
  public Integer call() {
    spec.commandLine().usage(root().out);
    return ExitCodes.USAGE;
  }

  /** One line of a deployment's state: strategy, status, step, share, next step, audience health. */
  static String progress(JsonNode d) {
    double pct = d.path("percentage").asDouble();
    int width = 20;
    int filled = (int) Math.round(pct / 100 * width);
    String bar = "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
    StringBuilder b = new StringBuilder();
    b.append(Cmd.text(d, "deploymentId")).append(' ').append(Cmd.text(d, "strategy")).append(' ').append(bar).append(' ')
        .append(String.format("%3.0f%%", pct)).append(" step ").append(Math.max(1, d.path("step").asInt())).append('/')
        .append(Math.max(1, d.path("steps").size())).append(' ').append(Cmd.text(d, "status"));
    if (d.hasNonNull("nextStepAt") && d.path("status").asString().equals("running")) {
      b.append(", next step ").append(Cmd.text(d, "nextStepAt"));
    }
    JsonNode c = d.path("cohort");
    if (c.isObject()) {
      b.append(" | ").append(c.path("instances").asInt()).append(" instances, ").append(c.path("requests").asLong()).append(" requests");
      if (c.hasNonNull("errorRate")) {
        b.append(String.format(", %.1f%% errors", 100 * c.get("errorRate").asDouble()));
      }
      if (c.hasNonNull("p99LatencyMs")) {
        b.append(String.format(", p99 %.0f ms", c.get("p99LatencyMs").asDouble()));
      }
      if (!c.path("failedToApply").isEmpty()) {
        b.append(", failed to apply: ").append(Output.cell(c.get("failedToApply")));
      }
    }
    if (d.path("status").asString().equals("pending_approval")) {
      b.append(" (approval ").append(Cmd.text(d, "approvalId")).append(')');
    }
    if (d.hasNonNull("reason")) {
      b.append(" — ").append(Cmd.text(d, "reason"));
    }
    return b.toString();
  }

  /**
   * Follows a deployment until it ends, printing each change of state (redrawn in place on a
   * terminal); 0 when it completed, 7 when it was rolled back.
   */
  static int watch(Cmd cmd, String id, Duration every) {
    Output out = cmd.out();
    boolean terminal = System.console() != null && !out.json();
    String last = null;
    while (true) {
      JsonNode d = cmd.api().get("/api/v1/deployments/" + Cmd.path(id)).body();
      String status = d.path("status").asString();
      String line = progress(d);
      if (!line.equals(last)) {
        if (out.json()) {
          out.stream().println(d.toString()); // one JSON document per change: a stream scripts can read line by line
        } else if (terminal) {
          out.stream().print("\r\033[2K" + line);
          out.stream().flush();
        } else {
          out.line(line);
        }
        last = line;
      }
      if (status.equals("completed") || status.equals("rolled_back")) {
        if (terminal) {
          out.stream().println();
        }
        if (!out.json()) {
          out.line(status.equals("completed") ? "completed: everyone has v" + Cmd.text(d, "candidateVersion")
              : "rolled back: everyone has the stable value again" + (d.hasNonNull("reason") ? " (" + Cmd.text(d, "reason") + ")" : ""));
        }
        return status.equals("completed") ? ExitCodes.OK : ExitCodes.ROLLED_BACK;
      }
      LockSupport.parkNanos(every.toNanos());
      if (Thread.currentThread().isInterrupted()) {
        return ExitCodes.UNAVAILABLE;
      }
    }
  }

  @Command(name = "start", description = "Start a deployment of a key's new value.")
  static final class Start extends Cmd {
    @picocli.CommandLine.Mixin
    ConfigCommands.KeyRef ref;

    @Parameters(index = "1", paramLabel = "VALUE")
    String value;

    @Option(names = "--type", description = "how to read VALUE (default: what it looks like; checked against the key's type)")
    String type;

    @Option(names = "--strategy", defaultValue = "direct", description = "direct (default), canary, blue-green, rolling, ab-test")
    String strategy;

    @Option(names = "--steps", split = ",", description = "canary/rolling percentages, e.g. 10,50,100; ab-test: B's share")
    List<Integer> steps;

    @Option(names = "--bake-time", description = "ISO-8601 per step, e.g. PT1M (default PT5M)")
    String bakeTime;

    @Option(names = "--sticky-by", description = "context attribute hashed for sticky buckets (default userId)")
    String stickyBy;

    @Option(names = "--target-instances", split = ",")
    List<String> targetInstances;

    @Option(names = "--target-tags", split = ",")
    List<String> targetTags;

    @Option(names = "--max-error-rate", description = "roll back automatically above this error rate (0-1)")
    Double maxErrorRate;

    @Option(names = "--max-p99-ms", description = "roll back automatically above this p99 latency")
    Double maxP99;

    @Option(names = "--watch", description = "follow it to its end (exit 0 completed, 7 rolled back)")
    boolean watch;

    @Option(names = "--interval", defaultValue = "PT1S", description = "how often --watch looks (ISO-8601)")
    Duration interval;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("configId", ref.id());
      body.put("value", ConfigCommands.typed(value, type).value());
      body.put("strategy", strategy);
      putIf(body, "steps", steps);
      putIf(body, "bakeTime", bakeTime);
      putIf(body, "stickyBy", stickyBy);
      putIf(body, "targetInstances", targetInstances);
      putIf(body, "targetTags", targetTags);
      putIf(body, "maxErrorRate", maxErrorRate);
      putIf(body, "maxP99LatencyMs", maxP99);
      RestApi.Answer answer = api().post("/api/v1/deployments", body);
      String id = answer.body().path("deploymentId").asString();
      if (answer.held() && !watch) {
        return heldOrDone(answer, () -> { });
      }
      if (!watch) {
        out().show(answer.body(), () -> out().line("started " + progress(answer.body())));
        return ExitCodes.OK;
      }
      if (!out().json()) {
        out().line(answer.held() ? "held for approval " + answer.body().path("approvalId").asString() + "; watching " + id : "started " + id);
      }
      return watch(this, id, interval);
    }

    private static void putIf(Map<String, Object> body, String field, Object value) {
      if (value != null) {
        body.put(field, value);
      }
    }
  }

  @Command(name = "watch", description = "Follow a deployment until it completes (exit 0) or is rolled back (exit 7).")
  static final class Watch extends Cmd {
    @Parameters(paramLabel = "DEPLOYMENT")
    String id;

    @Option(names = "--interval", defaultValue = "PT1S", description = "how often to look (ISO-8601)")
    Duration interval;

    @Override
    public Integer call() {
      return watch(this, id, interval);
    }
  }

  @Command(name = "get", description = "One deployment's state.")
  static final class Get extends Cmd {
    @Parameters(paramLabel = "DEPLOYMENT")
    String id;

    @Override
    public Integer call() {
      JsonNode d = api().get("/api/v1/deployments/" + path(id)).body();
      out().show(d, () -> out().line(progress(d)));
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "A tenant's deployments, newest first.")
  static final class ListAll extends Cmd {
    @Option(names = {"-t", "--tenant"}, required = true)
    String tenant;

    @Option(names = "--status", description = "running, paused, completed, rolled_back")
    String status;

    @Override
    public Integer call() {
      JsonNode page = api().get("/api/v1/deployments/tenant/" + path(tenant) + "?size=200"
          + (status == null ? "" : "&status=" + RestApi.encode(status))).body();
      out().show(page, () -> {
        List<List<String>> rows = new ArrayList<>();
        page.path("items").forEach(d -> rows.add(List.of(text(d, "deploymentId"), d.hasNonNull("configId") ? text(d, "configId")
            : text(d, "profileId"), text(d, "strategy"), text(d, "status"), String.format("%.0f%%", d.path("percentage").asDouble()),
            text(d, "createdAt"))));
        out().table(List.of("DEPLOYMENT", "OF", "STRATEGY", "STATUS", "SHARE", "STARTED"), rows);
      });
      return ExitCodes.OK;
    }
  }

  /** A change of a running deployment: pause, resume, complete, roll back. */
  abstract static class Steer extends Cmd {
    @Parameters(paramLabel = "DEPLOYMENT")
    String id;

    abstract String verb();

    Map<String, Object> body() {
      return Map.of();
    }

    @Override
    public Integer call() {
      JsonNode d = api().post("/api/v1/deployments/" + path(id) + "/" + verb(), body()).body();
      out().show(d, () -> out().line(progress(d)));
      return ExitCodes.OK;
    }
  }

  /** A change that says why (audited). */
  abstract static class Reasoned extends Steer {
    @Option(names = "--reason", description = "why (audited)")
    String reason;

    @Override
    Map<String, Object> body() {
      return reason == null ? Map.of() : Map.of("reason", reason);
    }
  }

  @Command(name = "pause", description = "Hold the deployment at its step (its audience keeps the candidate).")
  static final class Pause extends Reasoned {
    @Override
    String verb() {
      return "pause";
    }
  }

  @Command(name = "resume", description = "Go on from the step it was paused at.")
  static final class Resume extends Steer {
    @Override
    String verb() {
      return "resume";
    }
  }

  @Command(name = "complete", description = "Everyone gets the candidate now (ends an A/B test with B).")
  static final class Complete extends Steer {
    @Override
    String verb() {
      return "complete";
    }
  }

  @Command(name = "rollback", description = "Everyone gets the stable value again, as a new version.")
  static final class Rollback extends Reasoned {
    @Override
    String verb() {
      return "rollback";
    }
  }
}
