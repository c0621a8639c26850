package io.hotswap.core.domain;

import io.hotswap.avro.BatchItem;
import io.hotswap.avro.Command;
import io.hotswap.avro.Tenant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Which changes a tenant's approval policy holds: every change of state a user makes into a
 * guarded environment (create, update, delete, rollback, promotion, batch, deployment start,
 * profile version). Running deployments are steered without approval (pausing, resuming,
 * completing, rolling back: stopping harm must not wait for an approver), and so are the platform's
 * own housekeeping and changes the gateway exempts with a reason (re-sealing secrets with a new
 * data key keeps every value).
 *
 * <p>The gateway marks a change for approval on the tenant's policy as it reads it; rollout asks
 * the same question on its own copy of the policy and refuses an unmarked change that the policy
 * holds, so a gateway a moment behind a policy change never lets one through.
 */
public final class ApprovalPolicy {

  /** How long a held change waits when the tenant is not known yet (its policy then is the default one). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(24);

  private ApprovalPolicy() {}

  /**
   * The environment of {@code command} that {@code guarded} holds it for (the last in promotion
   * order when a batch touches several), or null when the command is not held: not a change of
   * state, already approved, exempted, or outside the guarded environments.
   */
  public static String heldIn(Command command, List<String> guarded) {
    if (command.getApprovalId() != null || command.getApprovalExemption() != null) {
      return null;
    }
    if (pluginDeploymentToProduction(command)) {
      return PLUGIN_GUARDED; // new code in production waits for approvers whatever the tenant's policy
    }
    return guarded.isEmpty() ? null : latest(command, guarded);
  }

  /** Where every plugin deployment waits for approvers, and how many distinct ones it needs at least. */
  static final String PLUGIN_GUARDED = "production";
  static final int PLUGIN_PRODUCTION_APPROVERS = 2;

  /** A deployment of a plugin version (key {@code plugin:<id>}) into production. */
  static boolean pluginDeploymentToProduction(Command command) {
    return command.getType() == io.hotswap.avro.CommandType.DEPLOYMENT_START && command.getConfig() != null
        && PLUGIN_GUARDED.equals(command.getConfig().getEnvironment())
        && io.hotswap.protocol.PluginAssignment.pluginOf(command.getConfig().getKey()) != null;
  }

  /** The environment a held change is for (a batch's last in promotion order); null for a command that names none. */
  public static String environmentOf(Command command) {
    return latest(command, io.hotswap.protocol.Topics.ENVIRONMENTS);
  }

  /** The last environment in promotion order among {@code among} that the change touches, or null; null for commands that are never held. */
  private static String latest(Command command, List<String> among) {
    return switch (command.getType()) {
      case CONFIG_CREATE, CONFIG_UPDATE, CONFIG_DELETE, CONFIG_PROMOTE, DEPLOYMENT_START ->
          command.getConfig() == null ? null : guardedOrNull(command.getConfig().getEnvironment(), among);
      case PROFILE_CREATE -> command.getProfile() == null ? null : guardedOrNull(command.getProfile().getEnvironment(), among);
      case CONFIG_BATCH -> {
        String held = null;
        for (BatchItem item : command.getBatch() == null ? List.<BatchItem>of() : command.getBatch()) {
          String env = item.getConfig() == null ? null : guardedOrNull(item.getConfig().getEnvironment(), among);
          if (env != null && (held == null || Environments.order(env) > Environments.order(held))) {
            held = env;
          }
        }
        yield held;
      }
      default -> null;
    };
  }

  /** {@link #heldIn} on the tenant's policy. */
  public static String heldIn(Command command, Tenant tenant) {
    return heldIn(command, guarded(tenant));
  }

  /** The environments the tenant's policy guards; a tenant not known yet has the default policy (staging, production). */
  public static List<String> guarded(Tenant tenant) {
    return tenant == null ? Environments.GUARDED_BY_DEFAULT_ORDERED : tenant.getGuardedEnvironments();
  }

  /**
   * What a held change does, as approvers and notifications name it: config-create, config-update,
   * config-rollback, config-delete, promotion, batch, deployment, profile-version, schema-version.
   */
  public static String kind(Command held) {
    return switch (held.getType()) {
      case CONFIG_CREATE -> "config-create";
      case CONFIG_UPDATE -> held.getConfig() != null && held.getConfig().getRollbackToVersion() != null ? "config-rollback" : "config-update";
      case CONFIG_DELETE -> "config-delete";
      case CONFIG_PROMOTE -> "promotion";
      case CONFIG_BATCH -> "batch";
      case DEPLOYMENT_START -> "deployment";
      case PROFILE_CREATE -> "profile-version";
      case SCHEMA_REGISTER, SCHEMA_APPROVE, SCHEMA_REJECT -> "schema-version";
      default -> held.getType().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    };
  }

  /** Approvers a change into {@code environment} needs under the tenant's policy. */
  public static int levels(Tenant tenant, String environment) {
    if (tenant == null) {
      return 1;
    }
    Integer specific = tenant.getApprovalLevelsByEnvironment().get(environment);
    return specific != null ? specific : tenant.getApprovalLevels();
  }

  /**
   * Marks {@code command} for approval when the tenant's policy holds it, with the approvers and
   * the time it may wait; returns the guarded environment, or null when it is not held.
   */
  public static String mark(Command command, Tenant tenant) {
    String env = heldIn(command, tenant);
    if (env != null) {
      command.setApprovalRequired(true);
      int levels = levels(tenant, env);
      command.setApprovalLevels(pluginDeploymentToProduction(command) ? Math.max(PLUGIN_PRODUCTION_APPROVERS, levels) : levels);
      command.setApprovalTimeoutMs(tenant == null ? DEFAULT_TIMEOUT.toMillis() : tenant.getApprovalTimeoutMs());
    }
    return env;
  }

  /**
   * Whether approval has anything to do with {@code command} once validation passed it: hold it
   * (marked for approval), decide a held change (approve, reject), record an Admin's decision on a
   * held schema version, or answer the readiness probe that proves every stage runs. Validation
   * sends everything else straight to rollout on {@code hotswap.changes.v1}: through approval it
   * would only be copied from one topic to the next, in a transaction of its own — a third of the
   * pipeline's transactions and a hop of latency for nearly every write (load-tests/RESULTS.md).
   *
   * <p>Two commands of a tenant that take different ways may reach rollout in another order than
   * validation passed them. That only happens to commands in flight together: the gateway answers
   * a change once rollout applied it, and the answer to an approval waits for the release it made.
   */
  public static boolean throughApproval(Command command) {
    return switch (command.getType()) {
      case APPROVAL_APPROVE, APPROVAL_REJECT, PIPELINE_PROBE -> true;
      default -> command.getApprovalRequired()
          || command.getSchemaChange() != null && command.getSchemaChange().getApprovalId() != null;
    };
  }

  /**
   * SHA-256 (hex) of the command exactly as it was held (its Avro encoding: ids, actor, payload,
   * the approval marking): an approval releases this change and no other.
   */
  public static String changeHash(Command held) {
    try {
      ByteBuffer bytes = held.toByteBuffer();
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(bytes);
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static String guardedOrNull(String environment, List<String> guarded) {
    return environment != null && guarded.contains(environment) ? environment : null;
  }
}
