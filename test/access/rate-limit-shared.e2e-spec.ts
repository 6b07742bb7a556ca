import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';

const shared = Boolean(process.env.REDIS_URL && process.env.DATABASE_URL);

/**
 * Issue #15 item 5: with REDIS_URL the rate limit per token is one limit for every instance of
 * the service (the counters live in Redis, src/common/http/rate-limit.ts), not one per process.
 * Two instances on the same database and Redis (the same key prefix, as two instances of one
 * deployment have), a limit of 10 a minute: requests of one token alternate between them, and the
 * 11th is refused whichever instance answers. Needs a real Redis and PostgreSQL (two embedded
 * databases would not know each other's tokens).
 */
(shared ? describe : describe.skip)('rate limit shared across instances through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let other: TestApp;

  beforeAll(async () => {
    const prefix = `test-shared-${randomUUID().slice(0, 8)}`;
    a = await startTestApp({ rateLimitPerMinute: 10 }, { jobsPrefix: prefix });
    b = await startTestApp({ rateLimitPerMinute: 10 }, { jobsPrefix: prefix });
    // Another deployment on the same Redis (another prefix) keeps limits of its own.
    other = await startTestApp({ rateLimitPerMinute: 10 });
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), other?.close()]);
  });

  it('ten requests of one token spread over two instances use up the limit of both: the 11th and 12th are 429, on either', async () => {
    const issued = (await a.http.post('/v1/tokens').set('Authorization', a.auth).send({ role: 'auditor' }).expect(201)).body as { token: string };
    const token = `Bearer ${issued.token}`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const app = i % 2 === 0 ? a : b;
      statuses.push((await app.http.get('/v1/tokens/me').set('Authorization', token)).status);
    }
    // In memory, each instance would have let 10 through (20 in all).
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);
    const refused = await a.http.get('/v1/tokens/me').set('Authorization', token).expect(429);
    expect(refused.body.code).toBe('REQUEST.TOO_MANY');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The same token on a deployment with its own keys is counted from zero there.
    await other.http.get('/v1/tokens/me').set('Authorization', token).expect(200);
  });
});
