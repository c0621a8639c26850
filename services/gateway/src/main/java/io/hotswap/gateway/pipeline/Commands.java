package io.hotswap.gateway.pipeline;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandType;
import io.hotswap.core.domain.Rejection;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/** Builds command envelopes from requests: id (deterministic for an Idempotency-Key), actor, source IP, trace id. */
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
    String trace = request.getHeader("traceparent");
    return Command.newBuilder()
        .setCommandId(commandId)
        .setType(type)
        .setTenantId(tenantId)
        .setActor(actor)
        .setSourceIp(io.hotswap.gateway.security.ClientAddresses.of(request))
        .setTraceId(trace == null ? commandId : trace)
        .setIssuedAt(Instant.now());
  }
}
