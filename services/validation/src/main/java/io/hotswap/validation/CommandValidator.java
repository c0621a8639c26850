package io.hotswap.validation;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.Outcome;
import io.hotswap.avro.Tenant;
import io.hotswap.avro.TenantPayload;
import io.hotswap.avro.TenantStatus;
import io.hotswap.avro.Tier;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Batches;
import io.hotswap.core.domain.ConfigKeys;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Quotas;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.domain.ValueTypes;
import io.hotswap.core.stream.CommandResults;
import io.hotswap.core.stream.RememberedOutcomes;
import io.hotswap.core.stream.UndoLog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Judges every command against the rules and the validation service's own view of each tenant
 * (status, quotas, live keys and their types). Commands arrive in order per tenant (the topic is
 * keyed by tenant), so the view is exact as long as what passes here is applied downstream.
 *
 * <p>A command id seen before is answered as it was the first time (Idempotency-Key).
 */
final class CommandValidator implements Processor<String, Command, String, Decision> {

  static final String STAGE = "validation";

  private final Duration idempotencyWindow;
  private ProcessorContext<String, Decision> context;
  private KeyValueStore<String, Tenant> tenants;
  private KeyValueStore<String, String> keys;
  private KeyValueStore<String, Long> counts;
  private RememberedOutcomes seen;
  private SchemaRules schemaRules;
  private ProfileRules profileRules;
  /** Undoes what a batch's items recorded in the key, count and value views when one of them is rejected. */
  private final UndoLog undo = new UndoLog();

  CommandValidator(Duration idempotencyWindow) {
    this.idempotencyWindow = idempotencyWindow;
  }

  @Override
  public void init(ProcessorContext<String, Decision> context) {
    this.context = context;
    this.tenants = context.getStateStore(ValidationTopology.TENANTS_STORE);
    this.keys = undo.track(context.getStateStore(ValidationTopology.KEYS_STORE));
    this.counts = undo.track(context.getStateStore(ValidationTopology.COUNTS_STORE));
    this.seen = new RememberedOutcomes(context.getStateStore(ValidationTopology.OUTCOMES_STORE), idempotencyWindow);
    this.schemaRules = new SchemaRules(context.getStateStore(ValidationTopology.SCHEMAS_STORE),
        context.getStateStore(ValidationTopology.PENDING_STORE), keys, undo.track(context.getStateStore(ValidationTopology.VALUES_STORE)));
    this.profileRules = new ProfileRules(context.getStateStore(ValidationTopology.PROFILES_STORE), schemaRules);
  }

  @Override
  public void process(Record<String, Command> record) {
    Command command = record.value();
    if (command == null) {
      return;
    }
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    CommandResult previous = seen.get(command.getCommandId(), now.toEpochMilli());
    if (previous != null) {
      context.forward(record.withValue(previous.getOutcome() == Outcome.REJECTED ? Decision.reject(previous) : Decision.pass(command)));
      return;
    }
    Decision decision;
    try {
      validateAndRecord(command);
      seen.put(command.getCommandId(), CommandResults.forwarded(command, STAGE, now), now.toEpochMilli());
      decision = Decision.pass(command);
    } catch (Rejection rejection) {
      CommandResult result = CommandResults.rejected(command, rejection, STAGE, now);
      seen.put(command.getCommandId(), result, now.toEpochMilli());
      decision = Decision.reject(result);
    }
    context.forward(record.withValue(decision));
  }

  private void validateAndRecord(Command command) {
    TenantIds.require(command.getTenantId());
    if (command.getActor() == null || command.getActor().isBlank()) {
      throw Rejection.badRequest("missing-actor", "every change needs an authenticated actor", "actor");
    }
    switch (command.getType()) {
      case TENANT_CREATE -> createTenant(command);
      case TENANT_UPDATE -> updateTenant(command);
      case TENANT_DELETE -> deleteTenant(command);
      case CONFIG_CREATE -> createConfig(command);
      case CONFIG_UPDATE -> updateConfig(command);
      case CONFIG_DELETE -> deleteConfig(command);
      case CONFIG_BATCH -> batch(command);
      case PIPELINE_PROBE -> { } // changes nothing; passes on so that rollout answers it
      case TENANT_KEY_ROTATE -> rotateKey(command);
      case CONFIG_PROMOTE -> promote(command);
      case DEPLOYMENT_START -> {
        // the candidate value passes the same checks as an update; the plan is checked (and completed) here too
        requireDeployment(command);
        command.setDeployment(io.hotswap.core.deploy.DeploymentMachine.plan(command.getDeployment()));
        updateConfig(command);
      }
      case APPROVAL_APPROVE, APPROVAL_REJECT -> {
        existingTenant(command.getTenantId());
        if (command.getApprovalId() == null || command.getApprovalId().isBlank()) {
          throw Rejection.badRequest("missing-approval-id", "a decision names its approval", "approvalId");
        }
      }
      case DEPLOYMENT_PAUSE, DEPLOYMENT_RESUME, DEPLOYMENT_ROLLBACK, DEPLOYMENT_HEALTH, DEPLOYMENT_COMPLETE -> {
        existingTenant(command.getTenantId());
        if (requireDeployment(command).getHealth() == null && command.getType() == io.hotswap.avro.CommandType.DEPLOYMENT_HEALTH) {
          throw Rejection.badRequest("missing-health", "a health report is required", "health");
        }
      }
      case SCHEMA_REGISTER, SCHEMA_APPROVE, SCHEMA_REJECT, PROFILE_CREATE, PROFILE_TAG -> {
        activeTenant(command.getTenantId());
        switch (command.getType()) {
          case SCHEMA_REGISTER -> schemaRules.register(command, command.getIssuedAt());
          case PROFILE_CREATE -> profileRules.create(command);
          case PROFILE_TAG -> profileRules.tag(command);
          default -> schemaRules.decide(command);
        }
      }
      default -> throw Rejection.badRequest("unknown-command", "command type " + command.getType() + " is not supported", "type");
    }
  }

  private void createTenant(Command command) {
    Tenant existing = tenants.get(command.getTenantId());
    if (existing != null) {
      throw Rejection.conflict("tenant-exists", "tenant '" + command.getTenantId() + "' already exists"
          + (existing.getStatus() == TenantStatus.DELETED ? " (deleted; ids are not reused)" : ""), "tenantId");
    }
    TenantPayload p = Objects.requireNonNullElseGet(command.getTenant(), () -> TenantPayload.newBuilder().build());
    Tier tier = p.getTier() == null ? Tier.FREE : p.getTier();
    int maxConfigs = positive(p.getMaxConfigs(), Quotas.defaultMaxConfigs(tier), "maxConfigs");
    int maxEnvironments = positive(p.getMaxEnvironments(), Quotas.defaultMaxEnvironments(tier), "maxEnvironments");
    if (maxEnvironments > 4) {
      throw Rejection.unprocessable("invalid-quota", "maxEnvironments can be at most 4", "maxEnvironments");
    }
    List<String> guarded = p.getGuardedEnvironments() == null ? List.copyOf(Environments.GUARDED_BY_DEFAULT_ORDERED)
        : guardedEnvironments(p.getGuardedEnvironments());
    p.setGuardedEnvironments(guarded);
    p.setApprovalLevels(approvalLevels(p.getApprovalLevels(), 1));
    p.setApprovalTimeoutMs(approvalTimeout(p.getApprovalTimeoutMs(), Duration.ofHours(24).toMillis()));
    tenants.put(command.getTenantId(), Tenant.newBuilder()
        .setTenantId(command.getTenantId())
        .setGuardedEnvironments(guarded)
        .setApprovalLevels(p.getApprovalLevels())
        .setApprovalTimeoutMs(p.getApprovalTimeoutMs())
        .setName(p.getName() == null ? command.getTenantId() : p.getName())
        .setTier(tier)
        .setStatus(TenantStatus.ACTIVE)
        .setMaxConfigs(maxConfigs)
        .setMaxEnvironments(maxEnvironments)
        .setVersion(1)
        .setCreatedAt(command.getIssuedAt())
        .setUpdatedAt(command.getIssuedAt())
        .setUpdatedBy(command.getActor())
        .build());
  }

  private void updateTenant(Command command) {
    Tenant tenant = existingTenant(command.getTenantId());
    if (tenant.getStatus() == TenantStatus.DELETED) {
      throw Rejection.conflict("tenant-deleted", "tenant '" + tenant.getTenantId() + "' is deleted and cannot change", "tenantId");
    }
    TenantPayload p = Objects.requireNonNullElseGet(command.getTenant(), () -> TenantPayload.newBuilder().build());
    if (p.getStatus() == TenantStatus.DELETED) {
      throw Rejection.badRequest("invalid-status", "use DELETE to delete a tenant; status may be ACTIVE or SUSPENDED", "status");
    }
    Tier tier = p.getTier() == null ? tenant.getTier() : p.getTier();
    int maxConfigs = positive(p.getMaxConfigs(), p.getTier() == null ? tenant.getMaxConfigs() : Quotas.defaultMaxConfigs(tier), "maxConfigs");
    int maxEnvironments = positive(p.getMaxEnvironments(), p.getTier() == null ? tenant.getMaxEnvironments() : Quotas.defaultMaxEnvironments(tier), "maxEnvironments");
    if (maxEnvironments > 4) {
      throw Rejection.unprocessable("invalid-quota", "maxEnvironments can be at most 4", "maxEnvironments");
    }
    if (p.getGuardedEnvironments() != null) {
      p.setGuardedEnvironments(guardedEnvironments(p.getGuardedEnvironments()));
    }
    p.setApprovalLevels(approvalLevels(p.getApprovalLevels(), tenant.getApprovalLevels()));
    p.setApprovalTimeoutMs(approvalTimeout(p.getApprovalTimeoutMs(), tenant.getApprovalTimeoutMs()));
    Tenant updated = Tenant.newBuilder(tenant)
        .setGuardedEnvironments(p.getGuardedEnvironments() == null ? tenant.getGuardedEnvironments() : p.getGuardedEnvironments())
        .setApprovalLevels(p.getApprovalLevels())
        .setApprovalTimeoutMs(p.getApprovalTimeoutMs())
        .setName(p.getName() == null ? tenant.getName() : p.getName())
        .setTier(tier)
        .setStatus(p.getStatus() == null ? tenant.getStatus() : p.getStatus())
        .setMaxConfigs(maxConfigs)
        .setMaxEnvironments(maxEnvironments)
        .setVersion(tenant.getVersion() + 1)
        .build();
    tenants.put(tenant.getTenantId(), updated);
  }

  private void deleteTenant(Command command) {
    Tenant tenant = existingTenant(command.getTenantId());
    if (tenant.getStatus() == TenantStatus.DELETED) {
      throw Rejection.notFound("tenant-not-found", "tenant '" + tenant.getTenantId() + "' does not exist", "tenantId");
    }
    tenants.put(tenant.getTenantId(), Tenant.newBuilder(tenant).setStatus(TenantStatus.DELETED).setVersion(tenant.getVersion() + 1).build());
  }

  /** Distinct approvers a held change needs: 1 to 3. */
  private static int approvalLevels(Integer requested, int current) {
    int levels = requested == null ? current : requested;
    if (levels < 1 || levels > 3) {
      throw Rejection.unprocessable("invalid-approval-policy", "approvalLevels must be 1, 2 or 3 (got " + levels + ")", "approvalLevels");
    }
    return levels;
  }

  /** How long a held change may wait: 1 second to 30 days. */
  private static long approvalTimeout(Long requested, long current) {
    long ms = requested == null ? current : requested;
    if (ms < 1000 || ms > Duration.ofDays(30).toMillis()) {
      throw Rejection.unprocessable("invalid-approval-policy", "approvalTimeout must be between 1 second and 30 days", "approvalTimeout");
    }
    return ms;
  }

  /** The approval policy: known environments, canonical names, each once, in promotion order. */
  private static List<String> guardedEnvironments(List<String> requested) {
    java.util.Set<String> canonical = new java.util.HashSet<>();
    for (String env : requested) {
      canonical.add(Environments.require(env));
    }
    return io.hotswap.core.kafka.Topics.ENVIRONMENTS.stream().filter(canonical::contains).toList();
  }

  private void createConfig(Command command) {
    Tenant tenant = activeTenant(command.getTenantId());
    ConfigPayload c = requireConfig(command);
    if (c.getValueType() == null) {
      throw Rejection.badRequest("invalid-type", "type is required: one of String, Number, Boolean, Json, Secret", "type");
    }
    ValueTypes.check(c.getValueType(), c.getValue());
    requireSealedSecret(c.getValueType(), c.getValue());
    String storeKey = StoreKeys.config(command.getTenantId(), c.getEnvironment(), c.getKey());
    c.setValue(schemaRules.check(command.getTenantId(), c.getKey(), c.getValueType(), c.getValue()));
    if (keys.get(storeKey) != null) {
      throw Rejection.conflict("config-exists", "key '" + c.getKey() + "' already exists in " + c.getEnvironment()
          + " for tenant '" + command.getTenantId() + "'; update it with PUT", "key");
    }
    long count = Objects.requireNonNullElse(counts.get(command.getTenantId()), 0L);
    if (count >= tenant.getMaxConfigs()) {
      throw Rejection.unprocessable("quota-exceeded", "tenant '" + command.getTenantId() + "' has reached its quota of "
          + tenant.getMaxConfigs() + " configuration keys", "key");
    }
    if (!environmentInUse(command.getTenantId(), c.getEnvironment()) && environmentsInUse(command.getTenantId()) >= tenant.getMaxEnvironments()) {
      throw Rejection.unprocessable("quota-exceeded", "tenant '" + command.getTenantId() + "' may use at most "
          + tenant.getMaxEnvironments() + " environments", "environment");
    }
    keys.put(storeKey, c.getValueType().name());
    schemaRules.remember(storeKey, c.getValueType(), c.getValue());
    counts.put(command.getTenantId(), count + 1);
  }

  /**
   * Checks and records each item as the single change it stands for, in order (an item sees the
   * ones before it), then keeps all of it or — when any item broke a rule — none of it, answering
   * with every bad item. UPSERT items are resolved here to CREATE or UPDATE, so what passes on
   * says exactly what was checked.
   */
  private void batch(Command command) {
    activeTenant(command.getTenantId());
    Batches.allOrNothing(Batches.require(command), undo, (i, item) -> {
      if (item.getConfig() == null) {
        throw Rejection.badRequest("missing-config", "an item needs a key and a value", "key");
      }
      ConfigPayload c = requireConfig(Batches.item(command, item, io.hotswap.avro.CommandType.CONFIG_CREATE));
      boolean exists = keys.get(StoreKeys.config(command.getTenantId(), c.getEnvironment(), c.getKey())) != null;
      Command one = Batches.item(command, item, Batches.type(item.getOp(), exists));
      switch (one.getType()) {
        case CONFIG_CREATE -> createConfig(one);
        case CONFIG_UPDATE -> updateConfig(one);
        default -> deleteConfig(one);
      }
      item.setOp(Batches.op(one.getType()));
      item.setConfig(one.getConfig());
    });
  }

  /**
   * A promotion copies a value forward into the target environment. Into a guarded environment it
   * is marked for approval and not recorded here: it changes nothing until approved.
   */
  private void promote(Command command) {
    Tenant tenant = activeTenant(command.getTenantId());
    ConfigPayload c = requireConfig(command);
    String from = c.getPromotedFrom() == null ? null : c.getPromotedFrom().toLowerCase(java.util.Locale.ROOT);
    if (!Environments.isKnown(from) || Environments.order(from) >= Environments.order(c.getEnvironment())) {
      throw Rejection.badRequest("invalid-promotion", "promotion goes forward only (development → qa → staging → production): "
          + from + " → " + c.getEnvironment() + " is not forward", "targetEnvironment");
    }
    if (c.getValueType() == null) {
      throw Rejection.badRequest("invalid-type", "a promotion carries the value's type", "type");
    }
    ValueTypes.check(c.getValueType(), c.getValue());
    requireSealedSecret(c.getValueType(), c.getValue());
    String storeKey = StoreKeys.config(command.getTenantId(), c.getEnvironment(), c.getKey());
    c.setValue(schemaRules.check(command.getTenantId(), c.getKey(), c.getValueType(), c.getValue()));
    boolean exists = keys.get(storeKey) != null;
    long count = Objects.requireNonNullElse(counts.get(command.getTenantId()), 0L);
    if (!exists && count >= tenant.getMaxConfigs()) {
      throw Rejection.unprocessable("quota-exceeded", "tenant '" + command.getTenantId() + "' has reached its quota of "
          + tenant.getMaxConfigs() + " configuration keys", "key");
    }
    if (tenant.getGuardedEnvironments().contains(c.getEnvironment()) && command.getApprovalId() == null) {
      // held; checked again, against the state of that moment, when approval releases it
      command.setApprovalRequired(true);
      command.setApprovalLevels(tenant.getApprovalLevels());
      command.setApprovalTimeoutMs(tenant.getApprovalTimeoutMs());
      return;
    }
    keys.put(storeKey, c.getValueType().name());
    schemaRules.remember(storeKey, c.getValueType(), c.getValue());
    if (!exists) {
      counts.put(command.getTenantId(), count + 1);
    }
  }

  private void rotateKey(Command command) {
    activeTenant(command.getTenantId());
    if (command.getKey() == null || command.getKey().getWrappedKey() == null || command.getKey().getWrappedKey().remaining() < 60) {
      throw Rejection.badRequest("invalid-key", "a key rotation needs a wrapped 256-bit data key", "key");
    }
  }

  /** Secrets arrive sealed by the gateway; clear text must never reach a topic. */
  private static void requireSealedSecret(ValueType type, String value) {
    if (type == ValueType.SECRET && !io.hotswap.core.security.Envelope.isSealed(value)) {
      throw Rejection.unprocessable("secret-not-encrypted", "a Secret value must be encrypted by the gateway before it is sent", "value");
    }
  }

  private void updateConfig(Command command) {
    activeTenant(command.getTenantId());
    ConfigPayload c = requireConfig(command);
    String storeKey = StoreKeys.config(command.getTenantId(), c.getEnvironment(), c.getKey());
    ValueType declared = existingType(storeKey, command, c);
    ValueType type = c.getValueType() == null ? declared : c.getValueType();
    ValueTypes.check(type, c.getValue());
    requireSealedSecret(type, c.getValue());
    c.setValue(schemaRules.check(command.getTenantId(), c.getKey(), type, c.getValue()));
    keys.put(storeKey, type.name());
    schemaRules.remember(storeKey, type, c.getValue());
  }

  private void deleteConfig(Command command) {
    Tenant tenant = existingTenant(command.getTenantId());
    if (tenant.getStatus() != TenantStatus.ACTIVE) {
      throw Rejection.conflict("tenant-not-active", "tenant '" + tenant.getTenantId() + "' is " + tenant.getStatus().name().toLowerCase()
          + " and cannot change configuration", "tenantId");
    }
    ConfigPayload c = requireConfig(command);
    String storeKey = StoreKeys.config(command.getTenantId(), c.getEnvironment(), c.getKey());
    existingType(storeKey, command, c);
    keys.delete(storeKey);
    schemaRules.forget(storeKey);
    counts.put(command.getTenantId(), Math.max(0, Objects.requireNonNullElse(counts.get(command.getTenantId()), 1L) - 1));
  }

  private ValueType existingType(String storeKey, Command command, ConfigPayload c) {
    String declared = keys.get(storeKey);
    if (declared == null) {
      throw Rejection.notFound("config-not-found", "No configuration with id '"
          + StoreKeys.configId(command.getTenantId(), c.getEnvironment(), c.getKey()) + "'", "configId");
    }
    return ValueType.valueOf(declared);
  }

  private boolean environmentInUse(String tenant, String environment) {
    try (var it = keys.prefixScan(StoreKeys.environmentPrefix(tenant, environment), org.apache.kafka.common.serialization.Serdes.String().serializer())) {
      return it.hasNext();
    }
  }

  private long environmentsInUse(String tenant) {
    return io.hotswap.core.kafka.Topics.ENVIRONMENTS.stream().filter(env -> environmentInUse(tenant, env)).count();
  }

  private static io.hotswap.avro.DeploymentPayload requireDeployment(Command command) {
    if (command.getDeployment() == null || command.getDeployment().getDeploymentId() == null
        || !command.getDeployment().getDeploymentId().matches("[a-z0-9][a-z0-9-]{0,63}")) {
      throw Rejection.badRequest("missing-deployment", "deployment commands need a deployment payload with a valid id", "deployment");
    }
    return command.getDeployment();
  }

  private ConfigPayload requireConfig(Command command) {
    ConfigPayload c = command.getConfig();
    if (c == null) {
      throw Rejection.badRequest("missing-config", "configuration commands need a config payload", "config");
    }
    ConfigKeys.require(c.getKey());
    c.setEnvironment(Environments.require(c.getEnvironment()));
    return c;
  }

  private Tenant existingTenant(String tenantId) {
    Tenant tenant = tenants.get(tenantId);
    if (tenant == null) {
      throw Rejection.notFound("tenant-not-found", "tenant '" + tenantId + "' does not exist", "tenantId");
    }
    return tenant;
  }

  private Tenant activeTenant(String tenantId) {
    Tenant tenant = existingTenant(tenantId);
    if (tenant.getStatus() == TenantStatus.DELETED) {
      throw Rejection.notFound("tenant-not-found", "tenant '" + tenantId + "' does not exist", "tenantId");
    }
    if (tenant.getStatus() != TenantStatus.ACTIVE) {
      throw Rejection.conflict("tenant-not-active", "tenant '" + tenantId + "' is " + tenant.getStatus().name().toLowerCase()
          + " and cannot change configuration", "tenantId");
    }
    return tenant;
  }

  private static int positive(Integer value, int fallback, String field) {
    if (value == null) {
      return fallback;
    }
    if (value < 1) {
      throw Rejection.unprocessable("invalid-quota", field + " must be at least 1 (got " + value + ")", field);
    }
    return value;
  }
}
