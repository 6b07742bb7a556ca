import { TestApp, uniqueCode } from '../support/test-app';

/** A fresh book of our own (the real-database suite shares one schema across test files). */
export function uniqueBook(prefix = 'tb'): string {
  return uniqueCode(prefix).toLowerCase();
}

/** Opens a book with the usual reserve accounts: deposit (asset, floor 0), capital, payable, fee expense. */
export async function openBook(t: TestApp, book = uniqueBook()): Promise<string> {
  await t.http.post('/v1/ledger/books').set('Authorization', t.auth).send({ code: book, name: 'test book' }).expect(201);
  const accounts = [
    { code: `${book}:deposit:BANK01`, name: 'Deposit BANK01', type: 'asset', floor: '0.00' },
    { code: `${book}:deposit:BANK02`, name: 'Deposit BANK02', type: 'asset', floor: '0.00' },
    { code: `${book}:capital`, name: 'Fund capital', type: 'equity' },
    { code: `${book}:payable:BANK01`, name: 'Compensation payable BANK01', type: 'liability' },
    { code: `${book}:expense:custody-fee`, name: 'Custody fee', type: 'expense' },
  ];
  for (const a of accounts) {
    await t.http.post('/v1/ledger/accounts').set('Authorization', t.auth).send({ book, ...a }).expect(201);
  }
  return book;
}

export function entry(book: string, effectiveDate: string, lines: { account: string; debit?: string; credit?: string }[], memo = 'test') {
  return { book, effectiveDate, memo, lines: lines.map((l) => ({ ...l, account: `${book}:${l.account}` })) };
}

export async function post(t: TestApp, body: unknown, status = 201) {
  return t.http.post('/v1/ledger/entries').set('Authorization', t.auth).send(body as object).expect(status);
}

export async function balanceOf(t: TestApp, book: string, account: string, asOf?: string) {
  const res = await t.http
    .get(`/v1/ledger/accounts/${book}:${account}/balance`)
    .query(asOf ? { asOf } : {})
    .set('Authorization', t.auth)
    .expect(200);
  return res.body as { debit: string; credit: string; balance: string };
}

export async function counts(t: TestApp, book: string) {
  const rows: { entries: string; lines: string; seq: string }[] = await t.dataSource.query(
    `SELECT (SELECT count(*) FROM ledger_entries WHERE book = $1) AS entries,
            (SELECT count(*) FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id WHERE e.book = $1) AS lines,
            (SELECT last_sequence FROM ledger_books WHERE code = $1) AS seq`,
    [book],
  );
  return { entries: Number(rows[0].entries), lines: Number(rows[0].lines), sequence: Number(rows[0].seq) };
}

export async function expectTrialBalanceBalanced(t: TestApp, book: string, asOf?: string) {
  const res = await t.http.get('/v1/ledger/trial-balance').query(asOf ? { book, asOf } : { book }).set('Authorization', t.auth).expect(200);
  expect(res.body.totals.debit).toBe(res.body.totals.credit);
  expect(res.body.totals.totalDebits).toBe(res.body.totals.totalCredits);
  expect(res.body.totals.balanced).toBe(true);
  return res.body;
}
