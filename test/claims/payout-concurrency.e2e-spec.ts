import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * Issue #6 "Done when": 50 concurrent payouts against a reserve that can afford only some of them
 * never drive an account below zero and never pay a claim twice.
 */
describe('concurrent payouts (RULES §4 payout; floors on the reserve deposit accounts)', () => {
  let t: TestApp;
  let bank1: string;
  let bank2: string;
  const claimIds: string[] = [];

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bank1 = await createBank(t, 'PA');
    bank2 = await createBank(t, 'PB');
    const agency = await createAgency(t);
    await signAgreement(t, bank1, agency);
    await signAgreement(t, bank2, agency);
    const borrower = await createBorrower(t, [{ year: 2023, amount: '18000000.00' }]);
    for (let i = 0; i < 50; i++) {
      const loan = await registerLoan(t, {
        bankCode: i % 2 === 0 ? bank1 : bank2,
        agencyCode: agency,
        borrowerCode: borrower,
        amount: '100000.00',
        collateralValue: '0.00',
      });
      const claim = await t.http
        .post('/v1/claims')
        .set('Authorization', t.auth)
        .send({ loanId: loan.id, claimDate: '2025-07-15', outstandingPrincipal: '100000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' })
        .expect(201);
      // 100,000 × 116 × 0.0435 / 360 = 1,401.67 → loss 101,401.67 × 0.60 = 60,841.00
      expect(claim.body.compensation).toBe('60841.00');
      await t.http.post(`/v1/claims/${claim.body.id}/review`).set('Authorization', t.auth).send({ decision: 'recommend', reviewedOn: '2025-07-20' }).expect(200);
      claimIds.push(claim.body.id);
    }
    await t.http.post('/v1/approval-batches').set('Authorization', t.approver).send({ claimIds, approvedOn: '2025-09-30' }).expect(201);
    for (const [bankCode, amount] of [
      [bank1, '500000.00'],
      [bank2, '700000.00'],
    ]) {
      await t.http
        .post('/v1/reserve/funding')
        .set('Authorization', t.auth)
        .send({ bankCode, amount, fundedOn: '2025-01-15', reference: `F-${bankCode}` })
        .expect(201);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('1,200,000.00 pays exactly 19 claims of 60,841.00; no account below zero; none paid twice', async () => {
    // 50 payouts plus a duplicate for 10 of them, all at once.
    const requests = [...claimIds, ...claimIds.slice(0, 10)].map((id) =>
      t.http.post(`/v1/claims/${id}/payout`).set('Authorization', t.auth).send({ paidOn: '2025-10-10' }),
    );
    const responses = await Promise.all(requests);
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 409 || s === 422)).toBe(true);
    const paid = new Set(responses.filter((r) => r.status === 200).map((r) => r.body.id as string));
    // floor(1,200,000.00 / 60,841.00) = 19 (19 × 60,841.00 = 1,155,979.00).
    expect(paid.size).toBe(19);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(19);
    for (const r of responses.filter((x) => x.status === 422)) expect(r.body.code).toBe('RESERVE.INSUFFICIENT');
    for (const r of responses.filter((x) => x.status === 409)) expect(r.body.code).toBe('CLAIM.ALREADY_PAID');

    // Every paid claim's legs add up to its compensation; the ledger holds one payout entry each.
    for (const id of paid) {
      const claim = await t.http.get(`/v1/claims/${id}`).set('Authorization', t.auth).expect(200);
      const legFen = claim.body.legs.reduce((n: number, l: { amount: string }) => n + Math.round(Number(l.amount.replace('.', ''))), 0);
      expect(legFen).toBe(6084100);
      const entries: { n: string }[] = await t.dataSource.query(
        `SELECT count(*) AS n FROM ledger_entries WHERE link_type = 'claim' AND link_id = $1 AND memo LIKE 'Compensation paid%'`,
        [id],
      );
      expect(Number(entries[0].n)).toBe(1);
    }

    const reserve = await t.http.get('/v1/reserve?asOf=2025-12-31').set('Authorization', t.auth).expect(200);
    const ours = reserve.body.banks.filter((b: { bankCode: string }) => b.bankCode === bank1 || b.bankCode === bank2);
    for (const b of ours) expect(b.balance.startsWith('-')).toBe(false);
    // 1,200,000.00 − 1,155,979.00 = 44,021.00 left across the two accounts.
    const leftFen = ours.reduce((n: number, b: { balance: string }) => n + Number(b.balance.replace('.', '')), 0);
    expect(leftFen).toBe(4402100);
    const tb = await t.http.get('/v1/ledger/trial-balance?book=reserve&asOf=2025-12-31').set('Authorization', t.auth).expect(200);
    expect(tb.body.totals.debit).toBe(tb.body.totals.credit);
  });
});
