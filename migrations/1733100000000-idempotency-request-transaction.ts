import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency answers recorded in the request's own transaction (issue 10 item 4,
 * src/common/idempotency/idempotency.interceptor.ts). The table keeps its shape, so every row
 * written before stays readable; one column tells the two schemes apart:
 *
 * - rows already there get `recorded_in_request_transaction = false`: written by the former
 *   two-step scheme (key inserted and committed on its own, answer stored afterwards). A `done`
 *   one is replayed as before; a `pending` one was left by a request that died, and its outcome
 *   cannot be known (409 IDEMPOTENCY.OUTCOME_UNKNOWN, as before);
 * - new rows default to `true`: inserted and completed in the transaction of the request's effect,
 *   so a committed row always holds its answer (a `pending` one is never committed).
 *
 * A completed row must carry its status (a check; old `done` rows always did).
 */
export class IdempotencyRequestTransaction1733100000000 implements MigrationInterface {
  name = 'IdempotencyRequestTransaction1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN recorded_in_request_transaction boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE idempotency_keys ALTER COLUMN recorded_in_request_transaction SET DEFAULT true`);
    await q.query(`ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_done_has_status CHECK (state = 'pending' OR status_code IS NOT NULL)`);
    await q.query(
      `COMMENT ON TABLE idempotency_keys IS 'Idempotency-Key answers. Rows with recorded_in_request_transaction commit with the effect they answer (issue 10 item 4).'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`COMMENT ON TABLE idempotency_keys IS NULL`);
    await q.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_done_has_status`);
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN recorded_in_request_transaction`);
  }
}
