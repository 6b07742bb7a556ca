import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The per-bank annual cap of henan-2025 (RULES §11a): a claim approved for less than it computed
 * (the bank's room left in the year) keeps what it computed in compensation_claimed, and the
 * approval's steps (the room, the cut) in approval_breakdown; compensation is what was approved.
 */
export class ClaimsBankAnnualCap1732730000000 implements MigrationInterface {
  name = 'ClaimsBankAnnualCap1732730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claims ADD COLUMN compensation_claimed numeric(20,2)`);
    await q.query(`ALTER TABLE claims ADD COLUMN approval_breakdown jsonb`);
    await q.query(`CREATE INDEX claims_bank_approved ON claims (bank_code, approved_on) WHERE approved_on IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX claims_bank_approved`);
    await q.query(`ALTER TABLE claims DROP COLUMN approval_breakdown`);
    await q.query(`ALTER TABLE claims DROP COLUMN compensation_claimed`);
  }
}
