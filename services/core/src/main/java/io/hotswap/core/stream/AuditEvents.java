package io.hotswap.core.stream;

import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.AuditEventType;
import io.hotswap.avro.Command;
import java.time.Instant;

/** Audit events of a command: who (the command's actor, source IP and trace), what, when. */
public final class AuditEvents {

  private AuditEvents() {}

  /** The event a command's change leaves; its id is the command id + {@code -1} (callers add others with other suffixes). */
  public static AuditEvent of(Command command, AuditEventType type, String env, String key, String resourceId,
                              String oldValue, String newValue, long version, Instant now) {
    return AuditEvent.newBuilder()
        .setEventId(command.getCommandId() + "-1")
        .setEventType(type)
        .setTenantId(command.getTenantId())
        .setEnvironment(env)
        .setKey(key)
        .setResourceId(resourceId)
        .setOldValue(oldValue)
        .setNewValue(newValue)
        .setVersion(version)
        .setActor(command.getActor())
        .setSourceIp(command.getSourceIp())
        .setTraceId(command.getTraceId())
        .setCommandId(command.getCommandId())
        .setOccurredAt(now)
        .build();
  }
}
