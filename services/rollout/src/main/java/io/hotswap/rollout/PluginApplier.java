package io.hotswap.rollout;

import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.PluginPayload;
import io.hotswap.avro.PluginVersion;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.SemVer;
import io.hotswap.core.plugin.PluginVersions;
import io.hotswap.core.stream.AuditEvents;
import io.hotswap.core.stream.CommandResults;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies the plugin registry's commands: the single writer of {@code hotswap.plugins.v1}. Every
 * registry command carries tenant {@code *}, so one task holds the whole registry and judges each
 * new version against all the others in its transaction: strictly newer than the plugin's newest,
 * its dependencies resolvable among the registered versions (the chain named when not). The
 * binary itself was checked and stored by the gateway before the command was sent; here it is a
 * checksum and an object key.
 */
final class PluginApplier {

  private final KeyValueStore<String, PluginVersion> plugins;

  PluginApplier(KeyValueStore<String, PluginVersion> plugins) {
    this.plugins = plugins;
  }

  CommandResult apply(Command command, Instant now, List<Output> out) {
    return command.getType() == CommandType.PLUGIN_REGISTER ? register(command, now, out) : deprecate(command, now, out);
  }

  private CommandResult register(Command command, Instant now, List<Output> out) {
    PluginPayload p = command.getPlugin();
    String id = p.getPluginId();
    SemVer version = SemVer.parse(p.getVersion(), "version");
    List<PluginVersion> versions = versions(id);
    PluginVersion newest = PluginVersions.newest(versions);
    PluginVersions.requireSameOwner(id, p.getTenantId(), versions);
    PluginVersions.requireNewer(id, version.toString(), versions);
    PluginVersion created = PluginVersions.registered(command, now);
    PluginVersions.resolve(PluginVersions.manifest(created), PluginVersions.dependableBy(created.getTenantId(), all()));
    String key = PluginVersions.key(id, created.getVersion());
    plugins.put(key, created);
    out.add(new Output(Output.Kind.PLUGIN, key, created, null));
    String coordinates = PluginVersions.coordinates(id, created.getVersion());
    io.hotswap.avro.AuditEvent event = AuditEvents.of(command, AuditEventType.PLUGIN_REGISTERED, null, null, coordinates,
        newest == null ? null : newest.getVersion(), created.getVersion(), versions.size() + 1L, now);
    event.setDetail("sha256 " + created.getSha256() + ", " + created.getSize() + " bytes, signed by " + created.getPublisher()
        + (created.getDependencies().isEmpty() ? "" : ", needs " + String.join(", ", created.getDependencies()))
        + (created.getTenantId() == null ? "" : ", owned by tenant " + created.getTenantId()));
    out.add(new Output(Output.Kind.AUDIT, command.getTenantId(), event, null));
    if (created.getTenantId() != null) {
      // a tenant's own plugin is in its own audit trail too, where its people look
      out.add(new Output(Output.Kind.AUDIT, created.getTenantId(), io.hotswap.avro.AuditEvent.newBuilder(event)
          .setTenantId(created.getTenantId()).setEventId(command.getCommandId() + "-t").build(), null));
    }
    return CommandResults.applied(command, 201, coordinates, versions.size() + 1L, ChangeApplier.STAGE, now);
  }

  private CommandResult deprecate(Command command, Instant now, List<Output> out) {
    PluginPayload p = command.getPlugin();
    String key = PluginVersions.key(p.getPluginId(), p.getVersion());
    PluginVersion current = plugins.get(key);
    if (current == null) {
      throw Rejection.notFound("plugin-version-not-found", "plugin '" + p.getPluginId() + "' has no version " + p.getVersion(), "version");
    }
    List<String> runningIn = p.getRunningIn().stream().distinct().sorted().toList();
    PluginVersion deprecated = PluginVersion.newBuilder(current).setDeprecated(true).setDeprecationReason(p.getReason())
        .setDeprecationNotified(runningIn).setUpdatedAt(now).setCommandId(command.getCommandId()).build();
    plugins.put(key, deprecated);
    out.add(new Output(Output.Kind.PLUGIN, key, deprecated, null));
    String coordinates = PluginVersions.coordinates(current.getPluginId(), current.getVersion());
    long ordinal = versions(current.getPluginId()).size();
    io.hotswap.avro.AuditEvent event = AuditEvents.of(command, AuditEventType.PLUGIN_DEPRECATED, null, null, coordinates, null, null, ordinal, now);
    event.setDetail(p.getReason());
    out.add(new Output(Output.Kind.AUDIT, command.getTenantId(), event, null));
    // each tenant that runs the version finds the deprecation in its own audit trail, per environment
    for (String where : runningIn) {
      int slash = where.indexOf('/');
      String tenant = slash < 0 ? where : where.substring(0, slash);
      String env = slash < 0 ? null : where.substring(slash + 1);
      out.add(new Output(Output.Kind.AUDIT, tenant, io.hotswap.avro.AuditEvent.newBuilder(event).setTenantId(tenant).setEnvironment(env)
          .setKey(io.hotswap.protocol.PluginAssignment.key(current.getPluginId())).setEventId(command.getCommandId() + "-" + where).setDetail(p.getReason() + " (you run it in " + env + ")").build(), null));
    }
    return CommandResults.applied(command, 200, coordinates, ordinal, ChangeApplier.STAGE, now);
  }

  private List<PluginVersion> versions(String pluginId) {
    List<PluginVersion> out = new ArrayList<>();
    try (KeyValueIterator<String, PluginVersion> it = plugins.prefixScan(PluginVersions.prefix(pluginId), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> out.add(kv.value));
    }
    return out;
  }

  /** The whole registry: a few hundred versions at most, read for a registration only. */
  private List<PluginVersion> all() {
    List<PluginVersion> out = new ArrayList<>();
    try (KeyValueIterator<String, PluginVersion> it = plugins.all()) {
      it.forEachRemaining(kv -> out.add(kv.value));
    }
    return out;
  }
}
