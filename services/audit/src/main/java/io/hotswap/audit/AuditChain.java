package io.hotswap.audit;

import io.hotswap.avro.AuditEvent;
import io.hotswap.core.security.MasterKeys;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import javax.crypto.SecretKey;

/**
 * The audit trail's hash chain: every row of a tenant carries its place in the tenant's chain
 * ({@code chain_seq}: 1, 2, 3 …), the link of the row before it ({@code prev_hash}) and its own
 * link ({@code row_hash}): an HMAC-SHA256 over the previous link, its place and every field an
 * auditor reads. The key is derived from the platform's master key, which PostgreSQL never holds:
 * whoever can write the database — a superuser switching the append-only triggers off — can
 * change, remove or reorder rows but cannot compute the links that would hide it.
 */
final class AuditChain {

  /** The link before a tenant's first row. */
  static final String GENESIS = "0".repeat(64);

  private final SecretKey key;

  AuditChain(SecretKey masterKey) {
    this.key = MasterKeys.derive(masterKey, "hotswap audit chain");
  }

  /** The fields of a row that its link covers (what the audit API shows, minus where Kafka held it). */
  record Row(String eventId, String eventType, String tenantId, String environment, String key, String resourceId, String oldValue,
             String newValue, String detail, long version, String actor, String sourceIp, String traceId, String commandId,
             long occurredAtMillis) {

    static Row of(AuditEvent e) {
      return new Row(e.getEventId(), e.getEventType().name(), e.getTenantId(), e.getEnvironment(), e.getKey(), e.getResourceId(),
          e.getOldValue(), e.getNewValue(), e.getDetail(), e.getVersion(), e.getActor(), e.getSourceIp(), e.getTraceId(),
          e.getCommandId(), e.getOccurredAt().toEpochMilli());
    }

    static Row of(ResultSet rs) throws SQLException {
      return new Row(rs.getString("event_id"), rs.getString("event_type"), rs.getString("tenant_id"), rs.getString("environment"),
          rs.getString("config_key"), rs.getString("resource_id"), rs.getString("old_value"), rs.getString("new_value"),
          rs.getString("detail"), rs.getLong("version"), rs.getString("actor"), rs.getString("source_ip"), rs.getString("trace_id"),
          rs.getString("command_id"), rs.getTimestamp("occurred_at").toInstant().toEpochMilli());
    }
  }

  /** The link of {@code row} at place {@code seq}, after the row whose link is {@code previous}. */
  String link(String previous, long seq, Row row) {
    return HexFormat.of().formatHex(MasterKeys.hmac(key, canonical(previous, seq, row)));
  }

  /** Every field length-prefixed (null distinct from empty), so no two different rows encode alike. */
  private static byte[] canonical(String previous, long seq, Row row) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      text(out, "hotswap-audit-v1");
      text(out, previous);
      out.writeLong(seq);
      for (String field : new String[] {row.eventId(), row.eventType(), row.tenantId(), row.environment(), row.key(), row.resourceId(),
          row.oldValue(), row.newValue(), row.detail(), row.actor(), row.sourceIp(), row.traceId(), row.commandId()}) {
        text(out, field);
      }
      out.writeLong(row.version());
      out.writeLong(row.occurredAtMillis());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void text(DataOutputStream out, String value) throws IOException {
    if (value == null) {
      out.writeInt(-1);
      return;
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }
}
