package io.hotswap.approval;

import io.hotswap.avro.ApprovalRequest;
import io.hotswap.avro.ApprovalStatus;
import io.hotswap.avro.ApprovalVote;
import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.Outcome;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.stream.AuditEvents;
import io.hotswap.core.stream.CommandResults;
import io.hotswap.core.stream.CommandProcessor;
import io.hotswap.core.stream.RememberedOutcomes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Holds changes to guarded environments until enough distinct approvers approve them (the
 * tenant's policy, 1–3, never the requester), one approver rejects them, or their time runs out.
 * An approved change is released onto {@code commands} with its approval id, so validation checks
 * it again against the state at that moment (quota, schema, key) before it is applied.
 *
 * <p>Every decision leaves, in the task's transaction, the request's new state on
 * {@code approvals}, an audit event and the decision's result; retried decisions (same command id)
 * are answered as the first time.
 */
final class ApprovalGate extends CommandProcessor<ApprovalGate.Out> {

  static final String STAGE = "approval";

  @Override
  protected String stage() {
    return STAGE;
  }
  static final String SYSTEM_ACTOR = "hotswap-approval";

  /** What leaves the gate, and where to. */
  record Out(Kind kind, String key, Object value) {
    enum Kind { CHANGE, RELEASED, APPROVAL, RESULT, AUDIT }
  }

  private final Duration checkPeriod;
  private KeyValueStore<String, ApprovalRequest> pending;

  ApprovalGate(Duration checkPeriod, Duration idempotencyWindow) {
    super(ApprovalTopology.OUTCOMES_STORE, idempotencyWindow);
    this.checkPeriod = checkPeriod;
  }

  @Override
  protected void start(ProcessorContext<String, Out> context) {
    this.pending = context.getStateStore(ApprovalTopology.PENDING_STORE);
    context.schedule(checkPeriod, PunctuationType.WALL_CLOCK_TIME, ts -> {
      Instant now = Instant.ofEpochMilli(ts);
      expire(now).forEach(o -> context.forward(new Record<>(o.key(), o, ts)));
    });
  }

  @Override
  protected void process(Record<String, Command> record, Command command, Instant now) {
    List<Out> out = new ArrayList<>();
    if (command.getType() == CommandType.APPROVAL_APPROVE || command.getType() == CommandType.APPROVAL_REJECT) {
      RememberedOutcomes.Answer answer = outcomes.answer(command, now, STAGE, () -> decide(command, now, out));
      if (answer.freshlyRejected()) {
        out.clear();
      }
      out.add(new Out(Out.Kind.RESULT, answer.result().getCommandId(), answer.result()));
    } else if (outcomes.get(command, now.toEpochMilli()) instanceof CommandResult first) {
      // the retry of a change held here (an Idempotency-Key, a retried schema version): answered as
      // the first delivery was, and not held again — that would reset its approvals and audit a
      // second request
      out.add(new Out(Out.Kind.RESULT, command.getCommandId(), first));
    } else if (command.getApprovalRequired()) {
      hold(command, now, out);
    } else {
      // an Admin's decision on a held schema version, the readiness probe — and, from a validation
      // of before it sent plain changes straight to rollout, any change still on the topic
      out.add(new Out(Out.Kind.CHANGE, record.key(), command));
      if (command.getSchemaChange() != null && command.getSchemaChange().getApprovalId() != null) {
        // an Admin approved or rejected a held schema version: its request is decided
        out.add(new Out(Out.Kind.APPROVAL, command.getSchemaChange().getApprovalId(), ApprovalTopology.decided(command)));
      }
    }
    out.forEach(o -> context.forward(record.withKey(o.key()).withValue(o)));
  }

  private void hold(Command command, Instant now, List<Out> out) {
    ApprovalRequest request = ApprovalTopology.request(command);
    boolean change = command.getSchemaChange() == null;
    if (change) {
      request.setChangeHash(io.hotswap.core.domain.ApprovalPolicy.changeHash(command));
      // held changes are decided here; held schema versions by an Admin through the schema registry
      request.setRequiredApprovals(command.getApprovalLevels() == null ? 1 : command.getApprovalLevels());
      long timeout = command.getApprovalTimeoutMs() == null ? Duration.ofHours(24).toMillis() : command.getApprovalTimeoutMs();
      request.setExpiresAt(command.getIssuedAt().plusMillis(timeout));
      pending.put(request.getApprovalId(), request);
      out.add(new Out(Out.Kind.AUDIT, command.getTenantId(), audit(command, AuditEventType.APPROVAL_REQUESTED, request,
          "needs " + request.getRequiredApprovals() + " approval(s) by " + request.getExpiresAt(), now)));
    }
    out.add(new Out(Out.Kind.APPROVAL, request.getApprovalId(), request));
    CommandResult pendingResult = ApprovalTopology.pending(command);
    outcomes.put(command, pendingResult, now.toEpochMilli());
    out.add(new Out(Out.Kind.RESULT, command.getCommandId(), pendingResult));
  }

  private CommandResult decide(Command decision, Instant now, List<Out> out) {
    String id = decision.getApprovalId();
    ApprovalRequest request = id == null ? null : pending.get(id);
    if (request == null || !request.getTenantId().equals(decision.getTenantId())) {
      throw Rejection.notFound("approval-not-pending", "No pending approval with id '" + id + "' (it may be decided or expired already)",
          "approvalId");
    }
    String actor = decision.getActor();
    String comment = decision.getDecision() == null ? null : decision.getDecision().getComment();
    ApprovalRequest next = ApprovalRequest.newBuilder(request).setRevision(request.getRevision() + 1).build();
    AuditEventType type;
    String detail;
    if (decision.getType() == CommandType.APPROVAL_REJECT) {
      next.setStatus(ApprovalStatus.REJECTED);
      next.setDecidedBy(actor);
      next.setDecidedAt(now);
      next.setComment(comment);
      type = AuditEventType.CHANGE_REJECTED;
      detail = "rejected by " + actor + (comment == null ? "" : ": " + comment);
    } else {
      if (actor.equals(request.getRequestedBy())) {
        throw Rejection.conflict("self-approval", "'" + actor + "' requested this change and cannot approve it; it needs "
            + request.getRequiredApprovals() + " other approver(s)", "approvalId");
      }
      String named = decision.getDecision() == null ? null : decision.getDecision().getChangeHash();
      if (named != null && !named.equalsIgnoreCase(request.getChangeHash())) {
        // the approver reviewed another change than the one this approval releases
        throw Rejection.conflict("approval-change-mismatch", "approval '" + id + "' releases the change with hash " + request.getChangeHash()
            + ", not " + io.hotswap.core.domain.Texts.abbreviate(named) + "; read the approval again and approve what it holds", "changeHash");
      }
      if (request.getApprovals().stream().anyMatch(v -> v.getApprover().equals(actor))) {
        throw Rejection.conflict("already-approved", "'" + actor + "' approved this change already; it needs a distinct approver", "approvalId");
      }
      List<ApprovalVote> votes = new ArrayList<>(request.getApprovals());
      votes.add(ApprovalVote.newBuilder().setApprover(actor).setDecidedAt(now).setComment(comment).build());
      next.setApprovals(votes);
      boolean approved = votes.size() >= request.getRequiredApprovals();
      if (approved) {
        next.setStatus(ApprovalStatus.APPROVED);
        next.setDecidedBy(actor);
        next.setDecidedAt(now);
        type = AuditEventType.CHANGE_APPROVED;
      } else {
        type = AuditEventType.APPROVAL_GRANTED;
      }
      detail = "approval " + votes.size() + " of " + request.getRequiredApprovals() + " by " + actor + (comment == null ? "" : ": " + comment);
    }
    if (next.getStatus() == ApprovalStatus.PENDING) {
      pending.put(id, next);
    } else {
      pending.delete(id);
    }
    out.add(new Out(Out.Kind.APPROVAL, id, next));
    out.add(new Out(Out.Kind.AUDIT, decision.getTenantId(), audit(decision, type, next, detail, now)));
    if (next.getStatus() == ApprovalStatus.APPROVED) {
      Command released = Command.newBuilder(next.getCommand())
          .setCommandId(id + "-approved")
          .setApprovalRequired(false)
          .setApprovalId(id)
          .build();
      out.add(new Out(Out.Kind.RELEASED, released.getTenantId(), released));
    }
    return CommandResults.applied(decision, 200, id, next.getRevision(), STAGE, now);
  }

  /** Pending requests whose time ran out become EXPIRED (the change is dropped), each audited. */
  private List<Out> expire(Instant now) {
    List<ApprovalRequest> expired = new ArrayList<>();
    try (var it = pending.all()) {
      it.forEachRemaining(kv -> {
        if (kv.value.getExpiresAt() != null && !now.isBefore(kv.value.getExpiresAt())) {
          expired.add(kv.value);
        }
      });
    }
    List<Out> out = new ArrayList<>();
    for (ApprovalRequest r : expired) {
      ApprovalRequest next = ApprovalRequest.newBuilder(r).setStatus(ApprovalStatus.EXPIRED).setDecidedBy(SYSTEM_ACTOR).setDecidedAt(now)
          .setComment("not approved within its time (" + r.getApprovals().size() + " of " + r.getRequiredApprovals() + " approvals)")
          .setRevision(r.getRevision() + 1).build();
      pending.delete(r.getApprovalId());
      out.add(new Out(Out.Kind.APPROVAL, r.getApprovalId(), next));
      Command cause = Command.newBuilder(r.getCommand()).setCommandId(r.getApprovalId() + "-expired").setActor(SYSTEM_ACTOR).build();
      out.add(new Out(Out.Kind.AUDIT, r.getTenantId(), audit(cause, AuditEventType.APPROVAL_EXPIRED, next, next.getComment(), now)));
    }
    return out;
  }

  /** Audit events of approvals name the change (environment, key, approval id) and never its value. */
  private static AuditEvent audit(Command cause, AuditEventType type, ApprovalRequest request, String detail, Instant now) {
    Command held = request.getCommand();
    String key = held.getConfig() != null ? held.getConfig().getKey()
        : held.getProfile() != null ? held.getProfile().getService() : null;
    AuditEvent event = AuditEvents.of(cause, type, request.getEnvironment(), key, request.getApprovalId(), null, null, request.getRevision(), now);
    event.setDetail(detail);
    event.setEventId(cause.getCommandId() + "-a" + request.getRevision());
    return event;
  }

  static String configId(ApprovalRequest r) {
    var c = r.getCommand().getConfig();
    return c == null ? null : StoreKeys.configId(r.getTenantId(), c.getEnvironment(), c.getKey());
  }
}
