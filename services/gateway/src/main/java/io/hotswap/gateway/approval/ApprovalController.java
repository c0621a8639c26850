package io.hotswap.gateway.approval;

import io.hotswap.avro.ApprovalDecision;
import io.hotswap.avro.ApprovalRequest;
import io.hotswap.avro.ApprovalStatus;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.domain.Texts;
import io.hotswap.gateway.pipeline.CommandGateway;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.reads.Page;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.reads.Waits;
import io.hotswap.gateway.security.TenantScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Changes held for approval: every change into the environments a tenant's policy guards
 * (creates, updates, deletions, rollbacks, promotions, batches, deployment starts, profile
 * versions), each bound to the hash of exactly what was held. A change
 * needs the policy's number of distinct approvers (1–3), none of them its requester; one rejection
 * drops it; one not decided within the policy's timeout expires. Approving the last level releases
 * the change, which is validated again and applied. Every step is audited.
 */
@RestController
@RequestMapping("/api/v1/approvals")
class ApprovalController {

  private final CommandGateway commands;
  private final Writes writes;
  private final StoreRouter router;
  private final TenantScope scope;
  private final Duration readYourWritesWait;

  ApprovalController(CommandGateway commands, Writes writes, StoreRouter router, TenantScope scope, Duration readYourWritesWait) {
    this.commands = commands;
    this.writes = writes;
    this.router = router;
    this.scope = scope;
    this.readYourWritesWait = readYourWritesWait;
  }

  /**
   * A decision's optional comment (audited), and the held change's hash as the approver read it
   * ({@code changeHash} of the approval): when given, the approval is refused (409) unless it
   * releases exactly that change.
   */
  record Decision(String comment, String changeHash) {}

  @GetMapping
  Page<ApprovalView> list(@RequestParam(required = false) String tenantId, @RequestParam(required = false) String status,
                          @RequestParam(required = false) String environment, @RequestParam(defaultValue = "0") int page,
                          @RequestParam(defaultValue = "50") int size, HttpServletRequest request, HttpServletResponse response) {
    if (tenantId != null) {
      scope.visibleTenant(TenantIds.require(tenantId));
    }
    Page.check(page, size);
    ApprovalStatus wanted = Texts.parse(ApprovalStatus.class, status, "status");
    String env = environment == null ? null : Environments.require(environment);
    List<ApprovalView> items = new ArrayList<>();
    try (KeyValueIterator<String, ApprovalRequest> it = store().all()) {
      it.forEachRemaining(kv -> {
        ApprovalRequest r = kv.value;
        if (r != null && scope.canSee(r.getTenantId()) && (tenantId == null || r.getTenantId().equals(tenantId))
            && (wanted == null || r.getStatus() == wanted) && (env == null || r.getEnvironment().equals(env))) {
          items.add(ApprovalView.of(r));
        }
      });
    }
    items.sort(Comparator.comparing(ApprovalView::requestedAt).reversed());
    return Page.of(items, page, size);
  }

  @GetMapping("/{approvalId}")
  ResponseEntity<ApprovalView> get(@PathVariable String approvalId) {
    ApprovalRequest r = visible(approvalId);
    return ResponseEntity.ok().eTag(Long.toString(r.getRevision())).body(ApprovalView.of(r));
  }

  @PostMapping("/{approvalId}/approve")
  ResponseEntity<ApprovalView> approve(@PathVariable String approvalId, @RequestBody(required = false) Decision body,
                                       HttpServletRequest request, HttpServletResponse response) {
    return decide(approvalId, CommandType.APPROVAL_APPROVE, body, request, response);
  }

  @PostMapping("/{approvalId}/reject")
  ResponseEntity<ApprovalView> reject(@PathVariable String approvalId, @RequestBody(required = false) Decision body,
                                      HttpServletRequest request, HttpServletResponse response) {
    return decide(approvalId, CommandType.APPROVAL_REJECT, body, request, response);
  }

  private ResponseEntity<ApprovalView> decide(String approvalId, CommandType type, Decision body, HttpServletRequest request,
                                              HttpServletResponse response) {
    ApprovalRequest current = visible(approvalId);
    if (current.getCommand().getSchemaChange() != null) {
      throw Rejection.conflict("schema-approval", "a held schema version is decided by an Admin at /api/v1/schemas/"
          + current.getTenantId() + ":" + current.getCommand().getSchemaChange().getName() + "/approve or /reject", "approvalId");
    }
    if (current.getStatus() != ApprovalStatus.PENDING) {
      throw Rejection.conflict("approval-decided", "approval '" + approvalId + "' is " + current.getStatus().name().toLowerCase(Locale.ROOT)
          + " already", "approvalId");
    }
    String comment = body == null ? null : Texts.limit(body.comment(), 1000, "comment");
    Command command = Commands.envelope(type, current.getTenantId(), request, scope.subject())
        .setApprovalId(approvalId)
        .setDecision(ApprovalDecision.newBuilder().setComment(comment)
            .setChangeHash(body == null ? null : Texts.limit(body.changeHash(), 100, "changeHash")).build())
        .build();
    // the last approval releases the change: wait for it to be applied too, so the answer says whether it was
    boolean mayRelease = type == CommandType.APPROVAL_APPROVE && current.getApprovals().size() + 1 >= current.getRequiredApprovals();
    String releasedId = approvalId + "-approved";
    var release = mayRelease ? commands.expect(releasedId) : null;
    CommandResult result;
    try {
      result = writes.submit(command);
    } catch (RuntimeException e) {
      if (release != null) {
        commands.forget(releasedId, release);
      }
      throw e;
    }
    ApprovalRequest decided = Waits.until(() -> store().get(approvalId), r -> r != null && r.getRevision() >= result.getVersion(),
        readYourWritesWait, () -> "the decision on approval '" + approvalId + "' is recorded but not readable yet; retry shortly");
    ApprovalView view = ApprovalView.of(decided);
    if (release != null && decided.getStatus() == ApprovalStatus.APPROVED) {
      CommandResult applied = commands.await(releasedId, release);
      if (applied != null && applied.getOutcome() == io.hotswap.avro.Outcome.APPLIED && applied.getVersion() != null) {
        readYourWrites(decided, applied, request);
      }
      view = view.withRelease(ApprovalView.Release.of(applied));
    } else if (release != null) {
      commands.forget(releasedId, release);
    }
    return ResponseEntity.ok().eTag(Long.toString(decided.getRevision())).body(view);
  }

  /**
   * Answers once the owner of the tenant's partition serves the released change (a key's version,
   * a deployment's revision), so a read right after sees it. Batches and profile versions are
   * answered with their result; their reads catch up within the read-your-writes wait.
   */
  private void readYourWrites(ApprovalRequest decided, CommandResult applied, HttpServletRequest request) {
    String tenantId = decided.getTenantId();
    switch (decided.getCommand().getType()) {
      case CONFIG_CREATE, CONFIG_UPDATE, CONFIG_DELETE, CONFIG_PROMOTE -> writes.readBack(io.hotswap.gateway.config.ReadYourWrites.shown(router,
          io.hotswap.core.domain.StoreKeys.parseConfigId(applied.getResourceId()), applied.getVersion(), readYourWritesWait));
      case DEPLOYMENT_START -> {
        io.hotswap.core.domain.StoreKeys.DeploymentId id = io.hotswap.core.domain.StoreKeys.parseDeploymentId(applied.getResourceId());
        writes.readBack(new Writes.Shown(tenantId, "/api/v1/deployments/" + applied.getResourceId(), "minRevision=" + applied.getVersion(),
            partition -> {
              ReadOnlyKeyValueStore<String, io.hotswap.avro.Deployment> deployments = router.localStore(ReadTopology.DEPLOYMENTS_STORE, partition);
              Waits.until(() -> deployments.get(id.storeKey()), d -> d != null && d.getRevision() >= applied.getVersion(), readYourWritesWait,
                  () -> "deployment '" + id.publicId() + "' started but is not readable yet; retry shortly");
              return ResponseEntity.noContent().build();
            }));
      }
      default -> { }
    }
  }

  /** The approval, if the caller may see its tenant; otherwise 404 as for one that does not exist. */
  private ApprovalRequest visible(String approvalId) {
    ApprovalRequest r = approvalId == null || approvalId.length() > 200 ? null : store().get(approvalId);
    Rejection notFound = Rejection.notFound("approval-not-found", "No approval with id '" + Texts.abbreviate(approvalId) + "'", "approvalId");
    if (r == null) {
      throw notFound;
    }
    scope.require(r.getTenantId(), notFound);
    return r;
  }

  private ReadOnlyKeyValueStore<String, ApprovalRequest> store() {
    return router.globalStore(ReadTopology.APPROVALS_STORE);
  }
}
