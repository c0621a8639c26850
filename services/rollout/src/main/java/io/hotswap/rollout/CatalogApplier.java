package io.hotswap.rollout;

import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigProfile;
import io.hotswap.avro.ConfigSchema;
import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.LiveKind;
import io.hotswap.avro.ProfilePayload;
import io.hotswap.avro.SchemaPayload;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.SemVer;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.schema.SchemaJudgments;
import io.hotswap.core.stream.AuditEvents;
import io.hotswap.core.stream.CommandResults;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies schema versions and config profiles: the single writer of {@code hotswap.schemas.v1} and
 * {@code hotswap.profiles.v1}. A profile's current version also lands on {@code live.<env>} (key
 * {@code tenant|profile:<service>}) for clients that serve whole documents.
 */
final class CatalogApplier {

  private final KeyValueStore<String, ConfigSchema> schemas;
  private final KeyValueStore<String, ConfigProfile> profiles;
  private final KeyValueStore<String, io.hotswap.avro.ConfigEntry> configs;
  private final DeploymentApplier deployments;

  CatalogApplier(KeyValueStore<String, ConfigSchema> schemas, KeyValueStore<String, ConfigProfile> profiles,
                 KeyValueStore<String, io.hotswap.avro.ConfigEntry> configs, DeploymentApplier deployments) {
    this.schemas = schemas;
    this.profiles = profiles;
    this.configs = configs;
    this.deployments = deployments;
  }

  /** The live record of a profile version: its document for everyone. */
  static LiveConfig.Builder live(ConfigProfile profile, Instant now) {
    return LiveConfig.newBuilder()
        .setTenantId(profile.getTenantId())
        .setEnvironment(profile.getEnvironment())
        .setKey(StoreKeys.liveProfileKey(profile.getService()))
        .setValue(profile.getDocument())
        .setValueType(ValueType.JSON)
        .setVersion(profile.getRevision())
        .setUpdatedAt(now)
        .setKind(LiveKind.PROFILE)
        .setSemver(profile.getVersion());
  }

  /** The latest version of each of the tenant's schemas: the schemas in force. */
  List<ConfigSchema> latestSchemas(String tenant) {
    List<ConfigSchema> latest = new java.util.ArrayList<>();
    try (var it = schemas.prefixScan(StoreKeys.tenantPrefix(tenant), org.apache.kafka.common.serialization.Serdes.String().serializer())) {
      it.forEachRemaining(kv -> latest.add(kv.value));
    }
    return latest;
  }

  /** The tenant's live values a schema could govern. */
  private List<SchemaJudgments.StoredValue> liveValues(String tenant) {
    List<SchemaJudgments.StoredValue> values = new java.util.ArrayList<>();
    try (var it = configs.prefixScan(StoreKeys.tenantPrefix(tenant), org.apache.kafka.common.serialization.Serdes.String().serializer())) {
      it.forEachRemaining(kv -> {
        if (!kv.value.getDeleted()) {
          values.add(new SchemaJudgments.StoredValue(kv.key, kv.value.getValueType(), kv.value.getValue()));
        }
      });
    }
    return values;
  }

  /** Schema and profile commands, for an existing tenant. */
  CommandResult apply(Command command, Instant now, List<Output> out) {
    return switch (command.getType()) {
      case SCHEMA_REGISTER, SCHEMA_APPROVE -> applySchema(command, now, out);
      case SCHEMA_REJECT -> rejectSchema(command, now, out);
      default -> applyProfile(command, now, out);
    };
  }

  /** SCHEMA_REGISTER and SCHEMA_APPROVE (a held version an Admin approved): the next version of the schema. */
  private CommandResult applySchema(Command command, Instant now, List<Output> out) {
    SchemaPayload s = command.getSchemaChange();
    String tenant = command.getTenantId();
    String storeKey = StoreKeys.schema(tenant, s.getName());
    ConfigSchema previous = schemas.get(storeKey);
    boolean approved = command.getType() == CommandType.SCHEMA_APPROVE;
    ConfigSchema next = io.hotswap.core.schema.ConfigSchemas.nextVersion(command, previous, now);
    if (!approved) {
      // validation judged this version on its view of the schemas and values, which may be a moment
      // behind; what counts is the state here (an Admin's approval, by contrast, accepts the breaks)
      SchemaJudgments.Breaks breaks = SchemaJudgments.judge(previous, next, latestSchemas(tenant), liveValues(tenant));
      if (!breaks.none() && breaks.governed() == 0) {
        throw SchemaJudgments.refused(previous, next, breaks);
      }
      if (!breaks.none()) {
        throw new Rejection(409, "schema-values-changed", "version " + next.getVersion() + " of schema '" + s.getName()
            + "' breaks values stored a moment ago: " + breaks.breaks().get(0) + "; register it again to have it held for an Admin's approval",
            "schema").withErrors(breaks.breaks());
      }
    }
    schemas.put(storeKey, next);
    out.add(new Output(Output.Kind.SCHEMA, StoreKeys.schemaVersion(tenant, s.getName(), next.getVersion()), next, null));
    out.add(new Output(Output.Kind.AUDIT, tenant, AuditEvents.of(command, approved ? AuditEventType.SCHEMA_APPROVED : AuditEventType.SCHEMA_REGISTERED,
        null, null, next.getSchemaId(), previous == null ? null : previous.getSchemaJson(), next.getSchemaJson(), next.getVersion(), now), null));
    return CommandResults.applied(command, approved ? 200 : 201, next.getSchemaId(), next.getVersion(), ChangeApplier.STAGE, now);
  }

  /** A profile's document checked against the schema it names, with the schema's defaults filled in. */
  private String boundDocument(String tenant, ProfilePayload p) {
    ConfigSchema schema = schemas.get(StoreKeys.schema(tenant, p.getSchemaId()));
    if (schema == null) {
      throw Rejection.unprocessable("schema-not-found", "tenant '" + tenant + "' has no schema '"
          + io.hotswap.core.domain.Texts.abbreviate(p.getSchemaId()) + "'", "schemaId");
    }
    tools.jackson.databind.JsonNode document = io.hotswap.core.json.Json.MAPPER.readTree(p.getDocument());
    tools.jackson.databind.JsonNode withDefaults = io.hotswap.core.schema.ConfigSchemas.applyDefaults(schema.getSchemaJson(), document);
    List<String> errors = io.hotswap.core.schema.ConfigSchemas.validate(schema.getSchemaJson(), withDefaults);
    if (!errors.isEmpty()) {
      throw new Rejection(422, "schema-violation", "document does not satisfy schema '" + schema.getName() + "' v"
          + schema.getVersion() + ": " + errors.get(0), "document").withErrors(errors);
    }
    return withDefaults.equals(document) ? p.getDocument() : io.hotswap.core.json.Json.MAPPER.writeValueAsString(withDefaults);
  }

  /** SCHEMA_REJECT: nothing changes but the audit trail, which records the version an Admin turned down. */
  private CommandResult rejectSchema(Command command, Instant now, List<Output> out) {
    SchemaPayload s = command.getSchemaChange();
    ConfigSchema current = schemas.get(StoreKeys.schema(command.getTenantId(), s.getName()));
    String schemaId = StoreKeys.schemaId(command.getTenantId(), s.getName());
    long version = current == null ? 0 : current.getVersion();
    out.add(new Output(Output.Kind.AUDIT, command.getTenantId(), AuditEvents.of(command, AuditEventType.SCHEMA_REJECTED, null, null,
        schemaId, current == null ? null : current.getSchemaJson(), s.getSchemaJson(), version, now), null));
    return CommandResults.applied(command, 200, schemaId, version, ChangeApplier.STAGE, now);
  }

  private CommandResult applyProfile(Command command, Instant now, List<Output> out) {
    ProfilePayload p = command.getProfile();
    String tenant = command.getTenantId();
    SemVer version = SemVer.parse(p.getVersion(), "version");
    String profileId = StoreKeys.profileId(tenant, p.getService(), p.getEnvironment());
    String latestKey = StoreKeys.profile(tenant, p.getService(), p.getEnvironment());
    String versionKey = StoreKeys.profileVersion(tenant, p.getService(), p.getEnvironment(), version);
    ConfigProfile latest = profiles.get(latestKey);
    if (command.getType() == CommandType.PROFILE_TAG) {
      ConfigProfile existing = profiles.get(versionKey);
      if (existing == null) {
        throw Rejection.notFound("version-not-found", "profile '" + profileId + "' has no version " + version, "version");
      }
      ConfigProfile tagged = ConfigProfile.newBuilder(existing).setTags(List.copyOf(p.getTags())).setUpdatedAt(now)
          .setCommandId(command.getCommandId()).build();
      profiles.put(versionKey, tagged);
      if (latest != null && latest.getVersion().equals(tagged.getVersion())) {
        profiles.put(latestKey, tagged);
      }
      out.add(new Output(Output.Kind.PROFILE, versionKey, tagged, null));
      out.add(new Output(Output.Kind.AUDIT, tenant, AuditEvents.of(command, AuditEventType.PROFILE_TAGGED, p.getEnvironment(), null,
          profileId + "@" + version, String.join(",", existing.getTags()), String.join(",", tagged.getTags()), tagged.getRevision(), now), null));
      return CommandResults.applied(command, 200, profileId, tagged.getRevision(), ChangeApplier.STAGE, now);
    }
    // a profile being deployed takes no other version until its deployment completes or is rolled back
    deployments.requireUnlocked(StoreKeys.config(tenant, p.getEnvironment(), StoreKeys.liveProfileKey(p.getService())));
    if (latest != null && version.compareTo(SemVer.parse(latest.getVersion(), "version")) <= 0) {
      throw Rejection.conflict("version-not-increasing", "version " + version + " of profile '" + profileId
          + "' must be greater than the current " + latest.getVersion(), "version");
    }
    if (latest == null && command.getDeployment() != null
        && io.hotswap.core.deploy.WaveMachine.isWaveDeploymentId(command.getDeployment().getDeploymentId())) {
      // a wave deployment rolls a new version out where the profile runs; a first version has nothing to roll out from
      throw Rejection.notFound("profile-not-found", "No profile '" + profileId + "' to roll a new version of out in this tenant",
          "service");
    }
    if (p.getSchemaId() != null) {
      p.setDocument(boundDocument(tenant, p));
    }
    ConfigProfile created = ConfigProfile.newBuilder()
        .setProfileId(profileId)
        .setTenantId(tenant)
        .setService(p.getService())
        .setEnvironment(p.getEnvironment())
        .setVersion(version.toString())
        .setRevision(latest == null ? 1 : latest.getRevision() + 1)
        .setDocument(p.getDocument())
        .setSchemaId(p.getSchemaId())
        .setStrategy(p.getStrategy())
        .setDescription(p.getDescription())
        .setTags(p.getTags() == null ? List.of() : List.copyOf(p.getTags()))
        .setRolledBackFrom(p.getRolledBackFrom())
        .setCreatedAt(now)
        .setCreatedBy(command.getActor())
        .setUpdatedAt(now)
        .setCommandId(command.getCommandId())
        .build();
    profiles.put(versionKey, created);
    profiles.put(latestKey, created);
    out.add(new Output(Output.Kind.PROFILE, versionKey, created, null));
    if (command.getDeployment() != null && latest != null) {
      // rolled out from the current version by its strategy, like a key's new value
      deployments.startProfile(command, latest, created, now, out);
    } else {
      // direct, or a first version (there is nothing to roll out from): everyone at once
      out.add(new Output(Output.Kind.LIVE, StoreKeys.live(tenant, StoreKeys.liveProfileKey(p.getService())), live(created, now).build(),
          p.getEnvironment()));
    }
    out.add(new Output(Output.Kind.AUDIT, tenant, AuditEvents.of(command,
        p.getRolledBackFrom() == null ? AuditEventType.PROFILE_CREATED : AuditEventType.PROFILE_ROLLED_BACK, p.getEnvironment(), null,
        profileId + "@" + version, latest == null ? null : latest.getDocument(), created.getDocument(), created.getRevision(), now), null));
    return CommandResults.applied(command, 201, profileId, created.getRevision(), ChangeApplier.STAGE, now);
  }
}
