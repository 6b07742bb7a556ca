import { createBank } from '../support/factories';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * The reconciliation's date window is the policy parameter `reconciliationWindowWorkingDays`
 * (issue 14: "a date window (policy parameter, default ±3 working days)"; RULES §8). Both built-in
 * versions carry 3. A version loaded from 2025-09-01 with a window of 0 makes a line booked on
 * Fri 2025-10-10 and shown by the bank on Mon 2025-10-13 (two working days late: Sat 2025-10-11
 * is a make-up working day of the National Day holiday; no reference) unmatched for an October
 * statement; the import's own `windowDays` still overrides it (1 is not enough, 2 is).
 */
describe('reconciliation: the date window comes from the policy version', () => {
  let t: TestApp;
  let bank: string;

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bank = await createBank(t, 'RW');
    await t.http.post('/v1/reserve/funding').set('Authorization', t.auth).send({ bankCode: bank, amount: '500.00', fundedOn: '2025-10-10', reference: `F-${bank}` }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const importOctober = (query = '') =>
    t.http
      .post(`/v1/reconciliations?bankCode=${bank}&from=2025-10-01&to=2025-10-31&openingBalance=0.00&dryRun=true${query}`)
      .set('Authorization', t.auth)
      .set('Content-Type', 'text/csv')
      .send('交易日期,金额,摘要\n2025-10-13,500.00,拨款\n');

  it('both built-in versions carry 3 working days', async () => {
    const res = await t.http.get('/v1/policies').set('Authorization', t.auth).expect(200);
    const windows = Object.fromEntries(res.body.items.map((v: { id: string; parameters: Record<string, unknown> }) => [v.id, v.parameters.reconciliationWindowWorkingDays]));
    expect(windows).toMatchObject({ 'henan-2021': 3, 'henan-2025': 3 });
    expect((await importOctober()).body).toMatchObject({ matched: 1, unmatchedStatement: 0, unmatchedLedger: 0 });
  });

  it('a version with a window of 0: the late line stays unmatched; ?windowDays=2 overrides it', async () => {
    await t.http
      .post('/v1/policies')
      .set('Authorization', t.auth)
      .send({ id: 'henan-2025-strict', programme: 'henan-tech-loan', name: 'same-day matching', effectiveFrom: '2025-09-01', basedOn: 'henan-2025', parameters: { reconciliationWindowWorkingDays: 0 } })
      .expect(201);
    expect((await importOctober()).body).toMatchObject({ matched: 0, unmatchedStatement: 1, unmatchedLedger: 1 });
    expect((await importOctober('&windowDays=1')).body).toMatchObject({ matched: 0 });
    expect((await importOctober('&windowDays=2')).body).toMatchObject({ matched: 1, unmatchedStatement: 0, unmatchedLedger: 0 });
    const bad = await t.http
      .post('/v1/policies')
      .set('Authorization', t.auth)
      .send({ id: 'henan-2025-wide', programme: 'henan-tech-loan', name: 'too wide', effectiveFrom: '2025-11-01', basedOn: 'henan-2025', parameters: { reconciliationWindowWorkingDays: 31 } })
      .expect(422);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['parameters.reconciliationWindowWorkingDays']);
  });
});
