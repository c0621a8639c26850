package io.hotswap.gateway.pipeline;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandType;
import io.hotswap.core.domain.Rejection;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/** Builds command envelopes from requests: id (deterministic for an Idempotency-Key, else one-off), actor, source IP, trace id. */
public final class Commands {

  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private Commands() {}

  /** A command from {@code actor} (the authenticated subject). */
  public static Command.Builder envelope(CommandType type, String tenantId, HttpServletRequest request, String actor) {
    String idempotencyKey = request.getHeader(IDEMPOTENCY_KEY);
    String commandId;
    if (idempotencyKey == null) {
      commandId = UUID.randomUUID().toString();
    } else {
      if (idempotencyKey.isBlank() || idempotencyKey.length() > 200) {
        throw Rejection.badRequest("invalid-idempotency-key", "Idempotency-Key must be 1 to 200 characters", IDEMPOTENCY_KEY);
      }
      String seed = tenantId + '\n' + request.getMethod() + '\n' + request.getRequestURI() + '\n' + idempotencyKey;
      commandId = UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }
    return Command.newBuilder()
        .setCommandId(commandId)
        // an id made up for this request alone can't come again: the stages need not remember its answer
        .setOneOff(idempotencyKey == null)
        .setType(type)
        .setTenantId(tenantId)
        .setActor(actor)
        .setSourceIp(io.hotswap.gateway.security.ClientAddresses.of(request))
        .setTraceId(traceId(request, commandId))
        .setIssuedAt(Instant.now());
  }

  /**
   * The trace the request is part of, as the audit trail records it: the id (32 hex digits) of
   * the trace the gateway's request span belongs to — the caller's, when its {@code traceparent}
   * was valid, or one begun here; {@code fallback} (the command id) when tracing is off.
   */
  public static String traceId(HttpServletRequest request, String fallback) {
    String current = io.hotswap.protocol.KafkaTracing.currentTraceId();
    if (current != null) {
      return current;
    }
    String header = request.getHeader(io.hotswap.protocol.KafkaTracing.TRACEPARENT);
    // version-traceid-parentid-flags: the trace id is what ties the trail to the caller's trace
    if (header != null && header.matches("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")) {
      return header.substring(3, 35);
    }
    return fallback;
  }
}
