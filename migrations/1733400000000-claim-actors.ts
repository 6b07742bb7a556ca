import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who made each step of a claim (issue #15, maker-checker): the token that reviewed
 * (recommended or rejected) it, approved it (also on its approval batch), paid it out and wrote it
 * off. Token ids, not foreign keys: a revoked token's rows keep pointing at it.
 */
export class ClaimActors1733400000000 implements MigrationInterface {
  name = 'ClaimActors1733400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claims ADD COLUMN reviewed_by uuid, ADD COLUMN approved_by uuid, ADD COLUMN paid_by uuid, ADD COLUMN written_off_by uuid`);
    await q.query(`ALTER TABLE approval_batches ADD COLUMN approved_by uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE approval_batches DROP COLUMN approved_by`);
    await q.query(`ALTER TABLE claims DROP COLUMN reviewed_by, DROP COLUMN approved_by, DROP COLUMN paid_by, DROP COLUMN written_off_by`);
  }
}
