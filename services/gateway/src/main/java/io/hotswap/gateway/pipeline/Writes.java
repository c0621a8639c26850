package io.hotswap.gateway.pipeline;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.Outcome;
import io.hotswap.avro.Tenant;
import io.hotswap.core.domain.ApprovalPolicy;
import io.hotswap.gateway.reads.ForwardRequest;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.reads.Waits;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The one way a change leaves the gateway, after the caller's scope and limit were settled
 * ({@link io.hotswap.gateway.security.TenantScope}) and secrets sealed: the command goes into the
 * pipeline (a refusal is its problem, 4xx), and the answer is the changed resource as the tenant's
 * owner serves it once it shows the change — read-your-writes, so a read right after the answer,
 * on any gateway instance, sees it.
 */
public final class Writes {

  private final CommandGateway commands;
  private final StoreRouter router;
  private final Duration readYourWritesWait;

  public Writes(CommandGateway commands, StoreRouter router, Duration readYourWritesWait) {
    this.commands = commands;
    this.router = router;
    this.readYourWritesWait = readYourWritesWait;
  }

  /**
   * Where a write shows: {@code GET uri?query} on the tenant's owner (forwarded there when this
   * instance is not it); {@code local} answers it from the owner's partition, waiting (bounded)
   * until the change is readable.
   */
  public record Shown(String tenantId, String uri, String query, IntFunction<ResponseEntity<?>> local) {}

  /**
   * Sends the command and waits for the pipeline's answer; a rejection is thrown as the problem it
   * carries. A change into an environment the tenant's approval policy guards is marked here, on
   * the policy as this gateway reads it, and answered PENDING with its approval id ({@link #held}).
   */
  public CommandResult submit(Command command) {
    if (ApprovalPolicy.environmentOf(command) != null) {
      ApprovalPolicy.mark(command, router.<Tenant>globalStore(ReadTopology.TENANTS_STORE).get(command.getTenantId()));
    }
    return commands.submitOrReject(command);
  }

  /** Whether the pipeline holds the change for approval instead of applying it. */
  public static boolean isHeld(CommandResult result) {
    return result.getOutcome() == Outcome.PENDING;
  }

  /**
   * {@code 202 Accepted} for a held change: its approval id ({@code Location}: the approval, where
   * approvers read and decide it), why it waits, and {@code extra} fields naming what it will change.
   * Answered once this gateway shows the approval (read-your-writes, bounded): a change held a
   * moment too long for that is still held, so it is answered 202 all the same — never a 503 that
   * would have the caller send it again and hold it twice.
   */
  public ResponseEntity<Map<String, Object>> held(CommandResult result, Map<String, Object> extra) {
    try {
      Waits.until(() -> router.globalStore(ReadTopology.APPROVALS_STORE).get(result.getResourceId()), java.util.Objects::nonNull,
          readYourWritesWait, () -> "approval " + result.getResourceId() + " not readable yet");
    } catch (StoreRouter.StoreUnavailable notYet) {
      // held all the same; the approval shows shortly
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "Pending");
    body.put("approvalId", result.getResourceId());
    body.putAll(extra);
    body.put("detail", result.getDetail());
    return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/v1/approvals/" + result.getResourceId())).body(body);
  }

  /**
   * {@code status} with {@code Location} (the read-back's URI) and {@code ETag}, and the read-back's
   * body; the read-back itself when it failed (a 503 while the owner does not serve the write yet).
   */
  public ResponseEntity<?> answer(HttpStatus status, String eTag, Shown shown) {
    ResponseEntity<?> readBack = readBack(shown);
    if (!readBack.getStatusCode().is2xxSuccessful()) {
      return readBack;
    }
    return ResponseEntity.status(status)
        .location(URI.create(shown.uri()))
        .eTag(eTag)
        .headers(h -> {
          if (readBack.getHeaders().getContentType() != null) {
            h.setContentType(readBack.getHeaders().getContentType());
          }
        })
        .body(readBack.getBody());
  }

  /** The owner's read-back of a write, as it answered (for writes whose answer is not the resource: a deletion, a batch). */
  public ResponseEntity<?> readBack(Shown shown) {
    HttpServletRequest request = ((ServletRequestAttributes) RequestContextHolder.currentRequestAttributes()).getRequest();
    return router.route(shown.tenantId(), new ForwardRequest(request, "GET", shown.uri(), shown.query()), shown.local());
  }
}
