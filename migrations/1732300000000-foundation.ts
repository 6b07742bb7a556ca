import { MigrationInterface, QueryRunner } from 'typeorm';

/** API tokens (stored hashed) and the job heartbeat table. */
export class Foundation1732300000000 implements MigrationInterface {
  name = 'Foundation1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_sha256 char(64) NOT NULL UNIQUE,
        role text NOT NULL CHECK (role IN ('trustee','custodian','bank','agency','approver','auditor')),
        party_code text,
        label text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE job_heartbeats (
        mode text PRIMARY KEY,
        beat_at timestamptz NOT NULL,
        source text NOT NULL,
        beats bigint NOT NULL DEFAULT 1
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE job_heartbeats');
    await q.query('DROP TABLE api_tokens');
  }
}
