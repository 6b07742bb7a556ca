import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

/** The refusals and side rules of claims, margins and reserve postings (issue #6). */
describe('claims: refusals, review, scoping, margin withdrawals', () => {
  let t: TestApp;
  let bank: string;
  let otherBank: string;
  let agency: string;
  let borrower: string;

  const fileClaim = (loanId: string, patch: Record<string, unknown> = {}) =>
    t.http
      .post('/v1/claims')
      .set('Authorization', t.auth)
      .send({ loanId, claimDate: '2025-07-15', outstandingPrincipal: '1000000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10', ...patch });

  beforeAll(async () => {
    t = await startTestApp();
    bank = await createBank(t, 'RA');
    otherBank = await createBank(t, 'RB');
    agency = await createAgency(t, { feeRate: '0.01', joinedOn: '2021-01-01' });
    await signAgreement(t, bank, agency);
    borrower = await createBorrower(t, [{ year: 2023, amount: '30000000.00' }]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('the loan’s own ratio is used: revenue 30M, 36 months → 0.50 + 0.10 = 0.60; 1M principal', async () => {
    const loan = await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower, amount: '1000000.00', termMonths: 36, collateralValue: '0.00', security: 'guarantee' });
    expect(loan.compensationRatio).toMatch(/^0\.60*$/);
    const res = await fileClaim(loan.id).expect(201);
    // 1,000,000 × 116 × 0.0435 / 360 = 14,016.67 → loss 1,014,016.67 × 0.60 = 608,410.00(2) → 608,410.00
    expect(res.body).toMatchObject({ ratio: '0.60', interest: '14016.67', lossAmount: '1014016.67', compensation: '608410.00' });
  });

  it('neither trigger → 422 CLAIM.NO_TRIGGER; principal above the disbursed amount → 422', async () => {
    const loan = await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower, amount: '1000000.00', collateralValue: '0.00' });
    const none = await fileClaim(loan.id, { principalOverdueSince: null }).expect(422);
    expect(none.body.code).toBe('CLAIM.NO_TRIGGER');
    const above = await fileClaim(loan.id, { outstandingPrincipal: '1000000.01' }).expect(422);
    expect(above.body.code).toBe('CLAIM.PRINCIPAL_ABOVE_DISBURSED');
    const number = await fileClaim(loan.id, { outstandingPrincipal: 1000000 }).expect(400);
    expect(number.body.details[0].field).toBe('outstandingPrincipal');
    await t.http.post('/v1/claims').set('Authorization', t.auth).send({ loanId: '00000000-0000-4000-8000-000000000000', claimDate: '2025-07-15', outstandingPrincipal: '1.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' }).expect(404);
  });

  it('an undisbursed loan cannot be claimed', async () => {
    const loan = await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower, amount: '500000.00', collateralValue: '0.00', disbursedOn: null });
    const res = await fileClaim(loan.id, { outstandingPrincipal: '500000.00' }).expect(422);
    expect(res.body.code).toBe('CLAIM.LOAN_NOT_DISBURSED');
  });

  it('a rejection needs a reason; a rejected claim frees the loan for a new claim', async () => {
    const loan = await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower, amount: '1000000.00', collateralValue: '0.00' });
    const claim = await fileClaim(loan.id).expect(201);
    await t.http.post(`/v1/claims/${claim.body.id}/start-review`).set('Authorization', t.auth).expect(200);
    const noReason = await t.http.post(`/v1/claims/${claim.body.id}/review`).set('Authorization', t.auth).send({ decision: 'reject' }).expect(400);
    expect(noReason.body.code).toBe('CLAIM.REASON_REQUIRED');
    const rejected = await t.http
      .post(`/v1/claims/${claim.body.id}/review`)
      .set('Authorization', t.auth)
      .send({ decision: 'reject', reason: 'Loan made in breach of the collateral rule (S 三(五)).', reviewedOn: '2025-07-20' })
      .expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', reviewDecision: 'reject', reviewedOn: '2025-07-20' });
    const again = await t.http.post(`/v1/claims/${claim.body.id}/review`).set('Authorization', t.auth).send({ decision: 'recommend' }).expect(409);
    expect(again.body.code).toBe('CLAIM.WRONG_STATUS');
    await fileClaim(loan.id, { claimDate: '2025-08-01' }).expect(201);
  });

  it('overdue reviews are visible in the list; filters by status and bank', async () => {
    const loan = await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower, amount: '1000000.00', collateralValue: '0.00' });
    const claim = await fileClaim(loan.id).expect(201);
    // Review due 2025-07-29; today (the real clock) is long past it.
    expect(claim.body.reviewOverdue).toBe(true);
    const overdue = await t.http.get(`/v1/claims?bankCode=${bank}&reviewOverdue=true&limit=100`).set('Authorization', t.auth).expect(200);
    expect(overdue.body.items.map((c: { id: string }) => c.id)).toContain(claim.body.id);
    expect(overdue.body.items.every((c: { status: string }) => c.status === 'filed' || c.status === 'under_review')).toBe(true);
    const rejected = await t.http.get(`/v1/claims?bankCode=${bank}&status=rejected`).set('Authorization', t.auth).expect(200);
    expect(rejected.body.items).toHaveLength(1);
    const other = await t.http.get(`/v1/claims?bankCode=${otherBank}`).set('Authorization', t.auth).expect(200);
    expect(other.body).toEqual({ items: [], nextCursor: null });
    // Walking the pages two at a time visits every claim of the bank exactly once, in filing order.
    const all = await t.http.get(`/v1/claims?bankCode=${bank}&limit=1000`).set('Authorization', t.auth).expect(200);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await t.http
        .get(`/v1/claims?bankCode=${bank}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set('Authorization', t.auth)
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      walked.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(all.body.items.length).toBe(4); // one from the ratio test, two from the rejection test, this one
    expect(walked).toEqual(all.body.items.map((c: { id: string }) => c.id));
    await t.http.get(`/v1/claims?cursor=not-a-cursor`).set('Authorization', t.auth).expect(400);
    await t.http.get('/v1/claims?status=lost').set('Authorization', t.auth).expect(400);
  });

  it('a bank token files only for its own loans and sees only its own claims', async () => {
    const loan = await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower, amount: '1000000.00', collateralValue: '0.00' });
    const other = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'bank', partyCode: otherBank }).expect(201);
    const res = await t.http
      .post('/v1/claims')
      .set('Authorization', `Bearer ${other.body.token}`)
      .send({ loanId: loan.id, claimDate: '2025-07-15', outstandingPrincipal: '1000000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' });
    // The other bank cannot even see the loan.
    expect([403, 404]).toContain(res.status);
    const own = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'bank', partyCode: bank }).expect(201);
    const filed = await t.http
      .post('/v1/claims')
      .set('Authorization', `Bearer ${own.body.token}`)
      .send({ loanId: loan.id, claimDate: '2025-07-15', outstandingPrincipal: '1000000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' })
      .expect(201);
    await t.http.get(`/v1/claims/${filed.body.id}`).set('Authorization', `Bearer ${other.body.token}`).expect(404);
    const mine = await t.http.get('/v1/claims').set('Authorization', `Bearer ${other.body.token}`).expect(200);
    expect(mine.body.items).toHaveLength(0);
    // Banks cannot review their own claims.
    await t.http.post(`/v1/claims/${filed.body.id}/review`).set('Authorization', `Bearer ${own.body.token}`).send({ decision: 'recommend' }).expect(403);
  });

  it('margin: only the excess over the requirement may be withdrawn', async () => {
    // A fresh agency with 10,000,000.00 reviewed at the end of the previous quarter: fees
    // receivable 10,000,000 × 1% = 100,000.00; requirement 30% = 30,000.00 (joined 2025: not
    // more than 3 years).
    const ag = await createAgency(t, { feeRate: '0.01', joinedOn: '2025-01-01' });
    await signAgreement(t, bank, ag);
    const br = await createBorrower(t, [{ year: 2023, amount: '10000000.00' }]);
    await registerLoan(t, {
      bankCode: bank,
      agencyCode: ag,
      borrowerCode: br,
      amount: '10000000.00',
      collateralValue: '0.00',
      annualRate: '0.04',
      termMonths: 24,
      contractDate: '2025-02-01',
      registeredOn: '2025-02-10',
      disbursedOn: '2025-02-15',
    });
    await t.http.post(`/v1/agencies/${ag}/margin/deposits`).set('Authorization', t.auth).send({ amount: '50000.00', depositedOn: '2025-01-05' }).expect(201);
    const view = await t.http.get(`/v1/agencies/${ag}/margin`).set('Authorization', t.auth).expect(200);
    expect(view.body).toMatchObject({ balance: '50000.00', requirement: '30000.00', shortfall: '0.00', excessWithdrawable: '20000.00' });
    const tooMuch = await t.http.post(`/v1/agencies/${ag}/margin/withdrawals`).set('Authorization', t.auth).send({ amount: '20000.01', withdrawnOn: '2026-11-20' }).expect(422);
    expect(tooMuch.body.code).toBe('MARGIN.WITHDRAWAL_ABOVE_EXCESS');
    const ok = await t.http.post(`/v1/agencies/${ag}/margin/withdrawals`).set('Authorization', t.auth).send({ amount: '20000.00', withdrawnOn: '2026-11-20' }).expect(201);
    expect(ok.body).toMatchObject({ balance: '30000.00', excessWithdrawable: '0.00' });
    const zero = await t.http.post(`/v1/agencies/${ag}/margin/deposits`).set('Authorization', t.auth).send({ amount: '0.00', depositedOn: '2025-01-05' }).expect(400);
    expect(zero.body.code).toBe('MARGIN.AMOUNT_NOT_POSITIVE');
  });

  it('two claims of one agency in one batch: the second deduction starts where the first ended (RULES §7 marginal)', async () => {
    const ag = await createAgency(t, { feeRate: '0.01', joinedOn: '2021-01-01' });
    await signAgreement(t, bank, ag);
    const br = await createBorrower(t, [{ year: 2023, amount: '30000000.00' }]);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const loan = await registerLoan(t, { bankCode: bank, agencyCode: ag, borrowerCode: br, amount: '1000000.00', collateralValue: '0.00', security: 'guarantee' });
      const claim = await fileClaim(loan.id).expect(201);
      // 1,000,000 × 116 × 0.0435 / 360 = 14,016.67; loss 1,014,016.67 × 0.50 = 507,008.335 → 507,008.34
      expect(claim.body.compensation).toBe('507008.34');
      await t.http.post(`/v1/claims/${claim.body.id}/review`).set('Authorization', t.auth).send({ decision: 'recommend', reviewedOn: '2025-07-20' }).expect(200);
      ids.push(claim.body.id);
    }
    const batch = await t.http.post('/v1/approval-batches').set('Authorization', t.approver).send({ claimIds: ids, approvedOn: '2025-09-30' }).expect(201);
    // Reviewed balance 2,000,000.00: edges 40,000 / 80,000 / 120,000.
    // First 0 → 507,008.34: 40,000 × 20% + 40,000 × 40% + 387,008.34 × 50% = 8,000 + 16,000 + 193,504.17 = 217,504.17.
    // Second 507,008.34 → 1,014,016.68: all above 6%: 507,008.34 × 50% = 253,504.17.
    const byId = new Map(batch.body.claims.map((c: { id: string; marginDeduction: string }) => [c.id, c.marginDeduction]));
    expect(byId.get(ids[0])).toBe('217504.17');
    expect(byId.get(ids[1])).toBe('253504.17');
    expect(batch.body.totalCompensation).toBe('1014016.68');
    const margin = await t.http.get(`/v1/agencies/${ag}/margin`).set('Authorization', t.auth).expect(200);
    // No margin held: the whole 471,008.34 is short.
    expect(margin.body.deductionShortfall).toBe('471008.34');
  });

  it('interest for an unknown bank → 404; a funding as a JSON number → 400; nothing posted', async () => {
    const unknown = await t.http.post('/v1/reserve/interest').set('Authorization', t.auth).send({ bankCode: 'NOSUCHBANK', amount: '1.00', creditedOn: '2025-01-01' }).expect(404);
    expect(unknown.body.code).toBe('BANK.NOT_FOUND');
    await t.http.post('/v1/reserve/funding').set('Authorization', t.auth).send({ bankCode: bank, amount: 100, fundedOn: '2025-01-01', reference: 'X' }).expect(400);
    const bal = await t.http.get(`/v1/reserve`).set('Authorization', t.auth).expect(200);
    expect(bal.body.banks.find((b: { bankCode: string }) => b.bankCode === bank)).toBeUndefined();
  });
});
