package io.hotswap.gateway.approval;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.hotswap.avro.ApprovalRequest;
import io.hotswap.avro.ConfigPayload;
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
                           String requestedBy, Instant requestedAt, int requiredApprovals, List<Vote> approvals, Instant expiresAt,
                           String decidedBy, Instant decidedAt, String comment, long revision, Release release) {

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
    return new ApprovalView(approvalId, tenantId, kind, environment, status, change, requestedBy, requestedAt, requiredApprovals, approvals,
        expiresAt, decidedBy, decidedAt, comment, revision, r);
  }

  /** The held configuration change. */
  public record Change(String configId, String key, String type, JsonNode value, String promotedFrom, Long promotedFromVersion) {}

  /** One approval. */
  public record Vote(String approver, Instant decidedAt, String comment) {}

  static ApprovalView of(ApprovalRequest r) {
    ConfigPayload c = r.getCommand().getConfig();
    boolean schema = r.getCommand().getSchemaChange() != null;
    Change change = schema || c == null ? null : new Change(StoreKeys.configId(r.getTenantId(), c.getEnvironment(), c.getKey()), c.getKey(),
        c.getValueType() == null ? null : ValueTypes.display(c.getValueType()),
        c.getValueType() == null ? null : ConfigView.typed(c.getValueType(), c.getValue()), c.getPromotedFrom(), c.getPromotedFromVersion());
    return new ApprovalView(r.getApprovalId(), r.getTenantId(), schema ? "schema-version" : "promotion", r.getEnvironment().isEmpty() ? null : r.getEnvironment(),
        r.getStatus().name().toLowerCase(Locale.ROOT), change, r.getRequestedBy(), r.getRequestedAt(), r.getRequiredApprovals(),
        r.getApprovals().stream().map(v -> new Vote(v.getApprover(), v.getDecidedAt(), v.getComment())).toList(), r.getExpiresAt(),
        r.getDecidedBy(), r.getDecidedAt(), r.getComment(), r.getRevision(), null);
  }
}
