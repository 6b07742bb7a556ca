import { Money } from '../../src/common/money/money';
import { PartyStatusService } from '../../src/programme/party-status.service';
import { assessBankLossRate } from '../../src/risk/domain/loss-rate.calculator';
import { HENAN_2021 } from '../../src/programme/domain/henan-versions';
import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { freezeToday } from '../loans/loan-fixtures';
import { startTestApp, TestApp, uniqueCode } from '../support/test-app';

/**
 * Issue 11 items 4, 5 and 6: the fuse decided on the exact rate (RULES §6 2026-12), statuses from
 * their reasons (a disqualified agency stays disqualified when its margin is topped up), and
 * cumulative refunds (RULES §5 2026-12).
 */
describe('exact fuse, status reasons, cumulative refunds (issue 11 items 4, 5, 6)', () => {
  let t: TestApp;
  let restore: () => void;
  const auth = () => t.auth;
  beforeAll(async () => {
    t = await startTestApp();
    restore = freezeToday(t, '2026-12-01');
  });
  afterAll(async () => {
    restore();
    await t.close();
  });

  const get = (path: string) => t.http.get(path).set('Authorization', auth()).expect(200);
  const post = (path: string, body: object) => t.http.post(path).set('Authorization', auth()).send(body);
  const approve = (body: object) => t.http.post('/v1/approval-batches').set('Authorization', t.approver).send(body);

  /** What the quarter close will do: assess the bank's loss rate and apply its band through the status service. */
  async function close(bankCode: string, net: string, quarter: string, decidedOn: string) {
    const r = assessBankLossRate(
      { approvedCompensation: Money.of(net), refunded: Money.ZERO, writtenOffCompensation: Money.ZERO, outstandingBalance: Money.of('100000000.00') },
      HENAN_2021,
    );
    await t.app.get(PartyStatusService).applyLossRateBand('bank', bankCode, { quarter, band: r.band, rate: r.rate, rateShown: r.ratePercent as string, decidedOn });
    return (await get(`/v1/banks/${bankCode}`)).body;
  }

  it('item 4: net 4,000,000.49 on 100,000,000.00 is above 4% → suspended_new; 6,000,000.49 is above 6% → suspended_focus; a later close under 4% lifts it', async () => {
    const a = await createBank(t);
    const bankA = await close(a, '4000000.49', '2025Q2', '2025-07-25');
    expect(bankA).toMatchObject({ status: 'suspended_new' });
    expect(bankA.reasonsInForce).toEqual([
      expect.objectContaining({ source: 'loss_rate', status: 'suspended_new', quarter: '2025Q2', lossRate: '0.04', startedOn: '2025-07-25', reason: 'loss rate 4.0000% for 2025Q2: band warning (RULES §6)' }),
    ]);
    const b = await createBank(t);
    expect((await close(b, '6000000.49', '2025Q2', '2025-07-25')).status).toBe('suspended_focus');
    // 2025Q3 under 4%: the loss-rate reason is lifted on the close's date.
    expect((await close(a, '3999999.99', '2025Q3', '2025-10-25')).status).toBe('active');
    const history = (await get(`/v1/banks/${a}/status-reasons`)).body;
    expect(history.reasons).toEqual([expect.objectContaining({ source: 'loss_rate', startedOn: '2025-07-25', endedOn: '2025-10-25' })]);
    expect(history.quarters.slice(0, 3)).toEqual([
      { quarter: '2025Q3', status: 'suspended_new', sources: ['loss_rate'] },
      { quarter: '2025Q4', status: 'active', sources: [] },
      { quarter: '2026Q1', status: 'active', sources: [] },
    ]);
  });

  it('item 5: the trustee adds and lifts a manual reason with a text; a loss-rate reason is not lifted by hand; a stronger reason keeps the status', async () => {
    const bank = await createBank(t);
    await close(bank, '4500000.00', '2025Q2', '2025-07-25'); // suspended_new (loss_rate)
    const added = await post(`/v1/banks/${bank}/status-reasons`, { source: 'manual', status: 'suspended_focus', reason: 'inspection found irregular registrations', startedOn: '2025-08-01' }).expect(201);
    expect(added.body.status).toBe('suspended_focus');
    const lift = await post(`/v1/banks/${bank}/status-reasons/${added.body.added.id}/lift`, { endedOn: '2025-09-01', reason: 'corrective measures verified' }).expect(200);
    // The loss-rate reason still holds: back to suspended_new, not active.
    expect(lift.body.status).toBe('suspended_new');
    const lossRate = lift.body.reasonsInForce[0];
    const refused = await post(`/v1/banks/${bank}/status-reasons/${lossRate.id}/lift`, { endedOn: '2025-09-01', reason: 'by hand' }).expect(422);
    expect(refused.body.code).toBe('STATUS_REASON.NOT_LIFTABLE');
    const future = await post(`/v1/banks/${bank}/status-reasons`, { source: 'manual', status: 'suspended_new', reason: 'x', startedOn: '2027-01-01' }).expect(422);
    expect(future.body.details[0]).toMatchObject({ code: 'DATE.IN_FUTURE', field: 'startedOn' });
  });

  it('item 5: a disqualified agency whose margin shortfall is topped up stays disqualified (today: it became active)', async () => {
    const bank = await createBank(t);
    const agency = await createAgency(t, { feeRate: '0.01', joinedOn: '2021-01-01' });
    await signAgreement(t, bank, agency);
    const borrower = await createBorrower(t, [{ year: 2023, amount: '30000000.00' }]);
    const loan = await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower, amount: '1000000.00', collateralValue: '0.00', security: 'guarantee' });
    const claim = await post('/v1/claims', { loanId: loan.id, claimDate: '2025-07-15', outstandingPrincipal: '1000000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' }).expect(201);
    await post(`/v1/claims/${claim.body.id}/review`, { decision: 'recommend', reviewedOn: '2025-07-20' }).expect(200);
    await approve({ claimIds: [claim.body.id], approvedOn: '2025-09-30' }).expect(201);
    // No margin held: the deduction is short and the agency suspended for new business.
    const short = (await get(`/v1/agencies/${agency}`)).body;
    expect(short).toMatchObject({ status: 'suspended_new' });
    expect(short.reasonsInForce.map((r: { source: string }) => r.source)).toEqual(['margin_shortfall']);
    await post(`/v1/agencies/${agency}/status-reasons`, { source: 'disqualified', status: 'disqualified', reason: 'confirmed by the trustee: irregular reviews', startedOn: '2025-10-01' }).expect(201);
    const margin = (await get(`/v1/agencies/${agency}/margin`)).body;
    await post(`/v1/agencies/${agency}/margin/deposits`, { amount: margin.deductionShortfall, depositedOn: '2025-10-10' }).expect(201);
    const after = (await get(`/v1/agencies/${agency}`)).body;
    expect(after.status).toBe('disqualified');
    expect(after.reasonsInForce.map((r: { source: string }) => r.source)).toEqual(['disqualified']);
    const reasons = (await get(`/v1/agencies/${agency}/status-reasons`)).body.reasons;
    expect(reasons.find((r: { source: string }) => r.source === 'margin_shortfall')).toMatchObject({ startedOn: '2025-09-30', endedOn: '2025-10-10', liftReason: 'MARGIN.TOPPED_UP' });
  });

  it('item 6: two recoveries of 100,000.01 at 50% refund 50,000.01 then 50,000.00 (as one of 200,000.02)', async () => {
    const bank = await createBank(t);
    const agency = await createAgency(t, { feeRate: '0.01', joinedOn: '2021-01-01' });
    await signAgreement(t, bank, agency);
    const borrower = await createBorrower(t, [{ year: 2023, amount: '30000000.00' }]);
    const loan = await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower, amount: '2000000.00', collateralValue: '0.00', security: 'guarantee' });
    // 0 days of unpaid interest: loss 2,000,000.00 × 0.50 = 1,000,000.00; share 1,000,000.00 / 2,000,000.00 = 50%.
    const claim = await post('/v1/claims', { loanId: loan.id, claimDate: '2025-07-15', outstandingPrincipal: '2000000.00', interestUnpaidSince: '2025-07-15', principalOverdueSince: '2025-05-10' }).expect(201);
    expect(claim.body).toMatchObject({ lossAmount: '2000000.00', compensation: '1000000.00' });
    await post(`/v1/claims/${claim.body.id}/review`, { decision: 'recommend', reviewedOn: '2025-07-20' }).expect(200);
    await approve({ claimIds: [claim.body.id], approvedOn: '2025-09-30' }).expect(201);
    await post('/v1/reserve/funding', { bankCode: bank, amount: '1000000.00', fundedOn: '2025-01-10', reference: uniqueCode('FD') }).expect(201);
    await post(`/v1/claims/${claim.body.id}/payout`, { paidOn: '2025-10-10' }).expect(200);
    const first = await post(`/v1/claims/${claim.body.id}/recoveries`, { recoveredOn: '2025-11-01', recovered: '100000.01', agreedCosts: '0.00' }).expect(201);
    // round(100,000.01 × 0.5 = 50,000.005) = 50,000.01
    expect(first.body.refund).toBe('50000.01');
    const second = await post(`/v1/claims/${claim.body.id}/recoveries`, { recoveredOn: '2025-11-02', recovered: '100000.01', agreedCosts: '0.00' }).expect(201);
    // round(200,000.02 × 0.5 = 100,000.01) − 50,000.01 = 50,000.00
    expect(second.body.refund).toBe('50000.00');
    const calc = await post('/v1/calculators/recovery-refund', {
      recovered: '100000.01',
      agreedCosts: '0.00',
      compensationPaid: '1000000.00',
      lossAmount: '2000000.00',
      refundedSoFar: '50000.01',
      netRecoveredSoFar: '100000.01',
    }).expect(200);
    expect(calc.body.refund).toBe('50000.00');
  });
});
