import iconv from 'iconv-lite';
import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * Issue 14 "Done when" (RULES §8 Reconciliation; R 第二十一条), on whichever database the suite
 * runs (embedded or DATABASE_URL): a payout and a placement create payment instructions → a GBK
 * CSV statement with Chinese headers for BANK B's reserve account, October 2025, carrying those
 * movements (two placement transfers batched into one line, the payout leg a day late, a transfer
 * with a wrong amount, a bank fee the books don't know) → matched / unmatched exactly → manual
 * match with a reason → close refused while a difference remains → closes after the corrections
 * (posted by a second token) → the 余额调节表 agrees with the trial balance.
 *
 * BANK B's reserve account in the books: funded 5,000,000.00 (2025-01-15); payout leg −805,230.00
 * (10-10); placement transfers to BANK A −100,000.00 and −200,000.00 (10-20), −50,000.00 (10-24)
 * → 3,844,770.00 on 10-31.
 */
describe('reconciliation: instructions out, a GBK statement in, every fen explained (RULES §8)', () => {
  let t: TestApp;
  let bankA: string;
  let bankB: string;
  let claimId: string;
  let recId: string;
  let secondAuth: string;
  const refs: Record<string, string> = {};
  const entries: Record<string, string> = {};
  const post = (url: string, body: object, auth = t.auth) => t.http.post(url).set('Authorization', auth).send(body);

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bankA = await createBank(t, 'RA');
    bankB = await createBank(t, 'RB');
    const agency = await createAgency(t);
    await signAgreement(t, bankA, agency);
    const borrower = await createBorrower(t, [{ year: 2023, amount: '18000000.00' }]);
    const loan = await registerLoan(t, { bankCode: bankA, agencyCode: agency, borrowerCode: borrower });
    await post('/v1/reserve/funding', { bankCode: bankA, amount: '1020000.00', fundedOn: '2025-01-15', reference: `F-${bankA}` }).expect(201);
    await post('/v1/reserve/funding', { bankCode: bankB, amount: '5000000.00', fundedOn: '2025-01-15', reference: `F-${bankB}` }).expect(201);
    const claim = await post('/v1/claims', { loanId: loan.id, claimDate: '2025-07-15', outstandingPrincipal: '3000000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' }).expect(201);
    claimId = claim.body.id;
    await post(`/v1/claims/${claimId}/review`, { decision: 'recommend', reviewedOn: '2025-07-25' }).expect(200);
    await post(`/v1/agencies/${agency}/margin/deposits`, { amount: '900000.00', depositedOn: '2025-07-01' }).expect(201);
    await t.http.post('/v1/approval-batches').set('Authorization', t.approver).send({ claimIds: [claimId], approvedOn: '2025-09-30' }).expect(201);
    const token = await post('/v1/tokens', { role: 'approver', label: 'second pair of eyes' }).expect(201);
    secondAuth = `Bearer ${token.body.token}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('a payout and placement transfers become payment instructions with unique references', async () => {
    const paid = await post(`/v1/claims/${claimId}/payout`, { paidOn: '2025-10-10' }).expect(200);
    // 1,825,230.00: BANK A's own 1,020,000.00 first, 805,230.00 from BANK B.
    expect(paid.body.legs).toEqual([
      { bankCode: bankA, amount: '1020000.00' },
      { bankCode: bankB, amount: '805230.00' },
    ]);
    for (const [name, amount, date] of [['p1', '100000.00', '2025-10-20'], ['p2', '200000.00', '2025-10-20'], ['p3', '50000.00', '2025-10-24']]) {
      const e = await post('/v1/ledger/entries', {
        book: 'reserve',
        effectiveDate: date,
        memo: `Placement ${name}: ${bankB} → ${bankA}`,
        lines: [
          { account: `reserve:deposit:${bankA}`, debit: amount },
          { account: `reserve:deposit:${bankB}`, credit: amount },
        ],
        link: { type: 'placement-transfer', id: name },
      }).expect(201);
      entries[name] = e.body.id;
    }
    const list = await t.http.get(`/v1/payment-instructions?bankCode=${bankB}`).set('Authorization', t.auth).expect(200);
    const items = list.body.items as { reference: string; kind: string; direction: string; amount: string; status: string; entryId: string; effectiveDate: string }[];
    expect(items.map((i) => [i.kind, i.direction, i.amount, i.effectiveDate, i.status])).toEqual([
      ['appropriation', 'in', '5000000.00', '2025-01-15', 'pending'],
      ['payout', 'out', '805230.00', '2025-10-10', 'pending'],
      ['placement', 'out', '100000.00', '2025-10-20', 'pending'],
      ['placement', 'out', '200000.00', '2025-10-20', 'pending'],
      ['placement', 'out', '50000.00', '2025-10-24', 'pending'],
    ]);
    for (const i of items) expect(i.reference).toMatch(/^RF[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(new Set(items.map((i) => i.reference)).size).toBe(items.length);
    [, refs.payout, refs.p1, refs.p2, refs.p3] = items.map((i) => i.reference);
    entries.payout = items[1].entryId;
    const done = await post(`/v1/payment-instructions/${refs.p1}/done`, { doneOn: '2025-10-20' }).expect(200);
    expect(done.body.status).toBe('done');
    const csv = await t.http.get(`/v1/payment-instructions?bankCode=${bankB}&format=csv`).set('Authorization', t.auth).expect(200);
    expect(csv.text).toContain(`${refs.p3},${bankB},reserve:deposit:${bankB},out,50000.00,placement,pending,2025-10-24`);
  });

  const statementCsv = () =>
    [
      '交易日期,起息日,借方发生额,贷方发生额,余额,对方户名,摘要,附言',
      // the payout leg a day late, no reference → amount + date
      `2025-10-11,2025-10-11,"805,230.00",,"4,194,770.00",河南省科技厅,代付补偿,`,
      // two placement transfers batched into one line, both references in the memo
      `2025/10/21,2025/10/21,300000.00,,3894770.00,${bankA},资金调拨,${refs.p1} ${refs.p2}`,
      // a transfer executed with the wrong amount (its reference, 10.00 short)
      `20251024,20251024,49990.00,,3844780.00,${bankA},资金调拨,${refs.p3}`,
      // the bank's fee, unknown to the books
      '2025-10-31,2025-10-31,25.00,,3844755.00,,手续费,',
    ].join('\r\n');
  const upload = (body: Buffer, query = `bankCode=${bankB}&from=2025-10-01&to=2025-10-31`) =>
    t.http.post(`/v1/reconciliations?${query}`).set('Authorization', t.auth).set('Content-Type', 'text/csv').send(body);

  it('a dry run of the GBK statement shows the matches and stores nothing', async () => {
    const gbk = iconv.encode(statementCsv(), 'gbk');
    expect(gbk.includes(Buffer.from('交易日期', 'utf8'))).toBe(false);
    const dry = await upload(gbk, `bankCode=${bankB}&from=2025-10-01&to=2025-10-31&dryRun=true`).expect(201);
    expect(dry.body).toMatchObject({ dryRun: true, openingBalance: '5000000.00', closingBalance: '3844755.00', lineCount: 4, matched: 2, unmatchedStatement: 2, unmatchedLedger: 1 });
    const count = await t.dataSource.query(`SELECT count(*)::int AS n FROM reconciliations`);
    expect(count[0].n).toBe(0);
  });

  it('imports it: batched by references, a day late by amount and date; the wrong amount and the fee unmatched; −15.00 explained item by item', async () => {
    const res = await upload(iconv.encode(statementCsv(), 'gbk')).expect(201);
    recId = res.body.id;
    // statement 3,844,755.00 − ledger 3,844,770.00 = −15.00 = fee −25.00 + wrong-amount line −49,990.00 − books' −50,000.00
    expect(res.body).toMatchObject({
      encoding: 'gb18030',
      source: 'csv',
      openingBalance: '5000000.00',
      closingBalance: '3844755.00',
      matched: 2,
      unmatchedStatement: 2,
      unmatchedLedger: 1,
      statementBalance: '3844755.00',
      ledgerBalance: '3844770.00',
      difference: '-15.00',
      unexplained: '0.00',
      canClose: false,
    });
    expect(res.body.explanation.map((e: { kind: string; amount: string }) => [e.kind, e.amount])).toEqual([
      ['statement-only', '-49990.00'],
      ['statement-only', '-25.00'],
      ['books-only', '50000.00'],
    ]);
    expect(res.body.hints).toEqual([expect.objectContaining({ position: 3, code: 'REFERENCE_AMOUNT_DIFFERS' })]);
    const view = await t.http.get(`/v1/reconciliations/${recId}`).set('Authorization', t.auth).expect(200);
    expect(view.body.matches.map((m: { method: string; statementLines: number[]; entries: string[] }) => [m.method, m.statementLines, m.entries.length])).toEqual([
      ['amount-date', [1], 1],
      ['reference', [2], 2],
    ]);
    expect(view.body.statementLines.map((l: { amount: string; status: string }) => [l.amount, l.status])).toEqual([
      ['-805230.00', 'matched'],
      ['-300000.00', 'matched'],
      ['-49990.00', 'unmatched'],
      ['-25.00', 'unmatched'],
    ]);
    const unmatched = await t.http.get(`/v1/reconciliations/${recId}?lines=unmatched`).set('Authorization', t.auth).expect(200);
    expect(unmatched.body.statementLines.map((l: { id: number }) => l.id)).toEqual([3, 4]);
    expect(unmatched.body.ledgerLines.map((l: { amount: string }) => l.amount)).toEqual(['-50000.00']);
    expect(unmatched.body.matches).toEqual([]);
    const figures = await t.http.get(`/v1/reconciliations/${recId}?lines=none`).set('Authorization', t.auth).expect(200);
    expect(figures.body).toMatchObject({ difference: '-15.00', statementLines: [], ledgerLines: [] });
    const matched = await t.http.get(`/v1/payment-instructions?bankCode=${bankB}&status=matched`).set('Authorization', t.auth).expect(200);
    expect(matched.body.items.map((i: { reference: string }) => i.reference)).toEqual([refs.payout, refs.p1, refs.p2]);
  });

  it('the same statement again (as UTF-8 this time) → 409 STATEMENT.DUPLICATE; an overlapping period → 409; nothing stored', async () => {
    const again = await upload(Buffer.from(statementCsv(), 'utf8')).expect(409);
    expect(again.body).toMatchObject({ code: 'STATEMENT.DUPLICATE', details: [expect.objectContaining({ reconciliationId: recId })] });
    const overlap = await post('/v1/reconciliations', { bankCode: bankB, from: '2025-10-31', to: '2025-11-30', openingBalance: '3844755.00', closingBalance: '3844755.00', lines: [{ date: '2025-11-03', amount: '1.00' }, { date: '2025-11-04', amount: '-1.00' }] }).expect(409);
    expect(overlap.body.code).toBe('STATEMENT.PERIOD_OVERLAP');
    const count = await t.dataSource.query(`SELECT count(*)::int AS n FROM reconciliations`);
    expect(count[0].n).toBe(1);
  });

  it('close is refused while a difference remains; a manual match with a reason leaves +10.00 to correct', async () => {
    const refused = await post(`/v1/reconciliations/${recId}/close`, {}).expect(409);
    expect(refused.body.code).toBe('RECONCILIATION.DIFFERENCE_REMAINS');
    const bad = await post(`/v1/reconciliations/${recId}/matches`, { statementLines: [1], entries: [entries.p3], reason: 'x' }).expect(422);
    expect(bad.body.details).toEqual([expect.objectContaining({ code: 'ALREADY_MATCHED', statementLine: 1 })]);
    const res = await post(`/v1/reconciliations/${recId}/matches`, { statementLines: [3], entries: [entries.p3], reason: 'BANK B executed transfer p3 10.00 short; confirmed by phone' }).expect(201);
    const manual = res.body.matches.find((m: { method: string }) => m.method === 'manual');
    expect(manual).toMatchObject({ statementTotal: '-49990.00', ledgerTotal: '-50000.00', reason: 'BANK B executed transfer p3 10.00 short; confirmed by phone', by: expect.any(String) });
    expect(res.body).toMatchObject({ difference: '-15.00', unmatchedStatement: 1, unmatchedLedger: 0 });
    expect(res.body.explanation.map((e: { kind: string; amount: string }) => [e.kind, e.amount])).toEqual([
      ['statement-only', '-25.00'],
      ['match-difference', '10.00'],
    ]);
    await post(`/v1/reconciliations/${recId}/close`, {}).expect(409);
  });

  it('corrections are proposed, refused to their proposer, posted by a second token, and matched', async () => {
    const view = await t.http.get(`/v1/reconciliations/${recId}`).set('Authorization', t.auth).expect(200);
    const manualId = view.body.matches.find((m: { method: string }) => m.method === 'manual').id;
    const fee = await post(`/v1/reconciliations/${recId}/corrections`, { statementLine: 4, reason: 'bank fee for October' }).expect(201);
    expect(fee.body).toMatchObject({ amount: '-25.00', counterAccount: 'reserve:bank-charges', effectiveDate: '2025-10-31', status: 'proposed' });
    expect(fee.body.entry.lines).toEqual([
      { account: 'reserve:bank-charges', debit: '25.00' },
      { account: 'the reserve deposit account', credit: '25.00' },
    ]);
    const short = await post(`/v1/reconciliations/${recId}/corrections`, { matchId: manualId, counterAccount: 'reserve:capital', reason: 'transfer p3 short by 10.00 stays at BANK B' }).expect(201);
    expect(short.body).toMatchObject({ amount: '10.00', counterAccount: 'reserve:capital' });
    // Nothing is posted by a proposal.
    const still = await post(`/v1/reconciliations/${recId}/close`, {}).expect(409);
    expect(still.body.code).toBe('RECONCILIATION.DIFFERENCE_REMAINS');
    // Four eyes (issue #15, src/common/access/four-eyes.ts): the proposing token cannot post it.
    const self = await post(`/v1/reconciliations/${recId}/corrections/${fee.body.id}/post`, {}).expect(403);
    expect(self.body.code).toBe('AUTH.FOUR_EYES');
    expect(self.body.details).toEqual([expect.objectContaining({ code: 'AUTH.FOUR_EYES', correctionId: fee.body.id })]);
    const unposted = await t.http.get(`/v1/reconciliations/${recId}/corrections`).set('Authorization', t.auth).expect(200);
    expect(unposted.body.find((c: { id: string }) => c.id === fee.body.id)).toMatchObject({ status: 'proposed', entryId: null });
    const posted = await post(`/v1/reconciliations/${recId}/corrections/${fee.body.id}/post`, {}, secondAuth).expect(200);
    expect(posted.body).toMatchObject({ status: 'posted', entryId: expect.any(String) });
    await post(`/v1/reconciliations/${recId}/corrections/${short.body.id}/post`, {}, secondAuth).expect(200);
    const twice = await post(`/v1/reconciliations/${recId}/corrections/${short.body.id}/post`, {}, secondAuth).expect(409);
    expect(twice.body.code).toBe('RECONCILIATION.CORRECTION_NOT_PROPOSED');
  });

  it('closes once every item is explained; the report agrees with the trial balance; closed is immutable', async () => {
    const closed = await post(`/v1/reconciliations/${recId}/close`, {}).expect(200);
    // books 3,844,770.00 − fee 25.00 + 10.00 = 3,844,755.00 = the statement
    expect(closed.body).toMatchObject({ status: 'closed', difference: '0.00', ledgerBalance: '3844755.00', statementBalance: '3844755.00', unmatchedStatement: 0, unmatchedLedger: 0 });
    const tb = await t.http.get('/v1/ledger/trial-balance?book=reserve&asOf=2025-10-31').set('Authorization', t.auth).expect(200);
    const row = tb.body.rows.find((r: { account: string }) => r.account === `reserve:deposit:${bankB}`);
    expect(row.balance).toBe('3844755.00');
    expect(tb.body.totals.debit).toBe(tb.body.totals.credit);
    const report = await t.http.get(`/v1/reconciliations/${recId}/report`).set('Authorization', t.auth).expect(200);
    expect(report.body).toMatchObject({ ledgerBalance: row.balance, adjustedLedgerBalance: '3844755.00', adjustedStatementBalance: '3844755.00', booksOnlyPayments: '0.00', statementOnlyPayments: '0.00' });
    const csv = await t.http.get(`/v1/reconciliations/${recId}/report?format=csv`).set('Authorization', t.auth).expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text).toContain('调节后账面余额 Adjusted ledger balance,3844755.00');
    const xlsx = await t.http.get(`/v1/reconciliations/${recId}/report?format=xlsx`).set('Authorization', t.auth).buffer(true).expect(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const late = await post(`/v1/reconciliations/${recId}/matches`, { statementLines: [1], entries: [entries.payout], reason: 'x' }).expect(409);
    expect(late.body.code).toBe('RECONCILIATION.CLOSED');
    await post(`/v1/reconciliations/${recId}/close`, {}).expect(409);
  });

  it('a multipart upload with English headers (UTF-8 with BOM) reconciles BANK A; bad lines are all listed, nothing stored', async () => {
    const good = '\ufeffDate,Amount,Balance,Reference,Memo\r\n2025-10-10,-1020000.00,0.00,,compensation\r\n2025-10-20,300000.00,300000.00,,placement in\r\n2025-10-24,50000.00,350000.00,,placement in\r\n';
    const bad = 'Date,Amount,Balance\r\n2025-13-01,1.00,1.00\r\n2025-10-02,1.005,2.00\r\n2025-10-03,0.00,2.00\r\n';
    const refused = await t.http
      .post('/v1/reconciliations')
      .set('Authorization', t.auth)
      .field('bankCode', bankA)
      .field('from', '2025-10-01')
      .field('to', '2025-10-31')
      .attach('file', Buffer.from(bad, 'utf8'), { filename: 'a.csv', contentType: 'text/csv' })
      .expect(400);
    expect(refused.body.code).toBe('STATEMENT.INVALID_LINES');
    expect(refused.body.details.map((d: { line: number; code: string }) => [d.line, d.code])).toEqual([
      [2, 'INVALID_DATE'],
      [3, 'INVALID_AMOUNT'],
      [4, 'ZERO_AMOUNT'],
    ]);
    const res = await t.http
      .post('/v1/reconciliations')
      .set('Authorization', t.auth)
      .field('bankCode', bankA)
      .field('from', '2025-10-01')
      .field('to', '2025-10-31')
      .attach('file', Buffer.from(good, 'utf8'), { filename: 'a.csv', contentType: 'text/csv' })
      .expect(201);
    // BANK A: 1,020,000.00 − 1,020,000.00 + 100,000.00 + 200,000.00 + 50,000.00 = 350,000.00; the 300,000.00 line is the two transfers of 10-20.
    expect(res.body).toMatchObject({ encoding: 'utf-8-bom', openingBalance: '1020000.00', closingBalance: '350000.00', ledgerBalance: '350000.00', difference: '0.00', matched: 3, unmatchedStatement: 0, unmatchedLedger: 0 });
    const view = await t.http.get(`/v1/reconciliations/${res.body.id}`).set('Authorization', t.auth).expect(200);
    expect(view.body.matches.map((m: { method: string }) => m.method)).toEqual(['amount-date', 'batch', 'amount-date']);
  });

  it('a refund recorded and not yet received is a pending instruction; when it arrives, its line takes over that reference', async () => {
    const rec = await post(`/v1/claims/${claimId}/recoveries`, { recoveredOn: '2026-01-10', recovered: '1000000.00', agreedCosts: '50000.00' }).expect(201);
    // (1,000,000 − 50,000) × 1,825,230 / 3,042,050 = 570,000.00, due 15 working days after 2026-01-10
    expect(rec.body).toMatchObject({ refund: '570000.00', refundDueOn: '2026-01-30' });
    const expected = await t.http.get(`/v1/payment-instructions?bankCode=${bankA}&kind=refund`).set('Authorization', t.auth).expect(200);
    expect(expected.body.items).toEqual([expect.objectContaining({ direction: 'in', amount: '570000.00', status: 'pending', dueOn: '2026-01-30', entryId: null, effectiveDate: null })]);
    const reference = expected.body.items[0].reference;
    await post(`/v1/claims/${claimId}/recoveries/${rec.body.id}/refunded`, { refundedOn: '2026-01-20' }).expect(200);
    const arrived = await t.http.get(`/v1/payment-instructions?bankCode=${bankA}&kind=refund`).set('Authorization', t.auth).expect(200);
    expect(arrived.body.items).toEqual([expect.objectContaining({ reference, amount: '570000.00', effectiveDate: '2026-01-20', entryId: expect.any(String) })]);
  });
});
