import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13, the placement cycle (RULES §8 Decision 2026-12; docs/placement.md):
 * - placement_proposals (src/placement) keeps every proposal of a quarter (a stale one is
 *   recomputed into a new one), who made and decided it, and when; at most one approved (or
 *   executed) proposal per quarter, by a partial unique index;
 * - the policy parameter `placementMinimumTransfer` (10,000.00) is added to the stored versions that
 *   predate it, as `reconciliationWindowWorkingDays` was (a version is never rewritten in its rules).
 */
export class PlacementCycle1733800000000 implements MigrationInterface {
  name = 'PlacementCycle1733800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE placement_proposals DROP CONSTRAINT placement_proposals_quarter_key`);
    await q.query(`
      ALTER TABLE placement_proposals
        ADD COLUMN proposed_by text,
        ADD COLUMN decided_by text,
        ADD COLUMN decided_at timestamptz,
        ADD COLUMN approved_on date,
        ADD COLUMN reason text,
        ADD COLUMN executed_on date`);
    await q.query(`CREATE INDEX placement_proposals_quarter ON placement_proposals (quarter, created_at)`);
    await q.query(`CREATE UNIQUE INDEX placement_proposals_one_approved ON placement_proposals (quarter) WHERE status IN ('approved', 'executed')`);
    await q.query(
      `UPDATE policy_versions SET body = body || jsonb_build_object('placementMinimumTransfer', '10000.00')
        WHERE NOT (body ? 'placementMinimumTransfer')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE policy_versions SET body = body - 'placementMinimumTransfer'`);
    await q.query(`DROP INDEX placement_proposals_one_approved`);
    await q.query(`DROP INDEX placement_proposals_quarter`);
    await q.query(`ALTER TABLE placement_proposals DROP COLUMN proposed_by, DROP COLUMN decided_by, DROP COLUMN decided_at, DROP COLUMN approved_on, DROP COLUMN reason, DROP COLUMN executed_on`);
    await q.query(`ALTER TABLE placement_proposals ADD CONSTRAINT placement_proposals_quarter_key UNIQUE (quarter)`);
  }
}
