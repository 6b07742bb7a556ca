import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: the reconciliation's date window (±3 PRC working days) becomes the policy parameter
 * `reconciliationWindowWorkingDays`. Stored versions are never rewritten in their rules; a version
 * stored before this parameter existed gets it with its default (3), so that every version names
 * every parameter (a version loaded `basedOn` an older one is then complete as well).
 */
export class ReconciliationWindowPolicy1733700000000 implements MigrationInterface {
  name = 'ReconciliationWindowPolicy1733700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE policy_versions SET body = body || jsonb_build_object('reconciliationWindowWorkingDays', 3)
        WHERE NOT (body ? 'reconciliationWindowWorkingDays')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE policy_versions SET body = body - 'reconciliationWindowWorkingDays'`);
  }
}
