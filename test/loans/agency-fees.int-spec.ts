import { startTestApp, TestApp, uniqueCode } from '../support/test-app';
import { createBorrower, createParties, freezeToday, issueToken, loanBody, Parties } from './loan-fixtures';

describe('agency fees (issue #5 item 5; RULES §7, A 第六条)', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => {
    t = await startTestApp();
    p = await createParties(t);
  });
  afterAll(async () => {
    await t.close();
  });

  /** A loan registered 2025-03-10 and disbursed in full on 2025-03-11 (no fee before the disbursement, RULES §7). */
  async function loan(overrides: Record<string, unknown> = {}, disbursed: string | null = null): Promise<string> {
    const body = loanBody(p, await createBorrower(t), overrides);
    const res = await t.http.post('/v1/loans').set('Authorization', t.auth).send(body).expect(201);
    await t.http
      .post(`/v1/loans/${res.body.id}/disbursement`)
      .set('Authorization', t.auth)
      .send({ disbursedOn: '2025-03-11', amount: disbursed ?? body.amount })
      .expect(201);
    return res.body.id;
  }
  const fee = (id: string, body: object, auth = t.auth) => t.http.post(`/v1/loans/${id}/agency-fees`).set('Authorization', auth).send(body);
  const letter = (id: string, issuedOn: string) =>
    t.http.post(`/v1/loans/${id}/confirmation-letter`).set('Authorization', t.auth).send({ issuedOn });

  it('before the confirmation letter → 422 FEE.BEFORE_CONFIRMATION; on the letter’s date → allowed', async () => {
    const id = await loan();
    const none = await fee(id, { amount: '10000.00', chargedOn: '2025-03-12' }).expect(422);
    expect(none.body.code).toBe('FEE.BEFORE_CONFIRMATION');
    await letter(id, '2025-03-15').expect(201);
    const early = await fee(id, { amount: '10000.00', chargedOn: '2025-03-14' }).expect(422);
    expect(early.body.code).toBe('FEE.BEFORE_CONFIRMATION');
    const ok = await fee(id, { amount: '10000.00', chargedOn: '2025-03-15' }).expect(201);
    expect(ok.body).toMatchObject({ amount: '10000.00', periodMonths: 12, cap: '30000.00' });
    expect((await letter(id, '2025-03-16').expect(409)).body.code).toBe('LOAN.CONFIRMATION_ALREADY_ISSUED');
  });

  it('cap: 1% a year of 3,000,000.00 = 30,000.00; 30,000.01 → 422 FEE.ABOVE_CAP, 30,000.00 → 201', async () => {
    const id = await loan();
    await letter(id, '2025-03-11').expect(201);
    const over = await fee(id, { amount: '30000.01', chargedOn: '2025-03-12' }).expect(422);
    expect(over.body.code).toBe('FEE.ABOVE_CAP');
    expect(over.body.details).toEqual([expect.objectContaining({ code: 'FEE.ABOVE_CAP', cap: '30000.00' })]);
    await fee(id, { amount: '30000.00', chargedOn: '2025-03-12' }).expect(201);
    // The 12-month loan's fees together may not pass the cap for its term either.
    const more = await fee(id, { amount: '0.01', chargedOn: '2025-06-12', periodMonths: 1 }).expect(422);
    expect(more.body.code).toBe('FEE.ABOVE_CAP');
    expect(more.body.details[0]).toMatchObject({ scope: 'term', alreadyCharged: '30000.00' });
    const list = await t.http.get(`/v1/loans/${id}/agency-fees`).set('Authorization', t.auth).expect(200);
    expect(list.body).toHaveLength(1);
  });

  it('a 36-month loan: a yearly fee of 30,000.00 three times, the fourth refused; 6 months pays at most 15,000.00', async () => {
    const restore = freezeToday(t, '2028-06-30');
    const id = await loan({ termMonths: 36 });
    await letter(id, '2025-03-11').expect(201);
    expect((await fee(id, { amount: '15000.01', chargedOn: '2025-03-12', periodMonths: 6 }).expect(422)).body.code).toBe('FEE.ABOVE_CAP');
    for (const on of ['2025-03-12', '2026-03-12', '2027-03-12']) await fee(id, { amount: '30000.00', chargedOn: on }).expect(201);
    expect((await fee(id, { amount: '100.00', chargedOn: '2028-01-12' }).expect(422)).body.code).toBe('FEE.ABOVE_CAP');
    expect((await fee(id, { amount: '100.00', chargedOn: '2028-01-12', periodMonths: 37 }).expect(400)).body.code).toBe('FEE.PERIOD_TOO_LONG');
    restore();
  });

  it('issue 11 item 7 (RULES §7 2026-12): registered 3,000,000.00, disbursed 1,000,000.00 — no 10,000.00 fee before the disbursement; after it 10,000.00, then 20,000.00 more refused', async () => {
    const restore = freezeToday(t, '2025-12-31');
    const res = await t.http.post('/v1/loans').set('Authorization', t.auth).send(loanBody(p, await createBorrower(t))).expect(201);
    const id = res.body.id as string;
    await letter(id, '2025-03-10').expect(201);
    const before = await fee(id, { amount: '10000.00', chargedOn: '2025-03-12' }).expect(422);
    expect(before.body.code).toBe('FEE.BEFORE_DISBURSEMENT');
    await t.http.post(`/v1/loans/${id}/disbursement`).set('Authorization', t.auth).send({ disbursedOn: '2025-03-20', amount: '1000000.00' }).expect(201);
    // Dated before the disbursement: still nothing.
    expect((await fee(id, { amount: '10000.00', chargedOn: '2025-03-19' }).expect(422)).body.details[0]).toMatchObject({
      code: 'FEE.BEFORE_DISBURSEMENT',
      chargedOn: '2025-03-19',
      disbursedOn: '2025-03-20',
    });
    // base = 1,000,000.00 disbursed; cap = 1,000,000.00 × 1% × 12 / 12 = 10,000.00.
    const ok = await fee(id, { amount: '10000.00', chargedOn: '2025-03-20' }).expect(201);
    expect(ok.body).toMatchObject({ amount: '10000.00', cap: '10000.00', feeBase: '1000000.00' });
    expect(ok.body.breakdown[0]).toMatchObject({ text: 'Fee base = the amount disbursed on 2025-03-20: 1,000,000.00 (registered 3,000,000.00)', policyVersion: 'henan-2021' });
    // 10,000.00 + 20,000.00 = 30,000.00 > 10,000.00 for the 12-month term (and 20,000.00 > the year's cap on its own).
    const more = await fee(id, { amount: '20000.00', chargedOn: '2025-06-20' }).expect(422);
    expect(more.body.code).toBe('FEE.ABOVE_CAP');
    expect(more.body.details[0]).toMatchObject({ code: 'FEE.ABOVE_CAP', cap: '10000.00' });
    restore();
  });

  it('above the cap and before the letter → 422 FEE.REFUSED listing both', async () => {
    const id = await loan();
    const res = await fee(id, { amount: '40000.00', chargedOn: '2025-03-12' }).expect(422);
    expect(res.body.code).toBe('FEE.REFUSED');
    expect(res.body.details.map((d: { code: string }) => d.code).sort()).toEqual(['FEE.ABOVE_CAP', 'FEE.BEFORE_CONFIRMATION']);
  });

  it('the loan’s agency may record its fee; another agency, a bank, or a bank for the letter → 403', async () => {
    const id = await loan();
    await letter(id, '2025-03-11').expect(201);
    const own = await issueToken(t, 'agency', p.agencyCode);
    const otherCode = uniqueCode('AG');
    await t.http.post('/v1/agencies').set('Authorization', t.auth).send({ code: otherCode, name: 'Another agency', feeRate: '0.01', joinedOn: '2021-01-01' }).expect(201);
    const other = await issueToken(t, 'agency', otherCode);
    const bank = await issueToken(t, 'bank', p.bankCode);
    await fee(id, { amount: '1000.00', chargedOn: '2025-03-12' }, own).expect(201);
    await fee(id, { amount: '1000.00', chargedOn: '2025-03-12' }, other).expect(404);
    await fee(id, { amount: '1000.00', chargedOn: '2025-03-12' }, bank).expect(403);
    await t.http.post(`/v1/loans/${id}/confirmation-letter`).set('Authorization', bank).send({ issuedOn: '2025-03-12' }).expect(403);
    const bad = await fee(id, { amount: 1000, chargedOn: '2025-03-12' }).expect(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'amount' })]);
  });
});
