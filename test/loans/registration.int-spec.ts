import { startTestApp, TestApp, uniqueCode } from '../support/test-app';
import { createAgency, createBorrower, createParties, issueToken, loanBody, Parties } from './loan-fixtures';

describe('loan registration (issue #5 item 2; RULES §2, §3, A 第七条)', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => {
    t = await startTestApp();
    p = await createParties(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const register = (body: object, auth = t.auth) => t.http.post('/v1/loans').set('Authorization', auth).send(body);

  describe('the ratio fixed at registration (RULES §3)', () => {
    it('revenue 18,000,000 (2024), collateral, 12 months, registered 2025-03-10 → 0.60, revenue year 2024', async () => {
      const borrower = await createBorrower(t, { revenues: [{ year: 2024, amount: '18000000.00' }, { year: 2023, amount: '90000000.00' }] });
      const res = await register(loanBody(p, borrower)).expect(201);
      expect(res.body).toMatchObject({
        compensationRatio: '0.60',
        revenueYearUsed: 2024,
        revenueUsed: '18000000.00',
        policyVersionId: 'henan-2021',
        amount: '3000000.00',
        annualRate: '0.04',
      });
      expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
      const got = await t.http.get(`/v1/loans/${res.body.id}`).set('Authorization', t.auth).expect(200);
      expect(got.body.compensationRatio).toBe('0.60');
      expect(got.body.breakdown.map((s: { text: string }) => s.text).join('\n')).toContain('base ratio 0.60');
      const rows: { compensation_ratio: string; revenue_year_used: number }[] = await t.dataSource.query(
        'SELECT compensation_ratio::text, revenue_year_used FROM loans WHERE id = $1',
        [res.body.id],
      );
      expect(rows[0]).toEqual({ compensation_ratio: '0.60000000', revenue_year_used: 2024 });
    });

    it('revenue 80,000,000, guarantee, 36 months → 0.40 + 2 × 0.05 = 0.50 (RULES §4 case B)', async () => {
      const borrower = await createBorrower(t, { revenues: [{ year: 2024, amount: '80000000.00' }] });
      const res = await register(loanBody(p, borrower, { security: 'guarantee', termMonths: 36, collateralValue: '0.00' })).expect(201);
      expect(res.body.compensationRatio).toBe('0.50');
    });

    it('300,000,000 revenue but a pure credit loan → 0.60 whatever the revenue', async () => {
      const borrower = await createBorrower(t, { revenues: [{ year: 2024, amount: '300000000.00' }] });
      const res = await register(loanBody(p, borrower, { security: 'credit', collateralValue: '0.00', termMonths: 24 })).expect(201);
      expect(res.body.compensationRatio).toBe('0.60');
    });

    it('only 2023 revenue recorded: registered 2025-05-31 (before 1 June) uses 2023; 2025-06-01 is refused', async () => {
      const borrower = await createBorrower(t, { revenues: [{ year: 2023, amount: '30000000.00' }] });
      const before = await register(loanBody(p, borrower, { registeredOn: '2025-05-31' })).expect(201);
      expect(before.body).toMatchObject({ revenueYearUsed: 2023, compensationRatio: '0.50', revenueUsed: '30000000.00' });

      const after = await register(loanBody(p, borrower, { registeredOn: '2025-06-01' })).expect(422);
      expect(after.body.code).toBe('LOAN.REVENUE_MISSING');
      expect(after.body.details).toEqual([expect.objectContaining({ code: 'LOAN.REVENUE_MISSING', yearsAccepted: [2024] })]);
    });

    it('after 1 June with 2024 recorded → 2024, and a later revenue correction does not change the stored loan', async () => {
      const borrower = await createBorrower(t, { revenues: [{ year: 2024, amount: '45000000.00' }, { year: 2023, amount: '10000000.00' }] });
      const res = await register(loanBody(p, borrower, { registeredOn: '2025-06-02' })).expect(201);
      expect(res.body).toMatchObject({ revenueYearUsed: 2024, compensationRatio: '0.50' });
      await t.http.put(`/v1/borrowers/${borrower}/revenues`).set('Authorization', t.auth).send({ year: 2024, amount: '5000000.00' }).expect(200);
      const got = await t.http.get(`/v1/loans/${res.body.id}`).set('Authorization', t.auth).expect(200);
      expect(got.body).toMatchObject({ revenueYearUsed: 2024, compensationRatio: '0.50', revenueUsed: '45000000.00' });
    });
  });

  describe('every refusal reason', () => {
    let borrower: string;
    beforeAll(async () => {
      borrower = await createBorrower(t);
    });

    it.each([
      ['LOAN.COLLATERAL_TOO_HIGH', { collateralValue: '900000.01' }],
      ['LOAN.RATE_ABOVE_CAP', { annualRate: '0.05656' }], // 12 months: PBoC benchmark 4.35% × 1.3 = 5.655% (RULES §2 2026-12)
      ['LOAN.TERM_TOO_SHORT', { termMonths: 11 }],
      ['LOAN.SECURITY_INCONSISTENT', { security: 'credit', collateralValue: '100.00' }],
    ])('%s', async (code, overrides) => {
      const res = await register(loanBody(p, borrower, overrides)).expect(422);
      expect(res.body.code).toBe(code);
      expect(res.body.details).toEqual([expect.objectContaining({ code })]);
    });

    it('the single-asset exception allows collateral above 30%', async () => {
      await register(loanBody(p, borrower, { collateralValue: '2000000.00', singleAssetException: true })).expect(201);
    });

    it('LOAN.BORROWER_NOT_QUALIFIED: neither high-tech nor tech SME', async () => {
      const plain = await createBorrower(t, { highTech: false, techSme: false });
      const res = await register(loanBody(p, plain)).expect(422);
      expect(res.body.code).toBe('LOAN.BORROWER_NOT_QUALIFIED');
    });

    it('LOAN.NO_AGREEMENT: bank and agency without a tri-party agreement', async () => {
      const other = await createParties(t, { agreement: false });
      const b = await createBorrower(t);
      const res = await register(loanBody(other, b)).expect(422);
      expect(res.body.code).toBe('LOAN.NO_AGREEMENT');
    });

    it('LOAN.BANK_NOT_ACTIVE from the status date; a renewal after risk review is still allowed while suspended_new', async () => {
      const q = await createParties(t);
      const b = await createBorrower(t);
      const first = await register(loanBody(q, b, { registeredOn: '2025-03-10' })).expect(201);
      await t.http
        .post(`/v1/banks/${q.bankCode}/status`)
        .set('Authorization', t.auth)
        .send({ status: 'suspended_new', reason: 'loss rate 4.8% (RULES §6)', since: '2025-04-25' })
        .expect(201);
      const bank = await t.http.get(`/v1/banks/${q.bankCode}`).set('Authorization', t.auth).expect(200);
      expect(bank.body).toMatchObject({ status: 'suspended_new', statusSince: '2025-04-25', lossRate: null });
      // Before the status date: still active.
      await register(loanBody(q, b, { registeredOn: '2025-04-24' })).expect(201);
      const refused = await register(loanBody(q, b, { registeredOn: '2025-04-25' })).expect(422);
      expect(refused.body.code).toBe('LOAN.BANK_NOT_ACTIVE');
      expect(refused.body.details[0]).toMatchObject({ status: 'suspended_new', since: '2025-04-25' });
      // RULES §6 (2026-12): a renewal in the 4–6% band needs riskReviewed: true.
      const unreviewed = await register(loanBody(q, b, { registeredOn: '2025-05-06', termMonths: 6, isRenewal: true, renewalOf: first.body.id })).expect(422);
      expect(unreviewed.body.code).toBe('LOAN.BANK_NOT_ACTIVE');
      const renewal = await register(
        loanBody(q, b, { registeredOn: '2025-05-06', termMonths: 6, isRenewal: true, renewalOf: first.body.id, riskReviewed: true }),
      ).expect(201);
      expect(renewal.body).toMatchObject({ isRenewal: true, renewalOf: first.body.id, riskReviewed: true });

      await t.http
        .post(`/v1/banks/${q.bankCode}/status`)
        .set('Authorization', t.auth)
        .send({ status: 'disqualified', reason: 'no disbursement for 3 years', since: '2025-05-10' })
        .expect(201);
      const disq = await register(
        loanBody(q, b, { registeredOn: '2025-05-12', termMonths: 6, isRenewal: true, renewalOf: first.body.id, riskReviewed: true }),
      ).expect(422);
      expect(disq.body.code).toBe('LOAN.BANK_NOT_ACTIVE');
    });

    it('LOAN.AGENCY_NOT_ACTIVE', async () => {
      const q = await createParties(t);
      await t.http
        .post(`/v1/agencies/${q.agencyCode}/status`)
        .set('Authorization', t.auth)
        .send({ status: 'suspended_focus', reason: 'loss rate above 6%', since: '2025-01-25' })
        .expect(201);
      const res = await register(loanBody(q, await createBorrower(t))).expect(422);
      expect(res.body.code).toBe('LOAN.AGENCY_NOT_ACTIVE');
    });

    it('LOAN.REVENUE_MISSING: no revenue at all', async () => {
      const b = await createBorrower(t, { revenues: [] });
      const res = await register(loanBody(p, b)).expect(422);
      expect(res.body.code).toBe('LOAN.REVENUE_MISSING');
    });

    it('a term under 12 months with a renewal of another borrower’s loan → LOAN.RENEWAL_OF_INVALID', async () => {
      const a = await createBorrower(t);
      const other = await register(loanBody(p, a)).expect(201);
      const b = await createBorrower(t);
      const res = await register(loanBody(p, b, { termMonths: 6, isRenewal: true, renewalOf: other.body.id })).expect(422);
      expect(res.body.code).toBe('LOAN.RENEWAL_OF_INVALID');
      const missing = await register(loanBody(p, b, { termMonths: 6, isRenewal: true })).expect(400);
      expect(missing.body.code).toBe('LOAN.RENEWAL_OF_REQUIRED');
    });

    it('several broken rules → 422 LOAN.NOT_ELIGIBLE listing every one', async () => {
      const other = await createParties(t, { agreement: false });
      const plain = await createBorrower(t, { highTech: false, techSme: false, revenues: [] });
      const res = await register(
        loanBody(other, plain, { annualRate: '0.0600', collateralValue: '1000000.00', termMonths: 6 }),
      ).expect(422);
      expect(res.body.code).toBe('LOAN.NOT_ELIGIBLE');
      const codes = res.body.details.map((d: { code: string }) => d.code).sort();
      expect(codes).toEqual(
        [
          'LOAN.BORROWER_NOT_QUALIFIED',
          'LOAN.COLLATERAL_TOO_HIGH',
          'LOAN.NO_AGREEMENT',
          'LOAN.RATE_ABOVE_CAP',
          'LOAN.REVENUE_MISSING',
          'LOAN.TERM_TOO_SHORT',
        ].sort(),
      );
      const n: { n: string }[] = await t.dataSource.query('SELECT count(*) AS n FROM loans WHERE bank_code = $1', [other.bankCode]);
      expect(n[0].n).toBe('0');
    });

    it('LOAN.DUPLICATE_REFERENCE (409) per bank; the same reference at another bank is fine', async () => {
      const body = loanBody(p, borrower);
      await register(body).expect(201);
      const dup = await register(body).expect(409);
      expect(dup.body.code).toBe('LOAN.DUPLICATE_REFERENCE');
      const other = await createParties(t);
      await register({ ...body, bankCode: other.bankCode, agencyCode: other.agencyCode, borrowerCode: await createBorrower(t) }).expect(201);
    });

    it('unknown bank, agency or borrower → 404; money as a JSON number → 400', async () => {
      expect((await register(loanBody({ ...p, bankCode: 'NOPE' }, borrower)).expect(404)).body.code).toBe('BANK.NOT_FOUND');
      expect((await register(loanBody({ ...p, agencyCode: 'NOPE' }, borrower)).expect(404)).body.code).toBe('AGENCY.NOT_FOUND');
      expect((await register(loanBody(p, 'NOPE')).expect(404)).body.code).toBe('BORROWER.NOT_FOUND');
      const bad = await register(loanBody(p, borrower, { amount: 3000000 })).expect(400);
      expect(bad.body.details).toEqual([expect.objectContaining({ field: 'amount' })]);
    });
  });

  describe('one agency per enterprise group (A 第七条)', () => {
    it('a related enterprise is refused with another agency until a change is recorded; then the credit line is capped for a year', async () => {
      const groupCode = uniqueCode('GRP');
      const agencyY = await createAgency(t, p.bankCode);
      const a = await createBorrower(t, { groupCode });
      const b = await createBorrower(t, { groupCode });
      await register(loanBody(p, a, { registeredOn: '2025-03-10', amount: '2000000.00', collateralValue: '0.00' })).expect(201);

      const refused = await register(loanBody({ ...p, agencyCode: agencyY }, b, { registeredOn: '2025-03-20' })).expect(422);
      expect(refused.body.code).toBe('LOAN.GROUP_SERVED_BY_OTHER_AGENCY');
      expect(refused.body.details[0]).toMatchObject({ servedBy: p.agencyCode, groupCode });

      await t.http
        .post('/v1/agency-changes')
        .set('Authorization', t.auth)
        .send({
          borrowerCode: b,
          fromAgencyCode: p.agencyCode,
          toAgencyCode: agencyY,
          approvedOn: '2025-04-01',
          previousCreditLine: '2000000.00',
          reason: 'approved change of agency',
        })
        .expect(201);

      // Before the change's approval date the old agency still serves the group.
      expect((await register(loanBody({ ...p, agencyCode: agencyY }, b, { registeredOn: '2025-03-31' })).expect(422)).body.code).toBe(
        'LOAN.GROUP_SERVED_BY_OTHER_AGENCY',
      );
      await register(
        loanBody({ ...p, agencyCode: agencyY }, b, { registeredOn: '2025-04-02', amount: '1500000.00', collateralValue: '0.00' }),
      ).expect(201);
      // 1,500,000 + 600,000 = 2,100,000 > 2,000,000 within a year of the change.
      const over = await register(
        loanBody({ ...p, agencyCode: agencyY }, a, { registeredOn: '2025-05-02', amount: '600000.00', collateralValue: '0.00' }),
      ).expect(422);
      expect(over.body.code).toBe('LOAN.CREDIT_LINE_ABOVE_PREVIOUS');
      expect(over.body.details[0]).toMatchObject({ newCreditLine: '2100000.00', previousCreditLine: '2000000.00' });
      // 500,000 keeps it at exactly 2,000,000.
      await register(
        loanBody({ ...p, agencyCode: agencyY }, a, { registeredOn: '2025-05-02', amount: '500000.00', collateralValue: '0.00' }),
      ).expect(201);
      // A year after the change the cap no longer applies.
      await register(
        loanBody({ ...p, agencyCode: agencyY }, a, { registeredOn: '2026-04-01', contractDate: '2026-03-20', amount: '900000.00', collateralValue: '0.00', annualRate: '0.0390' }),
      ).expect(201);
      // The old agency now serves nobody in the group.
      const old = await register(loanBody(p, a, { registeredOn: '2025-06-10' })).expect(422);
      expect(old.body.code).toBe('LOAN.GROUP_SERVED_BY_OTHER_AGENCY');
      expect(old.body.details[0].servedBy).toBe(agencyY);
    });

    it('a borrower without a group is its own group', async () => {
      const agencyY = await createAgency(t, p.bankCode);
      const solo = await createBorrower(t);
      await register(loanBody(p, solo)).expect(201);
      expect((await register(loanBody({ ...p, agencyCode: agencyY }, solo)).expect(422)).body.code).toBe('LOAN.GROUP_SERVED_BY_OTHER_AGENCY');
    });
  });

  describe('party scoping', () => {
    it('a bank token registers only its own loans and sees only them', async () => {
      const bankToken = await issueToken(t, 'bank', p.bankCode);
      const other = await createParties(t);
      const b = await createBorrower(t);
      const own = await register(loanBody(p, b), bankToken).expect(201);
      const denied = await register(loanBody(other, await createBorrower(t)), bankToken).expect(403);
      expect(denied.body.code).toBe('AUTH.PARTY_SCOPE');
      const foreign = await register(loanBody(other, await createBorrower(t))).expect(201);
      await t.http.get(`/v1/loans/${foreign.body.id}`).set('Authorization', bankToken).expect(404);
      await t.http.get(`/v1/loans/${own.body.id}`).set('Authorization', bankToken).expect(200);
      const list = await t.http.get('/v1/loans').set('Authorization', bankToken).expect(200);
      expect(list.body.items.every((l: { bankCode: string }) => l.bankCode === p.bankCode)).toBe(true);
    });

    it('lists filter by bank and agency and paginate', async () => {
      const q = await createParties(t);
      for (let i = 0; i < 3; i++) await register(loanBody(q, await createBorrower(t))).expect(201);
      const page1 = await t.http.get(`/v1/loans?bankCode=${q.bankCode}&limit=2`).set('Authorization', t.auth).expect(200);
      expect(page1.body.items).toHaveLength(2);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const page2 = await t.http
        .get(`/v1/loans?bankCode=${q.bankCode}&limit=2&cursor=${page1.body.nextCursor}`)
        .set('Authorization', t.auth)
        .expect(200);
      expect(page2.body.items).toHaveLength(1);
      expect(page2.body.nextCursor).toBeNull();
      const byAgency = await t.http.get(`/v1/loans?agencyCode=${q.agencyCode}`).set('Authorization', t.auth).expect(200);
      expect(byAgency.body.items).toHaveLength(3);
    });
  });
});
