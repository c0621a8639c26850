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
  private final AuditChain chain;

  AuditRepository(JdbcTemplate jdbc, AuditChain chain) {
    this.jdbc = jdbc;
    this.chain = chain;
    AuditSchema.apply(jdbc);
  }

  /** A decoded event with where it came from. */
  record Stored(AuditEvent event, int partition, long offset) {}

  /**
   * Appends events to their tenants' chains, skipping ids already stored (redelivery after a crash
   * is harmless), in the caller's transaction. Returns the events that were new.
   */
  List<AuditEvent> insert(List<Stored> events) {
    if (events.isEmpty()) {
      return List.of();
    }
    java.util.Map<String, Stored> byId = new java.util.LinkedHashMap<>();
    events.forEach(e -> byId.putIfAbsent(e.event().getEventId(), e));
    java.util.SortedSet<String> tenants = new java.util.TreeSet<>();
    byId.values().forEach(e -> tenants.add(e.event().getTenantId()));
    // each tenant's head, created on first use and locked (in one order, against deadlocks) until commit:
    // a second sink — the old owner of a partition during a rebalance — waits here instead of forking the chain
    jdbc.batchUpdate("INSERT INTO audit_chain_head (tenant_id, chain_seq, row_hash) VALUES (?, 0, ?) ON CONFLICT (tenant_id) DO NOTHING",
        tenants.stream().map(t -> new Object[] {t, AuditChain.GENESIS}).toList());
    java.util.Map<String, Head> heads = new java.util.HashMap<>();
    jdbc.query(con -> {
      var ps = con.prepareStatement("SELECT tenant_id, chain_seq, row_hash FROM audit_chain_head WHERE tenant_id = ANY (?) ORDER BY tenant_id FOR UPDATE");
      ps.setArray(1, con.createArrayOf("text", tenants.toArray()));
      return ps;
    }, rs -> {
      heads.put(rs.getString(1), new Head(rs.getLong(2), rs.getString(3)));
    });
    // checked under the lock: no one else can add these ids meanwhile
    java.util.Set<String> known = new java.util.HashSet<>();
    jdbc.query(con -> {
      var ps = con.prepareStatement("SELECT event_id FROM audit_log WHERE event_id = ANY (?)");
      ps.setArray(1, con.createArrayOf("text", byId.keySet().toArray()));
      return ps;
    }, rs -> {
      known.add(rs.getString(1));
    });
    List<Chained> fresh = new ArrayList<>();
    for (Stored s : byId.values()) {
      if (known.contains(s.event().getEventId())) {
        continue;
      }
      Head head = heads.get(s.event().getTenantId());
      long seq = head.seq() + 1;
      String link = chain.link(head.hash(), seq, AuditChain.Row.of(s.event()));
      fresh.add(new Chained(s, seq, head.hash(), link));
      heads.put(s.event().getTenantId(), new Head(seq, link));
    }
    jdbc.batchUpdate(
        """
        INSERT INTO audit_log (event_id, event_type, tenant_id, environment, config_key, resource_id, old_value, new_value,
                               version, actor, source_ip, trace_id, command_id, occurred_at, kafka_partition, kafka_offset, detail,
                               chain_seq, prev_hash, row_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        fresh, 500, (ps, c) -> {
          AuditEvent e = c.stored().event();
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
          ps.setInt(15, c.stored().partition());
          ps.setLong(16, c.stored().offset());
          ps.setString(17, e.getDetail());
          ps.setLong(18, c.seq());
          ps.setString(19, c.previous());
          ps.setString(20, c.link());
        });
    jdbc.batchUpdate("UPDATE audit_chain_head SET chain_seq = ?, row_hash = ? WHERE tenant_id = ?",
        heads.entrySet().stream().map(h -> new Object[] {h.getValue().seq(), h.getValue().hash(), h.getKey()}).toList());
    return fresh.stream().map(c -> c.stored().event()).toList();
  }

  private record Head(long seq, String hash) {}

  private record Chained(Stored stored, long seq, String previous, String link) {}

  /**
   * Walks a tenant's chain from its first row to its head and answers with the first broken link:
   * a row missing (a gap in the places), a row out of order or inserted (its previous link is not
   * the one before it), a row altered (its link does not cover its fields), or the newest rows
   * removed (the chain ends before its head).
   */
  Verification verify(String tenantId) {
    long unchained = jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND chain_seq IS NULL", Long.class, tenantId);
    // the head first: rows the sink appends while this walks lie beyond it and are left for the next check
    List<Head> head = jdbc.query("SELECT chain_seq, row_hash FROM audit_chain_head WHERE tenant_id = ?",
        (rs, n) -> new Head(rs.getLong(1), rs.getString(2)), tenantId);
    long end = head.isEmpty() ? 0 : head.getFirst().seq();
    long expected = 1;
    String previous = AuditChain.GENESIS;
    while (expected <= end) {
      List<Verification.Link> batch = jdbc.query(
          "SELECT * FROM audit_log WHERE tenant_id = ? AND chain_seq >= ? AND chain_seq <= ? ORDER BY chain_seq LIMIT ?",
          (rs, n) -> new Verification.Link(rs.getLong("chain_seq"), rs.getString("prev_hash"), rs.getString("row_hash"), AuditChain.Row.of(rs)),
          tenantId, expected, end, EXPORT_BATCH);
      if (batch.isEmpty()) {
        break;
      }
      for (Verification.Link row : batch) {
        String problem = null;
        if (row.seq() != expected) {
          problem = "row " + expected + " is missing: the chain goes from row " + (expected - 1) + " to row " + row.seq();
        } else if (!previous.equals(row.previous())) {
          problem = "row " + expected + " does not follow row " + (expected - 1) + ": rows were removed, inserted or reordered here";
        } else if (!row.link().equals(chain.link(previous, row.seq(), row.fields()))) {
          problem = "row " + expected + " was altered after it was written: its fields do not match its link";
        }
        if (problem != null) {
          return Verification.broken(tenantId, expected - 1, unchained, end, new Verification.Break(expected, row.fields().eventId(), problem));
        }
        previous = row.link();
        expected++;
      }
    }
    if (expected <= end) {
      return Verification.broken(tenantId, expected - 1, unchained, end, new Verification.Break(expected, null,
          "rows " + expected + " to " + end + " are missing: the chain's head is row " + end));
    }
    if (!head.isEmpty() && !previous.equals(head.getFirst().hash())) {
      return Verification.broken(tenantId, end, unchained, end, new Verification.Break(end, null,
          "the chain's head does not match row " + end + ": the newest row was replaced"));
    }
    return new Verification(tenantId, true, end, unchained, end == 0 ? null : new Verification.HeadView(end, previous), null);
  }

  /** What {@link #verify} found: how many rows it checked and, when the chain is broken, where. */
  record Verification(String tenantId, boolean valid, long checkedRows, long unchainedRows, HeadView head, Break firstBrokenLink) {

    static Verification broken(String tenantId, long checked, long unchained, long end, Break at) {
      return new Verification(tenantId, false, checked, unchained, new HeadView(end, null), at);
    }

    record HeadView(long seq, String hash) {}

    record Break(long seq, String eventId, String problem) {}

    record Link(long seq, String previous, String link, AuditChain.Row fields) {}
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
    // its place in the tenant's hash chain and its link (none for rows written before the chain)
    long seq = rs.getLong("chain_seq");
    row.put("chainSeq", rs.wasNull() ? null : seq);
    row.put("rowHash", rs.getString("row_hash"));
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
