import { DataSource } from 'typeorm';
import { DomainError } from '../../src/common/errors/domain-error';
import { Money } from '../../src/common/money/money';
import { LedgerPostingService, PostedEntry, PostingInput } from '../../src/ledger/ledger-posting.service';
import { startTestApp, TestApp } from '../support/test-app';
import { openBook } from './ledger-fixtures';

/**
 * Issue #16: the balance-row and book-head guards refuse by their WHEN clause (migration
 * 1733600000000), and group commit writes batches that autocommitSafe allows as one autocommitted
 * statement. Both must refuse exactly what they refused before.
 */

const m = (s: string) => Money.of(s);

async function sqlError(ds: DataSource, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await ds.query(sql, params);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('posting guards and autocommitted batches (issue #16)', () => {
  let t: TestApp;
  let ledger: LedgerPostingService;
  beforeAll(async () => {
    t = await startTestApp();
    ledger = t.app.get(LedgerPostingService);
  });
  afterAll(async () => {
    ledger.groupCommit.maxInFlight = 2;
    await t.close();
  });

  const move = (book: string, debit: string, credit: string, amount: string, memo = 'move'): PostingInput => ({
    book,
    effectiveDate: '2025-02-01',
    memo,
    lines: [
      { account: `${book}:${debit}`, debit: m(amount) },
      { account: `${book}:${credit}`, credit: m(amount) },
    ],
  });

  async function funded(amount: string): Promise<string> {
    const book = await openBook(t);
    await ledger.post(null, move(book, 'deposit:BANK01', 'capital', amount, 'funding'));
    return book;
  }

  async function balance(book: string, account: string): Promise<string> {
    const [row] = (await t.dataSource.query(`SELECT (debits - credits)::text AS b FROM ledger_accounts WHERE book = $1 AND code = $2`, [book, `${book}:${account}`])) as {
      b: string;
    }[];
    return row.b;
  }

  /**
   * Posts the inputs with post(null, …) so that they land in ONE group-commit batch, in this order:
   * nothing may start while they queue (maxInFlight 0; the options are read at every pump), then
   * the last one, queued with room again, starts the batch.
   */
  async function postCoalesced(inputs: PostingInput[]): Promise<PromiseSettledResult<PostedEntry>[]> {
    ledger.groupCommit.maxInFlight = 0;
    const pending: Promise<PostedEntry>[] = [];
    try {
      for (const input of inputs.slice(0, -1)) {
        pending.push(ledger.post(null, input));
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      ledger.groupCommit.maxInFlight = 2;
    }
    pending.push(ledger.post(null, inputs[inputs.length - 1]));
    return Promise.allSettled(pending);
  }

  describe('the guards refuse what they refused before, by SQL too', () => {
    it('a debit-normal floored row: lowering below the floor is refused; lowering to it, and raising, are not', async () => {
      const book = await funded('10.00');
      const deposit = `${book}:deposit:BANK01`;
      expect(await sqlError(t.dataSource, `UPDATE ledger_accounts SET credits = credits + 10.01 WHERE book = $1 AND code = $2`, [book, deposit])).toMatch(
        /^LEDGER\.FLOOR_BREACH: account .*deposit:BANK01 would go to -0\.01 \(floor 0\.00\)/,
      );
      await t.dataSource.query(`UPDATE ledger_accounts SET credits = credits + 10.00 WHERE book = $1 AND code = $2`, [book, deposit]);
      expect(await balance(book, 'deposit:BANK01')).toBe('0.00');
      await t.dataSource.query(`UPDATE ledger_accounts SET debits = debits + 0.01 WHERE book = $1 AND code = $2`, [book, deposit]);
      expect(await balance(book, 'deposit:BANK01')).toBe('0.01');
    });

    it('a credit-normal floored row: the same rule on its own side', async () => {
      const book = await openBook(t);
      await t.http
        .post('/v1/ledger/accounts')
        .set('Authorization', t.auth)
        .send({ book, code: `${book}:held:AG01`, name: 'Margin held', type: 'liability', floor: '5.00' })
        .expect(201);
      await ledger.post(null, move(book, 'deposit:BANK01', 'held:AG01', '20.00'));
      const held = `${book}:held:AG01`;
      expect(await sqlError(t.dataSource, `UPDATE ledger_accounts SET debits = debits + 15.01 WHERE book = $1 AND code = $2`, [book, held])).toMatch(
        /^LEDGER\.FLOOR_BREACH: account .*held:AG01 would go to 4\.99 \(floor 5\.00\)/,
      );
      await t.dataSource.query(`UPDATE ledger_accounts SET debits = debits + 15.00 WHERE book = $1 AND code = $2`, [book, held]);
      expect(await balance(book, 'held:AG01')).toBe('-5.00'); // debits − credits: 5.00 on the credit side
    });

    it('totals never shrink, and no part of an account definition changes', async () => {
      const book = await funded('10.00');
      const where = [book, `${book}:deposit:BANK01`];
      expect(await sqlError(t.dataSource, `UPDATE ledger_accounts SET debits = debits - 1 WHERE book = $1 AND code = $2`, where)).toMatch(/^LEDGER\.APPEND_ONLY: the totals/);
      expect(await sqlError(t.dataSource, `UPDATE ledger_accounts SET credits = 0, debits = debits + 1 WHERE book = $1 AND code = $2`, [book, `${book}:capital`])).toMatch(
        /^LEDGER\.APPEND_ONLY: the totals/,
      );
      for (const change of [`type = 'expense'`, `normal_side = 'credit'`, `code = code || 'X'`, `floor = 1.00`, `floor = NULL`]) {
        expect(await sqlError(t.dataSource, `UPDATE ledger_accounts SET ${change} WHERE book = $1 AND code = $2`, where)).toMatch(/^LEDGER\.ACCOUNT_IMMUTABLE/);
      }
      expect(await sqlError(t.dataSource, `UPDATE ledger_accounts SET floor = 0.00 WHERE book = $1 AND code = $2`, [book, `${book}:capital`])).toMatch(
        /^LEDGER\.ACCOUNT_IMMUTABLE/,
      );
    });

    it('a book head only moves forward and a closed period never reopens', async () => {
      const book = await funded('10.00');
      expect(await sqlError(t.dataSource, `UPDATE ledger_books SET last_sequence = 0 WHERE code = $1`, [book])).toMatch(/^LEDGER\.APPEND_ONLY: the head/);
      expect(await sqlError(t.dataSource, `UPDATE ledger_books SET code = code || 'x' WHERE code = $1`, [book])).toMatch(/^LEDGER\.APPEND_ONLY|violates/);
      await t.http.post('/v1/ledger/periods/2025Q1/close').set('Authorization', t.auth).send({ book }).expect(201);
      expect(await sqlError(t.dataSource, `UPDATE ledger_books SET closed_through = NULL WHERE code = $1`, [book])).toMatch(/^LEDGER\.APPEND_ONLY/);
      expect(await sqlError(t.dataSource, `UPDATE ledger_books SET closed_through = '2024-12-31' WHERE code = $1`, [book])).toMatch(/^LEDGER\.APPEND_ONLY/);
      await t.dataSource.query(`UPDATE ledger_books SET name = 'renamed' WHERE code = $1`, [book]);
    });
  });

  describe('coalesced post(null) calls (autocommitted when one book and no account moved both ways)', () => {
    it('all pass: every caller gets its entry, numbered without gaps, and the balances add up', async () => {
      const book = await funded('100.00');
      const results = await postCoalesced([
        move(book, 'payable:BANK01', 'deposit:BANK01', '30.00'),
        move(book, 'expense:custody-fee', 'deposit:BANK01', '20.00'),
        move(book, 'deposit:BANK02', 'capital', '5.00'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      const sequences = results.map((r) => (r as PromiseFulfilledResult<PostedEntry>).value.sequence).sort((a, b) => a - b);
      expect(sequences).toEqual([2, 3, 4]);
      expect(await balance(book, 'deposit:BANK01')).toBe('50.00');
      const verify = await t.http.get('/v1/ledger/verify').query({ book }).set('Authorization', t.auth).expect(200);
      expect(verify.body.ok).toBe(true);
    });

    it('a floored account only falls and the last call breaches: that call alone is refused (the statement is refused, the careful path answers)', async () => {
      const book = await funded('100.00');
      const results = await postCoalesced([
        move(book, 'payable:BANK01', 'deposit:BANK01', '40.00'),
        move(book, 'payable:BANK01', 'deposit:BANK01', '40.00'),
        move(book, 'payable:BANK01', 'deposit:BANK01', '40.00'),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(refused).toHaveLength(1);
      expect((refused[0].reason as DomainError).code).toBe('LEDGER.FLOOR_BREACH');
      expect(await balance(book, 'deposit:BANK01')).toBe('20.00');
    });

    it('a floored account moved both ways, breached in between but not in sum: the breaching call is refused (not autocommitted, checked in order in code)', async () => {
      const book = await funded('100.00');
      const results = await postCoalesced([
        move(book, 'payable:BANK01', 'deposit:BANK01', '150.00'), // 100 → −50: refused
        move(book, 'deposit:BANK01', 'capital', '200.00'), // then 100 → 300
        move(book, 'expense:custody-fee', 'capital', '1.00'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
      expect(((results[0] as PromiseRejectedResult).reason as DomainError).code).toBe('LEDGER.FLOOR_BREACH');
      expect(await balance(book, 'deposit:BANK01')).toBe('300.00');
      expect(await balance(book, 'payable:BANK01')).toBe('0.00');
    });

    it('an unknown account in one call: that call alone is refused, the others commit', async () => {
      const book = await funded('100.00');
      const results = await postCoalesced([
        move(book, 'payable:BANK01', 'deposit:BANK01', '10.00'),
        move(book, 'payable:NOBODY', 'deposit:BANK02', '10.00'),
        move(book, 'expense:custody-fee', 'capital', '1.00'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(((results[1] as PromiseRejectedResult).reason as DomainError).code).toBe('LEDGER.UNKNOWN_ACCOUNT');
      expect(await balance(book, 'deposit:BANK01')).toBe('90.00');
    });
  });
});
