package io.hotswap.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** What every command shares: the platform, the output, and how a key is named. */
abstract class Cmd implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  HotSwapCli root() {
    return (HotSwapCli) spec.root().userObject();
  }

  RestApi api() {
    return root().api();
  }

  Output out() {
    return root().output();
  }

  /** A held change's answer: says what it waits for; exit code 8. */
  int heldOrDone(RestApi.Answer answer, Runnable done) {
    if (answer.held()) {
      out().show(answer.body(), () -> out().line("held for approval: " + answer.body().get("approvalId").asString()
          + " (hotswap approvals approve " + answer.body().get("approvalId").asString() + ")"));
      return ExitCodes.HELD;
    }
    out().show(answer.body(), done);
    return ExitCodes.OK;
  }

  /** Whether the key exists now (a deleted one does not). */
  boolean exists(String configId) {
    try {
      return !api().get("/api/v1/configs/" + path(configId)).body().path("deleted").asBoolean();
    } catch (RestApi.Problem p) {
      if (p.status == 404) {
        return false;
      }
      throw p;
    }
  }

  static String text(JsonNode node, String field) {
    return Output.cell(node.path(field));
  }

  /**
   * A config id from what was typed: {@code tenant:environment:key} as it is, or a bare key with
   * {@code --tenant} (and {@code --env}, development by default).
   */
  static String configId(String keyOrId, String tenant, String env) {
    if (keyOrId.chars().filter(c -> c == ':').count() >= 2) {
      return keyOrId;
    }
    if (tenant == null) {
      throw new IllegalArgumentException("name the key as tenant:environment:key, or give --tenant");
    }
    return tenant + ":" + (env == null ? "development" : env) + ":" + keyOrId;
  }

  static String path(String id) {
    return RestApi.encode(id).replace("%3A", ":");
  }
}
