import { startTestApp, TestApp } from '../support/test-app';

/**
 * "Bad input gets a clear 4xx with a stable error code and writes nothing. Never a 500."
 * Every write route of the OpenAPI document is sent malformed bodies and unknown ids; every
 * answer must be a 4xx in the API.md error shape.
 */
/**
 * The calls are independent (each one bad on its own), so a few are in flight at once: the sweep
 * is thousands of requests, and one at a time it spent most of its time waiting on round trips.
 * Failures are returned in the calls' order.
 */
async function inParallel<T>(items: T[], call: (item: T) => Promise<string | null>, inFlight = 6): Promise<string[]> {
  const results: (string | null)[] = new Array(items.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await call(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
  return results.filter((r): r is string => r !== null);
}

describe('no 500 for bad input, on every route of the OpenAPI document', () => {
  let t: TestApp;
  let paths: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    t = await startTestApp();
    paths = (await t.http.get('/docs-json').expect(200)).body.paths;
  });
  afterAll(async () => {
    await t.close();
  });

  const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);
  const bodies: unknown[] = [
    {},
    [],
    { unexpected: 1 },
    { amount: 1e21, code: null, date: '2025-13-45', claimIds: 'x', rows: 'x', lines: 7, quarter: 12 },
    { amount: '１００.００', book: '../..', effectiveDate: '2025-02-30', decision: 'maybe' },
  ];
  const ids = ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', 'NOSUCHCODE', '2025Q9', '%E2%82%AC'];

  it('POST/PUT/DELETE routes answer 4xx with a code for malformed bodies and unknown ids', async () => {
    const calls: { method: 'post' | 'put' | 'delete'; url: string; body: unknown }[] = [];
    for (const [path, ops] of Object.entries(paths)) {
      for (const method of ['post', 'put', 'delete'] as const) {
        if (!ops[method]) continue;
        for (const id of ids) for (const body of bodies) calls.push({ method, url: fill(path, id), body });
      }
    }
    const failures = await inParallel(calls, async ({ method, url, body }) => {
      const res = await t.http[method](url).set('Authorization', t.auth).send(body as object);
      const ok = res.status >= 400 && res.status < 500 && typeof res.body.code === 'string' && typeof res.body.message === 'string';
      return ok ? null : `${method.toUpperCase()} ${url} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
    });
    expect(calls.length).toBeGreaterThan(100);
    expect(failures).toEqual([]);
    // Twenty-five calls per write route, more with every route added: minutes on a loaded machine.
  }, 300_000);

  it('GET routes answer 2xx or 4xx (never 5xx) for unknown ids and bad query values', async () => {
    const urls: string[] = [];
    for (const [path, ops] of Object.entries(paths)) {
      if (!ops.get || path === '/health') continue;
      for (const id of ids) {
        for (const query of ['', '?asOf=2025-02-30&limit=0&cursor=zzz&book=nope&format=pdf', '?limit=abc&status=bogus&from=x&to=y']) urls.push(fill(path, id) + query);
      }
    }
    const failures = await inParallel(urls, async (url) => {
      const res = await t.http.get(url).set('Authorization', t.auth);
      return res.status >= 500 ? `GET ${url} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}` : null;
    });
    expect(failures).toEqual([]);
  }, 300_000);
});
