package io.hotswap.validation;

import io.hotswap.avro.BatchOp;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.Outcome;
import io.hotswap.avro.TenantPayload;
import io.hotswap.avro.TenantStatus;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Batches;
import io.hotswap.core.domain.ConfigKeys;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.domain.ValueTypes;
import io.hotswap.core.stream.CommandProcessor;
import io.hotswap.core.stream.CommandResults;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Judges every command on what needs no state — ids, actors, keys, environments, types, values,
 * payload ranges, plans — and holds a schema version that breaks stored values for an Admin (a
 * promotion into a guarded environment comes marked for approval by the gateway). Everything that
 * depends on the platform's facts (does the tenant exist and is it active, does the key exist, its
 * version, the quotas, the schemas in force) is rollout's to judge, in the transaction that applies
 * the change: validation keeps no copy of those facts that could disagree with rollout's.
 *
 * <p>A command id seen before is answered as it was the first time (Idempotency-Key): a refusal
 * from memory, a pass by the same checks again (see {@link #judgedOnState}).
 */
final class CommandValidator extends CommandProcessor<Decision> {

  static final String STAGE = "validation";

  @Override
  protected String stage() {
    return STAGE;
  }

  private SchemaRules schemaRules;

  private final io.hotswap.protocol.AvroSerde<io.hotswap.avro.ConfigEntry> entries;

  CommandValidator(Duration idempotencyWindow, io.hotswap.protocol.AvroSerde<io.hotswap.avro.ConfigEntry> entries) {
    super(ValidationTopology.OUTCOMES_STORE, idempotencyWindow);
    this.entries = entries;
  }

  @Override
  protected void start(ProcessorContext<String, Decision> context) {
    this.schemaRules = new SchemaRules(context.getStateStore(ValidationTopology.SCHEMAS_VIEW),
        context.getStateStore(ValidationTopology.PENDING_STORE), context.getStateStore(ValidationTopology.CONFIG_VIEW), entries);
  }

  @Override
  protected void process(Record<String, Command> record, Command command, Instant now) {
    CommandResult remembered = outcomes.get(command, now.toEpochMilli());
    if (remembered != null) {
      context.forward(record.withValue(remembered.getOutcome() == Outcome.REJECTED ? Decision.reject(remembered) : Decision.passedBefore(command)));
      return;
    }
    try {
      validate(command);
    } catch (Rejection rejection) {
      CommandResult rejected = CommandResults.rejected(command, rejection, STAGE, now);
      outcomes.put(command, rejected, now.toEpochMilli());
      context.forward(record.withValue(Decision.reject(rejected)));
      return;
    }
    if (judgedOnState(command)) {
      outcomes.put(command, CommandResults.forwarded(command, STAGE, now), now.toEpochMilli());
    }
    context.forward(record.withValue(Decision.pass(command)));
  }

  /**
   * Whether a pass depends on what this stage holds (the schema registry's versions and pending
   * changes) rather than on the command alone. Only those passes are remembered: every other
   * check here is a function of the command, so a retry of a passed command passes again, and
   * rollout answers it from its own memory. That spares the outcome store — and its changelog, a
   * record in the broker — on every write that passes; a refusal is still remembered, so a retry
   * gets the very answer (and time) the first delivery got. (A retry that comes after an upgrade
   * that made this stage's checks stricter may be refused where the first delivery passed.)
   */
  private static boolean judgedOnState(Command command) {
    return switch (command.getType()) {
      case SCHEMA_REGISTER, SCHEMA_APPROVE, SCHEMA_REJECT -> true;
      default -> false;
    };
  }

  private void validate(Command command) {
    if (command.getType() == io.hotswap.avro.CommandType.PLUGIN_REGISTER || command.getType() == io.hotswap.avro.CommandType.PLUGIN_DEPRECATE) {
      plugin(command);
      return;
    }
    TenantIds.require(command.getTenantId());
    if (command.getActor() == null || command.getActor().isBlank()) {
      throw Rejection.badRequest("missing-actor", "every change needs an authenticated actor", "actor");
    }
    switch (command.getType()) {
      case TENANT_CREATE, TENANT_UPDATE -> tenantPayload(command);
      case TENANT_DELETE, PIPELINE_PROBE -> { } // rollout judges whether the tenant exists; a probe changes nothing
      case CONFIG_CREATE -> {
        ConfigPayload c = requireConfig(command);
        if (c.getValueType() == null) {
          throw Rejection.badRequest("invalid-type", "type is required: one of String, Number, Boolean, Json, Secret", "type");
        }
        value(c);
      }
      case CONFIG_UPDATE -> value(requireConfig(command));
      case CONFIG_DELETE -> requireConfig(command);
      case CONFIG_BATCH -> batch(command);
      case TENANT_KEY_ROTATE -> rotateKey(command);
      case CONFIG_PROMOTE -> promote(command);
      case DEPLOYMENT_START -> {
        // the candidate value passes the same checks as an update; the plan is checked (and completed) here too
        requireDeployment(command);
        command.setDeployment(io.hotswap.core.deploy.DeploymentMachine.plan(command.getDeployment()));
        value(requireConfig(command));
      }
      case APPROVAL_APPROVE, APPROVAL_REJECT -> {
        if (command.getApprovalId() == null || command.getApprovalId().isBlank()) {
          throw Rejection.badRequest("missing-approval-id", "a decision names its approval", "approvalId");
        }
      }
      case DEPLOYMENT_PAUSE, DEPLOYMENT_RESUME, DEPLOYMENT_ROLLBACK, DEPLOYMENT_HEALTH, DEPLOYMENT_COMPLETE -> {
        if (requireDeployment(command).getHealth() == null && command.getType() == io.hotswap.avro.CommandType.DEPLOYMENT_HEALTH) {
          throw Rejection.badRequest("missing-health", "a health report is required", "health");
        }
      }
      case SCHEMA_REGISTER -> schemaRules.register(command, command.getIssuedAt());
      case SCHEMA_APPROVE, SCHEMA_REJECT -> schemaRules.decide(command);
      case PROFILE_CREATE -> ProfileRules.create(command);
      case PROFILE_TAG -> ProfileRules.tag(command);
      default -> throw Rejection.badRequest("unknown-command", "command type " + command.getType() + " is not supported", "type");
    }
  }

  /**
   * The plugin registry is the platform's, not a tenant's: its commands carry tenant {@code *}
   * (a tenant's own plugin names its owner in the payload).
   * What a version depends on in the registry (newer than the last, dependencies resolvable) is
   * rollout's to judge.
   */
  private static void plugin(Command command) {
    if (!io.hotswap.core.deploy.WaveMachine.ALL_TENANTS.equals(command.getTenantId())) {
      throw Rejection.badRequest("invalid-tenant-id", "plugin registry commands belong to the platform (tenant *)", "tenantId");
    }
    if (command.getActor() == null || command.getActor().isBlank()) {
      throw Rejection.badRequest("missing-actor", "every change needs an authenticated actor", "actor");
    }
    io.hotswap.avro.PluginPayload p = command.getPlugin();
    if (p == null) {
      throw Rejection.badRequest("missing-plugin", "plugin commands need a plugin payload", "plugin");
    }
    if (command.getType() == io.hotswap.avro.CommandType.PLUGIN_REGISTER) {
      io.hotswap.core.plugin.PluginVersions.requireRegistration(p);
      if (p.getTenantId() != null) {
        io.hotswap.core.domain.TenantIds.require(p.getTenantId());
      }
    } else {
      io.hotswap.core.plugin.PluginVersions.requireId(p.getPluginId(), "pluginId");
      io.hotswap.core.domain.SemVer.parse(p.getVersion(), "version");
    }
  }

  /** A tenant's settings as asked for: known tier, quotas and approval policy in range, guarded environments in canonical form. */
  private static void tenantPayload(Command command) {
    TenantPayload p = command.getTenant();
    if (p == null) {
      return;
    }
    if (p.getStatus() == TenantStatus.DELETED) {
      throw Rejection.badRequest("invalid-status", "use DELETE to delete a tenant; status may be ACTIVE or SUSPENDED", "status");
    }
    positive(p.getMaxConfigs(), "maxConfigs");
    positive(p.getMaxEnvironments(), "maxEnvironments");
    if (p.getMaxEnvironments() != null && p.getMaxEnvironments() > 4) {
      throw Rejection.unprocessable("invalid-quota", "maxEnvironments can be at most 4", "maxEnvironments");
    }
    if (p.getGuardedEnvironments() != null) {
      p.setGuardedEnvironments(guardedEnvironments(p.getGuardedEnvironments()));
    }
    approvalLevels(p.getApprovalLevels());
    if (p.getApprovalLevelsByEnvironment() != null) {
      // canonical environment ids, each 1-3 approvers
      java.util.Map<String, Integer> levels = new java.util.TreeMap<>();
      p.getApprovalLevelsByEnvironment().forEach((env, n) -> {
        approvalLevels(n);
        levels.put(Environments.require(env), n);
      });
      p.setApprovalLevelsByEnvironment(levels);
    }
    if (p.getDefaultStrategies() != null) {
      // canonical environment ids and strategy names, each a strategy a profile may have
      java.util.Map<String, String> strategies = new java.util.TreeMap<>();
      p.getDefaultStrategies().forEach((env, strategy) -> strategies.put(Environments.require(env), ProfileRules.strategy(strategy)));
      p.setDefaultStrategies(strategies);
    }
    if (p.getPluginPublishers() != null) {
      p.setPluginPublishers(io.hotswap.core.plugin.PluginVersions.requirePublishers(p.getPluginPublishers(), "pluginPublishers"));
    }
    approvalTimeout(p.getApprovalTimeoutMs());
  }

  /** Distinct approvers a held change needs: 1 to 3. */
  private static void approvalLevels(Integer levels) {
    if (levels != null && (levels < 1 || levels > 3)) {
      throw Rejection.unprocessable("invalid-approval-policy", "approvalLevels must be 1, 2 or 3 (got " + levels + ")", "approvalLevels");
    }
  }

  /** How long a held change may wait: 1 second to 30 days. */
  private static void approvalTimeout(Long ms) {
    if (ms != null && (ms < 1000 || ms > Duration.ofDays(30).toMillis())) {
      throw Rejection.unprocessable("invalid-approval-policy", "approvalTimeout must be between 1 second and 30 days", "approvalTimeout");
    }
  }

  /** The approval policy: known environments, canonical names, each once, in promotion order. */
  private static List<String> guardedEnvironments(List<String> requested) {
    java.util.Set<String> canonical = new java.util.HashSet<>();
    for (String env : requested) {
      canonical.add(Environments.require(env));
    }
    return io.hotswap.protocol.Topics.ENVIRONMENTS.stream().filter(canonical::contains).toList();
  }

  /** A value with its declared type checked against it; a value of an update without a type is checked by rollout, which knows the key's type. */
  private static void value(ConfigPayload c) {
    if (io.hotswap.protocol.PluginAssignment.pluginOf(c.getKey()) != null) {
      pluginAssignment(c);
    }
    if (c.getValueType() != null) {
      ValueTypes.check(c.getValueType(), c.getValue());
      requireSealedSecret(c.getValueType(), c.getValue());
    }
  }

  /** A plugin assignment (key {@code plugin:<id>}, written by the gateway from the registry) is a JSON document of its own form. */
  private static void pluginAssignment(ConfigPayload c) {
    if (c.getValueType() != null && c.getValueType() != ValueType.JSON) {
      throw Rejection.badRequest("invalid-plugin-assignment", "a plugin assignment is a Json value", "type");
    }
    if (c.getValue() == null) {
      throw Rejection.badRequest("missing-value", "value is required", "value");
    }
    try {
      io.hotswap.protocol.PluginAssignment.parse(c.getKey(), c.getValue());
    } catch (IllegalArgumentException e) {
      throw Rejection.badRequest("invalid-plugin-assignment", e.getMessage(), "value");
    }
  }

  /**
   * Checks each item as the single change it stands for; a batch with any bad item is rejected
   * whole, answering with every bad item. Whether an upsert creates or updates is rollout's to say.
   */
  private static void batch(Command command) {
    Batches.allOrNothing(Batches.require(command), null, (i, item) -> {
      if (item.getConfig() == null) {
        throw Rejection.badRequest("missing-config", "an item needs a key and a value", "key");
      }
      ConfigPayload c = requireConfig(Batches.item(command, item, io.hotswap.avro.CommandType.CONFIG_CREATE));
      if (item.getOp() == BatchOp.CREATE && c.getValueType() == null) {
        throw Rejection.badRequest("invalid-type", "type is required: one of String, Number, Boolean, Json, Secret", "type");
      }
      if (item.getOp() != BatchOp.DELETE) {
        value(c);
      }
      item.setConfig(c);
    });
  }

  /**
   * A promotion copies a value forward into the target environment, forward only. Whether it
   * waits for approval the gateway marked on it (on the tenant as it shows it to the caller);
   * rollout refuses an unmarked promotion into an environment the tenant guards.
   */
  private static void promote(Command command) {
    ConfigPayload c = requireConfig(command);
    String from = c.getPromotedFrom() == null ? null : c.getPromotedFrom().toLowerCase(java.util.Locale.ROOT);
    if (!Environments.isKnown(from) || Environments.order(from) >= Environments.order(c.getEnvironment())) {
      throw Rejection.badRequest("invalid-promotion", "promotion goes forward only (development → qa → staging → production): "
          + from + " → " + c.getEnvironment() + " is not forward", "targetEnvironment");
    }
    if (c.getValueType() == null) {
      throw Rejection.badRequest("invalid-type", "a promotion carries the value's type", "type");
    }
    value(c);
  }

  private static void rotateKey(Command command) {
    if (command.getKey() == null || command.getKey().getWrappedKey() == null || command.getKey().getWrappedKey().remaining() < 60) {
      throw Rejection.badRequest("invalid-key", "a key rotation needs a wrapped 256-bit data key", "key");
    }
  }

  /** Secrets arrive sealed by the gateway; clear text must never reach a topic. */
  private static void requireSealedSecret(ValueType type, String value) {
    if (type == ValueType.SECRET && !io.hotswap.protocol.Envelope.isSealed(value)) {
      throw Rejection.unprocessable("secret-not-encrypted", "a Secret value must be encrypted by the gateway before it is sent", "value");
    }
  }

  private static io.hotswap.avro.DeploymentPayload requireDeployment(Command command) {
    if (command.getDeployment() == null || command.getDeployment().getDeploymentId() == null
        || !command.getDeployment().getDeploymentId().matches("[a-z0-9][a-z0-9-]{0,63}")) {
      throw Rejection.badRequest("missing-deployment", "deployment commands need a deployment payload with a valid id", "deployment");
    }
    return command.getDeployment();
  }

  private static ConfigPayload requireConfig(Command command) {
    ConfigPayload c = command.getConfig();
    if (c == null) {
      throw Rejection.badRequest("missing-config", "configuration commands need a config payload", "config");
    }
    if (io.hotswap.protocol.PluginAssignment.pluginOf(c.getKey()) == null) { // plugin:<id> is the one key form with ':'
      ConfigKeys.require(c.getKey());
    }
    c.setEnvironment(Environments.require(c.getEnvironment()));
    return c;
  }

  private static void positive(Integer value, String field) {
    if (value != null && value < 1) {
      throw Rejection.unprocessable("invalid-quota", field + " must be at least 1 (got " + value + ")", field);
    }
  }
}
