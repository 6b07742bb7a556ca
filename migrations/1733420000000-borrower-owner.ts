import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The bank that registered a borrower (issue #15, confidentiality): a bank token sees and edits
 * only the borrowers it registered; null for borrowers the trustee registered (and every borrower
 * registered before this migration), which only programme-wide roles see and edit.
 */
export class BorrowerOwner1733420000000 implements MigrationInterface {
  name = 'BorrowerOwner1733420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE borrowers ADD COLUMN bank_code text REFERENCES banks(code)`);
    await q.query(`CREATE INDEX borrowers_bank ON borrowers (bank_code, code) WHERE bank_code IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX borrowers_bank`);
    await q.query(`ALTER TABLE borrowers DROP COLUMN bank_code`);
  }
}
