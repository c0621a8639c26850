package io.hotswap.gateway.approval;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.hotswap.avro.ApprovalRequest;
import io.hotswap.avro.Command;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.ProfilePayload;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.ApprovalPolicy;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.ValueTypes;
import io.hotswap.gateway.config.ConfigView;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/** A held change as the API shows it: what it would change (secrets masked), who asked, who approved, where it stands. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApprovalView(String approvalId, String tenantId, String kind, String environment, String status, Change change,
                           String changeHash, String requestedBy, Instant requestedAt, int requiredApprovals, List<Vote> approvals,
                           Instant expiresAt, String decidedBy, Instant decidedAt, String comment, long revision, Release release) {

  /**
   * What became of the released change, in the answer to the approval that released it: applied
   * (with its version), rejected by validation or rollout (the key, quota or schema changed while it
   * waited: status, problem type and detail), or pending (the pipeline did not answer in time).
   */
  public record Release(String outcome, Integer status, String resourceId, Long version, String errorType, String detail) {
    static Release of(io.hotswap.avro.CommandResult r) {
      return r == null ? new Release("pending", null, null, null, null, "not applied within the gateway's command timeout; check the key shortly")
          : new Release(r.getOutcome().name().toLowerCase(Locale.ROOT), r.getStatus(), r.getResourceId(), r.getVersion(), r.getErrorType(), r.getDetail());
    }
  }

  ApprovalView withRelease(Release r) {
    return new ApprovalView(approvalId, tenantId, kind, environment, status, change, changeHash, requestedBy, requestedAt, requiredApprovals,
        approvals, expiresAt, decidedBy, decidedAt, comment, revision, r);
  }

  /**
   * The held change: the key (its new value, secrets masked; none for a deletion), where a
   * promotion comes from, the version a rollback restores; a deployment's id and strategy; a
   * profile version; a batch's item count.
   */
  public record Change(String configId, String key, String type, JsonNode value, String promotedFrom, Long promotedFromVersion,
                       Long rollbackToVersion, String deploymentId, String strategy, String profileId, String version, Integer items) {}

  /** One approval. */
  public record Vote(String approver, Instant decidedAt, String comment) {}

  static ApprovalView of(ApprovalRequest r) {
    Command held = r.getCommand();
    boolean schema = held.getSchemaChange() != null;
    return new ApprovalView(r.getApprovalId(), r.getTenantId(), ApprovalPolicy.kind(held), r.getEnvironment().isEmpty() ? null : r.getEnvironment(),
        r.getStatus().name().toLowerCase(Locale.ROOT), schema ? null : change(r.getTenantId(), held), r.getChangeHash(), r.getRequestedBy(),
        r.getRequestedAt(), r.getRequiredApprovals(),
        r.getApprovals().stream().map(v -> new Vote(v.getApprover(), v.getDecidedAt(), v.getComment())).toList(), r.getExpiresAt(),
        r.getDecidedBy(), r.getDecidedAt(), r.getComment(), r.getRevision(), null);
  }

  private static Change change(String tenantId, Command held) {
    ConfigPayload c = held.getConfig();
    ProfilePayload p = held.getProfile();
    DeploymentPayload d = held.getDeployment();
    String configId = c == null ? null : StoreKeys.configId(tenantId, c.getEnvironment(), c.getKey());
    ValueType type = c == null ? null : c.getValueType();
    JsonNode value = c == null || type == null || c.getValue() == null ? null : ConfigView.typed(type, c.getValue());
    return new Change(configId, c == null ? null : c.getKey(), type == null ? null : ValueTypes.display(type), value,
        c == null ? null : c.getPromotedFrom(), c == null ? null : c.getPromotedFromVersion(), c == null ? null : c.getRollbackToVersion(),
        d == null ? null : StoreKeys.deploymentId(tenantId, d.getDeploymentId()),
        d == null ? null : (d.getStrategy() == null ? "direct" : d.getStrategy().name().toLowerCase(Locale.ROOT)),
        p == null ? null : StoreKeys.profileId(tenantId, p.getService(), p.getEnvironment()), p == null ? null : p.getVersion(),
        held.getBatch() == null ? null : held.getBatch().size());
  }
}
