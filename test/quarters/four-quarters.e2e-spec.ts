import ExcelJS from 'exceljs';
import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { issueToken } from '../loans/loan-fixtures';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * Issue 12 "Done when": four consecutive quarter closes (2025Q1–Q4) on a database of their own,
 * through the API, with the figures to the fen.
 *
 * Bank A (agency G2 reviewed all its loans): L1 3,000,000.00, L2 30,000,000.00, L3 3,000,000.00 —
 * balance 36,000,000.00. Claim 1 on L1 (approved 2025-05-15): 3,000,000 × (1 + 84 × 4.35% / 360)
 * = 3,030,450.00 × 60% = 1,818,270.00. Claim 2 on L3 (approved 2025-08-20, RULES §4 case A):
 * 1,825,230.00.
 *   Q1: nothing approved → 0% active.
 *   Q2: 1,818,270.00 / 36,000,000.00 = 5.0508% → warning, suspended_new (crosses 4%).
 *   Q3: 3,643,500.00 / 36,000,000.00 = 10.1208% → severe, suspended_focus (crosses 6%).
 *   Q4: claim 1 written off (net 0), claim 2 refunded 600,000.00 (1,000,000.00 × 60%):
 *       1,225,230.00 / (0 + 30,000,000.00 + 2,000,000.00) = 3.8288% → active again.
 * Bank B: L4 10,000,000.00 (agency G1), L5 5,000,000.00 (agency G3); no claims.
 * Reserve: A 120,000,000.00 + B 200,000,000.00 = 320,000,000.00, Q1 interest 345,000.00 +
 * 575,000.00 = 920,000.00 → fee 320,000.00 from interest, 600,000.00 to principal (RULES §8).
 */
describe('quarter close: four quarters (issue 12; RULES §6–§9)', () => {
  let t: TestApp;
  let bankA: string;
  let bankB: string;
  let g1: string;
  let g2: string;
  let g3: string;
  const loans: Record<string, { id: string; reference: string }> = {};
  const claims: Record<string, string> = {};

  const post = (url: string, body: object = {}) => t.http.post(url).set('Authorization', t.auth).send(body);
  const get = (url: string) => t.http.get(url).set('Authorization', t.auth);
  const ok = async (url: string, body: object, status = 201) => {
    // Four eyes (issue #15): approval batches are the approver's, not the trustee's that recommended the claims.
    const res = url === '/v1/approval-batches' ? await t.http.post(url).set('Authorization', t.approver).send(body) : await post(url, body);
    if (res.status !== status) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const close = async (quarter: string) => {
    const res = await post(`/v1/quarters/${quarter}/close`);
    if (res.status !== 200) throw new Error(`close ${quarter}: ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.body.status).toBe('completed');
    return res.body;
  };
  const booksSound = async (asOf: string) => {
    for (const book of ['reserve', 'margin']) {
      const tb = await get(`/v1/ledger/trial-balance?book=${book}&asOf=${asOf}`).expect(200);
      expect(tb.body.totals.debit).toBe(tb.body.totals.credit);
      const v = await get(`/v1/ledger/verify?book=${book}`).expect(200);
      expect(v.body.ok).toBe(true);
    }
  };
  const bankRate = (q: { lossRates: { banks: { bankCode: string }[] } }, code: string) => q.lossRates.banks.find((b) => b.bankCode === code);
  const agencyRate = (q: { lossRates: { agencies: { agencyCode: string }[] } }, code: string) => q.lossRates.agencies.find((a) => a.agencyCode === code);
  const requirementOf = (q: { marginRequirements: { agencyCode: string }[] }, code: string) => q.marginRequirements.find((r) => r.agencyCode === code);
  const report = (bankCode: string, quarter: string, rows: [string, string][]) =>
    ok('/v1/bank-reports', { bankCode, quarter, rows: rows.map(([loan, outstanding]) => ({ loanReference: loans[loan].reference, outstandingPrincipal: outstanding, repaid: '0.00', assetQuality: 'normal' })) });

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bankA = await createBank(t, 'QA');
    bankB = await createBank(t, 'QB');
    g1 = await createAgency(t, { joinedOn: '2019-01-01' });
    g2 = await createAgency(t, { joinedOn: '2024-01-01' });
    g3 = await createAgency(t, { joinedOn: '2020-01-01' });
    await signAgreement(t, bankA, g2);
    await signAgreement(t, bankB, g1);
    await signAgreement(t, bankB, g3);
    const borrower = async () => createBorrower(t, [{ year: 2023, amount: '18000000.00' }]);
    loans.L1 = await registerLoan(t, { bankCode: bankA, agencyCode: g2, borrowerCode: await borrower() });
    loans.L2 = await registerLoan(t, { bankCode: bankA, agencyCode: g2, borrowerCode: await borrower(), amount: '30000000.00', collateralValue: '6000000.00' });
    loans.L3 = await registerLoan(t, { bankCode: bankA, agencyCode: g2, borrowerCode: await borrower() });
    loans.L4 = await registerLoan(t, { bankCode: bankB, agencyCode: g1, borrowerCode: await borrower(), amount: '10000000.00', collateralValue: '2000000.00' });
    loans.L5 = await registerLoan(t, { bankCode: bankB, agencyCode: g3, borrowerCode: await borrower(), amount: '5000000.00', collateralValue: '1000000.00' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('order and dates: a quarter that has not ended → 409 QUARTER.NOT_ENDED; an unknown quarter → 404; a malformed one → 400', async () => {
    const notEnded = await post('/v1/quarters/2026Q4/close').expect(409);
    expect(notEnded.body.code).toBe('QUARTER.NOT_ENDED');
    expect((await get('/v1/quarters/2025Q1').expect(404)).body.code).toBe('QUARTER.NOT_FOUND');
    expect((await post('/v1/quarters/2025Q5/close').expect(400)).body.code).toBe('QUARTER.INVALID');
  });

  it('2025Q1: the custody fee of RULES §8 to the fen; all parties active; margin requirements 20% and 30%', async () => {
    await ok('/v1/reserve/funding', { bankCode: bankA, amount: '120000000.00', fundedOn: '2025-01-15', reference: `F-${bankA}` });
    await ok('/v1/reserve/funding', { bankCode: bankB, amount: '200000000.00', fundedOn: '2025-01-15', reference: `F-${bankB}` });
    await ok('/v1/reserve/interest', { bankCode: bankA, amount: '345000.00', creditedOn: '2025-03-21' });
    await ok('/v1/reserve/interest', { bankCode: bankB, amount: '575000.00', creditedOn: '2025-03-21' });
    await ok(`/v1/agencies/${g2}/margin/deposits`, { amount: '5000000.00', depositedOn: '2025-01-20' });
    await ok(`/v1/agencies/${g1}/margin/deposits`, { amount: '50000.00', depositedOn: '2025-01-20' });
    // G3 is disqualified by the trustee before any close (RULES §6 reason `disqualified`).
    await ok(`/v1/agencies/${g3}/status-reasons`, { source: 'disqualified', status: 'disqualified', reason: 'Licence withdrawn by the regulator.', startedOn: '2025-02-01' });

    const q1 = await close('2025Q1');
    expect(q1.custodyFee).toMatchObject({ total: '320000.00', fromInterest: '320000.00', fromPrincipal: '0.00', interestToPrincipal: '600000.00', reserveTotal: '320000000.00', quarterInterest: '920000.00' });
    // Split over the accounts by their interest: A 320,000 × 345,000 / 920,000 = 120,000.00; B 200,000.00.
    expect(q1.custodyFee.banks).toEqual(
      expect.arrayContaining([
        { bankCode: bankA, fromInterest: '120000.00', fromPrincipal: '0.00', interestToPrincipal: '225000.00' },
        { bankCode: bankB, fromInterest: '200000.00', fromPrincipal: '0.00', interestToPrincipal: '375000.00' },
      ]),
    );
    const reserve = await get('/v1/reserve?asOf=2025-03-31').expect(200);
    // 320,920,000.00 − 320,000.00: the fee left the accounts; 600,000.00 of interest is now principal.
    expect(reserve.body.total).toBe('320600000.00');
    const capital = await get('/v1/ledger/accounts/reserve:capital/balance?book=reserve&asOf=2025-03-31').expect(200);
    expect(capital.body.balance).toBe('320600000.00');
    const interest = await get('/v1/ledger/accounts/reserve:interest/balance?book=reserve&asOf=2025-03-31').expect(200);
    expect(interest.body.balance).toBe('0.00');

    expect(bankRate(q1, bankA)).toMatchObject({ numerator: '0.00', balance: '36000000.00', band: 'normal', status: 'active' });
    expect(bankRate(q1, bankB)).toMatchObject({ numerator: '0.00', balance: '15000000.00', band: 'normal', status: 'active' });
    expect(q1.reports).toEqual({ late: [], missing: [bankA, bankB].sort() });
    // RULES §7: G1 joined 2019 (more than 3 years), published rate 0% < 2% → 20% of 10,000,000.00 × 1% = 20,000.00;
    // G2 joined 2024 → 30% of 36,000,000.00 × 1% = 108,000.00.
    expect(requirementOf(q1, g1)).toMatchObject({ quarter: '2025Q2', ratio: '0.20', feesReceivable: '100000.00', requirement: '20000.00' });
    expect(requirementOf(q1, g2)).toMatchObject({ quarter: '2025Q2', ratio: '0.30', feesReceivable: '360000.00', requirement: '108000.00' });
    expect(requirementOf(q1, g3)).toMatchObject({ requirement: '10000.00', shortfall: '10000.00' });
    // Dormancy (RULES §6): no registration since 2024-06-10 + 6 months → warnings, never applied.
    expect(q1.dormancy.filter((d: { partyCode: string }) => [g1, g2].includes(d.partyCode))).toHaveLength(2);
    expect(q1.dormancy.every((d: { status: string; kind: string }) => d.status === 'proposed' && d.kind === 'warning')).toBe(true);
    expect(q1.dormancy.some((d: { partyCode: string }) => d.partyCode === g3)).toBe(false);
    expect(q1.placementId).toEqual(expect.any(String));
    expect(q1.duties.map((d: { status: string }) => d.status)).toEqual(Array(9).fill('done'));
    await booksSound('2025-12-31');
  });

  it('a second POST returns the first result; a later quarter cannot skip an earlier one', async () => {
    const first = (await get('/v1/quarters/2025Q1').expect(200)).body;
    const again = await post('/v1/quarters/2025Q1/close').expect(200);
    expect(again.body).toEqual(first);
    const skip = await post('/v1/quarters/2025Q3/close').expect(409);
    expect(skip.body.code).toBe('QUARTER.PREVIOUS_MISSING');
    expect(skip.body.details[0].missing).toBe('2025Q2');
    // Every bank's and agency's figures: not for a bank's token.
    const bankToken = await issueToken(t, 'bank', bankA);
    expect((await t.http.get('/v1/quarters/2025Q1').set('Authorization', bankToken)).status).toBe(403);
    // The ledger period is closed: nothing dated in 2025Q1 is accepted any more.
    const late = await post('/v1/reserve/interest', { bankCode: bankA, amount: '1.00', creditedOn: '2025-03-31' });
    expect(late.status).toBe(409);
  });

  it('withdrawals respect the 10th and the requirement the close fixed (RULES §7)', async () => {
    // G1 holds 50,000.00; its 2025Q2 requirement is 20,000.00 (20%).
    const early = await post(`/v1/agencies/${g1}/margin/withdrawals`, { amount: '1.00', withdrawnOn: '2025-04-10' }).expect(422);
    expect(early.body.code).toBe('MARGIN.WITHDRAWAL_BEFORE_DUE_DAY');
    const tooMuch = await post(`/v1/agencies/${g1}/margin/withdrawals`, { amount: '30000.01', withdrawnOn: '2025-04-11' }).expect(422);
    expect(tooMuch.body.code).toBe('MARGIN.WITHDRAWAL_ABOVE_EXCESS');
    const ok201 = await post(`/v1/agencies/${g1}/margin/withdrawals`, { amount: '30000.00', withdrawnOn: '2025-04-11' }).expect(201);
    expect(ok201.body).toMatchObject({ balance: '20000.00', requirement: '20000.00', excessWithdrawable: '0.00' });
  });

  it('a disqualified agency stays disqualified: the shortfall reason comes and goes with its top-up', async () => {
    const before = await get(`/v1/agencies/${g3}`).expect(200);
    expect(before.body.status).toBe('disqualified');
    expect(before.body.reasonsInForce.map((r: { source: string }) => r.source).sort()).toEqual(['disqualified', 'margin_shortfall']);
    await ok(`/v1/agencies/${g3}/margin/deposits`, { amount: '10000.00', depositedOn: '2025-05-05' });
    const after = await get(`/v1/agencies/${g3}`).expect(200);
    expect(after.body.status).toBe('disqualified');
    expect(after.body.reasonsInForce.map((r: { source: string }) => r.source)).toEqual(['disqualified']);
  });

  it('2025Q2: bank A crosses 4% (5.0508%) → suspended_new, and so does G2; the fee comes from principal', async () => {
    const claim = await ok('/v1/claims', {
      loanId: loans.L1.id,
      claimDate: '2025-04-15',
      outstandingPrincipal: '3000000.00',
      interestUnpaidSince: '2025-01-21',
      principalOverdueSince: '2025-02-10',
    });
    expect(claim.compensation).toBe('1818270.00');
    claims.c1 = claim.id;
    await ok(`/v1/claims/${claims.c1}/review`, { decision: 'recommend', reviewedOn: '2025-04-20' }, 200);
    await ok('/v1/approval-batches', { claimIds: [claims.c1], approvedOn: '2025-05-15' });
    await ok(`/v1/claims/${claims.c1}/payout`, { paidOn: '2025-05-20' }, 200);
    await report(bankA, '2025Q2', [['L1', '3000000.00'], ['L2', '30000000.00'], ['L3', '3000000.00']]);
    await report(bankB, '2025Q2', [['L4', '10000000.00'], ['L5', '5000000.00']]);

    const q2 = await close('2025Q2');
    expect(bankRate(q2, bankA)).toMatchObject({ numerator: '1818270.00', balance: '36000000.00', rateShown: '5.0508%', band: 'warning', statusBefore: 'active', status: 'suspended_new' });
    expect(agencyRate(q2, g2)).toMatchObject({ numerator: '1818270.00', rateShown: '5.0508%', band: 'warning', status: 'suspended_new' });
    expect(bankRate(q2, bankB)).toMatchObject({ band: 'normal', status: 'active' });
    // No interest in Q2: 0.1% of 320,600,000.00 − 1,818,270.00 = 318,781,730.00 → 318,781.73, all from principal.
    expect(q2.custodyFee).toMatchObject({ total: '318781.73', fromInterest: '0.00', fromPrincipal: '318781.73', interestToPrincipal: '0.00' });
    // Both reports came in after the 10th of July (they are filed today).
    expect(q2.reports).toEqual({ late: [bankA, bankB].sort(), missing: [] });
    expect((await get(`/v1/banks/${bankA}`).expect(200)).body.status).toBe('suspended_new');
    // henan-2025 (from 2025-06-01) places the reserve yearly: no proposal before the fourth quarter.
    expect(q2.placementId).toBeNull();
    await booksSound('2025-12-31');
  });

  it('2025Q3: bank A crosses 6% (10.1208%) → suspended_focus; G2 above 6% is suspended; interest covers part of the fee', async () => {
    const claim = await ok('/v1/claims', {
      loanId: loans.L3.id,
      claimDate: '2025-07-15',
      outstandingPrincipal: '3000000.00',
      interestUnpaidSince: '2025-03-21',
      principalOverdueSince: '2025-05-10',
    });
    expect(claim.compensation).toBe('1825230.00');
    claims.c2 = claim.id;
    await ok(`/v1/claims/${claims.c2}/review`, { decision: 'recommend', reviewedOn: '2025-07-25' }, 200);
    await ok('/v1/approval-batches', { claimIds: [claims.c2], approvedOn: '2025-08-20' });
    await ok('/v1/reserve/interest', { bankCode: bankA, amount: '100000.00', creditedOn: '2025-09-21' });
    await ok('/v1/reserve/interest', { bankCode: bankB, amount: '200000.00', creditedOn: '2025-09-21' });
    await report(bankA, '2025Q3', [['L1', '3000000.00'], ['L2', '30000000.00'], ['L3', '3000000.00']]);
    await report(bankB, '2025Q3', [['L4', '10000000.00'], ['L5', '5000000.00']]);

    const q3 = await close('2025Q3');
    expect(bankRate(q3, bankA)).toMatchObject({ numerator: '3643500.00', rateShown: '10.1208%', band: 'severe', statusBefore: 'suspended_new', status: 'suspended_focus' });
    expect(agencyRate(q3, g2)).toMatchObject({ numerator: '3643500.00', band: 'severe', status: 'suspended_focus' });
    // Principal 318,781,730.00 − 318,781.73 = 318,462,948.27 → fee 318,462.95; interest 300,000.00 pays first,
    // 18,462.95 comes from principal.
    expect(q3.custodyFee).toMatchObject({ total: '318462.95', fromInterest: '300000.00', fromPrincipal: '18462.95', interestToPrincipal: '0.00' });
    const g2View = await get(`/v1/agencies/${g2}`).expect(200);
    expect(g2View.body.status).toBe('suspended_focus');
    await booksSound('2025-12-31');
  });

  it('2025Q4: written off and refunded, bank A falls back under 4% (3.8288%) → active; G2 too', async () => {
    await ok(`/v1/claims/${claims.c2}/payout`, { paidOn: '2025-10-20' }, 200);
    const recovery = await ok(`/v1/claims/${claims.c2}/recoveries`, { recoveredOn: '2025-11-01', recovered: '1000000.00', agreedCosts: '0.00' });
    expect(recovery.refund).toBe('600000.00');
    await ok(`/v1/claims/${claims.c2}/recoveries/${recovery.id}/refunded`, { refundedOn: '2025-11-20' }, 200);
    await ok(`/v1/claims/${claims.c1}/write-off`, { writtenOffOn: '2025-11-25' }, 200);
    await report(bankA, '2025Q4', [['L1', '0.00'], ['L2', '30000000.00'], ['L3', '2000000.00']]);
    await report(bankB, '2025Q4', [['L4', '10000000.00'], ['L5', '5000000.00']]);

    const q4 = await close('2025Q4');
    expect(bankRate(q4, bankA)).toMatchObject({
      approved: '3643500.00',
      refunded: '600000.00',
      writtenOff: '1818270.00',
      numerator: '1225230.00',
      balance: '32000000.00',
      rateShown: '3.8288%',
      band: 'normal',
      statusBefore: 'suspended_focus',
      status: 'active',
    });
    expect(agencyRate(q4, g2)).toMatchObject({ band: 'normal', status: 'active' });
    const placement = await get(`/v1/placements/${q4.placementId}`).expect(200);
    expect(placement.body).toMatchObject({ quarter: '2025Q4', status: 'proposed' });
    // The targets add up to the reserve to the fen (largest remainder), the transfers reach them.
    const targets = placement.body.banks.reduce((sum: number, b: { target: string }) => sum + Math.round(Number(b.target) * 100), 0);
    expect(targets).toBe(Math.round(Number(placement.body.total) * 100));
    const a = await get(`/v1/banks/${bankA}`).expect(200);
    expect(a.body).toMatchObject({ status: 'active', lossRateQuarter: '2025Q4' });
    expect(a.body.lossRateHistory.map((h: { quarter: string; band: string; statusAfter: string }) => [h.quarter, h.band, h.statusAfter])).toEqual([
      ['2025Q1', 'normal', 'active'],
      ['2025Q2', 'warning', 'suspended_new'],
      ['2025Q3', 'severe', 'suspended_focus'],
      ['2025Q4', 'normal', 'active'],
    ]);
    await booksSound('2025-12-31');
  });

  it('the approver’s XLSX report: loss rates with status changes, margin requirements, the custody fee', async () => {
    const res = await t.http
      .get('/v1/quarters/2025Q3/report.xlsx')
      .set('Authorization', t.auth)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Loss rates – banks', 'Loss rates – agencies', 'Margin requirements', 'Dormancy']);
    const banks = wb.getWorksheet('Loss rates – banks');
    const rowOf = (code: string) => banks?.getRows(2, banks.rowCount - 1)?.find((r) => r.getCell(1).value === code);
    // Money as number cells in #,##0.00 (issue 17: SUM works in Excel); the loss rate as shown.
    expect(rowOf(bankA)?.values).toEqual([undefined, bankA, 3643500, 3643500, 0, 0, 36000000, '10.1208%', 'severe', 'suspended_focus', 'suspended_new → suspended_focus']);
    expect(rowOf(bankA)?.getCell(2).numFmt).toBe('#,##0.00');
    expect(banks?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const summary = wb.getWorksheet('Summary');
    expect(summary?.getRow(5).values).toEqual([undefined, 'custody fee (RULES §8)', 318462.95]);
    const margins = wb.getWorksheet('Margin requirements');
    expect(margins?.rowCount).toBe(4);
    // In Chinese: sheet names and headers; the same bytes when asked twice.
    const zhGet = () =>
      t.http
        .get('/v1/quarters/2025Q3/report.xlsx?lang=zh-CN')
        .set('Authorization', t.auth)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        })
        .expect(200);
    const [zh1, zh2] = [await zhGet(), await zhGet()];
    expect(Buffer.compare(zh1.body as Buffer, zh2.body as Buffer)).toBe(0);
    const zh = new ExcelJS.Workbook();
    await zh.xlsx.load(zh1.body as Buffer);
    expect(zh.worksheets.map((w) => w.name)).toEqual(['概要', '代偿率-银行', '代偿率-合作机构', '保证金要求', '休眠']);
    expect(zh.getWorksheet('代偿率-银行')?.getRow(1).getCell(7).value).toBe('代偿率');
  });

  it('the approver confirms a dormancy warning with a reason: the agency is disqualified, once', async () => {
    const q4 = (await get('/v1/quarters/2025Q4').expect(200)).body;
    const warning = q4.dormancy.find((d: { partyCode: string }) => d.partyCode === g1);
    expect(warning).toMatchObject({ kind: 'warning', status: 'proposed', lastActivityOn: '2024-06-10' });
    const confirm = (auth: string, body: object) => t.http.post(`/v1/quarters/2025Q4/dormancy/${warning.id}/confirm`).set('Authorization', auth).send(body);
    // Disqualifying a party is the approver's decision (issue #15), not the trustee's.
    await confirm(t.auth, { reason: 'No business since June 2024.', effectiveOn: '2026-01-26' }).expect(403);
    const res = (await confirm(t.approver, { reason: 'No business since June 2024; the agency confirmed.', effectiveOn: '2026-01-26' }).expect(200)).body;
    expect(res).toMatchObject({ status: 'confirmed', confirmedOn: '2026-01-26' });
    expect((await get(`/v1/agencies/${g1}`).expect(200)).body.status).toBe('disqualified');
    const twice = await confirm(t.approver, { reason: 'again' }).expect(409);
    expect(twice.body.code).toBe('QUARTER.PROPOSAL_ALREADY_CONFIRMED');
  });
});
