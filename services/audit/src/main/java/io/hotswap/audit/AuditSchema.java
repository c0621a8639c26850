package io.hotswap.audit;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The audit table and the trigger that makes it append-only: PostgreSQL itself refuses UPDATE,
 * DELETE and TRUNCATE, whoever asks. Idempotent; applied at start-up.
 */
public final class AuditSchema {

  static final List<String> DDL = List.of(
      """
      CREATE TABLE IF NOT EXISTS audit_log (
        event_id     text PRIMARY KEY,
        event_type   text NOT NULL,
        tenant_id    text NOT NULL,
        environment  text,
        config_key   text,
        resource_id  text NOT NULL,
        old_value    text,
        new_value    text,
        version      bigint NOT NULL,
        actor        text NOT NULL,
        source_ip    text,
        trace_id     text,
        command_id   text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        recorded_at  timestamptz NOT NULL DEFAULT now(),
        kafka_partition integer NOT NULL,
        kafka_offset bigint NOT NULL
      )""",
      // since the deployment work: what happened besides the value (older rows have none)
      "ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS detail text",
      // the hash chain (AuditChain); rows written before it have none and are reported as unchained
      "ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS chain_seq bigint",
      "ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS prev_hash text",
      "ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS row_hash text",
      "CREATE UNIQUE INDEX IF NOT EXISTS audit_log_chain ON audit_log (tenant_id, chain_seq)",
      // each tenant's newest link: the sink locks it while it appends, so two sinks never fork a chain
      """
      CREATE TABLE IF NOT EXISTS audit_chain_head (
        tenant_id  text PRIMARY KEY,
        chain_seq  bigint NOT NULL,
        row_hash   text NOT NULL
      )""",
      "CREATE INDEX IF NOT EXISTS audit_log_tenant_time ON audit_log (tenant_id, occurred_at, event_id)",
      "CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (occurred_at, event_id)",
      """
      CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$""",
      """
      CREATE OR REPLACE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
      """
      CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""");

  private AuditSchema() {}

  public static void apply(JdbcTemplate jdbc) {
    DDL.forEach(jdbc::execute);
  }
}
