import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: the placement's minimum transfer (10,000.00) becomes the policy parameter
 * `placementMinimumTransfer` (docs/placement.md). Stored versions are never rewritten in their rules;
 * a version stored before this parameter existed gets it with its default, as
 * `reconciliationWindowWorkingDays` was added (1733700000000).
 */
export class PlacementMinimumTransferPolicy1733805000000 implements MigrationInterface {
  name = 'PlacementMinimumTransferPolicy1733805000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE policy_versions SET body = body || jsonb_build_object('placementMinimumTransfer', '10000.00')
        WHERE NOT (body ? 'placementMinimumTransfer')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE policy_versions SET body = body - 'placementMinimumTransfer'`);
  }
}
