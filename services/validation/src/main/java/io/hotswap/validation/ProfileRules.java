package io.hotswap.validation;

import io.hotswap.avro.Command;
import io.hotswap.avro.ProfilePayload;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.SemVer;
import io.hotswap.core.domain.Texts;
import io.hotswap.core.domain.ValueTypes;
import io.hotswap.core.schema.ConfigSchemas;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Config profiles: a JSON document per service and environment with a semantic version, at most
 * 1 MB, optionally bound to one of the tenant's schemas. Checked here without state; that versions
 * increase, that a tagged version exists and that the document satisfies its schema is rollout's
 * to judge, on the profiles and schemas it owns.
 */
final class ProfileRules {

  /** Deployment strategies a profile may name as its default. */
  static final List<String> STRATEGIES = List.of("direct", "canary", "blue-green", "rolling", "ab-test");

  private ProfileRules() {}

  /** A strategy a profile may have, in canonical form (lower case); 400 otherwise. */
  static String strategy(String requested) {
    String strategy = requested == null ? null : requested.toLowerCase(Locale.ROOT);
    if (!STRATEGIES.contains(strategy)) {
      throw Rejection.badRequest("invalid-strategy", "strategy must be one of " + STRATEGIES + " (got '"
          + Texts.abbreviate(requested) + "')", "strategy");
    }
    return strategy;
  }

  static void create(Command command) {
    ProfilePayload p = require(command);
    p.setVersion(SemVer.parse(p.getVersion(), "version").toString());
    if (p.getDocument() == null) {
      throw Rejection.badRequest("missing-document", "document (a JSON object) is required", "document");
    }
    int bytes = p.getDocument().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > ValueTypes.MAX_VALUE_BYTES) {
      throw new Rejection(413, "document-too-large", "document is " + bytes + " bytes; the limit is " + ValueTypes.MAX_VALUE_BYTES
          + " bytes (1 MB)", "document");
    }
    io.hotswap.core.domain.Documents.requireObject(p.getDocument());
    if (p.getStrategy() != null) {
      p.setStrategy(strategy(p.getStrategy()));
    }
    if (command.getDeployment() != null) {
      // the version goes live by this plan (checked and completed here, as for a key's deployment)
      command.setDeployment(io.hotswap.core.deploy.DeploymentMachine.plan(command.getDeployment()));
    }
    tags(p.getTags());
  }

  static void tag(Command command) {
    ProfilePayload p = require(command);
    SemVer version = SemVer.parse(p.getVersion(), "version");
    p.setVersion(version.toString());
    if (p.getTags() == null) {
      throw Rejection.badRequest("missing-tags", "tags are required, e.g. [\"stable\"]", "tags");
    }
    tags(p.getTags());
  }

  private static ProfilePayload require(Command command) {
    ProfilePayload p = command.getProfile();
    if (p == null) {
      throw Rejection.badRequest("missing-profile", "profile commands need a profile payload", "profile");
    }
    ConfigSchemas.requireName(p.getService(), "service");
    p.setEnvironment(Environments.require(p.getEnvironment()));
    return p;
  }

  static void tags(List<String> tags) {
    if (tags == null) {
      return;
    }
    for (String t : tags) {
      if (t == null || t.isBlank() || t.length() > 64) {
        throw Rejection.badRequest("invalid-tag", "tags must be 1 to 64 characters", "tags");
      }
    }
  }
}
