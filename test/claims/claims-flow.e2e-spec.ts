import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * Issue #6 "Done when": one claim walked from funding to write-off on the ledger. After each
 * step the reserve trial balance balances, and the reserve total equals fundings + interest −
 * payouts + refunds.
 */
describe('claims: filing to write-off on the ledger (RULES §4, §5, §7, §8)', () => {
  let t: TestApp;
  let bank1: string;
  let bank2: string;
  let agency: string;
  let loanId: string;
  let loanReference: string;
  let borrowerCode: string;
  let claimId: string;
  let recoveryId: string;

  const auth = () => t.auth;
  const reserveTotal = async (asOf = '2027-12-31') => {
    const res = await t.http.get(`/v1/reserve?asOf=${asOf}`).set('Authorization', auth()).expect(200);
    return res.body;
  };
  const expectTrialBalanceBalanced = async (book: string) => {
    const tb = await t.http.get(`/v1/ledger/trial-balance?book=${book}&asOf=2027-12-31`).set('Authorization', auth()).expect(200);
    expect(tb.body.totals.debit).toBe(tb.body.totals.credit);
    return tb.body;
  };
  const balanceOf = async (bankCode: string) => {
    const body = await reserveTotal();
    return body.banks.find((b: { bankCode: string }) => b.bankCode === bankCode)?.balance;
  };

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bank1 = await createBank(t, 'BA');
    bank2 = await createBank(t, 'BB');
    agency = await createAgency(t);
    await signAgreement(t, bank1, agency);
    const borrower = await createBorrower(t, [{ year: 2023, amount: '18000000.00' }]);
    borrowerCode = borrower;
    // 3,000,000.00 at 4.35% for 12 months, collateral 20%: ratio 60% (revenue 18M ≤ 20M).
    const loan = await registerLoan(t, { bankCode: bank1, agencyCode: agency, borrowerCode: borrower });
    loanReference = loan.reference;
    loanId = loan.id;
    expect(loan.compensationRatio).toMatch(/^0\.60*$/);
  });
  afterAll(async () => {
    await t.close();
  });

  it('funds two banks’ reserve accounts and credits interest', async () => {
    await t.http
      .post('/v1/reserve/funding')
      .set('Authorization', auth())
      .send({ bankCode: bank1, amount: '1000000.00', fundedOn: '2025-01-15', reference: `F-${bank1}` })
      .expect(201);
    await t.http
      .post('/v1/reserve/funding')
      .set('Authorization', auth())
      .send({ bankCode: bank2, amount: '5000000.00', fundedOn: '2025-01-15', reference: `F-${bank2}` })
      .expect(201);
    const dup = await t.http
      .post('/v1/reserve/funding')
      .set('Authorization', auth())
      .send({ bankCode: bank2, amount: '1.00', fundedOn: '2025-01-15', reference: `F-${bank2}` })
      .expect(409);
    expect(dup.body.code).toBe('RESERVE.DUPLICATE_REFERENCE');
    await t.http
      .post('/v1/reserve/interest')
      .set('Authorization', auth())
      .send({ bankCode: bank1, amount: '20000.00', creditedOn: '2025-03-21' })
      .expect(201);
    // fundings 6,000,000.00 + interest 20,000.00
    expect(await balanceOf(bank1)).toBe('1020000.00');
    expect(await balanceOf(bank2)).toBe('5000000.00');
    await expectTrialBalanceBalanced('reserve');
  });

  it('GET /v1/reserve reports the 10%–15% band on the outstanding balance', async () => {
    const body = await reserveTotal('2025-06-30');
    expect(Object.keys(body)).toEqual(expect.arrayContaining(['total', 'banks', 'outstandingLoans', 'band', 'topUp', 'excess']));
    // The test runs on a database of its own: this loan is the only one, 3,000,000.00 outstanding,
    // band 300,000.00–450,000.00; the reserve of 6,020,000.00 is 5,570,000.00 above it.
    expect(body).toMatchObject({
      total: '6020000.00',
      outstandingLoans: '3000000.00',
      band: { min: '300000.00', max: '450000.00' },
      topUp: '0.00',
      excess: '5570000.00',
    });
  });

  it('a claim filed too early → 422 CLAIM.NOT_YET_ELIGIBLE with eligibleFrom, nothing written', async () => {
    const res = await t.http
      .post('/v1/claims')
      .set('Authorization', auth())
      .send({
        loanId,
        claimDate: '2025-07-09',
        outstandingPrincipal: '3000000.00',
        interestUnpaidSince: '2025-03-21',
        principalOverdueSince: '2025-05-10',
        lawsuitAcceptedOn: null,
      })
      .expect(422);
    expect(res.body.code).toBe('CLAIM.NOT_YET_ELIGIBLE');
    expect(res.body.details[0].eligibleFrom).toBe('2025-07-10');
    const list = await t.http.get(`/v1/claims?bankCode=${bank1}`).set('Authorization', auth()).expect(200);
    expect(list.body.items).toHaveLength(0);
  });

  it('filed on time → 201 with the rule engine’s figures and the review due in 10 working days', async () => {
    const res = await t.http
      .post('/v1/claims')
      .set('Authorization', auth())
      .send({
        loanId,
        claimDate: '2025-07-15',
        outstandingPrincipal: '3000000.00',
        interestUnpaidSince: '2025-03-21',
        principalOverdueSince: '2025-05-10',
      })
      .expect(201);
    claimId = res.body.id;
    // RULES §4 example A: 116 days, loss 3,042,050.00, × 0.60 = 1,825,230.00.
    expect(res.body).toMatchObject({
      status: 'filed',
      ratio: '0.60',
      days: 116,
      lossAmount: '3042050.00',
      compensation: '1825230.00',
      capped: false,
      // 10 working days after Tue 2025-07-15: Jul 16–18, 21–25, 28–29.
      reviewDueOn: '2025-07-29',
    });
    expect(res.body.breakdown.length).toBeGreaterThan(3);
    const again = await t.http
      .post('/v1/claims')
      .set('Authorization', auth())
      .send({ loanId, claimDate: '2025-07-16', outstandingPrincipal: '3000000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' })
      .expect(409);
    expect(again.body.code).toBe('CLAIM.ALREADY_OPEN');
  });

  it('approval before recommendation is refused; recommended → approved in a batch with the agency deduction', async () => {
    const early = await t.http.post('/v1/approval-batches').set('Authorization', t.approver).send({ claimIds: [claimId], approvedOn: '2025-09-30' }).expect(422);
    expect(early.body.code).toBe('BATCH.CLAIMS_NOT_APPROVABLE');
    expect(early.body.details).toEqual([expect.objectContaining({ code: 'CLAIM.NOT_RECOMMENDED', claimId, status: 'filed' })]);

    await t.http.post(`/v1/claims/${claimId}/review`).set('Authorization', auth()).send({ decision: 'recommend', reviewedOn: '2025-07-25' }).expect(200);
    const beforeReview = await t.http.post('/v1/approval-batches').set('Authorization', t.approver).send({ claimIds: [claimId], approvedOn: '2025-07-24' }).expect(422);
    expect(beforeReview.body.details).toEqual([expect.objectContaining({ code: 'CLAIM.APPROVAL_BEFORE_REVIEW', reviewedOn: '2025-07-25' })]);
    // The agency holds 100,000.00 of margin.
    await t.http.post(`/v1/agencies/${agency}/margin/deposits`).set('Authorization', auth()).send({ amount: '100000.00', depositedOn: '2025-07-01' }).expect(201);

    const batch = await t.http.post('/v1/approval-batches').set('Authorization', t.approver).send({ claimIds: [claimId], approvedOn: '2025-09-30' }).expect(201);
    // Reviewed balance 3,000,000.00: band edges 60,000 / 120,000 / 180,000. The claim lifts net
    // compensation 0 → 1,825,230: 60,000 × 20% + 60,000 × 40% + 1,645,230 × 50%
    // = 12,000 + 24,000 + 822,615 = 858,615.00.
    expect(batch.body).toMatchObject({ claimCount: 1, totalCompensation: '1825230.00' });
    expect(batch.body.claims[0]).toMatchObject({ id: claimId, status: 'approved', marginDeduction: '858615.00' });

    const margin = await t.http.get(`/v1/agencies/${agency}/margin`).set('Authorization', auth()).expect(200);
    // Only 100,000.00 was there: taken, 758,615.00 short, top-up due 5 working days after
    // 2025-09-30 across the National Day holiday (Oct 1–8 off, Sat Oct 11 worked): Oct 9, 10, 11, 13, 14.
    expect(margin.body.balance).toBe('0.00');
    expect(margin.body.deductionShortfall).toBe('758615.00');
    expect(margin.body.topUpDueOn).toBe('2025-10-14');
    expect(margin.body.deductions).toEqual([expect.objectContaining({ claimId, amount: '100000.00', due: '858615.00', shortfall: '758615.00', on: '2025-09-30' })]);
    const agencyView = await t.http.get(`/v1/agencies/${agency}`).set('Authorization', auth()).expect(200);
    expect(agencyView.body.status).toBe('suspended_new');

    await expectTrialBalanceBalanced('reserve');
    await expectTrialBalanceBalanced('margin');
    // Approval moves no money: 1,020,000.00 and 5,000,000.00 still.
    expect(await balanceOf(bank1)).toBe('1020000.00');
  });

  it('paid with a two-bank waterfall; a second payout → 409; receipted', async () => {
    const res = await t.http.post(`/v1/claims/${claimId}/payout`).set('Authorization', auth()).send({ paidOn: '2025-10-10' }).expect(200);
    // Own account 1,020,000.00 first, the rest 805,230.00 from the other bank.
    expect(res.body.status).toBe('paid');
    expect(res.body.legs).toEqual([
      { bankCode: bank1, amount: '1020000.00' },
      { bankCode: bank2, amount: '805230.00' },
    ]);
    const twice = await t.http.post(`/v1/claims/${claimId}/payout`).set('Authorization', auth()).send({ paidOn: '2025-10-11' }).expect(409);
    expect(twice.body.code).toBe('CLAIM.ALREADY_PAID');
    expect(await balanceOf(bank1)).toBe('0.00');
    expect(await balanceOf(bank2)).toBe('4194770.00');
    await expectTrialBalanceBalanced('reserve');

    await t.http.post(`/v1/claims/${claimId}/receipt`).set('Authorization', auth()).send({ receivedOn: '2025-10-12' }).expect(200);
  });

  it('a recovery computes the refund by the government’s share; refunded into the claiming bank’s account', async () => {
    const rec = await t.http
      .post(`/v1/claims/${claimId}/recoveries`)
      .set('Authorization', auth())
      .send({ recoveredOn: '2026-01-10', recovered: '1000000.00', agreedCosts: '50000.00' })
      .expect(201);
    recoveryId = rec.body.id;
    // (1,000,000 − 50,000) × 1,825,230 / 3,042,050 = 950,000 × 0.6 = 570,000.00; due 15 working
    // days after Sat 2026-01-10: Jan 12–16, 19–23, 26–30 → 2026-01-30.
    expect(rec.body).toMatchObject({ refund: '570000.00', refundDueOn: '2026-01-30', refundedOn: null });
    const early = await t.http.post(`/v1/claims/${claimId}/write-off`).set('Authorization', auth()).send({ writtenOffOn: '2026-06-30' }).expect(422);
    expect(early.body.code).toBe('CLAIM.REFUND_PENDING');

    await t.http.post(`/v1/claims/${claimId}/recoveries/${recoveryId}/refunded`).set('Authorization', auth()).send({ refundedOn: '2026-01-20' }).expect(200);
    const twice = await t.http.post(`/v1/claims/${claimId}/recoveries/${recoveryId}/refunded`).set('Authorization', auth()).send({ refundedOn: '2026-01-21' }).expect(409);
    expect(twice.body.code).toBe('RECOVERY.ALREADY_REFUNDED');
    // fundings 6,000,000 + interest 20,000 − payout 1,825,230 + refund 570,000 = 4,764,770.00
    expect(await balanceOf(bank1)).toBe('570000.00');
    expect(await balanceOf(bank2)).toBe('4194770.00');
    await expectTrialBalanceBalanced('reserve');
  });

  it('written off net of refunds; the claim closes; the statement lists it', async () => {
    const res = await t.http.post(`/v1/claims/${claimId}/write-off`).set('Authorization', auth()).send({ writtenOffOn: '2026-06-30' }).expect(200);
    // 1,825,230.00 − 570,000.00 = 1,255,230.00
    expect(res.body).toMatchObject({ status: 'written_off', writtenOffAmount: '1255230.00', refundedTotal: '570000.00' });
    expect(res.body.recoveries).toHaveLength(1);
    const tb = await expectTrialBalanceBalanced('reserve');
    expect(tb.totals.debit).toMatch(/^\d+\.\d{2}$/);
    expect(await balanceOf(bank1)).toBe('570000.00');

    const statement = await t.http.get(`/v1/claims/statement?bankCode=${bank1}`).set('Authorization', auth()).expect(200);
    expect(statement.body.items).toHaveLength(1);
    expect(statement.body.totals).toEqual({ claims: 1, compensationGranted: '1825230.00', refunded: '570000.00', writtenOff: '1255230.00' });
    // Names people read (issue 17): the loan's reference and the borrower's name beside the ids.
    expect(statement.body.bankName).toBe(`Bank ${bank1}`);
    expect(statement.body.items[0]).toMatchObject({ loanId, loanReference, borrowerName: `Borrower ${borrowerCode}` });
    const csv = await t.http.get(`/v1/claims/statement?bankCode=${bank1}&format=csv`).set('Authorization', auth()).expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.startsWith('\ufeff')).toBe(true);
    const lines = csv.text.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0].split(',').slice(0, 5)).toEqual(['id', 'loanId', 'loanReference', 'borrowerName', 'bankCode']);
    expect(lines[1]).toContain(`,${loanId},${loanReference},Borrower ${borrowerCode},${bank1},`);
    expect(lines[1]).toContain(',written_off,2025-07-15,3000000.00,');
    expect(lines[1]).toContain(',1825230.00,');
    const zh = await t.http.get(`/v1/claims/statement?bankCode=${bank1}&format=csv&lang=zh-CN`).set('Authorization', auth()).expect(200);
    expect(zh.text.replace(/^\ufeff/, '').split('\r\n')[0].split(',').slice(0, 8)).toEqual(['ID', '贷款ID', '贷款编号', '借款企业', '银行代码', '合作机构代码', '状态', '申请日期']);
    // The ledger's memos and the claim's account name carry the loan reference and the bank's name; the codes are unchanged.
    const memoOf = async (entryId: string) => (await t.http.get(`/v1/ledger/entries/${entryId}`).set('Authorization', auth()).expect(200)).body.memo as string;
    const claimEntries = (await t.http.get(`/v1/claims/${claimId}`).set('Authorization', auth()).expect(200)).body.entries as Record<string, string>;
    expect(await memoOf(claimEntries.approval)).toMatch(new RegExp(`^Compensation approved for claim ${claimId} \\(loan ${loanReference}, Borrower ${borrowerCode}\\) \\(batch `));
    // The payout may draw on other banks' accounts, whose statements they read: no loan or borrower in its memo.
    expect(await memoOf(claimEntries.payout)).toBe(`Compensation paid on claim ${claimId} to Bank ${bank1} (${bank1})`);
    expect(await memoOf(claimEntries.writeOff)).toBe(`Compensation on claim ${claimId} (loan ${loanReference}, Borrower ${borrowerCode}) written off net of refunds`);
    const tbRows = (await t.http.get('/v1/ledger/trial-balance?book=reserve&asOf=2027-12-31').set('Authorization', auth()).expect(200)).body.rows as { account: string; name: string }[];
    expect(tbRows.find((r) => r.account === `reserve:awaiting-recovery:${claimId}`)?.name).toBe(`Compensation awaiting recovery, claim ${claimId} (loan ${loanReference})`);
    expect(tbRows.find((r) => r.account === `reserve:payable:${bank1}`)?.name).toBe(`Compensation payable to Bank ${bank1} (${bank1})`);
  });

  it('a deposit makes good the shortfall and lifts the suspension', async () => {
    await t.http.post(`/v1/agencies/${agency}/margin/deposits`).set('Authorization', auth()).send({ amount: '800000.00', depositedOn: '2025-10-13' }).expect(201);
    const margin = await t.http.get(`/v1/agencies/${agency}/margin`).set('Authorization', auth()).expect(200);
    // 800,000.00 − 758,615.00 owed = 41,385.00 held.
    expect(margin.body).toMatchObject({ balance: '41385.00', deductionShortfall: '0.00' });
    const agencyView = await t.http.get(`/v1/agencies/${agency}`).set('Authorization', auth()).expect(200);
    expect(agencyView.body.status).toBe('active');
    await expectTrialBalanceBalanced('margin');
  });
});
