package io.hotswap.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code tenants}: the tenants the token sees; one tenant; a new one. */
@Command(name = "tenants", description = "List tenants (default), show one, or create one.",
    subcommands = {TenantsCommand.Get.class, TenantsCommand.Create.class})
final class TenantsCommand extends Cmd {

  @Option(names = "--status", description = "Active, Suspended or Deleted")
  String status;

  @Override
  public Integer call() {
    JsonNode page = api().get("/api/v1/tenants?size=200" + (status == null ? "" : "&status=" + RestApi.encode(status))).body();
    out().show(page, () -> {
      List<List<String>> rows = new ArrayList<>();
      page.path("items").forEach(t -> rows.add(List.of(text(t, "tenantId"), text(t, "name"), text(t, "tier"), text(t, "status"),
          text(t, "guardedEnvironments"))));
      out().table(List.of("TENANT", "NAME", "TIER", "STATUS", "GUARDED"), rows);
    });
    return ExitCodes.OK;
  }

  @Command(name = "get", description = "One tenant: tier, quotas, approval policy.")
  static final class Get extends Cmd {
    @Parameters(paramLabel = "TENANT")
    String tenantId;

    @Override
    public Integer call() {
      JsonNode t = api().get("/api/v1/tenants/" + path(tenantId)).body();
      out().show(t, () -> {
        out().line(text(t, "tenantId") + " — " + text(t, "name") + " (" + text(t, "tier") + ", " + text(t, "status") + ")");
        out().line("  quotas: " + Output.cell(t.path("quotas")));
        out().line("  guarded environments: " + Output.cell(t.path("guardedEnvironments")) + ", approvals needed: "
            + text(t, "approvalLevels") + ", approval timeout: " + text(t, "approvalTimeout"));
      });
      return ExitCodes.OK;
    }
  }

  @Command(name = "create", description = "A new tenant (Admin).")
  static final class Create extends Cmd {
    @Parameters(paramLabel = "TENANT", description = "3-50 of letters, digits and '-'")
    String tenantId;

    @Option(names = "--name", description = "display name (default: the id)")
    String name;

    @Option(names = "--tier", defaultValue = "Free", description = "Free (default), Pro or Enterprise")
    String tier;

    @Option(names = "--guarded", split = ",", description = "environments whose changes wait for approval (default: staging,production; '' for none)")
    List<String> guarded;

    @Option(names = "--approvals", description = "distinct approvers a held change needs (1-3)")
    Integer approvals;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("tenantId", tenantId);
      body.put("name", name == null ? tenantId : name);
      body.put("tier", tier);
      if (guarded != null) {
        body.put("guardedEnvironments", guarded.stream().filter(g -> !g.isBlank()).toList());
      }
      if (approvals != null) {
        body.put("approvalLevels", approvals);
      }
      JsonNode t = api().post("/api/v1/tenants", body).body();
      out().show(t, () -> out().line("created tenant " + text(t, "tenantId") + " (" + text(t, "tier") + ")"));
      return ExitCodes.OK;
    }
  }
}
