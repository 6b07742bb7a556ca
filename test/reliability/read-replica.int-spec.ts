import { AuthService } from '../../src/auth/auth.service';
import { startTestApp, TestApp } from '../support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Read routing (issue 19 item 2, docs/scaling.md "Read replicas") in one process. On the embedded
 * database there is no replica: nothing says X-Read-Source. On real PostgreSQL, DATABASE_READ_URL
 * is pointed at the primary itself (a server not in recovery is never behind), so the routing rules
 * can be watched without a standby: heavy reads of a caller that has not written go to the
 * "replica"; a caller's reads within the bound after its write go to the primary. The cluster tests
 * (test/cluster) do the same against a real streaming replica.
 */
describe('read routing without a replica: nothing changes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('heavy reads answer as before, without X-Read-Source; /health mentions no replica', async () => {
    const res = await t.http.get('/v1/ledger/trial-balance?book=reserve').set('Authorization', t.auth);
    expect([res.status, res.headers['x-read-source']]).toEqual([200, undefined]);
    const health = await t.http.get('/health');
    expect(health.body.database.replica).toBeUndefined();
  });
});

(process.env.DATABASE_URL ? describe : describe.skip)('read routing with DATABASE_READ_URL (real PostgreSQL)', () => {
  const BOUND_MS = 600;
  let t: TestApp;
  let reader: string;

  beforeAll(async () => {
    t = await startTestApp({ databaseReadUrl: process.env.DATABASE_URL as string, readReplicaMaxLagMs: BOUND_MS });
    reader = `Bearer ${(await t.app.get(AuthService).issue('auditor', null, 'reader')).token}`;
    for (let i = 0; i < 100; i++) {
      const health = await t.http.get('/health');
      if (health.body.database.replica?.connected && health.body.database.replica.stalenessMs !== null) break;
      await sleep(100);
    }
  });
  afterAll(() => t.close());

  it('/health shows the replica connected, its staleness and the bound', async () => {
    const replica = (await t.http.get('/health')).body.database.replica as { connected: boolean; stalenessMs: number; maxLagMs: number };
    expect([replica.connected, replica.maxLagMs]).toEqual([true, BOUND_MS]);
    expect(replica.stalenessMs).toBeLessThanOrEqual(BOUND_MS);
  });

  it('a caller that has not written reads the heavy reads from the replica; other reads stay on the primary', async () => {
    for (const path of ['/v1/ledger/trial-balance?book=reserve', '/v1/ledger/verify?book=reserve', '/v1/ledger/export?book=reserve&format=csv']) {
      const res = await t.http.get(path).set('Authorization', reader);
      expect([path, res.status, res.headers['x-read-source']]).toEqual([path, 200, 'replica']);
    }
    const other = await t.http.get('/v1/ledger/accounts?book=reserve').set('Authorization', reader);
    expect([other.status, other.headers['x-read-source']]).toEqual([200, undefined]);
  });

  it('after a write, the same caller reads from the primary until the bound has passed; another caller is not affected', async () => {
    const book = `rr${Date.now().toString(36)}`;
    const write = await t.http.post('/v1/ledger/books').set('Authorization', t.auth).send({ code: book, name: 'read routing' });
    expect(write.status).toBe(201);
    const mine = await t.http.get(`/v1/ledger/trial-balance?book=${book}`).set('Authorization', t.auth);
    expect([mine.status, mine.headers['x-read-source'], mine.body.book]).toEqual([200, 'primary', book]);
    const theirs = await t.http.get(`/v1/ledger/trial-balance?book=${book}`).set('Authorization', reader);
    expect([theirs.status, theirs.headers['x-read-source']]).toEqual([200, 'replica']);
    await sleep(BOUND_MS + 400);
    const later = await t.http.get(`/v1/ledger/trial-balance?book=${book}`).set('Authorization', t.auth);
    expect([later.status, later.headers['x-read-source']]).toEqual([200, 'replica']);
  });
});
