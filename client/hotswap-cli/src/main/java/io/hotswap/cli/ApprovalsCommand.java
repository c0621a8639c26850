package io.hotswap.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code approvals}: the inbox (pending by default), one approval, approve, reject. */
@Command(name = "approvals", description = "Changes held for approval: list (pending by default), show, approve, reject.",
    subcommands = {ApprovalsCommand.Get.class, ApprovalsCommand.Approve.class, ApprovalsCommand.Reject.class})
final class ApprovalsCommand extends Cmd {

  @Option(names = {"-t", "--tenant"})
  String tenant;

  @Option(names = "--status", defaultValue = "pending", description = "pending (default), approved, rejected, expired, all")
  String status;

  @Option(names = {"-e", "--env"})
  String env;

  @Override
  public Integer call() {
    StringBuilder q = new StringBuilder("/api/v1/approvals?size=200");
    if (!status.equals("all")) {
      q.append("&status=").append(RestApi.encode(status));
    }
    if (tenant != null) {
      q.append("&tenantId=").append(RestApi.encode(tenant));
    }
    if (env != null) {
      q.append("&environment=").append(RestApi.encode(env));
    }
    JsonNode page = api().get(q.toString()).body();
    out().show(page, () -> {
      List<List<String>> rows = new ArrayList<>();
      page.path("items").forEach(a -> rows.add(List.of(text(a, "approvalId"), text(a, "kind"), what(a), text(a, "status"),
          a.path("approvals").size() + "/" + text(a, "requiredApprovals"), text(a, "requestedBy"), text(a, "expiresAt"))));
      out().table(List.of("APPROVAL", "KIND", "CHANGE", "STATUS", "APPROVED", "REQUESTED BY", "EXPIRES"), rows);
    });
    return ExitCodes.OK;
  }

  /** What a held change changes, in a few words. */
  static String what(JsonNode a) {
    JsonNode c = a.path("change");
    String target = c.hasNonNull("configId") ? c.get("configId").asString() : c.hasNonNull("deploymentId") ? c.get("deploymentId").asString()
        : a.path("tenantId").asString() + " " + a.path("environment").asString("");
    return target + (c.has("value") ? " = " + Output.cell(c.get("value")) : "");
  }

  @Command(name = "get", description = "One approval: the change it holds, its hash, who approved.")
  static final class Get extends Cmd {
    @Parameters(paramLabel = "APPROVAL")
    String id;

    @Override
    public Integer call() {
      JsonNode a = api().get("/api/v1/approvals/" + path(id)).body();
      out().show(a, () -> {
        out().line(text(a, "approvalId") + ": " + text(a, "kind") + " of " + what(a) + " — " + text(a, "status"));
        out().line("  requested by " + text(a, "requestedBy") + " at " + text(a, "requestedAt") + ", expires " + text(a, "expiresAt"));
        out().line("  approvals " + a.path("approvals").size() + " of " + text(a, "requiredApprovals") + ": "
            + Output.cell(a.path("approvals")));
        out().line("  change hash " + text(a, "changeHash"));
      });
      return ExitCodes.OK;
    }
  }

  /** Approve or reject: a comment, and the change hash read with the approval, so only that change is released. */
  abstract static class Decide extends Cmd {
    @Parameters(paramLabel = "APPROVAL")
    String id;

    @Option(names = {"-m", "--comment"}, description = "why (audited)")
    String comment;

    abstract String verb();

    @Override
    public Integer call() {
      String hash = api().get("/api/v1/approvals/" + path(id)).body().path("changeHash").asString(null);
      Map<String, Object> body = new LinkedHashMap<>();
      if (comment != null) {
        body.put("comment", comment);
      }
      if (hash != null) {
        body.put("changeHash", hash);
      }
      JsonNode a = api().post("/api/v1/approvals/" + path(id) + "/" + verb(), body).body();
      out().show(a, () -> {
        out().line(text(a, "approvalId") + ": " + text(a, "status") + " (" + a.path("approvals").size() + " of " + text(a, "requiredApprovals")
            + " approvals)");
        JsonNode r = a.path("release");
        if (r.isObject()) {
          String outcome = r.path("outcome").asString();
          out().line("  the change: " + outcome + switch (outcome) {
            case "applied" -> " as v" + text(r, "version") + " of " + text(r, "resourceId");
            case "rejected" -> " — " + text(r, "errorType") + ": " + text(r, "detail");
            default -> r.hasNonNull("detail") ? " — " + text(r, "detail") : "";
          });
        }
      });
      return ExitCodes.OK;
    }
  }

  @Command(name = "approve", description = "Add your approval; the last one needed releases the change.")
  static final class Approve extends Decide {
    @Override
    String verb() {
      return "approve";
    }
  }

  @Command(name = "reject", description = "Reject the held change: it is dropped.")
  static final class Reject extends Decide {
    @Override
    String verb() {
      return "reject";
    }
  }
}
