import { createAgency, createBank, signAgreement } from '../support/factories';
import { freezeToday } from '../loans/loan-fixtures';
import { startTestApp, TestApp, uniqueCode } from '../support/test-app';

/**
 * Issue 11 item 10 (RULES §11a): henan-2025's per-bank annual cap at approval — three claims at
 * one bank in 2026 whose compensation exceeds its room: the first approved in full, the second for
 * the room left, the third refused — and loans registered before 2025-06-01 keeping henan-2021 in
 * claims filed later. The clock is frozen at 2026-12-01.
 */
describe('the 2025 scheme: per-bank annual cap, versions kept by loans (issue 11 item 10)', () => {
  let t: TestApp;
  let restore: () => void;
  beforeAll(async () => {
    t = await startTestApp();
    restore = freezeToday(t, '2026-12-01');
  });
  afterAll(async () => {
    restore();
    await t.close();
  });

  const post = (path: string, body: object) => t.http.post(path).set('Authorization', t.auth).send(body);
  const approve = (body: object) => t.http.post('/v1/approval-batches').set('Authorization', t.approver).send(body);

  async function borrower(revenue2024: string, researchCooperation = false): Promise<string> {
    const code = uniqueCode('B5');
    await post('/v1/borrowers', { code, name: code, highTech: true, techSme: false, revenues: [{ year: 2024, amount: revenue2024 }, { year: 2025, amount: revenue2024 }], researchCooperation }).expect(201);
    return code;
  }

  async function loan(bank: string, agency: string, amount: string, registeredOn: string, disbursedOn: string, b?: string): Promise<{ id: string; body: Record<string, unknown> }> {
    const res = await post('/v1/loans', {
      reference: uniqueCode('L5'),
      bankCode: bank,
      agencyCode: agency,
      borrowerCode: b ?? (await borrower('30000000.00')),
      amount,
      annualRate: '0.0435',
      termMonths: 12,
      contractDate: registeredOn,
      registeredOn,
      security: 'guarantee',
      collateralValue: '0.00',
      singleAssetException: false,
    }).expect(201);
    await post(`/v1/loans/${res.body.id}/disbursement`, { disbursedOn, amount }).expect(201);
    return { id: res.body.id, body: res.body };
  }

  /** A claim with no unpaid interest (loss = principal), recommended on 2026-03-20. */
  async function claim(loanId: string, principal: string): Promise<{ id: string; compensation: string; policyVersion: string }> {
    const res = await post('/v1/claims', { loanId, claimDate: '2026-03-15', outstandingPrincipal: principal, interestUnpaidSince: '2026-03-15', principalOverdueSince: '2026-01-10' }).expect(201);
    await post(`/v1/claims/${res.body.id}/review`, { decision: 'recommend', reviewedOn: '2026-03-20' }).expect(200);
    return res.body;
  }

  it('done-when: three claims at one bank in 2026 under henan-2025 — in full, the room left, refused — figures to the fen; the room on GET /v1/banks/{code}', async () => {
    const bank = await createBank(t);
    const agency = await createAgency(t, { feeRate: '0.01', joinedOn: '2021-01-01' });
    await signAgreement(t, bank, agency);
    // Balance at 2025-12-31: 40,000,000.00 + 30,000,000.00 + 30,000,000.00 = 100,000,000.00 (no report: the disbursed amounts).
    const a = await loan(bank, agency, '40000000.00', '2025-07-01', '2025-07-05');
    const b = await loan(bank, agency, '30000000.00', '2025-07-01', '2025-07-05');
    const c = await loan(bank, agency, '30000000.00', '2025-07-01', '2025-07-05');
    expect(a.body.policyVersion).toBe('henan-2025');
    // Cap for 2026 = min(100,000,000.00 × 2% = 2,000,000.00, 10,000,000.00) = 2,000,000.00.
    const before = (await t.http.get(`/v1/banks/${bank}`).set('Authorization', t.auth).expect(200)).body;
    expect(before.annualCap).toMatchObject({ year: 2026, policyVersion: 'henan-2025', balancePreviousYearEnd: '100000000.00', capByBalance: '2000000.00', capAmount: '10000000.00', cap: '2000000.00', approved: '0.00', room: '2000000.00' });

    // Loss = principal (0 days), ratio 0.50 (revenue 30,000,000.00, guarantee, 12 months).
    const c1 = await claim(a.id, '2000000.00'); // 1,000,000.00
    const c2 = await claim(b.id, '3000000.00'); // 1,500,000.00
    const c3 = await claim(c.id, '1000000.00'); // 500,000.00
    expect([c1.compensation, c2.compensation, c3.compensation]).toEqual(['1000000.00', '1500000.00', '500000.00']);
    expect(c1.policyVersion).toBe('henan-2025');

    const first = await approve({ claimIds: [c1.id], approvedOn: '2026-04-01' }).expect(201);
    expect(first.body.claims[0]).toMatchObject({ compensation: '1000000.00', compensationClaimed: null });
    expect(first.body.claims[0].approvalBreakdown.map((s: { text: string }) => s.text)).toEqual([
      `Bank ${bank}'s annual cap for 2026: balance at 2025-12-31 100,000,000.00 × 2% = 2,000,000.00, at most 10,000,000.00 → cap 2,000,000.00`,
      `Approved for bank ${bank} in 2026 so far 0.00: room 2,000,000.00 − 0.00 = 2,000,000.00`,
      'Compensation 1,000,000.00 ≤ room 2,000,000.00: approved in full',
    ]);

    // Room left 1,000,000.00 < 1,500,000.00: approved for the room left.
    const second = await approve({ claimIds: [c2.id], approvedOn: '2026-04-02' }).expect(201);
    expect(second.body).toMatchObject({ totalCompensation: '1000000.00' });
    expect(second.body.claims[0]).toMatchObject({ compensation: '1000000.00', compensationClaimed: '1500000.00' });
    expect(second.body.claims[0].approvalBreakdown[2]).toMatchObject({
      text: 'Compensation 1,500,000.00 > room 1,000,000.00: approved for the room left, 1,000,000.00 (500,000.00 not approved)',
      value: '1000000.00',
      policyVersion: 'henan-2025',
    });
    const claimView = (await t.http.get(`/v1/claims/${c2.id}`).set('Authorization', t.auth).expect(200)).body;
    expect(claimView).toMatchObject({ status: 'approved', compensation: '1000000.00', compensationClaimed: '1500000.00', policyVersion: 'henan-2025' });

    // No room left: refused with the room shown; the claim stays recommended.
    const third = await approve({ claimIds: [c3.id], approvedOn: '2026-04-03' }).expect(422);
    expect(third.body.code).toBe('CLAIM.BANK_ANNUAL_CAP_EXHAUSTED');
    expect(third.body.details).toEqual([
      expect.objectContaining({ code: 'CLAIM.BANK_ANNUAL_CAP_EXHAUSTED', claimId: c3.id, year: 2026, cap: '2000000.00', approved: '2000000.00', room: '0.00' }),
    ]);
    expect((await t.http.get(`/v1/claims/${c3.id}`).set('Authorization', t.auth).expect(200)).body.status).toBe('recommended');
    const after = (await t.http.get(`/v1/banks/${bank}`).set('Authorization', t.auth).expect(200)).body;
    expect(after.annualCap).toMatchObject({ approved: '2000000.00', room: '0.00' });
  });

  it('item 10: a loan registered 2025-05-31 keeps henan-2021 in a claim filed in 2026: no annual cap, the 2021 ratio', async () => {
    const bank = await createBank(t);
    const agency = await createAgency(t, { feeRate: '0.01', joinedOn: '2021-01-01' });
    await signAgreement(t, bank, agency);
    const research = await borrower('5000000.00', true);
    // Research cooperation and revenue below 10,000,000.00, but henan-2021 has no 80% category: 60%.
    const old = await loan(bank, agency, '30000000.00', '2025-05-31', '2025-06-05', research);
    expect(old.body).toMatchObject({ policyVersion: 'henan-2021', compensationRatio: '0.60' });
    const c = await claim(old.id, '10000000.00');
    // 10,000,000.00 × 0.60 = 6,000,000.00 → capped at 5,000,000.00 per loan (henan-2021).
    expect(c).toMatchObject({ policyVersion: 'henan-2021', compensation: '5000000.00' });
    // Above 2% of the bank's 2025-12-31 balance (600,000.00), yet approved in full: henan-2021 has no annual cap.
    const batch = await approve({ claimIds: [c.id], approvedOn: '2026-04-01' }).expect(201);
    expect(batch.body.claims[0]).toMatchObject({ compensation: '5000000.00', compensationClaimed: null, approvalBreakdown: null });
    // The same borrower registered on 2025-06-02 gets henan-2025's 80%.
    const fresh = await post('/v1/loans', {
      reference: uniqueCode('L5'),
      bankCode: bank,
      agencyCode: agency,
      borrowerCode: research,
      amount: '1000000.00',
      annualRate: '0.0435',
      termMonths: 12,
      contractDate: '2025-06-02',
      registeredOn: '2025-06-02',
      security: 'collateral',
      collateralValue: '300000.00',
      singleAssetException: false,
    }).expect(201);
    expect(fresh.body).toMatchObject({ policyVersion: 'henan-2025', compensationRatio: '0.80' });
  });
});
