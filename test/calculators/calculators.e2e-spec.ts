import { COMPENSATION_EXAMPLE_A, COMPENSATION_EXAMPLE_A_FIGURES } from '../support/examples';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The calculators of API.md through HTTP (issue #3 "Done when": RULES.md worked examples to the
 * fen through the endpoints; malformed or rule-breaking requests → 400/422, never 500).
 */
describe('calculators (API.md "Calculators")', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, body: unknown) =>
    t.http.post(`/v1/calculators/${path}`).set('Authorization', t.auth).send(body as object);

  it('RULES §4 example A → 200 with the API.md figures', async () => {
    // 116 days; interest 3,000,000 × 116 × 0.0435 / 360 = 42,050.00; loss 3,042,050.00;
    // × 0.60 = 1,825,230.00. Overdue since 2025-05-10 + 2 months = eligible from 2025-07-10.
    const res = await post('compensation', COMPENSATION_EXAMPLE_A).expect(200);
    expect(res.body).toMatchObject(COMPENSATION_EXAMPLE_A_FIGURES);
    expect(res.body.breakdown.length).toBeGreaterThan(3);
    expect(res.body.breakdown.map((s: { rule: string }) => s.rule).join(' ')).toContain('RULES §4');
  });

  it('RULES §4 example B: 80M revenue, guarantee, 36 months → 0.50, 8,111,222.22 / 4,055,611.11', async () => {
    // 40% bracket + 10 points for 2 whole extra years = 50%. 130 days:
    // 8,000,000 × 130 × 0.0385 / 360 = 111,222.22; × 0.50 = 4,055,611.11.
    const res = await post('compensation', {
      principal: '8000000.00',
      annualRate: '0.0385',
      interestUnpaidSince: '2024-12-21',
      claimDate: '2025-04-30',
      revenue: '80000000.00',
      security: 'guarantee',
      termMonths: 36,
      lawsuitAcceptedOn: '2025-03-01',
    }).expect(200);
    expect(res.body).toMatchObject({
      eligible: true,
      eligibleFrom: '2025-03-01',
      ratio: '0.50',
      lossAmount: '8111222.22',
      compensation: '4055611.11',
      capped: false,
      days: 130,
    });
  });

  it('RULES §4 example C: credit loan → 0.60, loss 20,500,000.00, compensation capped at 5,000,000.00', async () => {
    // 180 days: 20,000,000 × 180 × 0.05 / 360 = 500,000.00; × 0.60 = 12,300,000.00 → cap.
    const res = await post('compensation', {
      principal: '20000000.00',
      annualRate: '0.05',
      interestUnpaidSince: '2025-01-01',
      claimDate: '2025-06-30',
      revenue: '300000000.00',
      security: 'credit',
      termMonths: 24,
      principalOverdueSince: '2025-02-28',
    }).expect(200);
    expect(res.body).toMatchObject({ ratio: '0.60', lossAmount: '20500000.00', compensation: '5000000.00', capped: true, days: 180 });
  });

  it('not yet eligible: amounts still computed, eligible false with the first eligible date', async () => {
    const res = await post('compensation', { ...COMPENSATION_EXAMPLE_A, claimDate: '2025-07-09' }).expect(200);
    expect(res.body.eligible).toBe(false);
    expect(res.body.eligibleFrom).toBe('2025-07-10');
    // 110 days: 3,000,000 × 110 × 0.0435 / 360 = 39,875.00 → loss 3,039,875.00 × 0.60 = 1,823,925.00.
    expect(res.body.lossAmount).toBe('3039875.00');
    expect(res.body.compensation).toBe('1823925.00');
    expect(res.body.ineligibleReason.code).toBe('CLAIM.NOT_YET_ELIGIBLE');
  });

  it('a money field sent as a JSON number → 400 naming the field', async () => {
    const res = await post('compensation', { ...COMPENSATION_EXAMPLE_A, principal: 3000000 }).expect(400);
    expect(res.body.code).toBe('REQUEST.INVALID');
    expect(res.body.details).toEqual([
      expect.objectContaining({ field: 'principal', code: 'isMoney', message: expect.stringContaining('JSON numbers are refused') }),
    ]);
  });

  it.each([
    ['an exponent', { principal: '3e6' }],
    ['three decimals', { principal: '3000000.001' }],
    ['a negative amount', { revenue: '-1.00' }],
    ['16 integer digits', { principal: '1000000000000000.00' }],
    ['NaN', { principal: 'NaN' }],
    ['full-width digits', { principal: '３０００.００' }],
    ['a rate as a number', { annualRate: 0.0435 }],
    ['a rate with 9 decimals', { annualRate: '0.043500001' }],
    ['an impossible date', { claimDate: '2025-02-30' }],
    ['an unknown security', { security: 'pledge' }],
    ['an unknown field', { currency: 'CNY' }],
  ])('%s → 400', async (_label, patch) => {
    const res = await post('compensation', { ...COMPENSATION_EXAMPLE_A, ...patch }).expect(400);
    expect(res.body.statusCode).toBe(400);
    expect(res.body.details.length).toBeGreaterThan(0);
  });

  it('a claim date before the interest date → 400 CLAIM.DATES_OUT_OF_ORDER, never 500', async () => {
    const res = await post('compensation', { ...COMPENSATION_EXAMPLE_A, claimDate: '2025-03-01' }).expect(400);
    expect(res.body.code).toBe('CLAIM.DATES_OUT_OF_ORDER');
  });

  it('margin deduction: the API.md example → 300,000.00 with one 20% band', async () => {
    // Edges 2,000,000 / 4,000,000 on a 100,000,000 balance; the claim spans 1.5% → 3.5%:
    // 500,000 in the 0% band, 1,500,000 × 20% = 300,000.00.
    const res = await post('margin-deduction', {
      reviewedBalance: '100000000.00',
      priorNetCompensation: '1500000.00',
      compensation: '2000000.00',
    }).expect(200);
    expect(res.body).toMatchObject({
      deduction: '300000.00',
      lossRateBefore: '0.015',
      lossRateAfter: '0.035',
      bands: [{ from: '0.02', to: '0.04', amount: '1500000.00', share: '0.20', deduction: '300000.00' }],
    });
  });

  it('margin deduction: prior 3,000,000, claim 5,000,000 (3% → 8%) → 2,000,000.00', async () => {
    // 1,000,000 × 20% + 2,000,000 × 40% + 2,000,000 × 50% = 200,000 + 800,000 + 1,000,000.
    const res = await post('margin-deduction', {
      reviewedBalance: '100000000.00',
      priorNetCompensation: '3000000.00',
      compensation: '5000000.00',
    }).expect(200);
    expect(res.body.deduction).toBe('2000000.00');
    expect(res.body.bands.map((b: { deduction: string }) => b.deduction)).toEqual(['200000.00', '800000.00', '1000000.00']);
  });

  it('recovery refund: the API.md example → 570,000.00', async () => {
    // (1,000,000 − 50,000) × 1,860,000 / 3,100,000 = 950,000 × 0.6 = 570,000.00.
    const res = await post('recovery-refund', {
      recovered: '1000000.00',
      agreedCosts: '50000.00',
      compensationPaid: '1860000.00',
      lossAmount: '3100000.00',
      refundedSoFar: '0.00',
    }).expect(200);
    expect(res.body.refund).toBe('570000.00');
    expect(res.body.capped).toBe(false);
  });

  it('recovery refund: the cumulative cap leaves only what was not yet refunded', async () => {
    // Uncapped 570,000.00, but 1,500,000.00 of 1,860,000.00 is already refunded → 360,000.00.
    const res = await post('recovery-refund', {
      recovered: '1000000.00',
      agreedCosts: '50000.00',
      compensationPaid: '1860000.00',
      lossAmount: '3100000.00',
      refundedSoFar: '1500000.00',
    }).expect(200);
    expect(res.body).toMatchObject({ refund: '360000.00', capped: true });
  });

  it('recovery refund: optional amounts sent as null mean "not given" (a 500 found by the fuzz battery)', async () => {
    const res = await post('recovery-refund', {
      recovered: '1000000.00',
      agreedCosts: '50000.00',
      compensationPaid: '1860000.00',
      lossAmount: '3100000.00',
      refundedSoFar: null,
      netRecoveredSoFar: null,
    }).expect(200);
    expect(res.body.refund).toBe('570000.00');
  });

  it('calculators need a token', async () => {
    await t.http.post('/v1/calculators/recovery-refund').send({}).expect(401);
  });
});
