import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { countChanges } from '../support/table-counts';
import { startIsolatedTestApp, TestApp } from '../support/test-app';
import { balanceOf, counts, createFlowBorrower, expectBooksSound, loadPledgeProgramme, registerProgrammeLoan, tokenOf } from './flow-world';

/**
 * Issue 18 "Done when" 3: an IP-pledge claim — advance at default, pledge sold, settlement posts the
 * difference — with a refund case and a top-up case; the `ippledge` book balances and verifies.
 * Figures: RULES §11, xinxiang 七.3, the ratios of a programme loaded as data (advance 0.40, final
 * share 0.50; docs/programme-flows.md "Worked example").
 */
describe('the two-phase IP-pledge claim on its own book (issue 18 item 3)', () => {
  let t: TestApp;
  let bank: string;
  let otherBank: string;
  let bankToken: string;
  let otherBankToken: string;
  let custodian: string;
  let programme: { programme: string; version: string };
  let borrower: string;

  const loanSpec = () => ({ programme: programme.programme, product: 'ip-pledge', bankCode: bank, borrowerCode: borrower, amount: '1000000.00', annualRate: '0.0435', termMonths: 24, contractDate: '2025-01-10', declarations: { ipPledged: true } });
  const fileBody = { claimDate: '2025-07-15', outstandingPrincipal: '1000000.00', interestUnpaidSince: '2025-03-21' };

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bank = await createBank(t, 'IPB');
    otherBank = await createBank(t, 'IPO');
    borrower = await createFlowBorrower(t);
    bankToken = await tokenOf(t, 'bank', bank);
    otherBankToken = await tokenOf(t, 'bank', otherBank);
    custodian = await tokenOf(t, 'custodian');
    programme = await loadPledgeProgramme(t);
    await t.http.post('/v1/programme-funds/ippledge/funding').set('Authorization', custodian).send({ amount: '1000000.00', fundedOn: '2025-01-15', reference: 'IP-2025-01' }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Files, reviews, approves and pays the advance of a claim on a fresh loan; returns its ids. */
  async function advancedClaim(): Promise<{ loanId: string; claimId: string }> {
    const loanId = await registerProgrammeLoan(t, loanSpec());
    const filed = await t.http.post(`/v1/loans/${loanId}/pledge-claims`).set('Authorization', bankToken).send(fileBody).expect(201);
    const base = `/v1/loans/${loanId}/pledge-claims/${filed.body.id}`;
    await t.http.post(`${base}/review`).set('Authorization', t.auth).send({ decision: 'recommend', reviewedOn: '2025-07-20' }).expect(200);
    await t.http.post(`${base}/approval`).set('Authorization', t.approver).send({ approvedOn: '2025-07-25' }).expect(200);
    await t.http.post(`${base}/advance`).set('Authorization', custodian).send({ paidOn: '2025-07-28' }).expect(200);
    return { loanId, claimId: filed.body.id };
  }

  it('refund case: advance 405,606.67 at default; sold for 300,000.00 less 20,000.00 costs → the bank refunds 38,598.33', async () => {
    const loanId = await registerProgrammeLoan(t, loanSpec());
    const filed = await t.http.post(`/v1/loans/${loanId}/pledge-claims`).set('Authorization', bankToken).send(fileBody).expect(201);
    // 1,000,000.00 × 116 × 0.0435 / 360 = 14,016.666… → 14,016.67; loss 1,014,016.67; × 0.40 = 405,606.668 → 405,606.67.
    expect(filed.body).toMatchObject({ status: 'filed', programme: programme.programme, programmeVersionId: programme.version, days: 116, interest: '14016.67', lossAmount: '1014016.67', advanceRatio: '0.40', advance: '405606.67' });
    const base = `/v1/loans/${loanId}/pledge-claims/${filed.body.id}`;

    // Another bank cannot see it; the claim's own bank can.
    await t.http.get(base).set('Authorization', otherBankToken).expect(404);
    await t.http.get(base).set('Authorization', bankToken).expect(200);

    await t.http.post(`${base}/review`).set('Authorization', t.auth).send({ decision: 'recommend', reviewedOn: '2025-07-20' }).expect(200);
    // Four eyes: the trustee token that recommended cannot approve.
    const own = await t.http.post(`${base}/approval`).set('Authorization', t.auth).send({ approvedOn: '2025-07-25' }).expect(403);
    expect(own.body.code).toBe('AUTH.FOUR_EYES');
    const approved = await t.http.post(`${base}/approval`).set('Authorization', t.approver).send({ approvedOn: '2025-07-25' }).expect(200);
    expect(approved.body.status).toBe('approved');
    expect(await balanceOf(t, 'ippledge', `ippledge:advance:${filed.body.id}`)).toBe('405606.67');
    expect(await balanceOf(t, 'ippledge', `ippledge:payable:${bank}`)).toBe('405606.67');

    // The sale cannot be settled before the advance is paid.
    const early = await t.http.post(`${base}/settlement`).set('Authorization', bankToken).send({ soldOn: '2025-11-20', proceeds: '300000.00', disposalCosts: '20000.00' }).expect(409);
    expect(early.body.code).toBe('PLEDGE_CLAIM.WRONG_STATUS');

    const paid = await t.http.post(`${base}/advance`).set('Authorization', custodian).send({ paidOn: '2025-07-28' }).expect(200);
    // Another bank cannot record the sale of this bank's pledge (nor learn that the claim exists).
    await t.http.post(`${base}/settlement`).set('Authorization', otherBankToken).send({ soldOn: '2025-11-20', proceeds: '300000.00', disposalCosts: '20000.00' }).expect(404);
    expect(paid.body.status).toBe('advance_paid');
    // 1,000,000.00 − 405,606.67
    expect(await balanceOf(t, 'ippledge', 'ippledge:fund')).toBe('594393.33');

    const settled = await t.http.post(`${base}/settlement`).set('Authorization', bankToken).send({ soldOn: '2025-11-20', proceeds: '300000.00', disposalCosts: '20000.00' }).expect(200);
    // net 280,000.00; final loss 734,016.67; × 0.50 = 367,008.335 → 367,008.34; refund 405,606.67 − 367,008.34.
    expect(settled.body).toMatchObject({ status: 'settled', settlement: { finalLoss: '734016.67', finalCompensation: '367008.34', direction: 'refund', difference: '38598.33' } });
    expect(await balanceOf(t, 'ippledge', `ippledge:refund-due:${bank}`)).toBe('38598.33');
    expect(await balanceOf(t, 'ippledge', `ippledge:advance:${filed.body.id}`)).toBe('0.00');

    const closed = await t.http.post(`${base}/settlement/close`).set('Authorization', custodian).send({ movedOn: '2025-12-05' }).expect(200);
    expect(closed.body).toMatchObject({ status: 'closed', closedOn: '2025-12-05' });
    // 594,393.33 + 38,598.33
    expect(await balanceOf(t, 'ippledge', 'ippledge:fund')).toBe('632991.66');
    expect(await balanceOf(t, 'ippledge', `ippledge:refund-due:${bank}`)).toBe('0.00');
    // funding + approval, advance, settlement, refund received
    await expectBooksSound(t, 'ippledge', 5);
  });

  it('top-up case: sold for 120,000.00 less 20,000.00 → the fund tops up 51,401.67', async () => {
    const { loanId, claimId } = await advancedClaim();
    // 632,991.66 − 405,606.67
    expect(await balanceOf(t, 'ippledge', 'ippledge:fund')).toBe('227384.99');
    const base = `/v1/loans/${loanId}/pledge-claims/${claimId}`;
    const settled = await t.http.post(`${base}/settlement`).set('Authorization', t.auth).send({ soldOn: '2025-11-20', proceeds: '120000.00', disposalCosts: '20000.00' }).expect(200);
    // net 100,000.00; final loss 914,016.67; × 0.50 = 457,008.335 → 457,008.34; top-up 457,008.34 − 405,606.67.
    expect(settled.body.settlement).toMatchObject({ finalCompensation: '457008.34', direction: 'top_up', difference: '51401.67' });
    expect(await balanceOf(t, 'ippledge', `ippledge:payable:${bank}`)).toBe('51401.67');
    await t.http.post(`${base}/settlement/close`).set('Authorization', custodian).send({ movedOn: '2025-12-05' }).expect(200);
    // 227,384.99 − 51,401.67
    expect(await balanceOf(t, 'ippledge', 'ippledge:fund')).toBe('175983.32');
    expect(await balanceOf(t, 'ippledge', `ippledge:payable:${bank}`)).toBe('0.00');
    // the fund's final shares: 367,008.34 + 457,008.34
    expect(await balanceOf(t, 'ippledge', 'ippledge:compensation')).toBe('824016.68');
    await expectBooksSound(t, 'ippledge', 9);
  });

  it('an advance larger than the fund is refused (422 LEDGER.FLOOR_BREACH), nothing written; after a funding it is paid', async () => {
    // The fund holds 175,983.32 after the two claims above; this advance is 405,606.67.
    const loanId = await registerProgrammeLoan(t, loanSpec());
    const filed = await t.http.post(`/v1/loans/${loanId}/pledge-claims`).set('Authorization', bankToken).send(fileBody).expect(201);
    const base = `/v1/loans/${loanId}/pledge-claims/${filed.body.id}`;
    await t.http.post(`${base}/review`).set('Authorization', t.auth).send({ decision: 'recommend', reviewedOn: '2025-07-20' }).expect(200);
    await t.http.post(`${base}/approval`).set('Authorization', t.approver).send({ approvedOn: '2025-07-25' }).expect(200);
    const before = await counts(t);
    const breach = await t.http.post(`${base}/advance`).set('Authorization', custodian).send({ paidOn: '2025-07-28' }).expect(422);
    expect(breach.body.code).toBe('LEDGER.FLOOR_BREACH');
    expect(countChanges(before, await counts(t))).toEqual([]);
    expect((await t.http.get(base).set('Authorization', t.auth).expect(200)).body.status).toBe('approved');
    await t.http.post('/v1/programme-funds/ippledge/funding').set('Authorization', custodian).send({ amount: '500000.00', fundedOn: '2025-07-27', reference: 'IP-2025-02' }).expect(201);
    await t.http.post(`${base}/advance`).set('Authorization', custodian).send({ paidOn: '2025-07-28' }).expect(200);
    // 175,983.32 + 500,000.00 − 405,606.67
    expect(await balanceOf(t, 'ippledge', 'ippledge:fund')).toBe('270376.65');
    await expectBooksSound(t, 'ippledge', 12);
  });

  it('bad input and refusals → 4xx with a stable code, nothing written', async () => {
    const loanId = await registerProgrammeLoan(t, loanSpec());
    const before = await counts(t);
    const cases: [string, string, object, number, string][] = [
      ['malformed amount', bankToken, { ...fileBody, outstandingPrincipal: '1,000,000' }, 400, 'REQUEST.INVALID'],
      ['principal above the loan', bankToken, { ...fileBody, outstandingPrincipal: '1000000.01' }, 422, 'PLEDGE_CLAIM.PRINCIPAL_INVALID'],
      ['interest unpaid before the contract', bankToken, { ...fileBody, interestUnpaidSince: '2025-01-01' }, 422, 'PLEDGE_CLAIM.DATES_OUT_OF_ORDER'],
      ['claim in the future', bankToken, { ...fileBody, claimDate: '2099-01-01' }, 422, 'DATE.IN_FUTURE'],
      ['another bank', otherBankToken, fileBody, 404, 'PROGRAMME.LOAN_NOT_FOUND'],
      ['an unknown field', bankToken, { ...fileBody, ratio: '0.9' }, 400, 'REQUEST.INVALID'],
    ];
    for (const [what, token, body, status, code] of cases) {
      const res = await t.http.post(`/v1/loans/${loanId}/pledge-claims`).set('Authorization', token).send(body);
      expect([what, res.status, res.body.code]).toEqual([what, status, code]);
    }
    // A bank gets one and the same 404 for another bank's loan and for a loan that does not exist.
    for (const id of [loanId, '00000000-0000-4000-8000-000000000000']) {
      const res = await t.http.post(`/v1/loans/${id}/pledge-claims`).set('Authorization', otherBankToken).send(fileBody).expect(404);
      expect(res.body).toMatchObject({ code: 'PROGRAMME.LOAN_NOT_FOUND', message: `No programme loan ${id}.`, details: [{ code: 'PROGRAMME.LOAN_NOT_FOUND', field: 'loanId', message: 'not found' }] });
    }
    // A custodian may not file; an agency never.
    await t.http.post(`/v1/loans/${loanId}/pledge-claims`).set('Authorization', custodian).send(fileBody).expect(403);
    expect(countChanges(before, await counts(t))).toEqual([]);
  });

  it('the seed’s own Xinxiang data gives no ratios: the claim is refused, naming them (422 PROGRAMME.FIGURE_MISSING); a Henan loan has no such flow', async () => {
    const xinxiang = await registerProgrammeLoan(t, { ...loanSpec(), programme: 'xinxiang-risk-compensation' });
    // A firm of 20 that hired 3 this year (15% exactly) may have a start-up loan.
    const hiring = await createFlowBorrower(t, { headcounts: [['2025-01-02', 20]], hires: [['2025-01-05', 3]] });
    const before = await counts(t);
    const res = await t.http.post(`/v1/loans/${xinxiang}/pledge-claims`).set('Authorization', t.auth).send(fileBody).expect(422);
    expect(res.body.code).toBe('PROGRAMME.FIGURE_MISSING');
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['flows.advance-compensation-with-settlement.advanceRatio', 'flows.advance-compensation-with-settlement.settlementRatio']);
    // A startup loan of the same programme has the subsidy, not the pledge flow.
    const startup = await registerProgrammeLoan(t, { ...loanSpec(), programme: 'xinxiang-risk-compensation', product: 'startup-guarantee-loan', borrowerCode: hiring, declarations: {} });
    const none = await t.http.post(`/v1/loans/${startup}/pledge-claims`).set('Authorization', t.auth).send(fileBody).expect(409);
    expect(none.body.code).toBe('PROGRAMME.FLOW_NOT_AVAILABLE');
    // Henan's loans are not programme loans.
    const agency = await createAgency(t);
    await signAgreement(t, bank, agency);
    const henanBorrower = await createBorrower(t, [{ year: 2023, amount: '18000000.00' }]);
    const henan = await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: henanBorrower });
    const after = await counts(t);
    const nf = await t.http.post(`/v1/loans/${henan.id}/pledge-claims`).set('Authorization', t.auth).send(fileBody).expect(404);
    expect(nf.body.code).toBe('PROGRAMME.LOAN_NOT_FOUND');
    expect(countChanges(after, await counts(t))).toEqual([]);
    // Nothing of these refusals reached the tables (the registration in between wrote its own rows).
    expect(countChanges(before, after).every((c) => !c.startsWith('pledge_claims') && !c.startsWith('ledger_'))).toBe(true);
    // Henan's reserve book never saw the pledge fund's money.
    const reserve = await t.http.get('/v1/reserve').set('Authorization', t.auth).expect(200);
    expect(reserve.body.total).toBe('0.00');
  });
});
