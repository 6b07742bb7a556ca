import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 items 1 and 5 (docs/ledger.md "Hash chain", "Verify"):
 * - `ledger_entries.canonical_version`: the version of the canonical form each entry's hash was
 *   computed with. The entries written before are version 1 (recordedAt to the millisecond) and
 *   keep verifying as such; posting now writes version 2 (the stored microsecond instant) and says
 *   so on every row. Adding a column with a constant default rewrites no row (and fires no
 *   trigger), so the append-only journal is not touched.
 * - `ledger_verify_checkpoints`: per book, the last head a verify walked and found intact, so the
 *   next verify walks only what was posted since (a full walk on demand).
 */
export class LedgerVerify1733200000000 implements MigrationInterface {
  name = 'LedgerVerify1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_entries ADD COLUMN canonical_version smallint NOT NULL DEFAULT 1 CHECK (canonical_version >= 1)`);
    await q.query(`
      CREATE TABLE ledger_verify_checkpoints (
        book text PRIMARY KEY REFERENCES ledger_books(code),
        sequence bigint NOT NULL CHECK (sequence > 0),
        hash char(64) NOT NULL,
        full_walk boolean NOT NULL,
        verified_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ledger_verify_checkpoints`);
    await q.query(`ALTER TABLE ledger_entries DROP COLUMN canonical_version`);
  }
}
