import { createBank } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A move racing postings into the account it closes (docs/reserve-accounts.md "Closed accounts in
 * the ledger"): every posting either committed before the move locked the old account — and the
 * move carried it over — or is refused with 409 LEDGER.ACCOUNT_CLOSED having written nothing. No
 * line ever lands on the old account after the move's entry, and the old account ends at 0.00.
 */
describe('an account move racing postings into the old account', () => {
  let t: TestApp;
  let bank: string;
  const post = (url: string, body: object) => t.http.post(url).set('Authorization', t.auth).send(body);

  beforeAll(async () => {
    t = await startTestApp();
    bank = await createBank(t, 'MR');
    await post('/v1/reserve/funding', { bankCode: bank, amount: '1000.00', fundedOn: '2025-01-15', reference: `F-${bank}` }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('30 postings and the move at once: each posting moved over or refused; the old account ends at 0.00', async () => {
    const old = `reserve:deposit:${bank}`;
    const posting = () =>
      post('/v1/ledger/entries', {
        book: 'reserve',
        effectiveDate: '2025-11-01',
        memo: 'racing the move',
        lines: [
          { account: old, debit: '1.00' },
          { account: 'reserve:capital', credit: '1.00' },
        ],
      });
    // 15 postings start; once the first has answered, the move and 15 more start while the rest run.
    const first = Array.from({ length: 15 }, () => Promise.resolve(posting()));
    await first[0];
    const move = Promise.resolve(post(`/v1/reserve/accounts/${bank}/moves`, { branch: 'Race Branch', accountNumber: '41006666666666', movedOn: '2025-11-01' }));
    const second = Array.from({ length: 15 }, () => Promise.resolve(posting()));
    const [moved, ...answers] = await Promise.all([move, ...first, ...second]);
    expect(moved.status).toBe(201);
    expect(answers[0].status).toBe(201);
    for (const a of answers) {
      expect([201, 409]).toContain(a.status);
      if (a.status === 409) expect(a.body.code).toBe('LEDGER.ACCOUNT_CLOSED');
    }
    const accepted = answers.filter((a) => a.status === 201).length;
    // The move carried the funding and every posting accepted before it: 1,000.00 + accepted × 1.00.
    expect(moved.body.amount).toBe((1000 + accepted).toFixed(2));
    const balance = async (code: string) =>
      (await t.http.get(`/v1/ledger/accounts/${encodeURIComponent(code)}/balance?book=reserve`).set('Authorization', t.auth).expect(200)).body.balance;
    expect(await balance(old)).toBe('0.00');
    expect(await balance(`${old}:2`)).toBe((1000 + accepted).toFixed(2));
    // Nothing on the old account after the move's entry; one entry per accepted posting.
    const after = (await t.dataSource.query(
      `SELECT count(*) AS n FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id
        WHERE a.book = 'reserve' AND a.code = $1 AND l.sequence > $2`,
      [old, moved.body.sequence],
    )) as { n: string }[];
    expect(Number(after[0].n)).toBe(0);
    const racing = (await t.dataSource.query(
      `SELECT count(*) AS n FROM ledger_entries e WHERE e.memo = 'racing the move' AND EXISTS (
         SELECT 1 FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id WHERE l.entry_id = e.id AND a.code = $1)`,
      [old],
    )) as { n: string }[];
    expect(Number(racing[0].n)).toBe(accepted);
    expect((await t.http.get('/v1/ledger/verify?book=reserve').set('Authorization', t.auth).expect(200)).body.ok).toBe(true);
  });
});
