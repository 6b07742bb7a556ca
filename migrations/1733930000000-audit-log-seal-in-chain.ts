import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sealed row must sit in the chain (docs/audit.md "Sealed after commit", review of issue 16).
 *
 * Migration 1733910000000 lets an unsealed row be sealed at any `seq` past the head. A role that
 * may seal (the application role) could so seal a row far beyond the head with a forged
 * `prev_hash`: the head cannot move onto it (a gap), and every later batch of the sealer fails on
 * it (the head guard finds a row beyond the new head, or the unique `seq`), for good.
 *
 * This deferred constraint trigger checks each sealed row at commit, when the sealer has moved the
 * head in the same transaction: its `seq` must not lie beyond `audit_log_head.last_seq`, and its
 * `prev_hash` must be the `hash` of the row at `seq - 1` — or, for `seq` 1, the chain's start, 64
 * zeros (`AUDIT_GENESIS_HASH`, src/audit/domain/audit-chain.ts). Two index look-ups per sealed row
 * (the head's key, the unique `seq`). The row's own `hash` is not recomputed here (SHA-256 of the
 * canonical JSON is the domain's); verify finds a forged one (`hash_mismatch`).
 *
 * It raises `AUDIT.APPEND_ONLY`, as the other audit guards do. grant_application_role is not
 * touched: the trigger needs no new grant.
 */
export class AuditLogSealInChain1733930000000 implements MigrationInterface {
  name = 'AuditLogSealInChain1733930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_log_sealed_in_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        head_seq bigint;
        before_hash text;
      BEGIN
        SELECT last_seq INTO head_seq FROM audit_log_head WHERE id = 1;
        IF NEW.seq > head_seq THEN
          RAISE EXCEPTION 'AUDIT.APPEND_ONLY: audit row % sealed at seq % beyond the head (%)', NEW.id, NEW.seq, head_seq
            USING ERRCODE = 'P0001';
        END IF;
        IF NEW.seq = 1 THEN
          before_hash := repeat('0', 64);
        ELSE
          SELECT hash INTO before_hash FROM audit_log WHERE seq = NEW.seq - 1;
        END IF;
        IF before_hash IS NULL OR NEW.prev_hash IS DISTINCT FROM before_hash THEN
          RAISE EXCEPTION 'AUDIT.APPEND_ONLY: audit row % sealed at seq % does not follow the hash of seq %', NEW.id, NEW.seq, NEW.seq - 1
            USING ERRCODE = 'P0001';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE CONSTRAINT TRIGGER audit_log_sealed_in_chain AFTER UPDATE ON audit_log DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
         WHEN (NEW.seq IS NOT NULL) EXECUTE FUNCTION audit_log_sealed_in_chain()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_log_sealed_in_chain ON audit_log`);
    await q.query(`DROP FUNCTION audit_log_sealed_in_chain()`);
  }
}
