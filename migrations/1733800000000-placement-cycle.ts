import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13, the placement cycle (RULES §8 Decision 2026-12; docs/placement.md):
 * - placement_proposals (src/placement) keeps every proposal of a quarter (a stale one is
 *   recomputed into a new one), who made and decided it, and when; at most one approved (or
 *   executed) proposal per quarter, by a partial unique index. The policy parameter
 *   `placementMinimumTransfer` comes with 1733805000000.
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX placement_proposals_one_approved`);
    await q.query(`DROP INDEX placement_proposals_quarter`);
    await q.query(`ALTER TABLE placement_proposals DROP COLUMN proposed_by, DROP COLUMN decided_by, DROP COLUMN decided_at, DROP COLUMN approved_on, DROP COLUMN reason, DROP COLUMN executed_on`);
    await q.query(`ALTER TABLE placement_proposals ADD CONSTRAINT placement_proposals_quarter_key UNIQUE (quarter)`);
  }
}
