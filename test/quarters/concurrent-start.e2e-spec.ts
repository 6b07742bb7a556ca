import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * Issue 12 "order and dates": two first-ever closes of different quarters asked at once. The
 * order is checked again under a lock when the run is started, so exactly one of them runs; the
 * other is refused with 409 (whichever came second: 2025Q2 without 2025Q1, or 2025Q1 after a later
 * quarter) and writes no run.
 */
describe('quarter close: two first closes of different quarters at once', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startIsolatedTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('exactly one runs; the other is a 409 and leaves no run', async () => {
    const close = (q: string) => t.http.post(`/v1/quarters/${q}/close`).set('Authorization', t.auth);
    const answers = await Promise.all([close('2025Q1'), close('2025Q2')]);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(['QUARTER.PREVIOUS_OPEN', 'QUARTER.PREVIOUS_MISSING', 'QUARTER.OUT_OF_ORDER']).toContain(refused.body.code);
    const runs = (await t.dataSource.query(`SELECT quarter FROM quarter_runs ORDER BY quarter`)) as { quarter: string }[];
    expect(runs).toHaveLength(1);
  });
});
