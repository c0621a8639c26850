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

  CatalogApplier(KeyValueStore<String, ConfigSchema> schemas, KeyValueStore<String, ConfigProfile> profiles) {
    this.schemas = schemas;
    this.profiles = profiles;
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
    schemas.put(storeKey, next);
    out.add(new Output(Output.Kind.SCHEMA, StoreKeys.schemaVersion(tenant, s.getName(), next.getVersion()), next, null));
    out.add(new Output(Output.Kind.AUDIT, tenant, AuditEvents.of(command, approved ? AuditEventType.SCHEMA_APPROVED : AuditEventType.SCHEMA_REGISTERED,
        null, null, next.getSchemaId(), previous == null ? null : previous.getSchemaJson(), next.getSchemaJson(), next.getVersion(), now), null));
    return CommandResults.applied(command, approved ? 200 : 201, next.getSchemaId(), next.getVersion(), ChangeApplier.STAGE, now);
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
    if (latest != null && version.compareTo(SemVer.parse(latest.getVersion(), "version")) <= 0) {
      throw Rejection.conflict("version-not-increasing", "version " + version + " of profile '" + profileId
          + "' must be greater than the current " + latest.getVersion(), "version");
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
    out.add(new Output(Output.Kind.LIVE, StoreKeys.live(tenant, StoreKeys.liveProfileKey(p.getService())), LiveConfig.newBuilder()
        .setTenantId(tenant)
        .setEnvironment(p.getEnvironment())
        .setKey(StoreKeys.liveProfileKey(p.getService()))
        .setValue(created.getDocument())
        .setValueType(ValueType.JSON)
        .setVersion(created.getRevision())
        .setUpdatedAt(now)
        .setKind(LiveKind.PROFILE)
        .setSemver(created.getVersion())
        .build(), p.getEnvironment()));
    out.add(new Output(Output.Kind.AUDIT, tenant, AuditEvents.of(command,
        p.getRolledBackFrom() == null ? AuditEventType.PROFILE_CREATED : AuditEventType.PROFILE_ROLLED_BACK, p.getEnvironment(), null,
        profileId + "@" + version, latest == null ? null : latest.getDocument(), created.getDocument(), created.getRevision(), now), null));
    return CommandResults.applied(command, 201, profileId, created.getRevision(), ChangeApplier.STAGE, now);
  }
}
