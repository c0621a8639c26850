package io.hotswap.validation;

import io.hotswap.avro.Command;
import io.hotswap.avro.ConfigSchema;
import io.hotswap.avro.ProfilePayload;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.SemVer;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.Texts;
import io.hotswap.core.domain.ValueTypes;
import io.hotswap.core.json.Json;
import io.hotswap.core.schema.ConfigSchemas;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.streams.state.KeyValueStore;
import tools.jackson.databind.JsonNode;

/**
 * Config profiles: a JSON document per service and environment with strictly increasing semantic
 * versions, at most 1 MB, optionally bound to one of the tenant's schemas. The store holds, per
 * profile, the latest version ({@code tenant|service.env}) and every version ({@code ...|semver}).
 */
final class ProfileRules {

  /** Deployment strategies a profile may name as its default. */
  static final List<String> STRATEGIES = List.of("direct", "canary", "blue-green", "rolling", "ab-test");

  private final KeyValueStore<String, String> profiles;
  private final SchemaRules schemas;

  ProfileRules(KeyValueStore<String, String> profiles, SchemaRules schemas) {
    this.profiles = profiles;
    this.schemas = schemas;
  }

  void create(Command command) {
    ProfilePayload p = require(command);
    String tenant = command.getTenantId();
    SemVer version = SemVer.parse(p.getVersion(), "version");
    p.setVersion(version.toString());
    String latestKey = StoreKeys.profile(tenant, p.getService(), p.getEnvironment());
    String latest = profiles.get(latestKey);
    if (latest != null && version.compareTo(SemVer.fromSortable(latest)) <= 0) {
      throw Rejection.conflict("version-not-increasing", "version " + version + " of profile '"
          + StoreKeys.profileId(tenant, p.getService(), p.getEnvironment()) + "' must be greater than the current "
          + SemVer.fromSortable(latest), "version");
    }
    if (p.getDocument() == null) {
      throw Rejection.badRequest("missing-document", "document (a JSON object) is required", "document");
    }
    int bytes = p.getDocument().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > ValueTypes.MAX_VALUE_BYTES) {
      throw new Rejection(413, "document-too-large", "document is " + bytes + " bytes; the limit is " + ValueTypes.MAX_VALUE_BYTES
          + " bytes (1 MB)", "document");
    }
    JsonNode document = io.hotswap.core.domain.Documents.requireObject(p.getDocument());
    if (p.getStrategy() != null) {
      String strategy = p.getStrategy().toLowerCase(Locale.ROOT);
      if (!STRATEGIES.contains(strategy)) {
        throw Rejection.badRequest("invalid-strategy", "strategy must be one of " + STRATEGIES + " (got '"
            + Texts.abbreviate(p.getStrategy()) + "')", "strategy");
      }
      p.setStrategy(strategy);
    }
    tags(p.getTags());
    if (p.getSchemaId() != null) {
      ConfigSchema schema = schemas.named(tenant, p.getSchemaId());
      if (schema == null) {
        throw Rejection.unprocessable("schema-not-found", "tenant '" + tenant + "' has no schema '"
            + Texts.abbreviate(p.getSchemaId()) + "'", "schemaId");
      }
      JsonNode withDefaults = ConfigSchemas.applyDefaults(schema.getSchemaJson(), document);
      List<String> errors = ConfigSchemas.validate(schema.getSchemaJson(), withDefaults);
      if (!errors.isEmpty()) {
        throw new Rejection(422, "schema-violation", "document does not satisfy schema '" + schema.getName() + "' v"
            + schema.getVersion() + ": " + errors.get(0), "document").withErrors(errors);
      }
      if (!withDefaults.equals(document)) {
        p.setDocument(Json.MAPPER.writeValueAsString(withDefaults));
      }
    }
    profiles.put(latestKey, version.sortable());
    profiles.put(StoreKeys.profileVersion(tenant, p.getService(), p.getEnvironment(), version), version.toString());
  }

  void tag(Command command) {
    ProfilePayload p = require(command);
    SemVer version = SemVer.parse(p.getVersion(), "version");
    p.setVersion(version.toString());
    if (profiles.get(StoreKeys.profileVersion(command.getTenantId(), p.getService(), p.getEnvironment(), version)) == null) {
      throw Rejection.notFound("version-not-found", "profile '" + StoreKeys.profileId(command.getTenantId(), p.getService(), p.getEnvironment())
          + "' has no version " + version, "version");
    }
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
