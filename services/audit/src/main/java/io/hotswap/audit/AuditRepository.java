package io.hotswap.audit;

import io.hotswap.avro.AuditEvent;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Writes and reads the append-only audit_log table. */
@Repository
class AuditRepository {

  private final JdbcTemplate jdbc;

  AuditRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
    AuditSchema.apply(jdbc);
  }

  /** A decoded event with where it came from. */
  record Stored(AuditEvent event, int partition, long offset) {}

  /**
   * Inserts events, skipping ids already stored (redelivery after a crash is harmless). Returns
   * how many rows were new.
   */
  int insert(List<Stored> events) {
    if (events.isEmpty()) {
      return 0;
    }
    int[][] counts = jdbc.batchUpdate(
        """
        INSERT INTO audit_log (event_id, event_type, tenant_id, environment, config_key, resource_id, old_value, new_value,
                               version, actor, source_ip, trace_id, command_id, occurred_at, kafka_partition, kafka_offset, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (event_id) DO NOTHING""",
        events, 500, (ps, s) -> {
          AuditEvent e = s.event();
          ps.setString(1, e.getEventId());
          ps.setString(2, e.getEventType().name());
          ps.setString(3, e.getTenantId());
          ps.setString(4, e.getEnvironment());
          ps.setString(5, e.getKey());
          ps.setString(6, e.getResourceId());
          ps.setString(7, e.getOldValue());
          ps.setString(8, e.getNewValue());
          ps.setLong(9, e.getVersion());
          ps.setString(10, e.getActor());
          ps.setString(11, e.getSourceIp());
          ps.setString(12, e.getTraceId());
          ps.setString(13, e.getCommandId());
          ps.setTimestamp(14, Timestamp.from(e.getOccurredAt()));
          ps.setInt(15, s.partition());
          ps.setLong(16, s.offset());
          ps.setString(17, e.getDetail());
        });
    int inserted = 0;
    for (int[] batch : counts) {
      for (int c : batch) {
        inserted += Math.max(c, 0);
      }
    }
    return inserted;
  }

  /** A page of events, oldest first, filtered by tenant and time range (either may be null). */
  AuditPage find(String tenantId, Instant from, Instant to, int page, int size) {
    List<Object> args = new ArrayList<>();
    StringBuilder where = where(tenantId, from, to, args);
    long total = jdbc.queryForObject("SELECT count(*) FROM audit_log" + where, Long.class, args.toArray());
    List<Object> pageArgs = new ArrayList<>(args);
    pageArgs.add(size);
    pageArgs.add((long) page * size);
    List<Map<String, Object>> items = jdbc.query(
        "SELECT * FROM audit_log" + where + " ORDER BY occurred_at, event_id LIMIT ? OFFSET ?",
        (rs, n) -> row(rs),
        pageArgs.toArray());
    return new AuditPage(items, page, size, total, (total + size - 1) / size);
  }

  /** {@code WHERE} for a tenant (null: all) and a time range [from, to) (either null: open), its arguments added to {@code args}. */
  private static StringBuilder where(String tenantId, Instant from, Instant to, List<Object> args) {
    StringBuilder where = new StringBuilder(" WHERE 1=1");
    if (tenantId != null) {
      where.append(" AND tenant_id = ?");
      args.add(tenantId);
    }
    if (from != null) {
      where.append(" AND occurred_at >= ?");
      args.add(Timestamp.from(from));
    }
    if (to != null) {
      where.append(" AND occurred_at < ?");
      args.add(Timestamp.from(to));
    }
    return where;
  }

  /** An audit row as the API shows it. */
  private static Map<String, Object> row(java.sql.ResultSet rs) throws java.sql.SQLException {
    Map<String, Object> row = new java.util.LinkedHashMap<>();
    row.put("eventId", rs.getString("event_id"));
    row.put("eventType", rs.getString("event_type"));
    row.put("tenantId", rs.getString("tenant_id"));
    row.put("environment", rs.getString("environment"));
    row.put("key", rs.getString("config_key"));
    row.put("resourceId", rs.getString("resource_id"));
    row.put("oldValue", rs.getString("old_value"));
    row.put("newValue", rs.getString("new_value"));
    row.put("detail", rs.getString("detail"));
    row.put("version", rs.getLong("version"));
    row.put("actor", rs.getString("actor"));
    row.put("sourceIp", rs.getString("source_ip"));
    row.put("traceId", rs.getString("trace_id"));
    row.put("commandId", rs.getString("command_id"));
    row.put("timestamp", rs.getTimestamp("occurred_at").toInstant().toString());
    return row;
  }

  /**
   * Every event of the range, oldest first, handed to {@code each} in batches read by keyset
   * (occurred_at, event_id), so an export of any size holds one batch in memory.
   */
  void forEach(String tenantId, Instant from, Instant to, java.util.function.Consumer<Map<String, Object>> each) {
    Timestamp afterTime = null;
    String afterId = null;
    while (true) {
      List<Object> args = new ArrayList<>();
      StringBuilder where = where(tenantId, from, to, args);
      if (afterTime != null) {
        where.append(" AND (occurred_at, event_id) > (?, ?)");
        args.add(afterTime);
        args.add(afterId);
      }
      args.add(EXPORT_BATCH);
      List<Map<String, Object>> batch = new ArrayList<>();
      List<Timestamp> times = new ArrayList<>();
      jdbc.query("SELECT * FROM audit_log" + where + " ORDER BY occurred_at, event_id LIMIT ?", rs -> {
        batch.add(row(rs));
        times.add(rs.getTimestamp("occurred_at"));
      }, args.toArray());
      batch.forEach(each);
      if (batch.size() < EXPORT_BATCH) {
        return;
      }
      afterTime = times.getLast();
      afterId = (String) batch.getLast().get("eventId");
    }
  }

  static final int EXPORT_BATCH = 1000;

  /** Event types that set or remove a key's value of record (what replay folds). */
  static final List<String> VALUE_EVENTS = List.of("CONFIG_CREATED", "CONFIG_UPDATED", "CONFIG_DELETED", "CONFIG_ROLLED_BACK",
      "CONFIG_PROMOTED", "DEPLOYMENT_STARTED", "DEPLOYMENT_COMPLETED", "DEPLOYMENT_ROLLED_BACK");

  /** The value events of a tenant up to and including {@code at}, oldest first, for replay. */
  void valueEvents(String tenantId, String environment, Instant at, java.util.function.Consumer<Map<String, Object>> each) {
    StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE tenant_id = ? AND occurred_at <= ? AND config_key IS NOT NULL"
        + " AND event_type IN (" + String.join(", ", java.util.Collections.nCopies(VALUE_EVENTS.size(), "?")) + ")");
    List<Object> args = new ArrayList<>(List.of(tenantId, Timestamp.from(at)));
    args.addAll(VALUE_EVENTS);
    if (environment != null) {
      sql.append(" AND environment = ?");
      args.add(environment);
    }
    sql.append(" ORDER BY occurred_at, event_id");
    jdbc.query(sql.toString(), rs -> {
      each.accept(row(rs));
    }, args.toArray());
  }

  /** One page of audit rows. */
  record AuditPage(List<Map<String, Object>> items, int page, int size, long totalItems, long totalPages) {}
}
