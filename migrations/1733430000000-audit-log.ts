import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail (issue #15 item 1): one row per write and per export — who (token, role, party),
 * what (action, target ids), when, request id, outcome (status, error code) — hash-chained like
 * the journal (each row's hash covers the previous row's hash) and append-only: triggers refuse
 * UPDATE, DELETE and TRUNCATE. `audit_log_head` holds the chain's head (last sequence and hash);
 * appending locks it, so rows get gap-free sequence numbers in commit order.
 */
export class AuditLog1733430000000 implements MigrationInterface {
  name = 'AuditLog1733430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        occurred_at timestamptz NOT NULL,
        request_id text,
        actor_token_id uuid,
        actor_role text,
        actor_party text,
        action text NOT NULL,
        target_ids text[] NOT NULL DEFAULT '{}',
        status integer NOT NULL,
        error_code text,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_log_occurred ON audit_log (occurred_at, seq)`);
    await q.query(`CREATE INDEX audit_log_actor ON audit_log (actor_token_id, seq)`);
    await q.query(`CREATE INDEX audit_log_targets ON audit_log USING gin (target_ids)`);
    await q.query(`
      CREATE TABLE audit_log_head (
        id integer PRIMARY KEY CHECK (id = 1),
        last_seq bigint NOT NULL,
        last_hash char(64) NOT NULL
      )`);
    await q.query(`INSERT INTO audit_log_head (id, last_seq, last_hash) VALUES (1, 0, repeat('0', 64))`);
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'AUDIT.APPEND_ONLY: % on % is not allowed; the audit log is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'P0001';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`CREATE TRIGGER audit_log_head_no_delete BEFORE DELETE ON audit_log_head FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`CREATE TRIGGER audit_log_head_no_truncate BEFORE TRUNCATE ON audit_log_head FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`
      CREATE FUNCTION audit_log_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.last_seq <> OLD.last_seq + 1 THEN
          RAISE EXCEPTION 'AUDIT.APPEND_ONLY: the head of the audit log moves one row at a time (% → %)', OLD.last_seq, NEW.last_seq
            USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_head_guard BEFORE UPDATE ON audit_log_head FOR EACH ROW EXECUTE FUNCTION audit_log_head_forward()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log_head`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_head_forward()`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
  }
}
