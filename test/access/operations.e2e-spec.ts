import { PassThrough } from 'node:stream';
import { HEARTBEAT_JOB } from '../../src/jobs/heartbeat';
import { GuardRefusalRecorder } from '../../src/audit/guard-refusals';
import { JobQueue } from '../../src/jobs/job-registry';
import { createBank } from '../support/factories';
import { startTestApp, TestApp, uniqueCode } from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Issue #15 item 5: a request id on every response and request log line, the actor in every
 * request log, rate limiting per token (429 with Retry-After), and Prometheus /metrics scraped.
 */
describe('operations: request id, actor in logs, rate limit per token, /metrics (issue #15)', () => {
  let t: TestApp;
  const lines: Record<string, unknown>[] = [];
  let bank: string;
  let bankToken: string;
  const issue = async (body: object) => (await t.http.post('/v1/tokens').set('Authorization', t.auth).send(body).expect(201)).body;

  beforeAll(async () => {
    const logs = new PassThrough();
    let buffered = '';
    logs.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    t = await startTestApp({ logLevel: 'info', rateLimitPerMinute: 40 }, { logDestination: logs });
    bank = await createBank(t);
    const issued = await issue({ role: 'bank', partyCode: bank });
    bankToken = `Bearer ${issued.token}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('every response carries X-Request-Id: a fresh UUID, or the caller’s own when well-formed; edge refusals and unknown routes too', async () => {
    const ok = await t.http.get('/v1/tokens/me').set('Authorization', t.auth).expect(200);
    expect(ok.headers['x-request-id']).toMatch(UUID);
    const own = await t.http.get('/v1/tokens/me').set('Authorization', t.auth).set('X-Request-Id', 'bank-sys-42').expect(200);
    expect(own.headers['x-request-id']).toBe('bank-sys-42');
    const bad = await t.http.get('/v1/tokens/me').set('Authorization', t.auth).set('X-Request-Id', 'x'.repeat(200)).expect(200);
    expect(bad.headers['x-request-id']).toMatch(UUID);
    const noToken = await t.http.post('/v1/claims').send({}).expect(401);
    expect(noToken.headers['x-request-id']).toMatch(UUID);
    const missing = await t.http.get('/v1/no-such-route').set('Authorization', t.auth).expect(404);
    expect(missing.headers['x-request-id']).toMatch(UUID);
  });

  it('every request log line carries the request id, and the completion line of an authenticated request the actor', async () => {
    const res = await t.http.get('/v1/claims?limit=1').set('Authorization', bankToken).set('X-Request-Id', `probe-${uniqueCode('R')}`).expect(200);
    const id = res.headers['x-request-id'];
    await new Promise((resolve) => setTimeout(resolve, 50));
    const requestLines = lines.filter((l) => typeof l.req === 'object' && l.req !== null);
    expect(requestLines.length).toBeGreaterThan(5);
    for (const l of requestLines) expect((l.req as { id?: unknown }).id).toEqual(expect.any(String));
    const mine = requestLines.filter((l) => (l.req as { id: string }).id === id);
    expect(mine.length).toBeGreaterThanOrEqual(1);
    const done = mine.find((l) => l.res !== undefined);
    const issuedId = (await t.http.get('/v1/tokens/me').set('Authorization', bankToken).expect(200)).body.id;
    expect(done).toMatchObject({ actor: { tokenId: issuedId, role: 'bank', partyCode: bank } });
    expect(JSON.stringify(lines)).not.toContain(bankToken.slice('Bearer '.length));
  });

  it('rate limit per token: past the limit → 429 REQUEST.TOO_MANY with Retry-After; another token is not affected', async () => {
    const issuedA = await issue({ role: 'auditor' });
    const idOfA = issuedA.id as string;
    const a = `Bearer ${issuedA.token}`;
    const b = `Bearer ${(await issue({ role: 'auditor' })).token}`;
    const statuses: number[] = [];
    type Answer = { status: number; headers: Record<string, string>; body: { code?: string } };
    let limited: Answer | null = null;
    for (let i = 0; i < 41; i++) {
      const res = await t.http.get('/v1/tokens/me').set('Authorization', a);
      statuses.push(res.status);
      if (res.status === 429) limited = res as unknown as Answer;
    }
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    expect(statuses[40]).toBe(429);
    expect(limited?.body.code).toBe('REQUEST.TOO_MANY');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited?.headers['retry-after'])).toBeLessThanOrEqual(60);
    await t.http.get('/v1/tokens/me').set('Authorization', b).expect(200);
    await t.http.get('/health').expect((r) => expect(r.status).not.toBe(429));

    // The refusals are in the audit trail, counted rather than a row each (docs/audit.md).
    for (let i = 0; i < 4; i++) await t.http.get('/v1/tokens/me').set('Authorization', a).expect(429);
    await t.app.get(GuardRefusalRecorder).flush();
    const rows = (await t.http.get(`/v1/audit-log?actor=${idOfA}&outcome=refused&limit=100`).set('Authorization', b).expect(200)).body.items as {
      action: string;
      targetIds: string[];
      outcome: { status: number; code: string };
    }[];
    expect(rows.every((r) => r.outcome.status === 429 && r.outcome.code === 'REQUEST.TOO_MANY')).toBe(true);
    const firsts = rows.filter((r) => r.action === 'GET /v1/tokens/me');
    const counted = rows.filter((r) => r.action === 'REPEATED REFUSALS').map((r) => Number(r.targetIds.find((x) => x.startsWith('count:'))?.slice(6)));
    // Five 429s: the first of each minute as a row of its own, the rest counted (two rows, or four across a minute's end).
    expect(firsts.length + counted.reduce((x, y) => x + y, 0)).toBe(5);
    expect(rows.length).toBeLessThanOrEqual(4);
  });

  it('/metrics is scraped by a programme-wide token: HTTP latency by route, ledger postings, job runs, database pool', async () => {
    await t.http
      .post('/v1/reserve/funding')
      .set('Authorization', t.auth)
      .send({ bankCode: bank, amount: '1000.00', fundedOn: '2025-01-15', reference: uniqueCode('F') })
      .expect(201);
    await t.app.get(JobQueue).run(HEARTBEAT_JOB, { source: 'test' });
    const auditor = `Bearer ${(await issue({ role: 'auditor' })).token}`;
    const res = await t.http.get('/metrics').set('Authorization', auditor).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toMatch(/http_request_duration_seconds_bucket\{[^}]*method="GET"[^}]*route="\/v1\/tokens\/me"[^}]*status="200"/);
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/v1\/reserve\/funding"[^}]*status="201"[^}]*\} 1/);
    expect(text).not.toMatch(/route="\/v1\/claims\/[0-9a-f-]{36}/);
    expect(text).toMatch(/ledger_entries_posted_total\{book="reserve"\} [1-9]/);
    expect(text).toMatch(/job_runs_total\{job="heartbeat",outcome="completed"\} [1-9]/);
    expect(text).toMatch(/db_pool_connections\{state="total"\} \d+/);
    expect(text).toMatch(/db_pool_max \d+/);
    expect(text).toMatch(/process_cpu_seconds_total/);
    await t.http.get('/metrics').set('Authorization', bankToken).expect(403);
    await t.http.get('/metrics').expect(401);
  });
});
