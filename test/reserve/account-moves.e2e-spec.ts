import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * Issue 13 item 5, account moves (RULES §8 "moving an account transfers the whole balance and
 * closes the old one", R 第九–十一条; docs/reserve-accounts.md), over HTTP on an isolated database
 * (the payout waterfall and the custody fee read every bank's account).
 *
 * Bank A: funded 500,000.00 on 2025-01-15, with one approved claim of 60,841.00 (unpaid); bank B:
 * funded 700,000.00. A's account is registered, then moved on 2025-06-30 (account 2) and again on
 * 2025-10-20 (account 3). Between the moves: a funding, interest, the 2025Q3 custody fee and the
 * claim's payout, each of which must land on A's current account.
 */
describe('reserve account moves (RULES §8; R 第十一条)', () => {
  let t: TestApp;
  let bankA: string;
  let bankB: string;
  let custodian: string;
  let bankAToken: string;
  let bankBToken: string;
  let claimId: string;
  const as = (auth: string) => ({
    get: (url: string) => t.http.get(url).set('Authorization', auth),
    post: (url: string, body: object = {}) => t.http.post(url).set('Authorization', auth).send(body),
    put: (url: string, body: object = {}) => t.http.put(url).set('Authorization', auth).send(body),
  });
  const trustee = () => as(t.auth);
  const deposit = (bank: string, n = 1) => (n === 1 ? `reserve:deposit:${bank}` : `reserve:deposit:${bank}:${n}`);
  const balanceOf = async (code: string) => (await trustee().get(`/v1/ledger/accounts/${encodeURIComponent(code)}/balance?book=reserve`).expect(200)).body.balance as string;
  const count = async (sql: string, params: unknown[] = []) => Number(((await t.dataSource.query(sql, params)) as { n: string }[])[0].n);
  const entryCount = () => count(`SELECT count(*) AS n FROM ledger_entries WHERE book = 'reserve'`);
  const token = async (role: string, partyCode?: string) =>
    `Bearer ${(await trustee().post('/v1/tokens', { role, ...(partyCode ? { partyCode } : {}) }).expect(201)).body.token}`;

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bankA = await createBank(t, 'MA');
    bankB = await createBank(t, 'MB');
    custodian = await token('custodian');
    bankAToken = await token('bank', bankA);
    bankBToken = await token('bank', bankB);
    const agency = await createAgency(t);
    await signAgreement(t, bankA, agency);
    const borrower = await createBorrower(t, [{ year: 2023, amount: '18000000.00' }]);
    const loan = await registerLoan(t, { bankCode: bankA, agencyCode: agency, borrowerCode: borrower, amount: '100000.00', collateralValue: '0.00' });
    const claim = await trustee()
      .post('/v1/claims', { loanId: loan.id, claimDate: '2025-07-15', outstandingPrincipal: '100000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' })
      .expect(201);
    // 100,000 × 116 × 0.0435 / 360 = 1,401.67 → loss 101,401.67 × 0.60 = 60,841.00
    expect(claim.body.compensation).toBe('60841.00');
    claimId = claim.body.id;
    await trustee().post(`/v1/claims/${claimId}/review`, { decision: 'recommend', reviewedOn: '2025-07-20' }).expect(200);
    await as(t.approver).post('/v1/approval-batches', { claimIds: [claimId], approvedOn: '2025-09-30' }).expect(201);
    await trustee().post('/v1/reserve/funding', { bankCode: bankA, amount: '500000.00', fundedOn: '2025-01-15', reference: `F-${bankA}` }).expect(201);
    await trustee().post('/v1/reserve/funding', { bankCode: bankB, amount: '700000.00', fundedOn: '2025-01-15', reference: `F-${bankB}` }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('the custodian registers the branch and number of A’s current account; a bank reads its own, and no other', async () => {
    const res = await as(custodian).put(`/v1/reserve/accounts/${bankA}`, { branch: 'Zhengzhou Hi-tech Branch', accountNumber: '41001234567890', openedOn: '2025-01-06' }).expect(200);
    expect(res.body).toEqual({
      bankCode: bankA,
      account: {
        accountCode: deposit(bankA),
        ordinal: 1,
        branch: 'Zhengzhou Hi-tech Branch',
        accountNumber: '41001234567890',
        openedOn: '2025-01-06',
        closedOn: null,
        status: 'open',
        balance: '500000.00',
      },
    });
    const own = await as(bankAToken).get('/v1/reserve/accounts').expect(200);
    expect(own.body.banks.map((b: { bankCode: string }) => b.bankCode)).toEqual([bankA]);
    await as(bankAToken).get(`/v1/reserve/accounts?bankCode=${bankB}`).expect(403);
    // Bad details: every problem listed, nothing stored.
    const bad = await as(custodian).put(`/v1/reserve/accounts/${bankA}`, { branch: ' ', accountNumber: '4100-12' }).expect(422);
    expect(bad.body.code).toBe('RESERVE.INVALID_ACCOUNT_DETAILS');
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['branch', 'accountNumber']);
    await as(custodian).put('/v1/reserve/accounts/NO-SUCH-BANK', { branch: 'X', accountNumber: '41001234567890' }).expect(404);
  });

  it('a bank token cannot move; bad input is refused and writes nothing', async () => {
    const before = await entryCount();
    await as(bankAToken).post(`/v1/reserve/accounts/${bankA}/moves`, { branch: 'Jinshui Branch', accountNumber: '41009876543210', movedOn: '2025-06-30' }).expect(403);
    await as(custodian).post('/v1/reserve/accounts/NO-SUCH-BANK/moves', { branch: 'Jinshui Branch', accountNumber: '41009876543210', movedOn: '2025-06-30' }).expect(404);
    const badNumber = await as(custodian).post(`/v1/reserve/accounts/${bankA}/moves`, { branch: 'Jinshui Branch', accountNumber: 'abc', movedOn: '2025-06-30' }).expect(422);
    expect(badNumber.body.code).toBe('RESERVE.INVALID_ACCOUNT_DETAILS');
    // Dated before the old account's latest movement (the funding of 2025-01-15).
    const early = await as(custodian).post(`/v1/reserve/accounts/${bankA}/moves`, { branch: 'Jinshui Branch', accountNumber: '41009876543210', movedOn: '2025-01-10' }).expect(422);
    expect(early.body.details[0]).toMatchObject({ field: 'movedOn', lastMovementOn: '2025-01-15' });
    const same = await as(custodian).post(`/v1/reserve/accounts/${bankA}/moves`, { branch: 'Jinshui Branch', accountNumber: '41001234567890', movedOn: '2025-06-30' }).expect(409);
    expect(same.body.code).toBe('RESERVE.SAME_ACCOUNT');
    await as(custodian).post(`/v1/reserve/accounts/${bankA}/moves`, { branch: 'Jinshui Branch', movedOn: '2025-06-30' }).expect(400);
    expect(await entryCount()).toBe(before);
    expect(await count(`SELECT count(*) AS n FROM reserve_accounts WHERE bank_code = $1`, [bankA])).toBe(1);
  });

  it('a move posts ONE entry of the whole balance, closes the old account at 0.00 and leaves A’s balance unchanged (idempotent)', async () => {
    const before = await entryCount();
    const body = { branch: 'Jinshui Branch', accountNumber: '41009876543210', movedOn: '2025-06-30' };
    const res = await as(custodian).post(`/v1/reserve/accounts/${bankA}/moves`, body).set('Idempotency-Key', `move-${bankA}-1`).expect(201);
    const again = await as(custodian).post(`/v1/reserve/accounts/${bankA}/moves`, body).set('Idempotency-Key', `move-${bankA}-1`).expect(201);
    expect(again.body).toEqual(res.body);
    expect(res.body).toMatchObject({
      bankCode: bankA,
      movedOn: '2025-06-30',
      amount: '500000.00',
      from: { accountCode: deposit(bankA), accountNumber: '41001234567890', status: 'closed', closedOn: '2025-06-30', balance: '0.00' },
      to: { accountCode: deposit(bankA, 2), ordinal: 2, accountNumber: '41009876543210', branch: 'Jinshui Branch', openedOn: '2025-06-30', status: 'open', balance: '500000.00' },
    });
    expect(await entryCount()).toBe(before + 1);
    const entry = await trustee().get(`/v1/ledger/entries/${res.body.entryId}`).expect(200);
    expect(entry.body.lines.map((l: { account: string; debit?: string; credit?: string }) => [l.account, l.debit ?? null, l.credit ?? null])).toEqual([
      [deposit(bankA, 2), '500000.00', null],
      [deposit(bankA), null, '500000.00'],
    ]);
    expect(await balanceOf(deposit(bankA))).toBe('0.00');
    expect(await balanceOf(deposit(bankA, 2))).toBe('500000.00');
    // The closed account's statement still reads: 500,000.00 in, 500,000.00 out.
    const statement = await trustee().get(`/v1/ledger/accounts/${encodeURIComponent(deposit(bankA))}/statement?book=reserve&from=2025-01-01&to=2025-12-31`).expect(200);
    expect(statement.body.closing).toEqual({ debit: '500000.00', credit: '500000.00', balance: '0.00' });
    const reserve = await trustee().get('/v1/reserve?asOf=2025-06-30').expect(200);
    expect(reserve.body.banks.filter((b: { bankCode: string }) => b.bankCode === bankA)).toEqual([{ bankCode: bankA, balance: '500000.00' }]);
    // A's token reads its new account (the bank scope knows the new codes); B's does not.
    expect((await as(bankAToken).get(`/v1/ledger/accounts/${encodeURIComponent(deposit(bankA, 2))}/balance?book=reserve`).expect(200)).body.balance).toBe('500000.00');
    await as(bankBToken).get(`/v1/ledger/accounts/${encodeURIComponent(deposit(bankA, 2))}/balance?book=reserve`).expect(403);
    const listed = await as(t.approver).get(`/v1/reserve/accounts?bankCode=${bankA}`).expect(200);
    expect(listed.body.banks).toEqual([
      {
        bankCode: bankA,
        balance: '500000.00',
        currentAccountCode: deposit(bankA, 2),
        accounts: [
          expect.objectContaining({ accountCode: deposit(bankA), status: 'closed', balance: '0.00' }),
          expect.objectContaining({ accountCode: deposit(bankA, 2), status: 'open', balance: '500000.00' }),
        ],
      },
    ]);
    // Naming the closed account as the one to move → 409.
    const closed = await as(custodian).post(`/v1/reserve/accounts/${bankA}/moves`, { ...body, accountNumber: '41005555555555', fromAccountNumber: '41001234567890' }).expect(409);
    expect(closed.body.code).toBe('RESERVE.ACCOUNT_CLOSED');
    // The number of the closed account cannot be reused.
    const reused = await as(custodian).post(`/v1/reserve/accounts/${bankA}/moves`, { ...body, accountNumber: '41001234567890' }).expect(409);
    expect(reused.body.code).toBe('RESERVE.ACCOUNT_NUMBER_USED');
  });

  it('the closed account accepts no posting (409 LEDGER.ACCOUNT_CLOSED), alone or in a batch; nothing is written', async () => {
    const before = await entryCount();
    const into = [
      { account: deposit(bankA), debit: '1.00' },
      { account: 'reserve:capital', credit: '1.00' },
    ];
    const single = await trustee().post('/v1/ledger/entries', { book: 'reserve', effectiveDate: '2025-07-01', memo: 'into a closed account', lines: into }).expect(409);
    expect(single.body.code).toBe('LEDGER.ACCOUNT_CLOSED');
    expect(single.body.details[0]).toMatchObject({ account: deposit(bankA), closedOn: '2025-06-30' });
    const out = [
      { account: 'reserve:capital', debit: '1.00' },
      { account: deposit(bankA), credit: '1.00' },
    ];
    const batch = await trustee()
      .post('/v1/ledger/entries/batch', { entries: [{ book: 'reserve', effectiveDate: '2025-07-01', memo: 'fine', lines: [{ account: deposit(bankB), debit: '1.00' }, { account: 'reserve:capital', credit: '1.00' }] }, { book: 'reserve', effectiveDate: '2025-07-01', memo: 'out of a closed account', lines: out }] })
      .expect(409);
    expect(batch.body.code).toBe('LEDGER.ACCOUNT_CLOSED');
    expect(await entryCount()).toBe(before);
    expect(await balanceOf(deposit(bankA))).toBe('0.00');
    expect(await balanceOf(deposit(bankB))).toBe('700000.00');
    // The database refuses it too, whatever the code path: the balance-row trigger.
    await expect(t.dataSource.query(`UPDATE ledger_accounts SET debits = debits + 1 WHERE book = 'reserve' AND code = $1`, [deposit(bankA)])).rejects.toThrow(/LEDGER.ACCOUNT_CLOSED/);
    await expect(t.dataSource.query(`UPDATE ledger_accounts SET closed_on = NULL WHERE book = 'reserve' AND code = $1`, [deposit(bankA)])).rejects.toThrow(/LEDGER.ACCOUNT_IMMUTABLE/);
    await expect(t.dataSource.query(`UPDATE ledger_accounts SET closed_on = '2025-07-01' WHERE book = 'reserve' AND code = $1`, [deposit(bankB)])).rejects.toThrow(/LEDGER.ACCOUNT_NOT_EMPTY/);
  });

  it('funding, interest, the custody fee and the payout after the move land on A’s new account', async () => {
    await trustee().post('/v1/reserve/funding', { bankCode: bankA, amount: '100.00', fundedOn: '2025-07-01', reference: `F2-${bankA}` }).expect(201);
    await trustee().post('/v1/reserve/interest', { bankCode: bankA, amount: '5000.00', creditedOn: '2025-08-15' }).expect(201);
    expect(await balanceOf(deposit(bankA, 2))).toBe('505100.00');
    expect(await balanceOf(deposit(bankA))).toBe('0.00');

    // 2025Q3 custody fee: principal 500,100.00 (A) + 700,000.00 (B) = 1,200,100.00 → 0.1% =
    // 1,200.10, all from A's 5,000.00 of interest; 3,799.90 of interest to principal.
    const close = await trustee().post('/v1/quarters/2025Q3/close').expect(200);
    expect(close.body.status).toBe('completed');
    expect(close.body.custodyFee).toMatchObject({ reserveTotal: '1200100.00', quarterInterest: '5000.00', total: '1200.10', fromInterest: '1200.10', fromPrincipal: '0.00' });
    const feeLines = (await t.dataSource.query(
      `SELECT a.code, l.side, l.amount::text AS amount FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id JOIN ledger_entries e ON e.id = l.entry_id
        WHERE e.book = 'reserve' AND e.link_type = 'quarter' AND e.link_id = '2025Q3' AND a.code LIKE 'reserve:deposit:%'`,
    )) as { code: string; side: string; amount: string }[];
    expect(feeLines).toEqual([{ code: deposit(bankA, 2), side: 'C', amount: '1200.10' }]);
    // 505,100.00 − 1,200.10 = 503,899.90
    expect(await balanceOf(deposit(bankA, 2))).toBe('503899.90');

    // The payout draws A's own (new) account first: 503,899.90 − 60,841.00 = 443,058.90.
    const paid = await trustee().post(`/v1/claims/${claimId}/payout`, { paidOn: '2025-10-10' }).expect(200);
    expect(paid.body.legs.map((l: { bankCode: string; amount: string }) => [l.bankCode, l.amount])).toEqual([[bankA, '60841.00']]);
    const payoutLines = (await t.dataSource.query(
      `SELECT a.code FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id JOIN ledger_entries e ON e.id = l.entry_id
        WHERE e.link_type = 'claim' AND e.link_id = $1 AND e.memo LIKE 'Compensation paid%' AND l.side = 'C'`,
      [claimId],
    )) as { code: string }[];
    expect(payoutLines.map((l) => l.code)).toEqual([deposit(bankA, 2)]);
    expect(await balanceOf(deposit(bankA, 2))).toBe('443058.90');
    expect(await balanceOf(deposit(bankA))).toBe('0.00');
  });

  it('a move into a closed period → 409 LEDGER.CLOSED_PERIOD; a bank with 0.00 moves without an entry', async () => {
    // 2025Q3 is closed (the quarter close closed the reserve book through 2025-09-30).
    const before = await entryCount();
    const closedPeriod = await as(custodian).post(`/v1/reserve/accounts/${bankB}/moves`, { branch: 'B Branch', accountNumber: '41002222222222', movedOn: '2025-09-15' }).expect(409);
    expect(closedPeriod.body.code).toBe('LEDGER.CLOSED_PERIOD');
    const bankC = await createBank(t, 'MC');
    const empty = await as(custodian).post(`/v1/reserve/accounts/${bankC}/moves`, { branch: 'C Branch', accountNumber: '41003333333333', movedOn: '2025-10-15' }).expect(201);
    expect(empty.body).toMatchObject({ amount: '0.00', entryId: null, from: { accountCode: deposit(bankC), status: 'closed' }, to: { accountCode: deposit(bankC, 2), status: 'open' } });
    expect(await entryCount()).toBe(before);
    await trustee().post('/v1/reserve/funding', { bankCode: bankC, amount: '10.00', fundedOn: '2025-10-16', reference: `F-${bankC}` }).expect(201);
    expect(await balanceOf(deposit(bankC, 2))).toBe('10.00');
    expect(await balanceOf(deposit(bankC))).toBe('0.00');
  });

  it('moving twice in a row: three accounts, two closed at 0.00, the whole balance in the third; books balanced, chain intact', async () => {
    const res = await as(custodian).post(`/v1/reserve/accounts/${bankA}/moves`, { branch: 'Zhengdong Branch', accountNumber: '41007777777777', movedOn: '2025-10-20' }).expect(201);
    expect(res.body).toMatchObject({ amount: '443058.90', from: { accountCode: deposit(bankA, 2), status: 'closed' }, to: { accountCode: deposit(bankA, 3), ordinal: 3 } });
    expect(await balanceOf(deposit(bankA))).toBe('0.00');
    expect(await balanceOf(deposit(bankA, 2))).toBe('0.00');
    expect(await balanceOf(deposit(bankA, 3))).toBe('443058.90');
    const listed = await trustee().get(`/v1/reserve/accounts?bankCode=${bankA}`).expect(200);
    expect(listed.body.banks[0].balance).toBe('443058.90');
    expect(listed.body.banks[0].accounts.map((a: { ordinal: number; status: string; balance: string }) => [a.ordinal, a.status, a.balance])).toEqual([
      [1, 'closed', '0.00'],
      [2, 'closed', '0.00'],
      [3, 'open', '443058.90'],
    ]);
    expect(await count(`SELECT count(*) AS n FROM ledger_entries WHERE link_type = 'account-move'`)).toBe(2);
    const reserve = await trustee().get('/v1/reserve?asOf=2025-12-31').expect(200);
    const byBank = Object.fromEntries((reserve.body.banks as { bankCode: string; balance: string }[]).map((b) => [b.bankCode, b.balance]));
    expect(byBank[bankA]).toBe('443058.90');
    expect(byBank[bankB]).toBe('700000.00');
    // 443,058.90 + 700,000.00 + 10.00
    expect(reserve.body.total).toBe('1143068.90');
    const tb = await trustee().get('/v1/ledger/trial-balance?book=reserve').expect(200);
    expect(tb.body.totals.debit).toBe(tb.body.totals.credit);
    expect(tb.body.totals.balanced).toBe(true);
    expect((await trustee().get('/v1/ledger/verify?book=reserve&full=true').expect(200)).body.ok).toBe(true);
  });
});
