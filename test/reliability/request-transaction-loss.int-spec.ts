import { QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { TransactionScope } from '../../src/common/database/transaction-scope';
import { errorBodyFor } from '../../src/common/errors/http-error.filter';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 10 items 3 and 4: a write with an Idempotency-Key holds one transaction for the whole
 * request. When its backend is terminated while the transaction sits between two statements (the
 * terminate storm of test/chaos/pg-faults), `pg` emits 'error', TypeORM releases the query
 * runner, and the next statement — the answer's UPDATE, a ROLLBACK TO SAVEPOINT, the COMMIT —
 * fails with "query runner already released", which the error filter answered 500 (41 of 260
 * requests in one storm). TransactionScope now throws the connection's own error, a 503.
 *
 * Real PostgreSQL only (pg_terminate_backend); the embedded database runs every connection on
 * one session.
 */
const real = Boolean(process.env.DATABASE_URL);
(real ? describe : describe.skip)('a request transaction whose connection is lost between statements (issue 10)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is rejected with the connection error (503), not "query runner already released" (500); the pool serves the next one', async () => {
    const tx = t.app.get(TransactionScope);
    let seenInside: unknown = null;
    const failure = await tx
      .run(async (m) => {
        const pid = ((await m.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[])[0].pid;
        await t.dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        try {
          await m.query('SELECT 1');
        } catch (error) {
          seenInside = error;
          throw error;
        }
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    // Inside, TypeORM's own error; outside, the cause.
    expect(seenInside).toBeInstanceOf(QueryRunnerProviderAlreadyReleasedError);
    expect(failure).not.toBeInstanceOf(QueryRunnerProviderAlreadyReleasedError);
    expect(errorBodyFor(failure)).toMatchObject({ statusCode: 503, code: 'SERVICE.UNAVAILABLE' });
    expect(await tx.run(async (m) => ((await m.query('SELECT 1 AS ok')) as { ok: number }[])[0].ok)).toBe(1);
  });
});
