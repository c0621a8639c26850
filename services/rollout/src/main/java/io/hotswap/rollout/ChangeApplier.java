package io.hotswap.rollout;

import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.BatchItem;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ConfigProfile;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.ItemResult;
import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.Tenant;
import io.hotswap.avro.TenantPayload;
import io.hotswap.avro.TenantStatus;
import io.hotswap.avro.Tier;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Batches;
import io.hotswap.core.domain.Quotas;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.json.Json;
import io.hotswap.core.stream.AuditEvents;
import io.hotswap.core.stream.CommandProcessor;
import io.hotswap.core.stream.CommandResults;
import io.hotswap.core.stream.UndoLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies approved changes: the single writer of tenants, config-state, config-versions and
 * live topics. For each command it emits the new state, the version, the live record, one audit
 * event and the command's result — all in the task's exactly-once transaction, so the audit trail
 * can't miss a change and a retried command (same id) is answered, not applied twice.
 */
final class ChangeApplier extends CommandProcessor<Output> {

  static final String STAGE = "rollout";

  @Override
  protected String stage() {
    return STAGE;
  }
  static final String MASK = "******";

  private final Retention retention;
  private final DeploymentApplier.Policy deploymentPolicy;
  private DeploymentApplier deployments;
  private KeyValueStore<String, ConfigEntry> history;
  private KeyValueStore<String, ConfigEntry> configs;
  private KeyValueStore<String, Tenant> tenants;
  private KeyValueStore<String, io.hotswap.avro.TenantKey> keys;
  private CatalogApplier catalog;
  private PluginApplier plugins;
  private Usage usage;
  /** Undoes what a batch's items wrote to the current-value and history stores when one of them is rejected. */
  private final UndoLog undo = new UndoLog();
  private final RolloutMetrics metrics;

  ChangeApplier(Duration idempotencyWindow, Retention retention, DeploymentApplier.Policy deploymentPolicy, RolloutMetrics metrics) {
    super(RolloutTopology.OUTCOMES_STORE, idempotencyWindow);
    this.retention = retention;
    this.deploymentPolicy = deploymentPolicy;
    this.metrics = metrics;
  }

  @Override
  protected void start(ProcessorContext<String, Output> context) {
    this.configs = undo.track(context.getStateStore(RolloutTopology.CONFIG_STORE));
    this.tenants = context.getStateStore(RolloutTopology.TENANTS_STORE);
    this.keys = context.getStateStore(RolloutTopology.KEYS_STORE);
    this.history = undo.track(context.getStateStore(RolloutTopology.HISTORY_STORE));
    KeyValueStore<String, ConfigProfile> profiles = context.getStateStore(RolloutTopology.PROFILES_STORE);
    this.usage = new Usage(undo.track(context.getStateStore(RolloutTopology.USAGE_STORE)), configs);
    this.deployments = new DeploymentApplier(this, configs, profiles, context.getStateStore(RolloutTopology.DEPLOYMENTS_STORE),
        context.getStateStore(RolloutTopology.ACTIVE_DEPLOYMENTS_STORE), context.getStateStore(RolloutTopology.REGISTRY_GLOBAL_STORE),
        deploymentPolicy, metrics);
    this.plugins = new PluginApplier(context.getStateStore(RolloutTopology.PLUGINS_STORE));
    this.catalog = new CatalogApplier(context.getStateStore(RolloutTopology.SCHEMAS_STORE), profiles, configs, deployments);
    // bake times and the audience's health: steps and automatic rollbacks start from here, in the task's transaction like any change
    context.schedule(deploymentPolicy.tick(), PunctuationType.WALL_CLOCK_TIME, ts -> deployments.tick(Instant.ofEpochMilli(ts))
        .forEach(o -> context.forward(new Record<>(o.key(), o, ts))));
  }

  @Override
  protected void process(Record<String, Command> record, Command command, Instant now) {
    Output.answered(outcomes, command, now, STAGE, outputs -> apply(command, now, outputs))
        .forEach(o -> emit(record, o.kind(), o.key(), o.value(), o.environment()));
  }

  private void emit(Record<String, Command> record, Output.Kind kind, String key, Object value, String env) {
    context.forward(new Record<>(key, new Output(kind, key, value, env), record.timestamp(), record.headers()));
  }

  private CommandResult apply(Command command, Instant now, List<Output> out) {
    return switch (command.getType()) {
      case TENANT_CREATE, TENANT_UPDATE, TENANT_DELETE -> applyTenant(command, now, out);
      case CONFIG_CREATE, CONFIG_UPDATE, CONFIG_DELETE, CONFIG_PROMOTE -> {
        admitted(command);
        yield applyConfig(command, now, out);
      }
      case CONFIG_BATCH -> {
        admitted(command);
        yield applyBatch(command, now, out);
      }
      case PIPELINE_PROBE -> { // the end of a gateway's readiness probe: answered, nothing changed, nothing audited
        CommandResult probe = CommandResults.applied(command, 200, null, 0, STAGE, now);
        probe.setVersion(null);
        yield probe;
      }
      case TENANT_KEY_ROTATE -> rotateKey(command, now, out);
      case DEPLOYMENT_START, DEPLOYMENT_PAUSE, DEPLOYMENT_RESUME, DEPLOYMENT_ROLLBACK, DEPLOYMENT_HEALTH, DEPLOYMENT_COMPLETE -> {
        if (command.getType() == CommandType.DEPLOYMENT_START) {
          admitted(command);
        } else {
          requireTenant(tenants.get(command.getTenantId()), command.getTenantId());
        }
        yield deployments.apply(command, now, out);
      }
      case SCHEMA_REGISTER, SCHEMA_APPROVE, SCHEMA_REJECT, PROFILE_CREATE, PROFILE_TAG -> {
        admitted(command);
        yield catalog.apply(command, now, out);
      }
      case PLUGIN_REGISTER, PLUGIN_DEPRECATE -> plugins.apply(command, now, out); // the platform's registry: no tenant to admit
      default -> throw Rejection.badRequest("unknown-command", "command type " + command.getType() + " is not supported", "type");
    };
  }

  private CommandResult applyTenant(Command command, Instant now, List<Output> out) {
    String id = command.getTenantId();
    Tenant before = tenants.get(id);
    TenantPayload p = Objects.requireNonNullElseGet(command.getTenant(), () -> TenantPayload.newBuilder().build());
    Tenant after;
    AuditEventType type;
    int status;
    switch (command.getType()) {
      case TENANT_CREATE -> {
        if (before != null) {
          throw Rejection.conflict("tenant-exists", "tenant '" + id + "' already exists"
              + (before.getStatus() == TenantStatus.DELETED ? " (deleted; ids are not reused)" : ""), "tenantId");
        }
        Tier tier = p.getTier() == null ? Tier.FREE : p.getTier();
        after = Tenant.newBuilder()
            .setTenantId(id)
            .setName(p.getName() == null ? id : p.getName())
            .setTier(tier)
            .setStatus(TenantStatus.ACTIVE)
            .setMaxConfigs(p.getMaxConfigs() == null ? Quotas.defaultMaxConfigs(tier) : p.getMaxConfigs())
            .setMaxEnvironments(p.getMaxEnvironments() == null ? Quotas.defaultMaxEnvironments(tier) : p.getMaxEnvironments())
            .setVersion(1)
            .setCreatedAt(now)
            .setUpdatedAt(now)
            .setUpdatedBy(command.getActor())
            .setGuardedEnvironments(p.getGuardedEnvironments() == null ? io.hotswap.core.domain.Environments.GUARDED_BY_DEFAULT_ORDERED
                : p.getGuardedEnvironments())
            .setApprovalLevels(p.getApprovalLevels() == null ? 1 : p.getApprovalLevels())
            .setApprovalTimeoutMs(p.getApprovalTimeoutMs() == null ? java.time.Duration.ofHours(24).toMillis() : p.getApprovalTimeoutMs())
            .setApprovalLevelsByEnvironment(p.getApprovalLevelsByEnvironment() == null ? Map.of() : p.getApprovalLevelsByEnvironment())
            .setDefaultStrategies(p.getDefaultStrategies() == null ? Map.of() : p.getDefaultStrategies())
            .setPluginPublishers(p.getPluginPublishers() == null ? Map.of() : p.getPluginPublishers())
            .setAllowUnsignedPlugins(p.getAllowUnsignedPlugins() != null && p.getAllowUnsignedPlugins())
            .build();
        type = AuditEventType.TENANT_CREATED;
        status = 201;
      }
      case TENANT_UPDATE -> {
        if (before != null && before.getStatus() == TenantStatus.DELETED) {
          throw Rejection.conflict("tenant-deleted", "tenant '" + id + "' is deleted and cannot change", "tenantId");
        }
        requireTenant(before, id);
        Tier tier = p.getTier() == null ? before.getTier() : p.getTier();
        after = Tenant.newBuilder(before)
            .setName(p.getName() == null ? before.getName() : p.getName())
            .setTier(tier)
            .setStatus(p.getStatus() == null ? before.getStatus() : p.getStatus())
            .setMaxConfigs(p.getMaxConfigs() != null ? p.getMaxConfigs() : p.getTier() == null ? before.getMaxConfigs() : Quotas.defaultMaxConfigs(tier))
            .setMaxEnvironments(p.getMaxEnvironments() != null ? p.getMaxEnvironments() : p.getTier() == null ? before.getMaxEnvironments() : Quotas.defaultMaxEnvironments(tier))
            .setGuardedEnvironments(p.getGuardedEnvironments() == null ? before.getGuardedEnvironments() : p.getGuardedEnvironments())
            .setApprovalLevels(p.getApprovalLevels() == null ? before.getApprovalLevels() : p.getApprovalLevels())
            .setApprovalTimeoutMs(p.getApprovalTimeoutMs() == null ? before.getApprovalTimeoutMs() : p.getApprovalTimeoutMs())
            .setApprovalLevelsByEnvironment(p.getApprovalLevelsByEnvironment() == null ? before.getApprovalLevelsByEnvironment()
                : p.getApprovalLevelsByEnvironment())
            .setDefaultStrategies(p.getDefaultStrategies() == null ? before.getDefaultStrategies() : p.getDefaultStrategies())
            .setPluginPublishers(p.getPluginPublishers() == null ? before.getPluginPublishers() : p.getPluginPublishers())
            .setAllowUnsignedPlugins(p.getAllowUnsignedPlugins() == null ? before.getAllowUnsignedPlugins() : p.getAllowUnsignedPlugins())
            .setVersion(before.getVersion() + 1)
            .setUpdatedAt(now)
            .setUpdatedBy(command.getActor())
            .build();
        type = AuditEventType.TENANT_UPDATED;
        status = 200;
      }
      default -> {
        requireTenant(before, id);
        after = Tenant.newBuilder(before)
            .setStatus(TenantStatus.DELETED)
            .setVersion(before.getVersion() + 1)
            .setUpdatedAt(now)
            .setUpdatedBy(command.getActor())
            .build();
        type = AuditEventType.TENANT_DELETED;
        status = 200;
      }
    }
    tenants.put(id, after);
    out.add(new Output(Output.Kind.TENANT, id, after, null));
    out.add(new Output(Output.Kind.AUDIT, id, AuditEvents.of(command, type, null, null, id,
        before == null ? null : tenantJson(before), tenantJson(after), after.getVersion(), now), null));
    return CommandResults.applied(command, status, id, after.getVersion(), STAGE, now);
  }

  /** Stores a new data-key version (already wrapped by the gateway); the newest encrypts new secrets. */
  private CommandResult rotateKey(Command command, Instant now, List<Output> out) {
    String tenant = command.getTenantId();
    activeTenant(tenant);
    io.hotswap.avro.TenantKey latest = keys.get(tenant);
    int version = latest == null ? 1 : latest.getVersion() + 1;
    io.hotswap.avro.TenantKey key = io.hotswap.avro.TenantKey.newBuilder()
        .setTenantId(tenant)
        .setVersion(version)
        .setWrappedKey(command.getKey().getWrappedKey())
        .setMasterKeyId(command.getKey().getMasterKeyId())
        .setCreatedAt(now)
        .setCreatedBy(command.getActor())
        .build();
    keys.put(tenant, key);
    out.add(new Output(Output.Kind.TENANT_KEY, StoreKeys.tenantKey(tenant, version), key, null));
    out.add(new Output(Output.Kind.AUDIT, tenant, AuditEvents.of(command, AuditEventType.TENANT_KEY_ROTATED, null, null, tenant,
        latest == null ? null : "data key v" + latest.getVersion(), "data key v" + version, version, now), null));
    return CommandResults.applied(command, 201, tenant, version, STAGE, now);
  }

  /** The tenant of a change: it exists and is ACTIVE (a suspended tenant's configuration is frozen). */
  /**
   * The command's tenant, active, and its approval policy satisfied: the gateway marks a change
   * into a guarded environment for approval on the policy as it reads it, and a gateway a moment
   * behind a policy change must not let an unapproved change through.
   */
  private Tenant admitted(Command command) {
    Tenant tenant = activeTenant(command.getTenantId());
    String held = io.hotswap.core.domain.ApprovalPolicy.heldIn(command, tenant);
    if (held != null) {
      throw Rejection.conflict("approval-required", "tenant '" + tenant.getTenantId() + "' guards " + held + " since a moment ago: this "
          + "change needs approval there; send it again to have it held for one", "environment");
    }
    return tenant;
  }

  /** The environments the tenant's approval policy guards (an emergency rollback there is audited as not held). */
  List<String> guarded(String tenantId) {
    return io.hotswap.core.domain.ApprovalPolicy.guarded(tenants.get(tenantId));
  }

  Tenant activeTenant(String id) {
    Tenant tenant = tenants.get(id);
    requireTenant(tenant, id);
    if (tenant.getStatus() != TenantStatus.ACTIVE) {
      throw Rejection.conflict("tenant-not-active", "tenant '" + id + "' is " + tenant.getStatus().name().toLowerCase(java.util.Locale.ROOT)
          + " and cannot change configuration", "tenantId");
    }
    return tenant;
  }

  private static void requireTenant(Tenant tenant, String id) {
    if (tenant == null || tenant.getStatus() == TenantStatus.DELETED) {
      throw Rejection.notFound("tenant-not-found", "tenant '" + id + "' does not exist", "tenantId");
    }
  }

  /**
   * Applies every item of a batch as the change it stands for — each its own version, live record
   * and audit event — in this one transaction, or none: when an item is rejected the stores are
   * restored and the batch is answered with every bad item. Each item's audit events are numbered
   * after the item ({@code <command>-<item>-1}) so the trail keeps one event per change.
   */
  private CommandResult applyBatch(Command command, Instant now, List<Output> out) {
    List<BatchItem> items = Batches.require(command);
    List<ItemResult> results = new ArrayList<>(items.size());
    Batches.allOrNothing(items, undo, (i, item) -> {
      int first = out.size();
      ConfigEntry current = configs.get(StoreKeys.config(command.getTenantId(), item.getConfig().getEnvironment(), item.getConfig().getKey()));
      Command one = Batches.item(command, item, Batches.type(item.getOp(), current != null && !current.getDeleted()));
      CommandResult r = applyConfig(one, now, out);
      results.add(new ItemResult(r.getResourceId(), r.getVersion(), one.getType() == CommandType.CONFIG_DELETE ? 204 : r.getStatus()));
      for (Output o : out.subList(first, out.size())) {
        if (o.value() instanceof AuditEvent event) {
          event.setEventId(command.getCommandId() + "-" + (i + 1) + event.getEventId().substring(command.getCommandId().length()));
        }
      }
    });
    CommandResult result = CommandResults.applied(command, 200, command.getTenantId(), 0, STAGE, now);
    result.setVersion(null); // each item has its own
    result.setItems(results);
    return result;
  }

  private CommandResult applyConfig(Command command, Instant now, List<Output> out) {
    ConfigPayload c = command.getConfig();
    String tenant = command.getTenantId();
    String env = c.getEnvironment();
    String storeKey = StoreKeys.config(tenant, env, c.getKey());
    String configId = StoreKeys.configId(tenant, env, c.getKey());
    ConfigEntry before = configs.get(storeKey);
    boolean live = before != null && !before.getDeleted();
    deployments.requireUnlocked(storeKey);
    ConfigEntry after;
    AuditEventType type;
    int status;
    CommandType effectiveType = command.getType();
    if (effectiveType == CommandType.CONFIG_PROMOTE) {
      // a promotion creates the key in the target environment, or updates it there
      effectiveType = live ? CommandType.CONFIG_UPDATE : CommandType.CONFIG_CREATE;
    }
    switch (effectiveType) {
      case CONFIG_CREATE -> {
        if (live) {
          throw Rejection.conflict("config-exists", "key '" + c.getKey() + "' already exists in " + env
              + " for tenant '" + tenant + "'; update it with PUT", "key");
        }
        requireQuota(tenants.get(tenant), env, c.getKey());
        c.setValue(io.hotswap.protocol.PluginAssignment.carryCredentials(c.getKey(), c.getValue(), null));
        c.setValue(checkedValue(tenant, c, c.getValueType()));
        after = ConfigEntry.newBuilder()
            .setConfigId(configId)
            .setTenantId(tenant)
            .setEnvironment(env)
            .setKey(c.getKey())
            .setValue(c.getValue())
            .setValueType(c.getValueType())
            .setTags(c.getTags() == null ? List.of() : c.getTags())
            .setDescription(c.getDescription())
            .setVersion(before == null ? 1 : before.getVersion() + 1)
            .setDeleted(false)
            .setCreatedAt(now)
            .setUpdatedAt(now)
            .setUpdatedBy(command.getActor())
            .setCommandId(command.getCommandId())
            .build();
        type = command.getType() == CommandType.CONFIG_PROMOTE ? AuditEventType.CONFIG_PROMOTED : AuditEventType.CONFIG_CREATED;
        status = 201;
      }
      case CONFIG_UPDATE -> {
        requireLive(live, configId);
        checkExpectedVersion(c, before);
        c.setValue(io.hotswap.protocol.PluginAssignment.carryCredentials(c.getKey(), c.getValue(), before.getValue()));
        c.setValue(checkedValue(tenant, c, c.getValueType() == null ? before.getValueType() : c.getValueType()));
        after = ConfigEntry.newBuilder(before)
            .setValue(c.getValue())
            .setValueType(c.getValueType() == null ? before.getValueType() : c.getValueType())
            .setTags(c.getTags() == null ? before.getTags() : c.getTags())
            .setDescription(c.getDescription() == null ? before.getDescription() : c.getDescription())
            .setVersion(before.getVersion() + 1)
            .setUpdatedAt(now)
            .setUpdatedBy(command.getActor())
            .setCommandId(command.getCommandId())
            .build();
        type = command.getType() == CommandType.CONFIG_PROMOTE ? AuditEventType.CONFIG_PROMOTED
            : c.getRollbackToVersion() == null ? AuditEventType.CONFIG_UPDATED : AuditEventType.CONFIG_ROLLED_BACK;
        status = 200;
      }
      default -> {
        requireLive(live, configId);
        checkExpectedVersion(c, before);
        after = ConfigEntry.newBuilder(before)
            .setValue(null)
            .setDeleted(true)
            .setVersion(before.getVersion() + 1)
            .setUpdatedAt(now)
            .setUpdatedBy(command.getActor())
            .setCommandId(command.getCommandId())
            .build();
        type = AuditEventType.CONFIG_DELETED;
        status = 200;
      }
    }
    if (live != !after.getDeleted()) {
      usage.add(tenant, env, live ? -1 : 1);
    }
    recordVersion(after, out);
    LiveConfig liveRecord = after.getDeleted() ? null
        : live(tenant, env, after.getKey(), after.getValue(), after.getValueType(), after.getVersion(), now).build();
    out.add(new Output(Output.Kind.LIVE, StoreKeys.live(tenant, after.getKey()), liveRecord, env));
    String oldValue = live ? display(before) : null;
    out.add(new Output(Output.Kind.AUDIT, tenant, AuditEvents.of(command, type, env, c.getKey(), configId,
        oldValue, after.getDeleted() ? null : display(after), after.getVersion(), now), null));
    retain(command, after, now, out);
    return CommandResults.applied(command, status, configId, after.getVersion(), STAGE, now);
  }

  /** What clients of {@code env} receive for a key: one value for everyone (a deployment adds its rollout). */
  static LiveConfig.Builder live(String tenant, String env, String key, String value, ValueType type, long version, Instant now) {
    return LiveConfig.newBuilder().setTenantId(tenant).setEnvironment(env).setKey(key).setValue(value).setValueType(type).setVersion(version)
        .setUpdatedAt(now);
  }

  /** A new version of a key: the current-value store, config-state and config-versions. */
  void recordVersion(ConfigEntry entry, List<Output> out) {
    String key = StoreKeys.config(entry.getTenantId(), entry.getEnvironment(), entry.getKey());
    configs.put(key, entry);
    out.add(new Output(Output.Kind.CONFIG_STATE, key, entry, null));
    out.add(new Output(Output.Kind.CONFIG_VERSION, StoreKeys.version(entry.getTenantId(), entry.getEnvironment(), entry.getKey(), entry.getVersion()),
        entry, null));
  }

  /**
   * Records the new version in the key's history index and removes, from config-versions, the
   * versions the retention policy no longer keeps; the removal is audited in the same transaction.
   */
  void retain(Command command, ConfigEntry after, Instant now, List<Output> out) {
    String tenant = after.getTenantId();
    history.put(StoreKeys.version(tenant, after.getEnvironment(), after.getKey(), after.getVersion()),
        ConfigEntry.newBuilder(after).setValue(null).build());
    if (after.getVersion() == 1) {
      // a new key's only version: every policy keeps at least the last one, so there is nothing to
      // look for (versions go on counting through deletions; 1 is a key's first version ever)
      return;
    }
    List<Retention.Version> versions = new ArrayList<>();
    try (var it = history.prefixScan(StoreKeys.versionsPrefix(tenant, after.getEnvironment(), after.getKey()),
        org.apache.kafka.common.serialization.Serdes.String().serializer())) {
      it.forEachRemaining(kv -> versions.add(new Retention.Version(kv.value.getVersion(), kv.value.getTags(), kv.value.getUpdatedAt())));
    }
    List<Long> pruned = retention.prune(versions, now);
    if (pruned.isEmpty()) {
      return;
    }
    for (long v : pruned) {
      String key = StoreKeys.version(tenant, after.getEnvironment(), after.getKey(), v);
      history.delete(key);
      out.add(new Output(Output.Kind.CONFIG_VERSION, key, null, null));
    }
    AuditEvent event = AuditEvents.of(command, AuditEventType.CONFIG_VERSIONS_PRUNED, after.getEnvironment(), after.getKey(), after.getConfigId(),
        "versions " + pruned.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")), null, after.getVersion(), now);
    event.setEventId(command.getCommandId() + "-2");
    event.setActor("hotswap-retention");
    event.setNewValue("pruned by the retention policy: " + retention);
    out.add(new Output(Output.Kind.AUDIT, tenant, event, null));
  }

  /** Secrets never reach the audit trail in clear. */
  private static String display(ConfigEntry entry) {
    return entry.getValueType() == ValueType.SECRET ? MASK : entry.getValue();
  }

  /** A new key fits the tenant's quotas: keys in all, and environments in use. */
  private void requireQuota(Tenant owner, String env, String key) {
    String tenant = owner.getTenantId();
    if (usage.keys(tenant) >= owner.getMaxConfigs()) {
      throw Rejection.unprocessable("quota-exceeded", "tenant '" + tenant + "' has reached its quota of "
          + owner.getMaxConfigs() + (owner.getMaxConfigs() == 1 ? " configuration key" : " configuration keys"), "key");
    }
    if (usage.keys(tenant, env) == 0 && usage.environmentsInUse(tenant) >= owner.getMaxEnvironments()) {
      throw Rejection.unprocessable("quota-exceeded", "tenant '" + tenant + "' may use at most "
          + owner.getMaxEnvironments() + (owner.getMaxEnvironments() == 1 ? " environment" : " environments"), "environment");
    }
  }

  /**
   * The value to store: of its type (the one given, else the key's), sealed when Secret, and
   * satisfying the schema in force for the key, with the schema's defaults filled in.
   */
  String checkedValue(String tenant, ConfigPayload c, ValueType type) {
    if (type == null) {
      throw Rejection.badRequest("invalid-type", "type is required: one of String, Number, Boolean, Json, Secret", "type");
    }
    io.hotswap.core.domain.ValueTypes.check(type, c.getValue());
    if (type == ValueType.SECRET && !io.hotswap.protocol.Envelope.isSealed(c.getValue())) {
      throw Rejection.unprocessable("secret-not-encrypted", "a Secret value must be encrypted by the gateway before it is sent", "value");
    }
    return io.hotswap.core.schema.SchemaJudgments.checkValue(catalog.latestSchemas(tenant), c.getKey(), type, c.getValue());
  }

  private static void requireLive(boolean live, String configId) {
    if (!live) {
      throw Rejection.notFound("config-not-found", "No configuration with id '" + configId + "'", "configId");
    }
  }

  private static void checkExpectedVersion(ConfigPayload c, ConfigEntry current) {
    if (c.getExpectedVersion() != null && c.getExpectedVersion() != current.getVersion()) {
      throw Rejection.conflict("version-conflict", "If-Match names version " + c.getExpectedVersion()
          + " but the current version is " + current.getVersion() + "; re-read and retry", "If-Match");
    }
  }

  private static String tenantJson(Tenant t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", t.getName());
    m.put("tier", t.getTier().name());
    m.put("status", t.getStatus().name());
    m.put("maxConfigs", t.getMaxConfigs());
    m.put("maxEnvironments", t.getMaxEnvironments());
    m.put("guardedEnvironments", t.getGuardedEnvironments());
    m.put("approvalLevels", t.getApprovalLevels());
    m.put("approvalLevelsByEnvironment", new java.util.TreeMap<>(t.getApprovalLevelsByEnvironment()));
    m.put("defaultStrategies", new java.util.TreeMap<>(t.getDefaultStrategies()));
    m.put("pluginPublishers", new java.util.TreeMap<>(t.getPluginPublishers()).keySet());
    m.put("allowUnsignedPlugins", t.getAllowUnsignedPlugins());
    m.put("approvalTimeout", java.time.Duration.ofMillis(t.getApprovalTimeoutMs()).toString());
    return Json.MAPPER.writeValueAsString(m);
  }
}
