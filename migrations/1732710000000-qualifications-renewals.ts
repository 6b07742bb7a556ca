import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dated borrower qualifications and renewals (RULES §2, §6 and §11a, revised 2026-12):
 * - borrower_qualifications: a high-tech enterprise certificate (3 years from issue) or a tech-SME
 *   registration (one calendar year), each with its validity; a registration needs one valid on
 *   its date (a renewal: or on a day of the previous year);
 * - borrowers.research_cooperation: substantive industry–university–research cooperation, the
 *   80% category of henan-2025;
 * - loans.risk_reviewed: a renewal registered by a bank or agency in the 4–6% band after its risk
 *   review.
 */
export class QualificationsRenewals1732710000000 implements MigrationInterface {
  name = 'QualificationsRenewals1732710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE borrower_qualifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        borrower_code text NOT NULL REFERENCES borrowers(code),
        kind text NOT NULL CHECK (kind IN ('high_tech','tech_sme')),
        valid_from date NOT NULL,
        valid_to date NOT NULL,
        reference text,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (valid_to >= valid_from)
      )`);
    await q.query(`CREATE INDEX borrower_qualifications_borrower ON borrower_qualifications (borrower_code, valid_from)`);
    await q.query(`ALTER TABLE borrowers ADD COLUMN research_cooperation boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE loans ADD COLUMN risk_reviewed boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE loans DROP COLUMN risk_reviewed`);
    await q.query(`ALTER TABLE borrowers DROP COLUMN research_cooperation`);
    await q.query(`DROP TABLE borrower_qualifications`);
  }
}
