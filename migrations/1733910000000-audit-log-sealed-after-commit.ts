import { MigrationInterface, QueryRunner } from 'typeorm';
import { DELETABLES, grantApplicationRoleSql, JOURNALS } from './1733110000000-application-role';

/**
 * The audit trail is chained after commit (issue 16, docs/audit.md "Sealed after commit").
 *
 * A request's transaction inserts its audit row unsealed — no `seq`, `prev_hash` or `hash` — and
 * never touches the head; the sealer (src/audit/audit-sealer.ts) later gives committed unsealed
 * rows their place in the chain, in batches, under the head's row lock, in a short transaction of
 * its own. So:
 *
 * - `audit_log` gets a time-ordered key `id` (an identity: rows are sealed in id order within a
 *   batch). Rows sealed before this migration get ids in no particular order; their order is their
 *   `seq`, which stays unique. `seq`, `prev_hash` and `hash` may be null, all three together.
 * - The append-only trigger (same name, `audit_log_no_change`, so a test or an owner that switches
 *   it off switches off the same guard as before) now lets exactly one update through: an unsealed
 *   row getting `seq`, `prev_hash` and `hash`, every other column unchanged, at a `seq` past the
 *   head. Any other UPDATE, and every DELETE, is refused as before. A row inserted already sealed
 *   is refused (rows enter the chain only through the seal).
 * - The head moves forward by whole sealed batches: its new `last_seq` must be past the old one,
 *   every `seq` in between must be a sealed row, none may lie beyond it, and `last_hash` must be
 *   the hash of the row at `last_seq`.
 * - The application role (docs/operations.md "Database roles") keeps SELECT and INSERT on
 *   `audit_log` and gets UPDATE of the three seal columns only (`AUDIT_SEAL_COLUMNS`); a later
 *   migration that replaces grant_application_role must pass them again
 *   (`grantApplicationRoleWithSealSql`).
 */
export const AUDIT_SEAL_COLUMNS: Readonly<Record<string, readonly string[]>> = { audit_log: ['seq', 'prev_hash', 'hash'] };

/** grant_application_role as migration 1733880000000 left it, plus UPDATE of the seal columns of `audit_log`. */
export function grantApplicationRoleWithSealSql(journals: readonly string[], deletables: readonly string[]): string {
  const sql = grantApplicationRoleSql(journals, 'CREATE OR REPLACE', deletables);
  const marker = 'privileges := CASE';
  if (!sql.includes(marker)) throw new Error('grant_application_role changed shape: cannot add the audit seal columns');
  const branches = Object.entries(AUDIT_SEAL_COLUMNS)
    .map(([table, columns]) => `\n            WHEN t.relname = '${table}' THEN 'SELECT, INSERT, UPDATE (${columns.join(', ')})'`)
    .join('');
  return sql.replace(marker, `${marker}${branches}`);
}

const JOURNALS_NOW = [...JOURNALS, 'audit_log'];
const DELETABLES_NOW = [...DELETABLES, 'loan_figure_changes'];

export class AuditLogSealedAfterCommit1733910000000 implements MigrationInterface {
  name = 'AuditLogSealedAfterCommit1733910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY`);
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id)`);
    await q.query(`ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL, ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_seq_unique UNIQUE (seq)`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_sealed_whole CHECK ((seq IS NULL) = (prev_hash IS NULL) AND (seq IS NULL) = (hash IS NULL))`);
    // What the sealer reads: the committed rows not yet in the chain, in id order.
    await q.query(`CREATE INDEX audit_log_unsealed ON audit_log (id) WHERE seq IS NULL`);

    await q.query(`
      CREATE FUNCTION audit_log_seal_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          RAISE EXCEPTION 'AUDIT.APPEND_ONLY: a row enters the audit log unsealed; only the seal gives it seq and hash'
            USING ERRCODE = 'P0001';
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
           AND (NEW.id, NEW.occurred_at, NEW.request_id, NEW.actor_token_id, NEW.actor_role, NEW.actor_party, NEW.action, NEW.target_ids, NEW.status, NEW.error_code)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.occurred_at, OLD.request_id, OLD.actor_token_id, OLD.actor_role, OLD.actor_party, OLD.action, OLD.target_ids, OLD.status, OLD.error_code)
           AND NEW.seq > (SELECT last_seq FROM audit_log_head WHERE id = 1) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'AUDIT.APPEND_ONLY: % on % is not allowed; the audit log is append-only (only an unsealed row may be sealed, once)', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'P0001';
      END $$`);
    await q.query(`DROP TRIGGER audit_log_no_change ON audit_log`);
    await q.query(`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_seal_only()`);
    await q.query(
      `CREATE TRIGGER audit_log_insert_unsealed BEFORE INSERT ON audit_log FOR EACH ROW
         WHEN (NEW.seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.hash IS NOT NULL) EXECUTE FUNCTION audit_log_seal_only()`,
    );

    await q.query(`
      CREATE FUNCTION audit_log_head_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.last_seq <= OLD.last_seq
           OR (SELECT count(*) FROM audit_log WHERE seq > OLD.last_seq AND seq <= NEW.last_seq) <> NEW.last_seq - OLD.last_seq
           OR EXISTS (SELECT 1 FROM audit_log WHERE seq > NEW.last_seq)
           OR NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.last_seq AND hash = NEW.last_hash) THEN
          RAISE EXCEPTION 'AUDIT.APPEND_ONLY: the head of the audit log moves forward to the last sealed row (% → %)', OLD.last_seq, NEW.last_seq
            USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`DROP TRIGGER audit_log_head_guard ON audit_log_head`);
    await q.query(`CREATE TRIGGER audit_log_head_guard BEFORE UPDATE ON audit_log_head FOR EACH ROW EXECUTE FUNCTION audit_log_head_sealed()`);

    await q.query(grantApplicationRoleWithSealSql(JOURNALS_NOW, DELETABLES_NOW));
    await q.query(`REVOKE ALL ON FUNCTION grant_application_role(name) FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(grantApplicationRoleSql(JOURNALS_NOW, 'CREATE OR REPLACE', DELETABLES_NOW));
    await q.query(`REVOKE ALL ON FUNCTION grant_application_role(name) FROM PUBLIC`);
    await q.query(`DROP TRIGGER audit_log_head_guard ON audit_log_head`);
    await q.query(`CREATE TRIGGER audit_log_head_guard BEFORE UPDATE ON audit_log_head FOR EACH ROW EXECUTE FUNCTION audit_log_head_forward()`);
    await q.query(`DROP FUNCTION audit_log_head_sealed()`);
    await q.query(`DROP TRIGGER audit_log_insert_unsealed ON audit_log`);
    await q.query(`DROP TRIGGER audit_log_no_change ON audit_log`);
    await q.query(`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`DROP FUNCTION audit_log_seal_only()`);
    // Unsealed rows cannot go back to a table whose chain columns are required.
    await q.query(`DROP INDEX audit_log_unsealed`);
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_sealed_whole`);
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_seq_unique`);
    await q.query(`ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`);
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (seq)`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN id`);
  }
}
