import { HeartbeatProcessor, HEARTBEAT_JOB } from '../../src/jobs/heartbeat';
import { JobQueue } from '../../src/jobs/job-registry';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/test-app';

describe('foundation (issue #2): health, docs, auth, errors, jobs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /health answers 200 without a token, with database and queue up', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.database.status).toBe('up');
    expect(res.body.database.embedded).toBe(!process.env.DATABASE_URL);
    expect(res.body.queue).toMatchObject({ status: 'up', mode: process.env.REDIS_URL ? 'bullmq' : 'in-process' });
  });

  it('serves the OpenAPI page at /docs and the document at /docs-json without a token', async () => {
    await t.http.get('/docs').expect(200);
    const doc = await t.http.get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toContain('/v1/tokens');
  });

  it('a missing token → 401 AUTH.UNAUTHENTICATED in the API.md error shape', async () => {
    const res = await t.http.get('/v1/tokens/me').expect(401);
    expect(res.body).toEqual({
      statusCode: 401,
      code: 'AUTH.UNAUTHENTICATED',
      message: 'Send "Authorization: Bearer <token>".',
      details: [],
    });
  });

  it('a wrong token → 401; the bootstrap token is a trustee', async () => {
    await t.http.get('/v1/tokens/me').set('Authorization', 'Bearer not-a-real-token').expect(401);
    const me = await t.http.get('/v1/tokens/me').set('Authorization', t.auth).expect(200);
    expect(me.body).toMatchObject({ role: 'trustee', partyCode: null });
  });

  it('tokens are stored hashed: the table never holds the token text', async () => {
    const rows: { token_sha256: string }[] = await t.dataSource.query('SELECT token_sha256 FROM api_tokens');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.token_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(r.token_sha256).not.toContain(ADMIN_TOKEN);
    }
  });

  it('the bootstrap token is created once however often the service starts', async () => {
    const second = await startTestApp({ databaseUrl: process.env.DATABASE_URL || null });
    try {
      // On the embedded default each app has its own in-memory database, so count within one.
      const rows: { n: string }[] = await second.dataSource.query(
        `SELECT count(*) AS n FROM api_tokens WHERE label = 'bootstrap admin'`,
      );
      expect(Number(rows[0].n)).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('an issued bank token authenticates and is scoped to its party; a bank cannot issue tokens', async () => {
    const issued = await t.http
      .post('/v1/tokens')
      .set('Authorization', t.auth)
      .send({ role: 'bank', partyCode: 'BANK01', label: 'bank one' })
      .expect(201);
    expect(issued.body.token).toMatch(/^rf_/);
    const bank = `Bearer ${issued.body.token}`;
    const me = await t.http.get('/v1/tokens/me').set('Authorization', bank).expect(200);
    expect(me.body).toMatchObject({ role: 'bank', partyCode: 'BANK01' });
    const denied = await t.http.post('/v1/tokens').set('Authorization', bank).send({ role: 'auditor' }).expect(403);
    expect(denied.body.code).toBe('AUTH.FORBIDDEN');
    await t.http.delete(`/v1/tokens/${issued.body.id}`).set('Authorization', t.auth).expect(204);
    await t.http.get('/v1/tokens/me').set('Authorization', bank).expect(401);
  });

  it('an unknown field → 400 REQUEST.INVALID naming the field, and nothing is written', async () => {
    const before: { n: string }[] = await t.dataSource.query('SELECT count(*) AS n FROM api_tokens');
    const res = await t.http
      .post('/v1/tokens')
      .set('Authorization', t.auth)
      .send({ role: 'auditor', isAdmin: true })
      .expect(400);
    expect(res.body.code).toBe('REQUEST.INVALID');
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'isAdmin', code: 'UNKNOWN_FIELD' })]);
    const after: { n: string }[] = await t.dataSource.query('SELECT count(*) AS n FROM api_tokens');
    expect(after[0].n).toBe(before[0].n);
  });

  it('malformed JSON → 400 REQUEST.MALFORMED_JSON, never 500', async () => {
    const res = await t.http
      .post('/v1/tokens')
      .set('Authorization', t.auth)
      .set('Content-Type', 'application/json')
      .send('{"role": "auditor",')
      .expect(400);
    expect(res.body.code).toBe('REQUEST.MALFORMED_JSON');
  });

  it('an unknown route → 404 ROUTE.NOT_FOUND', async () => {
    const res = await t.http.get('/v1/nothing-here').set('Authorization', t.auth).expect(404);
    expect(res.body.code).toBe('ROUTE.NOT_FOUND');
  });

  it('the heartbeat job runs through the configured queue and stamps job_heartbeats', async () => {
    const queue = t.app.get(JobQueue);
    const result = await queue.run<{ beatAt: string }>(HEARTBEAT_JOB, { source: 'test' });
    expect(Date.parse(result.beatAt)).not.toBeNaN();
    const last = await t.app.get(HeartbeatProcessor).lastBeat();
    expect(last?.beatAt).toBe(result.beatAt);
    const health = await t.http.get('/health').expect(200);
    expect(health.body.queue.lastHeartbeat.beatAt).toBe(result.beatAt);
    // Each beat is counted on the one row of this mode.
    await queue.run(HEARTBEAT_JOB, { source: 'test' });
    expect((await t.app.get(HeartbeatProcessor).lastBeat())?.beats).toBe((last?.beats ?? 0) + 1);
  });
});
