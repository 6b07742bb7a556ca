import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Token lifecycle (issue #15 item 3): when a token expires (null: never — tokens issued before
 * this migration and the bootstrap token), when it was last used (to within the token cache's
 * bound, docs/access.md), and which token issued it.
 */
export class TokenLifecycle1733410000000 implements MigrationInterface {
  name = 'TokenLifecycle1733410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz, ADD COLUMN last_used_at timestamptz, ADD COLUMN issued_by uuid`);
    await q.query(`CREATE INDEX api_tokens_created ON api_tokens (created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX api_tokens_created`);
    await q.query(`ALTER TABLE api_tokens DROP COLUMN expires_at, DROP COLUMN last_used_at, DROP COLUMN issued_by`);
  }
}
