import { createBank } from '../support/factories';
import { createBorrower, createParties, freezeToday, loanBody, Parties } from '../loans/loan-fixtures';
import { startTestApp, TestApp, uniqueCode } from '../support/test-app';

/**
 * Issue 11 item 2 (RULES §2 revised 2026-12: dated qualifications, renewals on last year's) and
 * item 3 (RULES §4 "Decision (dates, 2026-12)": nothing dated in the future, no step before the
 * one it follows). The clock is frozen at 2026-12-01.
 */
describe('qualifications, renewals and dates that have not happened (issue 11 items 2, 3)', () => {
  let t: TestApp;
  let p: Parties;
  let restore: () => void;
  beforeAll(async () => {
    t = await startTestApp();
    restore = freezeToday(t, '2026-12-01');
    p = await createParties(t);
  });
  afterAll(async () => {
    restore();
    await t.close();
  });

  const register = (body: object) => t.http.post('/v1/loans').set('Authorization', t.auth).send(body);

  async function borrowerWith(qualifications: object[]): Promise<string> {
    const code = uniqueCode('BQ');
    const res = await t.http
      .post('/v1/borrowers')
      .set('Authorization', t.auth)
      .send({ code, name: code, highTech: true, techSme: false, revenues: [{ year: 2023, amount: '18000000.00' }, { year: 2024, amount: '18000000.00' }, { year: 2025, amount: '18000000.00' }], qualifications });
    expect(res.status).toBe(201);
    return code;
  }

  it('item 2: a high-tech certificate is valid 3 years from issue; a registration needs one valid on its date (the flags no longer decide)', async () => {
    // Issued 2021-12-01 → valid through 2024-11-30.
    const b = await borrowerWith([{ kind: 'high_tech', validFrom: '2021-12-01' }]);
    const view = await t.http.get(`/v1/borrowers/${b}`).set('Authorization', t.auth).expect(200);
    expect(view.body.qualifications).toEqual([expect.objectContaining({ kind: 'high_tech', validFrom: '2021-12-01', validTo: '2024-11-30', validToday: false })]);
    await register(loanBody(p, b, { contractDate: '2024-06-01', registeredOn: '2024-11-30' })).expect(201);
    const late = await register(loanBody(p, b, { contractDate: '2024-12-01', registeredOn: '2024-12-02' })).expect(422);
    expect(late.body.code).toBe('LOAN.BORROWER_NOT_QUALIFIED');
    expect(late.body.details[0].message).toBe('No qualification valid on 2024-12-02 (high-tech enterprise certificate (高新技术企业) valid 2021-12-01 – 2024-11-30)');
  });

  it('item 2: a renewal passes on a qualification held on any day of the previous calendar year; a new loan does not', async () => {
    // Tech-SME registration for 2024 (one calendar year: through 2024-12-31).
    const b = await borrowerWith([{ kind: 'tech_sme', validFrom: '2024-03-01' }]);
    const first = await register(loanBody(p, b, { contractDate: '2024-06-01', registeredOn: '2024-06-10' })).expect(201);
    const newLoan = await register(loanBody(p, b, { contractDate: '2025-03-01', registeredOn: '2025-03-10' })).expect(422);
    expect(newLoan.body.code).toBe('LOAN.BORROWER_NOT_QUALIFIED');
    const renewal = await register(loanBody(p, b, { contractDate: '2025-03-01', registeredOn: '2025-03-10', termMonths: 6, renewalOf: first.body.id })).expect(201);
    expect(renewal.body).toMatchObject({ isRenewal: true, renewalOf: first.body.id, policyVersion: 'henan-2021' });
    expect(renewal.body.breakdown.map((s: { text: string }) => s.text)).toContain(
      "Renewal: no qualification valid on 2025-03-10, but tech-SME registration (科技型中小企业) valid 2024-03-01 – 2024-12-31 held in 2024: qualified on last year's qualification",
    );
    // Two years on, last year's qualification is gone too.
    const stale = await register(loanBody(p, b, { contractDate: '2026-03-01', registeredOn: '2026-03-10', termMonths: 6, renewalOf: first.body.id })).expect(422);
    expect(stale.body.code).toBe('LOAN.BORROWER_NOT_QUALIFIED');
  });

  it('item 2: qualifications are updated through the API (added, corrected); validity beyond the rule is refused', async () => {
    const b = await borrowerWith([{ kind: 'tech_sme', validFrom: '2024-03-01' }]);
    await register(loanBody(p, b, { contractDate: '2025-03-01', registeredOn: '2025-03-10' })).expect(422);
    const added = await t.http.post(`/v1/borrowers/${b}/qualifications`).set('Authorization', t.auth).send({ kind: 'tech_sme', validFrom: '2025-02-20', reference: 'TSME-2025-001' }).expect(201);
    expect(added.body.qualifications.map((q: { validTo: string }) => q.validTo)).toEqual(['2024-12-31', '2025-12-31']);
    await register(loanBody(p, b, { contractDate: '2025-03-01', registeredOn: '2025-03-10' })).expect(201);
    const tooLong = await t.http.post(`/v1/borrowers/${b}/qualifications`).set('Authorization', t.auth).send({ kind: 'high_tech', validFrom: '2023-01-01', validTo: '2026-01-01' }).expect(400);
    expect(tooLong.body.details[0]).toMatchObject({ code: 'BORROWER.QUALIFICATION_VALIDITY_INVALID', maxValidTo: '2025-12-31' });
    const id = added.body.qualifications[1].id;
    const corrected = await t.http.put(`/v1/borrowers/${b}/qualifications/${id}`).set('Authorization', t.auth).send({ kind: 'tech_sme', validFrom: '2025-04-01' }).expect(200);
    expect(corrected.body.qualifications[1]).toMatchObject({ validFrom: '2025-04-01', validTo: '2025-12-31' });
  });

  it('item 2: a borrower without qualification records keeps the flags (as before records existed)', async () => {
    const flagged = await createBorrower(t, { highTech: false, techSme: true });
    await register(loanBody(p, flagged)).expect(201);
    const none = await createBorrower(t, { highTech: false, techSme: false });
    expect((await register(loanBody(p, none)).expect(422)).body.code).toBe('LOAN.BORROWER_NOT_QUALIFIED');
  });

  it('item 3: registration dated 2027-01-05 (today 2026-12-01) → 422 naming registeredOn', async () => {
    const b = await createBorrower(t, { revenues: [{ year: 2026, amount: '18000000.00' }] });
    const res = await register(loanBody(p, b, { contractDate: '2026-11-20', registeredOn: '2027-01-05' })).expect(422);
    expect(res.body.code).toBe('DATE.IN_FUTURE');
    expect(res.body.details).toEqual([expect.objectContaining({ code: 'DATE.IN_FUTURE', field: 'registeredOn', date: '2027-01-05', today: '2026-12-01' })]);
  });

  it('item 3: a funding dated 2027-10-15 → 422 naming fundedOn; nothing posted', async () => {
    const bank = await createBank(t);
    const res = await t.http
      .post('/v1/reserve/funding')
      .set('Authorization', t.auth)
      .send({ bankCode: bank, amount: '1000000.00', fundedOn: '2027-10-15', reference: uniqueCode('FD') })
      .expect(422);
    expect(res.body.details).toEqual([expect.objectContaining({ code: 'DATE.IN_FUTURE', field: 'fundedOn', date: '2027-10-15' })]);
    const reserve = await t.http.get('/v1/reserve').set('Authorization', t.auth).expect(200);
    expect(reserve.body.banks.find((x: { bankCode: string }) => x.bankCode === bank)).toBeUndefined();
  });

  it('item 3: a claim dated 2027-07-15, and a claim whose overdue date precedes the disbursement → 422 naming the dates', async () => {
    const b = await createBorrower(t);
    const loan = await register(loanBody(p, b)).expect(201);
    await t.http.post(`/v1/loans/${loan.body.id}/disbursement`).set('Authorization', t.auth).send({ disbursedOn: '2025-03-12', amount: '3000000.00' }).expect(201);
    const claim = (patch: object) =>
      t.http
        .post('/v1/claims')
        .set('Authorization', t.auth)
        .send({ loanId: loan.body.id, claimDate: '2025-07-15', outstandingPrincipal: '3000000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10', ...patch });
    const future = await claim({ claimDate: '2027-07-15' }).expect(422);
    expect(future.body.details).toEqual([expect.objectContaining({ code: 'DATE.IN_FUTURE', field: 'claimDate', date: '2027-07-15', today: '2026-12-01' })]);
    const early = await claim({ principalOverdueSince: '2025-03-01', interestUnpaidSince: '2025-03-10' }).expect(422);
    expect(early.body.code).toBe('CLAIM.NOT_FILEABLE');
    expect(early.body.details).toEqual([
      expect.objectContaining({ code: 'DATE.BEFORE_PREVIOUS_STEP', field: 'interestUnpaidSince', date: '2025-03-10', disbursedOn: '2025-03-12' }),
      expect.objectContaining({ code: 'DATE.BEFORE_PREVIOUS_STEP', field: 'principalOverdueSince', date: '2025-03-01', disbursedOn: '2025-03-12' }),
    ]);
    // Back-dated data stays possible: every step takes its own date.
    const filed = await claim({}).expect(201);
    await t.http.post(`/v1/claims/${filed.body.id}/review`).set('Authorization', t.auth).send({ decision: 'recommend', reviewedOn: '2025-07-20' }).expect(200);
    const batch = await t.http.post('/v1/approval-batches').set('Authorization', t.approver).send({ claimIds: [filed.body.id], approvedOn: '2027-01-10' }).expect(422);
    expect(batch.body.details).toEqual([expect.objectContaining({ code: 'DATE.IN_FUTURE', field: 'approvedOn', date: '2027-01-10' })]);
    await t.http.post('/v1/approval-batches').set('Authorization', t.approver).send({ claimIds: [filed.body.id], approvedOn: '2025-09-30' }).expect(201);
    const payout = await t.http.post(`/v1/claims/${filed.body.id}/payout`).set('Authorization', t.auth).send({ paidOn: '2025-09-01' }).expect(422);
    expect(payout.body.details).toEqual([expect.objectContaining({ code: 'CLAIM.DATES_OUT_OF_ORDER', field: 'paidOn', date: '2025-09-01', approvedOn: '2025-09-30' })]);
  });

  it('item 3: a disbursement dated after today and before the registration → 422 naming both dates', async () => {
    const b = await createBorrower(t);
    const loan = await register(loanBody(p, b)).expect(201);
    const res = await t.http.post(`/v1/loans/${loan.body.id}/disbursement`).set('Authorization', t.auth).send({ disbursedOn: '2027-10-15', amount: '3000000.00' }).expect(422);
    expect(res.body.details).toEqual([expect.objectContaining({ code: 'LOAN.DISBURSEMENT_IN_FUTURE', field: 'disbursedOn', date: '2027-10-15', today: '2026-12-01' })]);
    const before = await t.http.post(`/v1/loans/${loan.body.id}/disbursement`).set('Authorization', t.auth).send({ disbursedOn: '2025-03-09', amount: '3000000.00' }).expect(422);
    expect(before.body.details).toEqual([expect.objectContaining({ code: 'LOAN.DISBURSED_BEFORE_REGISTRATION', disbursedOn: '2025-03-09', registeredOn: '2025-03-10' })]);
  });
});
