package io.hotswap.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code instances}: the registered service instances, and what one holds. */
@Command(name = "instances", description = "Registered service instances (list), or one with the versions it holds.",
    subcommands = {InstancesCommand.Get.class})
final class InstancesCommand extends Cmd {

  @Option(names = "--service")
  String service;

  @Option(names = "--status", description = "Healthy, Degraded or Unhealthy")
  String status;

  @Override
  public Integer call() {
    String q = "/api/v1/instances?size=200" + (service == null ? "" : "&service=" + RestApi.encode(service))
        + (status == null ? "" : "&status=" + RestApi.encode(status));
    JsonNode page = api().get(q).body();
    out().show(page, () -> {
      List<List<String>> rows = new ArrayList<>();
      page.path("items").forEach(i -> rows.add(List.of(text(i, "instanceId"), text(i, "service"), text(i, "environment"), text(i, "status"),
          text(i, "lastHeartbeatAt"), String.valueOf(i.path("applied").size()))));
      out().table(List.of("INSTANCE", "SERVICE", "ENV", "STATUS", "LAST HEARTBEAT", "VALUES"), rows);
    });
    return ExitCodes.OK;
  }

  @Command(name = "get", description = "One instance: status, health, and the version of every value it holds.")
  static final class Get extends Cmd {
    @Parameters(paramLabel = "INSTANCE")
    String id;

    @Override
    public Integer call() {
      JsonNode i = api().get("/api/v1/instances/" + path(id)).body();
      out().show(i, () -> {
        out().line(text(i, "instanceId") + " (" + text(i, "service") + ", " + text(i, "environment") + "): " + text(i, "status")
            + ", last heartbeat " + text(i, "lastHeartbeatAt"));
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : i.path("applied").properties()) {
          rows.add(List.of(e.getKey(), "v" + text(e.getValue(), "version"), text(e.getValue(), "arm"), text(e.getValue(), "applyError")));
        }
        out().table(List.of("VALUE", "VERSION", "ARM", "ERROR"), rows);
      });
      return ExitCodes.OK;
    }
  }
}
