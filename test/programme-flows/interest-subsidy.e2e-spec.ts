import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBank } from '../support/factories';
import { countChanges } from '../support/table-counts';
import { startIsolatedTestApp, TestApp, uniqueCode } from '../support/test-app';
import { balanceOf, counts, createFlowBorrower, expectBooksSound, programmeLoan, registerProgrammeLoan, tokenOf } from './flow-world';

/**
 * Issue 18 item 3: the interest subsidy of a Xinxiang start-up guarantee loan (RULES §11; xinxiang
 * (四): ≤ 3,000,000, subsidy on LPR − 150 bp … LPR + 150 bp, 累计不超过 3 次), with the seed's own
 * figures (data/programmes/xinxiang-risk-compensation.json), paid quarter by quarter on the
 * `subsidy` book; the 4th grant to one borrower refused.
 */
describe('the start-up guarantee loan interest subsidy on its own book (issue 18 item 3)', () => {
  let t: TestApp;
  let bank: string;
  let bankToken: string;
  let custodian: string;
  let borrower: string;
  let loanId: string;
  let subsidyId: string;

  const xinxiang = { programme: 'xinxiang-risk-compensation', product: 'startup-guarantee-loan' };
  // 2,000,000.00 at 3.95% for 12 months from 2025-06-15: the 1-year LPR of 2025-05-20 is 3.00%.
  const loanSpec = (contractDate = '2025-06-15', amount = '2000000.00') => ({ ...xinxiang, bankCode: bank, borrowerCode: borrower, amount, annualRate: '0.0395', termMonths: 12, contractDate });
  // A firm of 20 staff hiring 3 start-up-loan-eligible persons each year: 3 / 20 = 15% exactly (xinxiang (四)).
  const hiringFirm = () => createFlowBorrower(t, { headcounts: [['2025-01-02', 20], ['2026-01-02', 20]], hires: [['2025-01-05', 3], ['2026-01-05', 3]] });
  const quarterUrl = (q: string, step: 'claim' | 'payment') => `/v1/loans/${loanId}/interest-subsidies/${subsidyId}/quarters/${q}/${step}`;

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bank = await createBank(t, 'SUB');
    bankToken = await tokenOf(t, 'bank', bank);
    custodian = await tokenOf(t, 'custodian');
    borrower = await hiringFirm();
    loanId = await registerProgrammeLoan(t, loanSpec());
    await t.http.post('/v1/programme-funds/subsidy/funding').set('Authorization', custodian).send({ amount: '100000.00', fundedOn: '2025-01-15', reference: 'SUB-2025-01' }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('grants the subsidy: band 1.50%…4.50%, subsidised 2.45%, five quarters totalling 49,680.55, the first of 3 times', async () => {
    const res = await t.http.post(`/v1/loans/${loanId}/interest-subsidies`).set('Authorization', t.auth).send({ grantedOn: '2025-06-20' }).expect(201);
    subsidyId = res.body.id;
    expect(res.body).toMatchObject({
      programme: 'xinxiang-risk-compensation',
      programmeVersionId: 'xinxiang-2022',
      ordinal: 1,
      renewals: 0,
      timesMax: 3,
      principal: '2000000.00',
      lpr: '0.03',
      lprEffectiveFrom: '2025-05-20',
      band: { floor: '0.015', ceiling: '0.045' },
      subsidisedRate: '0.0245',
      startsOn: '2025-06-15',
      endsOn: '2026-06-15',
      scheduledTotal: '49680.55',
    });
    // 2,000,000.00 × 0.0245 × days / 360, each quarter half-up.
    expect(res.body.quarters.map((q: { quarter: string; days: number; scheduledAmount: string }) => [q.quarter, q.days, q.scheduledAmount])).toEqual([
      ['2025Q2', 16, '2177.78'],
      ['2025Q3', 92, '12522.22'],
      ['2025Q4', 92, '12522.22'],
      ['2026Q1', 90, '12250.00'],
      ['2026Q2', 75, '10208.33'],
    ]);
  });

  it('claims and pays quarter by quarter on the principal then outstanding', async () => {
    const outOfOrder = await t.http.post(quarterUrl('2025Q3', 'claim')).set('Authorization', bankToken).send({ claimedOn: '2025-10-08', principalOutstanding: '2000000.00' }).expect(409);
    expect(outOfOrder.body.code).toBe('SUBSIDY.QUARTER_OUT_OF_ORDER');
    const notEnded = await t.http.post(quarterUrl('2025Q2', 'claim')).set('Authorization', bankToken).send({ claimedOn: '2025-06-30', principalOutstanding: '2000000.00' }).expect(422);
    expect(notEnded.body.code).toBe('SUBSIDY.QUARTER_NOT_ENDED');
    const notClaimed = await t.http.post(quarterUrl('2025Q2', 'payment')).set('Authorization', custodian).send({ paidOn: '2025-07-10' }).expect(409);
    expect(notClaimed.body.code).toBe('SUBSIDY.QUARTER_NOT_CLAIMED');

    // [quarter, claimed on, principal outstanding, paid on, amount]:
    // 2,000,000.00 × 0.0245 × 16 / 360 = 2,177.78; 1,500,000.00 × 0.0245 × 92 / 360 = 9,391.666… → 9,391.67 (twice);
    // 1,000,000.00 × 0.0245 × 90 / 360 = 6,125.00; × 75 / 360 = 5,104.166… → 5,104.17.
    const plan: [string, string, string, string, string][] = [
      ['2025Q2', '2025-07-05', '2000000.00', '2025-07-10', '2177.78'],
      ['2025Q3', '2025-10-08', '1500000.00', '2025-10-15', '9391.67'],
      ['2025Q4', '2026-01-08', '1500000.00', '2026-01-15', '9391.67'],
      ['2026Q1', '2026-04-08', '1000000.00', '2026-04-15', '6125.00'],
      ['2026Q2', '2026-06-15', '1000000.00', '2026-06-20', '5104.17'],
    ];
    for (const [q, claimedOn, principalOutstanding, paidOn, amount] of plan) {
      // The last quarter is claimed by the trustee for the bank: that token may not also pay it.
      const claimer = q === '2026Q2' ? t.auth : bankToken;
      const claimed = await t.http.post(quarterUrl(q, 'claim')).set('Authorization', claimer).send({ claimedOn, principalOutstanding }).expect(200);
      expect(claimed.body.quarters.find((x: { quarter: string }) => x.quarter === q)).toMatchObject({ status: 'claimed', amount });
      if (claimer === t.auth) {
        const own = await t.http.post(quarterUrl(q, 'payment')).set('Authorization', t.auth).send({ paidOn }).expect(403);
        expect(own.body.code).toBe('AUTH.FOUR_EYES');
      }
      const beforeClaim = await t.http.post(quarterUrl(q, 'payment')).set('Authorization', custodian).send({ paidOn: '2025-07-04' }).expect(422);
      expect(beforeClaim.body.code).toBe('SUBSIDY.DATES_OUT_OF_ORDER');
      const paid = await t.http.post(quarterUrl(q, 'payment')).set('Authorization', custodian).send({ paidOn }).expect(200);
      expect(paid.body.quarters.find((x: { quarter: string }) => x.quarter === q)).toMatchObject({ status: 'paid', paidOn });
    }
    const view = await t.http.get(`/v1/loans/${loanId}/interest-subsidies/${subsidyId}`).set('Authorization', bankToken).expect(200);
    // 2,177.78 + 9,391.67 + 9,391.67 + 6,125.00 + 5,104.17
    expect(view.body.paidTotal).toBe('32190.29');
    const twice = await t.http.post(quarterUrl('2026Q2', 'payment')).set('Authorization', custodian).send({ paidOn: '2026-06-21' }).expect(409);
    expect(twice.body.code).toBe('SUBSIDY.QUARTER_ALREADY_PAID');
    // 100,000.00 − 32,190.29
    expect(await balanceOf(t, 'subsidy', 'subsidy:fund')).toBe('67809.71');
    expect(await balanceOf(t, 'subsidy', 'subsidy:granted')).toBe('32190.29');
    expect(await balanceOf(t, 'subsidy', `subsidy:payable:${bank}`)).toBe('0.00');
    const fund = await t.http.get('/v1/programme-funds/subsidy').set('Authorization', custodian).expect(200);
    expect(fund.body).toMatchObject({ fund: '67809.71', capital: '100000.00' });
    // funding + 5 claims + 5 payments
    await expectBooksSound(t, 'subsidy', 11);
  });

  it('renewals: the 2nd and 3rd loans of the borrower are subsidised (1 and 2 renewals); the 4th time → 422 SUBSIDY.TIMES_EXHAUSTED, nothing written', async () => {
    const second = await registerProgrammeLoan(t, loanSpec('2026-06-16'));
    const third = await registerProgrammeLoan(t, loanSpec('2026-07-01'));
    const fourth = await registerProgrammeLoan(t, loanSpec('2026-08-01'));
    const r2 = await t.http.post(`/v1/loans/${second}/interest-subsidies`).set('Authorization', t.approver).send({ grantedOn: '2026-06-20' }).expect(201);
    expect(r2.body).toMatchObject({ ordinal: 2, renewals: 1 });
    const r3 = await t.http.post(`/v1/loans/${third}/interest-subsidies`).set('Authorization', t.auth).send({ grantedOn: '2026-07-02' }).expect(201);
    expect(r3.body).toMatchObject({ ordinal: 3, renewals: 2 });
    const before = await counts(t);
    const r4 = await t.http.post(`/v1/loans/${fourth}/interest-subsidies`).set('Authorization', t.auth).send({ grantedOn: '2026-08-02' }).expect(422);
    expect(r4.body.code).toBe('SUBSIDY.TIMES_EXHAUSTED');
    expect(r4.body.details[0]).toMatchObject({ used: 3, timesMax: 3 });
    expect(countChanges(before, await counts(t))).toEqual([]);
  });

  it('bad input and refusals → 4xx with a stable code, nothing written', async () => {
    // Registration refuses a loan above 3,000,000.00; one written under an older cap is refused at the grant.
    const big = await programmeLoan(t, { ...loanSpec('2025-06-15', '3000000.01'), version: 'xinxiang-2022' });
    const other = await hiringFirm();
    const fresh = await registerProgrammeLoan(t, { ...loanSpec(), borrowerCode: other });
    const before = await counts(t);
    const cases: [string, string, object, number, string][] = [
      [`/v1/loans/${big}/interest-subsidies`, t.auth, { grantedOn: '2025-06-20' }, 422, 'SUBSIDY.LOAN_ABOVE_CAP'],
      [`/v1/loans/${loanId}/interest-subsidies`, t.auth, { grantedOn: '2025-06-20' }, 409, 'SUBSIDY.ALREADY_GRANTED'],
      [`/v1/loans/${fresh}/interest-subsidies`, t.auth, { grantedOn: '2025-06-20', endsOn: '2027-01-01' }, 422, 'SUBSIDY.PERIOD_INVALID'],
      [`/v1/loans/${fresh}/interest-subsidies`, t.auth, { grantedOn: '20250620' }, 400, 'REQUEST.INVALID'],
      [`/v1/loans/${fresh}/interest-subsidies`, bankToken, { grantedOn: '2025-06-20' }, 403, 'AUTH.FORBIDDEN'],
      [quarterUrl('2027Q1', 'claim'), bankToken, { claimedOn: '2026-07-01', principalOutstanding: '1.00' }, 422, 'SUBSIDY.QUARTER_NOT_IN_SCHEDULE'],
      [quarterUrl('2025Q9', 'claim'), bankToken, { claimedOn: '2026-07-01', principalOutstanding: '1.00' }, 400, 'REQUEST.INVALID'],
      ['/v1/programme-funds/reserve/funding', custodian, { amount: '1.00', fundedOn: '2025-01-15', reference: 'X-1' }, 404, 'FLOW.FUND_UNKNOWN'],
      ['/v1/programme-funds/subsidy/funding', custodian, { amount: '1.00', fundedOn: '2025-01-16', reference: 'SUB-2025-01' }, 409, 'FLOW.DUPLICATE_REFERENCE'],
    ];
    for (const [url, token, body, status, code] of cases) {
      const res = await t.http.post(url).set('Authorization', token).send(body);
      expect([url, res.status, res.body.code]).toEqual([url, status, code]);
    }
    expect(countChanges(before, await counts(t))).toEqual([]);
  });
  it('a sixth programme loaded from its JSON document subsidises with its own figures (LPR ± 100 bp, twice): data only', async () => {
    const doc = JSON.parse(readFileSync(join(__dirname, '../programme/fixtures/sixth-programme.json'), 'utf8'));
    const suffix = uniqueCode('').toLowerCase().slice(-8);
    const code = `${doc.code}-${suffix}`;
    await t.http.post('/v1/programmes/documents').set('Authorization', t.auth).send({ ...doc, code, version: { ...doc.version, id: `${doc.version.id}-${suffix}` } }).expect(201);
    // 60 staff (above 50) → 10%; 6 hires in 2026.
    const firm = await createFlowBorrower(t, { headcounts: [['2026-01-02', 60]], hires: [['2026-01-10', 6]] });
    const loan = await registerProgrammeLoan(t, { programme: code, product: 'startup-loan', bankCode: bank, borrowerCode: firm, amount: '2000000.00', annualRate: '0.035', termMonths: 24, contractDate: '2026-02-01' });
    const res = await t.http.post(`/v1/loans/${loan}/interest-subsidies`).set('Authorization', t.auth).send({ grantedOn: '2026-02-05' }).expect(201);
    // LPR 3.00% (2025-05-20): band 2.00%…4.00%; 3.50% − 2.00% = 1.50%; 2026Q1 from 2026-02-01: 59 days,
    // 2,000,000.00 × 0.015 × 59 / 360 = 4,916.666… → 4,916.67.
    expect(res.body).toMatchObject({ programme: code, ordinal: 1, timesMax: 2, band: { floor: '0.02', ceiling: '0.04' }, subsidisedRate: '0.015', startsOn: '2026-02-01', endsOn: '2028-02-01' });
    expect(res.body.quarters[0]).toMatchObject({ quarter: '2026Q1', days: 59, scheduledAmount: '4916.67' });
    expect(res.body.quarters).toHaveLength(9);

    // Two grants racing for the last of its 2 times: exactly one wins (the per-borrower lock and the
    // unique (programme, borrower, ordinal)); the other is refused and writes nothing.
    const spec = { programme: code, product: 'startup-loan', bankCode: bank, borrowerCode: firm, amount: '1000000.00', annualRate: '0.035', termMonths: 12 };
    const second = await registerProgrammeLoan(t, { ...spec, contractDate: '2026-03-01' });
    const third = await registerProgrammeLoan(t, { ...spec, contractDate: '2026-04-01' });
    const raced = await Promise.all([second, third].map((id) => t.http.post(`/v1/loans/${id}/interest-subsidies`).set('Authorization', t.auth).send({ grantedOn: '2026-04-02' })));
    expect(raced.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(raced.find((r) => r.status === 422)?.body.code).toBe('SUBSIDY.TIMES_EXHAUSTED');
    expect(raced.find((r) => r.status === 201)?.body).toMatchObject({ ordinal: 2, renewals: 1 });
  });
});
