import { startTestApp, TestApp } from '../support/test-app';

/**
 * "Bad input gets a clear 4xx with a stable error code and writes nothing. Never a 500."
 * Every write route of the OpenAPI document is sent malformed bodies and unknown ids; every
 * answer must be a 4xx in the API.md error shape.
 */
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
    const failures: string[] = [];
    let calls = 0;
    for (const [path, ops] of Object.entries(paths)) {
      for (const method of ['post', 'put', 'delete'] as const) {
        if (!ops[method]) continue;
        for (const id of ids) {
          for (const body of bodies) {
            const url = fill(path, id);
            const res = await t.http[method](url).set('Authorization', t.auth).send(body as object);
            calls++;
            const ok = res.status >= 400 && res.status < 500 && typeof res.body.code === 'string' && typeof res.body.message === 'string';
            if (!ok) failures.push(`${method.toUpperCase()} ${url} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(100);
    expect(failures).toEqual([]);
    // Twenty-five calls per write route, more with every route added: minutes on a loaded machine.
  }, 300_000);

  it('GET routes answer 2xx or 4xx (never 5xx) for unknown ids and bad query values', async () => {
    const failures: string[] = [];
    for (const [path, ops] of Object.entries(paths)) {
      if (!ops.get || path === '/health') continue;
      for (const id of ids) {
        for (const query of ['', '?asOf=2025-02-30&limit=0&cursor=zzz&book=nope&format=pdf', '?limit=abc&status=bogus&from=x&to=y']) {
          const url = fill(path, id) + query;
          const res = await t.http.get(url).set('Authorization', t.auth);
          if (res.status >= 500) failures.push(`GET ${url} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
