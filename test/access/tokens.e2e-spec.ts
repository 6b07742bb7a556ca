import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthService, TOKEN_FORMAT } from '../../src/auth/auth.service';
import { createBank } from '../support/factories';
import { startTestApp, TestApp, uniqueCode } from '../support/test-app';

/**
 * Issue #15 item 3: tokens are listed without secrets, expire (default 90 days), are revoked at
 * once in the revoking process and within TOKEN_CACHE_SECONDS elsewhere, record their last use,
 * and a party token exists only for an existing party. OpenAPI's bearerFormat names the format.
 */
describe('tokens: list, expiry, revoke, last used (issue #15)', () => {
  let t: TestApp;
  let bank: string;
  const issue = (body: object) => t.http.post('/v1/tokens').set('Authorization', t.auth).send(body);
  const me = (token: string) => t.http.get('/v1/tokens/me').set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    t = await startTestApp({ tokenCacheSeconds: 5 });
    bank = await createBank(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a party token only for an existing party: 422 AUTH.PARTY_NOT_FOUND for a bank or agency that does not exist, nothing written', async () => {
    const missing = uniqueCode('NOBANK');
    const res = await issue({ role: 'bank', partyCode: missing }).expect(422);
    expect(res.body).toMatchObject({ code: 'AUTH.PARTY_NOT_FOUND', details: [expect.objectContaining({ field: 'partyCode' })] });
    await issue({ role: 'agency', partyCode: missing }).expect(422);
    const rows = (await t.dataSource.query(`SELECT count(*)::int AS n FROM api_tokens WHERE party_code = $1`, [missing])) as { n: number }[];
    expect(rows[0].n).toBe(0);
  });

  it('issued tokens have the documented format and expire after 90 days by default (or expiresInDays)', async () => {
    const before = Date.now();
    const res = await issue({ role: 'bank', partyCode: bank, label: 'Zhang Wei, credit dept.' }).expect(201);
    expect(res.body.token).toMatch(/^rf_[A-Za-z0-9_-]{43}$/);
    const expires = new Date(res.body.expiresAt).getTime();
    expect(expires - before).toBeGreaterThanOrEqual(90 * 86_400_000 - 1000);
    expect(expires - before).toBeLessThanOrEqual(90 * 86_400_000 + 60_000);
    const short = await issue({ role: 'auditor', expiresInDays: 1 }).expect(201);
    expect(new Date(short.body.expiresAt).getTime() - before).toBeLessThanOrEqual(86_400_000 + 60_000);
    await issue({ role: 'auditor', expiresInDays: 0 }).expect(400);
    const doc = await t.http.get('/docs-json').expect(200);
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: TOKEN_FORMAT });
  });

  it('GET /v1/tokens lists tokens without their value or hash, with status, expiry and last use; trustee and auditor only', async () => {
    const issued = await issue({ role: 'bank', partyCode: bank, label: 'list me' }).expect(201);
    let list = await t.http.get(`/v1/tokens?partyCode=${bank}`).set('Authorization', t.auth).expect(200);
    let row = list.body.items.find((i: { id: string }) => i.id === issued.body.id);
    expect(row).toMatchObject({ role: 'bank', partyCode: bank, label: 'list me', status: 'active', revokedAt: null, lastUsedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(issued.body.token);
    expect(Object.keys(row).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'issuedBy', 'label', 'lastUsedAt', 'partyCode', 'revokedAt', 'role', 'status']);

    await me(issued.body.token).expect(200);
    list = await t.http.get(`/v1/tokens?partyCode=${bank}`).set('Authorization', t.auth).expect(200);
    row = list.body.items.find((i: { id: string }) => i.id === issued.body.id);
    expect(row.lastUsedAt).not.toBeNull();

    const auditor = await issue({ role: 'auditor' }).expect(201);
    await t.http.get('/v1/tokens').set('Authorization', `Bearer ${auditor.body.token}`).expect(200);
    const denied = await t.http.get('/v1/tokens').set('Authorization', `Bearer ${issued.body.token}`).expect(403);
    expect(denied.body.code).toBe('AUTH.FORBIDDEN');
  });

  it('pages newest first with a cursor', async () => {
    for (let i = 0; i < 3; i++) await issue({ role: 'custodian', label: `page ${i}` }).expect(201);
    const first = await t.http.get('/v1/tokens?role=custodian&limit=2').set('Authorization', t.auth).expect(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await t.http.get(`/v1/tokens?role=custodian&limit=2&cursor=${first.body.nextCursor}`).set('Authorization', t.auth).expect(200);
    const ids = [...first.body.items, ...second.body.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a revoked token is refused at once by the revoking process, even though it was cached', async () => {
    const issued = await issue({ role: 'custodian' }).expect(201);
    await me(issued.body.token).expect(200); // now cached
    await t.http.delete(`/v1/tokens/${issued.body.id}`).set('Authorization', t.auth).expect(204);
    const res = await me(issued.body.token).expect(401);
    expect(res.body.code).toBe('AUTH.UNAUTHENTICATED');
    await t.http.delete(`/v1/tokens/${issued.body.id}`).set('Authorization', t.auth).expect(404);
    const list = await t.http.get('/v1/tokens?role=custodian&limit=1000').set('Authorization', t.auth).expect(200);
    expect(list.body.items.find((i: { id: string }) => i.id === issued.body.id).status).toBe('revoked');
  });

  it('an expired token is refused (401) and listed as expired', async () => {
    const issued = await issue({ role: 'auditor', expiresInDays: 1 }).expect(201);
    await t.dataSource.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [issued.body.id]);
    await me(issued.body.token).expect(401);
    const list = await t.http.get('/v1/tokens?role=auditor&limit=1000').set('Authorization', t.auth).expect(200);
    expect(list.body.items.find((i: { id: string }) => i.id === issued.body.id).status).toBe('expired');
  });
});

/**
 * Issue 16 item 1: a request's token is looked up once. The edge resolves it before reading a body
 * and the guard reuses that resolution, unless this process revoked a token since; a revoked token
 * is refused on the idempotent path too (the guard runs before the idempotency interceptor).
 */
describe('tokens: one look-up per request, revocation still immediate (issue 16)', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({ tokenCacheSeconds: 5 });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t.close();
  });

  const trustee = async (): Promise<{ id: string; token: string }> => {
    const res = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'trustee', label: 'issue 16' }).expect(201);
    return { id: res.body.id as string, token: res.body.token as string };
  };
  const tokensLabelled = async (label: string) =>
    ((await t.dataSource.query(`SELECT count(*)::int AS n FROM api_tokens WHERE label = $1`, [label])) as { n: number }[])[0].n;
  const keyRows = async (key: string) => ((await t.dataSource.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1`, [key])) as { n: number }[])[0].n;

  it('a POST with a body resolves its token once (at the edge), a request without a body once (in the guard)', async () => {
    const auth = t.app.get(AuthService);
    const resolve = jest.spyOn(auth, 'resolve');
    try {
      const label = uniqueCode('ONCE');
      await t.http.post('/v1/tokens').set('Authorization', t.auth).set('Idempotency-Key', label).send({ role: 'auditor', label }).expect(201);
      expect(resolve).toHaveBeenCalledTimes(1);
      resolve.mockClear();
      await t.http.get('/v1/tokens/me').set('Authorization', t.auth).expect(200);
      expect(resolve).toHaveBeenCalledTimes(1);
      resolve.mockClear();
      // A body without a token is refused at the edge, before any look-up.
      await t.http.post('/v1/tokens').send({ role: 'auditor' }).expect(401);
      expect(resolve).toHaveBeenCalledTimes(0);
    } finally {
      resolve.mockRestore();
    }
  });

  it('a token revoked while its request is past the edge (body still arriving) is refused by the guard: 401, nothing written, no key stored', async () => {
    const caller = await trustee();
    // Cached now, so the edge resolves it at once when the half-sent request arrives.
    await t.http.get('/v1/tokens/me').set('Authorization', `Bearer ${caller.token}`).expect(200);
    const label = uniqueCode('MIDWAY');
    const key = `midway-${label}`;
    const body = Buffer.from(JSON.stringify({ role: 'auditor', label }));
    const answer = new Promise<{ status: number; body: { code?: string } }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/tokens',
          headers: { Authorization: `Bearer ${caller.token}`, 'Content-Type': 'application/json', 'Content-Length': body.length, 'Idempotency-Key': key },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as { code?: string } }));
        },
      );
      req.on('error', reject);
      // Half the body: the edge has resolved the token and the body reader waits for the rest.
      req.write(body.subarray(0, 10));
      setTimeout(() => {
        t.http
          .delete(`/v1/tokens/${caller.id}`)
          .set('Authorization', t.auth)
          .expect(204)
          .then(() => req.end(body.subarray(10)), reject);
      }, 150);
    });
    const res = await answer;
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AUTH.UNAUTHENTICATED');
    expect(await tokensLabelled(label)).toBe(0);
    expect(await keyRows(key)).toBe(0);
  });

  it('a revoked token replaying its Idempotency-Key gets 401, not the stored answer; with and without a body', async () => {
    const caller = await trustee();
    const label = uniqueCode('REPLAY');
    const key = `replay-${label}`;
    const send = () => t.http.post('/v1/tokens').set('Authorization', `Bearer ${caller.token}`).set('Idempotency-Key', key).send({ role: 'auditor', label });
    await send().expect(201);
    const replayed = await send().expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    await t.http.delete(`/v1/tokens/${caller.id}`).set('Authorization', t.auth).expect(204);
    const refused = await send().expect(401);
    expect(refused.body.code).toBe('AUTH.UNAUTHENTICATED');
    expect(refused.headers['idempotent-replayed']).toBeUndefined();
    // A DELETE (no body: authenticated by the guard alone) under a key used before the revocation.
    const other = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'auditor', label: `${label}-x` }).expect(201);
    const del = await t.http.delete(`/v1/tokens/${other.body.id}`).set('Authorization', `Bearer ${caller.token}`).set('Idempotency-Key', `${key}-d`).expect(401);
    expect(del.body.code).toBe('AUTH.UNAUTHENTICATED');
    expect(await tokensLabelled(label)).toBe(1);
    const list = await t.http.get('/v1/tokens?role=auditor&limit=1000').set('Authorization', t.auth).expect(200);
    expect(list.body.items.find((i: { id: string }) => i.id === other.body.id).status).toBe('active');
  });
});

describe('tokens: a revocation made by another instance takes effect within TOKEN_CACHE_SECONDS (issue #15)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ tokenCacheSeconds: 1 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('revoked in the database behind this process’s back: refused once the 1 s bound has passed', async () => {
    const issued = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'custodian' }).expect(201);
    await t.http.get('/v1/tokens/me').set('Authorization', `Bearer ${issued.body.token}`).expect(200);
    // Another instance revokes it: this process's cache is not told.
    await t.dataSource.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, [issued.body.id]);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await t.http.get('/v1/tokens/me').set('Authorization', `Bearer ${issued.body.token}`).expect(401);
  });
});
