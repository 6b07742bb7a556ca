import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { DataSource, QueryFailedError } from 'typeorm';
import { DomainError } from '../../src/common/errors/domain-error';
import { Money } from '../../src/common/money/money';
import { entryHash, microsText } from '../../src/ledger/domain/canonical';
import { TransactionScope } from '../../src/common/database/transaction-scope';
import { LedgerAccountsService } from '../../src/ledger/ledger-accounts.service';
import { LedgerPostingService, PostedEntry } from '../../src/ledger/ledger-posting.service';
import { startTestApp, TestApp } from '../support/test-app';
import { counts, entry, expectTrialBalanceBalanced, openBook, post, uniqueBook } from './ledger-fixtures';

const m = (s: string) => Money.of(s);

async function sqlError(ds: DataSource, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await ds.query(sql, params);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('ledger in the database (issue #4)', () => {
  let t: TestApp;
  let ledger: LedgerPostingService;
  let ledgerAccounts: LedgerAccountsService;
  beforeAll(async () => {
    t = await startTestApp();
    ledger = t.app.get(LedgerPostingService);
    ledgerAccounts = t.app.get(LedgerAccountsService);
  });
  afterAll(async () => {
    await t.close();
  });

  async function fundedBook(amount = '1000.00'): Promise<{ book: string; first: PostedEntry }> {
    const book = await openBook(t);
    const first = await ledger.post(null, {
      book,
      effectiveDate: '2025-01-10',
      memo: 'funding',
      lines: [
        { account: `${book}:deposit:BANK01`, debit: m(amount) },
        { account: `${book}:capital`, credit: m(amount) },
      ],
    });
    return { book, first };
  }

  describe('append-only, enforced by PostgreSQL', () => {
    it('UPDATE and DELETE of entries and lines by SQL are rejected (LEDGER.APPEND_ONLY), and so is TRUNCATE', async () => {
      const { first } = await fundedBook();
      expect(await sqlError(t.dataSource, `UPDATE ledger_lines SET amount = 1 WHERE entry_id = $1`, [first.id])).toMatch(/^LEDGER\.APPEND_ONLY: UPDATE on ledger_lines/);
      expect(await sqlError(t.dataSource, `DELETE FROM ledger_lines WHERE entry_id = $1`, [first.id])).toMatch(/^LEDGER\.APPEND_ONLY: DELETE on ledger_lines/);
      expect(await sqlError(t.dataSource, `UPDATE ledger_entries SET memo = 'x' WHERE id = $1`, [first.id])).toMatch(/^LEDGER\.APPEND_ONLY: UPDATE on ledger_entries/);
      expect(await sqlError(t.dataSource, `DELETE FROM ledger_entries WHERE id = $1`, [first.id])).toMatch(/^LEDGER\.APPEND_ONLY: DELETE on ledger_entries/);
      expect(await sqlError(t.dataSource, `TRUNCATE ledger_lines`)).toMatch(/LEDGER\.APPEND_ONLY|permission denied/);
      const rows: { amount: string }[] = await t.dataSource.query(`SELECT amount FROM ledger_lines WHERE entry_id = $1 ORDER BY line_no`, [first.id]);
      expect(rows.map((r) => r.amount)).toEqual(['1000.00', '1000.00']);
    });

    it('an unbalanced entry written by SQL passes its INSERTs but is rejected at COMMIT by the deferred trigger', async () => {
      const { book } = await fundedBook();
      const accounts: { id: string; code: string }[] = await t.dataSource.query(`SELECT id, code FROM ledger_accounts WHERE book = $1`, [book]);
      const id = (code: string) => accounts.find((a) => a.code === `${book}:${code}`)?.id;
      const runner = t.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        const [head] = (await runner.query(`SELECT last_sequence, last_hash FROM ledger_books WHERE code = $1 FOR UPDATE`, [book])) as { last_sequence: string; last_hash: string }[];
        const entryId = randomUUID();
        await runner.query(
          `INSERT INTO ledger_entries (id, book, sequence, effective_date, recorded_at, memo, line_count, prev_hash, hash)
           VALUES ($1, $2, $3, '2025-02-01', now(), 'by hand', 2, $4, repeat('a', 64))`,
          [entryId, book, Number(head.last_sequence) + 1, head.last_hash],
        );
        await runner.query(
          `INSERT INTO ledger_lines (entry_id, line_no, account_id, side, amount, effective_date, sequence) VALUES
             ($1, 1, $2, 'D', 100.00, '2025-02-01', $4), ($1, 2, $3, 'C', 99.99, '2025-02-01', $4)`,
          [entryId, id('payable:BANK01'), id('capital'), Number(head.last_sequence) + 1],
        );
        let message = '';
        try {
          await runner.commitTransaction();
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).toMatch(/^LEDGER\.UNBALANCED: entry 2 of book .* has debits 100\.00 and credits 99\.99/);
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
      expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
    });

    it('an entry flagged lines_in_statement is checked at the end of its INSERT: unbalanced or missing lines are rejected there', async () => {
      const { book, first } = await fundedBook();
      const accounts: { id: string; code: string }[] = await t.dataSource.query(`SELECT id, code FROM ledger_accounts WHERE book = $1`, [book]);
      const id = (code: string) => accounts.find((a) => a.code === `${book}:${code}`)?.id;
      const insert = (credit: string, lineCount = 2) =>
        sqlError(
          t.dataSource,
          `WITH e AS (
             INSERT INTO ledger_entries (id, book, sequence, effective_date, recorded_at, memo, line_count, prev_hash, hash, lines_in_statement)
             VALUES ($1, $2, 2, '2025-02-01', now(), 'by hand', $6, $3, repeat('a', 64), true))
           INSERT INTO ledger_lines (entry_id, line_no, account_id, side, amount, effective_date, sequence) VALUES
             ($1, 1, $4, 'D', 100.00, '2025-02-01', 2), ($1, 2, $5, 'C', $7::numeric, '2025-02-01', 2)`,
          [randomUUID(), book, first.hash, id('payable:BANK01'), id('capital'), lineCount, credit],
        );
      expect(await insert('99.99')).toMatch(/^LEDGER\.UNBALANCED: entry 2 of book .* has debits 100\.00 and credits 99\.99/);
      expect(await insert('100.00', 3)).toMatch(/^LEDGER\.UNBALANCED: entry 2 of book .* declares 3 lines but has 2/);
      // Flagged, but its lines left for a later statement: refused at the end of the entry's own INSERT.
      expect(
        await sqlError(
          t.dataSource,
          `INSERT INTO ledger_entries (id, book, sequence, effective_date, recorded_at, memo, line_count, prev_hash, hash, lines_in_statement)
           VALUES (gen_random_uuid(), $1, 2, '2025-02-01', now(), 'by hand', 2, $2, repeat('a', 64), true)`,
          [book, first.hash],
        ),
      ).toMatch(/^LEDGER\.UNBALANCED: entry 2 of book .* declares 2 lines but has 0/);
      expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
    });

    it('an entry out of sequence, off the hash chain, or dated in a closed period is rejected on INSERT', async () => {
      const { book, first } = await fundedBook();
      const insert = (seq: number, prev: string, date = '2025-05-01') =>
        sqlError(
          t.dataSource,
          `INSERT INTO ledger_entries (id, book, sequence, effective_date, recorded_at, memo, line_count, prev_hash, hash)
           VALUES (gen_random_uuid(), $1, $2, $3, now(), 'by hand', 2, $4, repeat('b', 64))`,
          [book, seq, date, prev],
        );
      expect(await insert(3, first.hash)).toMatch(/^LEDGER\.SEQUENCE_GAP/);
      expect(await insert(2, 'c'.repeat(64))).toMatch(/^LEDGER\.CHAIN_BROKEN/);
      await t.http.post('/v1/ledger/periods/2025Q1/close').set('Authorization', t.auth).send({ book }).expect(201);
      expect(await insert(2, first.hash, '2025-03-31')).toMatch(/^LEDGER\.CLOSED_PERIOD/);
      expect(await sqlError(t.dataSource, `UPDATE ledger_books SET closed_through = NULL WHERE code = $1`, [book])).toMatch(/^LEDGER\.APPEND_ONLY/);
    });

    it('a balance row cannot be moved below its floor, nor its definition changed, even by SQL', async () => {
      const { book } = await fundedBook('10.00');
      expect(
        await sqlError(t.dataSource, `UPDATE ledger_accounts SET credits = credits + 10.01 WHERE book = $1 AND code = $2`, [book, `${book}:deposit:BANK01`]),
      ).toMatch(/^LEDGER\.FLOOR_BREACH: account .*deposit:BANK01 would go to -0\.01 \(floor 0\.00\)/);
      expect(await sqlError(t.dataSource, `UPDATE ledger_accounts SET floor = NULL WHERE book = $1`, [book])).toMatch(/^LEDGER\.ACCOUNT_IMMUTABLE/);
    });
  });

  describe('tamper evidence', () => {
    it('a line changed by a superuser with triggers disabled is reported by verify as the first broken link', async () => {
      const { book } = await fundedBook();
      const posted: PostedEntry[] = [];
      for (let i = 0; i < 5; i++) {
        posted.push(
          await ledger.post(null, {
            book,
            effectiveDate: '2025-02-01',
            memo: `payout ${i}`,
            lines: [
              { account: `${book}:payable:BANK01`, debit: m('10.00') },
              { account: `${book}:deposit:BANK01`, credit: m('10.00') },
            ],
          }),
        );
      }
      const clean = await t.http.get('/v1/ledger/verify').query({ book }).set('Authorization', t.auth).expect(200);
      expect(clean.body).toMatchObject({ ok: true, entries: 6, head: posted[4].hash, firstBroken: null, balances: { ok: true, mismatches: [] } });

      const target = posted[2]; // sequence 4
      const runner = t.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await runner.query(`SET LOCAL session_replication_role = replica`);
        await runner.query(`UPDATE ledger_lines SET amount = 1.00 WHERE entry_id = $1`, [target.id]);
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }
      // The default walk is incremental: it starts after the head verified above, so it does not
      // re-hash entry 4; the balance cross-check still sees the changed line.
      const incremental = await t.http.get('/v1/ledger/verify').query({ book }).set('Authorization', t.auth).expect(200);
      expect(incremental.body).toMatchObject({ ok: false, entries: 6, firstBroken: null, walk: { full: false, from: 7, entries: 0 }, balances: { ok: false } });
      const tampered = await t.http.get('/v1/ledger/verify').query({ book, full: 'true' }).set('Authorization', t.auth).expect(200);
      expect(tampered.body.walk).toEqual({ full: true, from: 1, through: 6, entries: 6, checkpoint: null });
      expect(tampered.body.ok).toBe(false);
      expect(tampered.body.entries).toBe(6);
      expect(tampered.body.firstBroken).toMatchObject({ sequence: 4, entryId: target.id, reason: 'HASH_MISMATCH', actual: target.hash });
      // The balance rows still hold what was really posted, so they no longer match the lines.
      expect(tampered.body.balances.mismatches.map((x: { account: string }) => x.account).sort()).toEqual([`${book}:deposit:BANK01`, `${book}:payable:BANK01`]);
    });

    it('the hash is sha256(previous hash ‖ canonical entry), reproducible from the stored rows', async () => {
      const { first } = await fundedBook('123.45');
      expect(
        entryHash(first.prevHash, {
          version: 2,
          id: first.id,
          book: first.book,
          sequence: first.sequence,
          effectiveDate: first.effectiveDate,
          recordedAt: microsText(first.recordedAt),
          memo: first.memo,
          link: null,
          reversalOf: null,
          lines: first.lines.map((l) => ({ lineNo: l.lineNo, account: l.account, side: l.debit ? 'debit' : 'credit', amount: (l.debit ?? l.credit) as Money })),
        }),
      ).toBe(first.hash);
    });
  });

  describe('posting service inside a caller transaction', () => {
    it('the entry commits with the caller’s own writes, or not at all', async () => {
      const { book } = await fundedBook();
      const input = {
        book,
        effectiveDate: '2025-02-01',
        memo: 'claim payout',
        link: { type: 'claim', id: 'CLAIM-1' },
        lines: [
          { account: `${book}:payable:BANK01`, debit: m('250.00') },
          { account: `${book}:deposit:BANK01`, credit: m('250.00') },
        ],
      };
      await expect(
        t.dataSource.transaction(async (manager) => {
          await ledger.post(manager, input);
          throw new Error('the claim update failed');
        }),
      ).rejects.toThrow('the claim update failed');
      expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
      expect((await ledgerAccounts.balance(book, `${book}:deposit:BANK01`)).balance.toString()).toBe('1000.00');

      const posted = await t.dataSource.transaction((manager) => ledger.post(manager, input));
      expect(posted).toMatchObject({ sequence: 2, link: { type: 'claim', id: 'CLAIM-1' } });
      expect((await ledgerAccounts.balance(book, `${book}:deposit:BANK01`)).balance.toString()).toBe('750.00');
    });

    it('a refused entry leaves the caller’s transaction usable (savepoint), with nothing of the entry in it', async () => {
      const { book } = await fundedBook('100.00');
      const result = await t.app.get(TransactionScope).run(async (manager) => {
        await ledgerAccounts.ensureAccount({ book, code: `${book}:deposit:BANK03`, name: 'Deposit BANK03', type: 'asset', floor: m('0.00') });
        const refused = await ledger
          .post(manager, {
            book,
            effectiveDate: '2025-02-01',
            memo: 'too much',
            lines: [
              { account: `${book}:deposit:BANK03`, debit: m('100.01') },
              { account: `${book}:deposit:BANK01`, credit: m('100.01') },
            ],
          })
          .catch((e: unknown) => e);
        const ok = await ledger.post(manager, {
          book,
          effectiveDate: '2025-02-01',
          memo: 'move',
          lines: [
            { account: `${book}:deposit:BANK03`, debit: m('100.00') },
            { account: `${book}:deposit:BANK01`, credit: m('100.00') },
          ],
        });
        return { refused, ok };
      });
      expect(result.refused).toBeInstanceOf(DomainError);
      expect((result.refused as DomainError).code).toBe('LEDGER.FLOOR_BREACH');
      expect(result.ok.sequence).toBe(2);
      expect((await ledgerAccounts.balance(book, `${book}:deposit:BANK03`)).balance.toString()).toBe('100.00');
      expect((await ledgerAccounts.balance(book, `${book}:deposit:BANK01`)).balance.toString()).toBe('0.00');
    });

    it('refuses a manager that is not inside a transaction (a programmer error)', async () => {
      const { book } = await fundedBook();
      await expect(
        ledger.post(t.dataSource.manager, { book, effectiveDate: '2025-02-01', memo: 'x', lines: [{ account: `${book}:capital`, debit: m('1.00') }, { account: `${book}:deposit:BANK01`, credit: m('1.00') }] }),
      ).rejects.toThrow(/open transaction/);
    });

    it('ensureAccount and ensureBook are idempotent; another definition → LEDGER.ACCOUNT_CONFLICT', async () => {
      const book = uniqueBook();
      expect((await ledgerAccounts.ensureBook(book)).created).toBe(true);
      expect((await ledgerAccounts.ensureBook(book)).created).toBe(false);
      const def = { book, code: `${book}:deposit:BANK01`, name: 'Deposit', type: 'asset' as const, floor: m('0.00') };
      expect((await ledgerAccounts.ensureAccount(def)).created).toBe(true);
      expect(await ledgerAccounts.ensureAccount({ ...def, name: 'renamed is fine' })).toMatchObject({ created: false, normalSide: 'debit' });
      await expect(ledgerAccounts.ensureAccount({ ...def, type: 'liability' })).rejects.toMatchObject({ code: 'LEDGER.ACCOUNT_CONFLICT' });
      await expect(ledgerAccounts.ensureAccount({ ...def, floor: null })).rejects.toMatchObject({ code: 'LEDGER.ACCOUNT_CONFLICT' });
    });
  });

  describe('group commit', () => {
    it('coalesced concurrent posts: a refused entry fails alone, the others commit with gapless sequences', async () => {
      const { book } = await fundedBook('100.00');
      const inputs = Array.from({ length: 30 }, (_, i) => ({
        book,
        effectiveDate: '2025-02-01',
        memo: `p${i}`,
        lines:
          i % 10 === 5
            ? [
                { account: `${book}:payable:BANK01`, debit: m('1000.00') },
                { account: `${book}:deposit:BANK01`, credit: m('1000.00') },
              ]
            : [
                { account: `${book}:payable:BANK01`, debit: m('1.00') },
                { account: `${book}:deposit:BANK01`, credit: m('1.00') },
              ],
      }));
      const results = await Promise.allSettled(inputs.map((input) => ledger.post(null, input)));
      const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(refused).toHaveLength(3);
      expect(refused.map((r) => (r.reason as DomainError).code)).toEqual(['LEDGER.FLOOR_BREACH', 'LEDGER.FLOOR_BREACH', 'LEDGER.FLOOR_BREACH']);
      const sequences = results
        .filter((r): r is PromiseFulfilledResult<PostedEntry> => r.status === 'fulfilled')
        .map((r) => r.value.sequence)
        .sort((a, b) => a - b);
      expect(sequences).toEqual(Array.from({ length: 27 }, (_, i) => i + 2));
      expect((await ledgerAccounts.balance(book, `${book}:deposit:BANK01`)).balance.toString()).toBe('73.00');
      const verify = await t.http.get('/v1/ledger/verify').query({ book }).set('Authorization', t.auth).expect(200);
      expect(verify.body).toMatchObject({ ok: true, entries: 28 });
    });
  });

  describe('model test (fast-check)', () => {
    it('random postings and reversals keep every balance equal to a simple model, and the trial balance balanced', async () => {
      const accounts = ['deposit:BANK01', 'deposit:BANK02', 'capital', 'payable:BANK01', 'expense:custody-fee'];
      const floors: Record<string, bigint | null> = { 'deposit:BANK01': 0n, 'deposit:BANK02': 0n, capital: null, 'payable:BANK01': null, 'expense:custody-fee': null };
      const debitNormal = new Set(['deposit:BANK01', 'deposit:BANK02', 'expense:custody-fee']);
      const line = fc.record({ account: fc.constantFrom(...accounts), fen: fc.bigInt({ min: 1n, max: 50_000n }) });
      const command = fc.oneof(
        { weight: 4, arbitrary: fc.record({ kind: fc.constant('post' as const), debits: fc.array(line, { minLength: 1, maxLength: 2 }), credits: fc.array(line, { minLength: 1, maxLength: 2 }) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat() }) },
      );

      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
          const book = await openBook(t);
          // Model: balance on the normal side, in fen (bigint: exact).
          const model = new Map<string, bigint>(accounts.map((a) => [a, 0n]));
          const reversible: { id: string; lines: { account: string; side: 'debit' | 'credit'; fen: bigint }[] }[] = [];
          const apply = (lines: { account: string; side: 'debit' | 'credit'; fen: bigint }[]): boolean => {
            const next = new Map(model);
            for (const l of lines) {
              const sign = (l.side === 'debit') === debitNormal.has(l.account) ? 1n : -1n;
              next.set(l.account, (next.get(l.account) as bigint) + sign * l.fen);
            }
            for (const a of accounts) {
              const floor = floors[a];
              const before = model.get(a) as bigint;
              const after = next.get(a) as bigint;
              if (floor !== null && after < before && after < floor) return false;
            }
            for (const [a, v] of next) model.set(a, v);
            return true;
          };
          for (const c of commands) {
            if (c.kind === 'post') {
              // Balance the entry: the credits carry the debits' total split over their lines.
              const total = c.debits.reduce((s, l) => s + l.fen, 0n);
              const share = total / BigInt(c.credits.length);
              const credits = c.credits.map((l, i) => ({ account: l.account, fen: i === c.credits.length - 1 ? total - share * BigInt(c.credits.length - 1) : share }));
              const lines = [
                ...c.debits.map((l) => ({ account: l.account, side: 'debit' as const, fen: l.fen })),
                ...credits.filter((l) => l.fen > 0n).map((l) => ({ account: l.account, side: 'credit' as const, fen: l.fen })),
              ];
              const expectedOk = apply(lines);
              const result = await ledger
                .post(null, {
                  book,
                  effectiveDate: '2025-03-01',
                  memo: 'model',
                  lines: lines.map((l) => ({ account: `${book}:${l.account}`, [l.side]: Money.fromFen(l.fen) })),
                })
                .then((e) => e, (e: unknown) => e);
              if (expectedOk) {
                expect(result).not.toBeInstanceOf(Error);
                reversible.push({ id: (result as PostedEntry).id, lines });
              } else {
                expect((result as DomainError).code).toBe('LEDGER.FLOOR_BREACH');
              }
            } else if (reversible.length) {
              const target = reversible.splice(c.pick % reversible.length, 1)[0];
              const mirrored = target.lines.map((l) => ({ ...l, side: l.side === 'debit' ? ('credit' as const) : ('debit' as const) }));
              const expectedOk = apply(mirrored);
              const result = await ledger.reverse(null, target.id, { effectiveDate: '2025-03-02', memo: 'undo' }).then((e) => e, (e: unknown) => e);
              if (expectedOk) expect((result as PostedEntry).reversalOf).toBe(target.id);
              else {
                expect((result as DomainError).code).toBe('LEDGER.FLOOR_BREACH');
                reversible.push(target);
              }
            }
          }
          for (const a of accounts) {
            const actual = await ledgerAccounts.balance(book, `${book}:${a}`);
            expect(actual.balance.toFen()).toBe(model.get(a));
            expect((await ledgerAccounts.balance(book, `${book}:${a}`, '2025-12-31')).balance.toFen()).toBe(model.get(a));
          }
          const tb = await expectTrialBalanceBalanced(t, book);
          expect(tb.rows).toHaveLength(accounts.length);
          const verify = await t.http.get('/v1/ledger/verify').query({ book }).set('Authorization', t.auth).expect(200);
          expect(verify.body.ok).toBe(true);
        }),
        { numRuns: 12 },
      );
    });
  });

  describe('exports', () => {
    it('journal CSV: one row per line with hashes; the same request twice → identical bytes', async () => {
      const { book, first } = await fundedBook();
      await post(
        t,
        entry(book, '2025-02-01', [{ account: 'payable:BANK01', debit: '12.30' }, { account: 'deposit:BANK01', credit: '12.30' }], 'memo with "quotes", commas\nand a newline'),
      );
      const get = () =>
        t.http
          .get('/v1/ledger/export')
          .query({ book, format: 'csv' })
          .set('Authorization', t.auth)
          .buffer(true)
          .parse((res, cb) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => cb(null, Buffer.concat(chunks)));
          })
          .expect(200);
      const a = await get();
      const b = await get();
      expect(a.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(a.headers['content-disposition']).toBe(`attachment; filename="ledger-${book}-journal-2.csv"`);
      expect(Buffer.compare(a.body as Buffer, b.body as Buffer)).toBe(0);
      // UTF-8 with the byte-order mark by default (issue 17: Excel reads Chinese memos); English headers when no language is asked.
      expect((a.body as Buffer).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      const text = (a.body as Buffer).toString('utf8').replace(/^\ufeff/, '');
      const lines = text.split('\r\n');
      expect(lines[0]).toBe(
        'book,sequence,entry_id,effective_date,recorded_at,memo,link_type,link_id,reversal_of,line_no,account,debit,credit,prev_hash,entry_hash,canonical_version,canonical_recorded_at',
      );
      expect(lines[1]).toBe(
        `${book},1,${first.id},2025-01-10,${first.recordedAt.toISOString()},funding,,,,1,${book}:deposit:BANK01,1000.00,,${first.prevHash},${first.hash},2,${microsText(first.recordedAt)}`,
      );
      expect(text).toContain('"memo with ""quotes"", commas\nand a newline"');
      expect(text.endsWith('\r\n')).toBe(true);
      // bom=false: the same bytes without the mark; lang=zh-CN (or Accept-Language zh): Chinese headers, same rows.
      const bare = await get().query({ bom: 'false' });
      expect(Buffer.compare(bare.body as Buffer, (a.body as Buffer).subarray(3))).toBe(0);
      const zh = ((await get().query({ lang: 'zh-CN' })).body as Buffer).toString('utf8');
      expect(zh.split('\r\n')[0]).toBe(
        '\ufeff账簿,序号,分录ID,记账日期,记录时间,摘要,关联类型,关联ID,冲销分录,行号,科目,借方,贷方,前一哈希,分录哈希,规范格式版本,规范记录时间',
      );
      expect(zh.split('\r\n').slice(1)).toEqual(lines.slice(1));
      const byHeader = ((await get().set('Accept-Language', 'zh-CN,zh;q=0.9,en;q=0.8')).body as Buffer).toString('utf8');
      expect(byHeader).toBe(zh);
      const english = ((await get().set('Accept-Language', 'en-US,en;q=0.9,zh;q=0.5')).body as Buffer).toString('utf8');
      expect(english.split('\r\n')[0]).toBe(`\ufeff${lines[0]}`);
    });

    it('journal and trial balance XLSX: byte-identical twice, readable, with the hashes and totals', async () => {
      const { book, first } = await fundedBook('77.70');
      const get = (query: Record<string, string>) =>
        t.http
          .get('/v1/ledger/export')
          .query({ book, ...query })
          .set('Authorization', t.auth)
          .buffer(true)
          .parse((res, cb) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => cb(null, Buffer.concat(chunks)));
          })
          .expect(200);
      const a = await get({ format: 'xlsx' });
      await new Promise((r) => setTimeout(r, 1100)); // a later second: zip timestamps must not move
      const b = await get({ format: 'xlsx' });
      expect(Buffer.compare(a.body as Buffer, b.body as Buffer)).toBe(0);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(a.body as Buffer);
      const sheet = wb.getWorksheet('Journal');
      expect(sheet?.getRow(2).getCell(15).value).toBe(first.hash);
      // Amounts are number cells in #,##0.00 (issue 17: SUM works in Excel); hashes stay text; header frozen.
      expect(sheet?.getRow(2).getCell(12).value).toBe(77.7);
      expect(sheet?.getRow(2).getCell(12).numFmt).toBe('#,##0.00');
      expect(sheet?.getRow(3).getCell(13).value).toBe(77.7);
      expect(sheet?.getRow(1).getCell(1).value).toBe('book');
      expect(sheet?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(sheet?.getColumn(15).width).toBeGreaterThanOrEqual(64);
      const zh = await get({ format: 'xlsx', lang: 'zh-CN' });
      const zhBook = new ExcelJS.Workbook();
      await zhBook.xlsx.load(zh.body as Buffer);
      expect(zhBook.worksheets.map((w) => w.name)).toEqual(['序时账']);
      expect(zhBook.getWorksheet('序时账')?.getRow(1).getCell(12).value).toBe('借方');
      expect(zhBook.getWorksheet('序时账')?.getRow(2).getCell(12).value).toBe(77.7);

      const tb1 = await get({ format: 'xlsx', report: 'trial-balance', asOf: '2025-12-31' });
      const tb2 = await get({ format: 'xlsx', report: 'trial-balance', asOf: '2025-12-31' });
      expect(Buffer.compare(tb1.body as Buffer, tb2.body as Buffer)).toBe(0);
      const csv = await get({ format: 'csv', report: 'trial-balance', asOf: '2025-12-31' });
      const rows = (csv.body as Buffer).toString('utf8').trim().split('\r\n');
      const tb = new ExcelJS.Workbook();
      await tb.xlsx.load(tb1.body as Buffer);
      const tbSheet = tb.getWorksheet('Trial balance');
      const total = tbSheet?.getRow(tbSheet.rowCount);
      expect([total?.getCell(3).value, total?.getCell(7).value, total?.getCell(8).value, total?.getCell(9).value]).toEqual(['TOTAL', 77.7, 77.7, null]);
      expect(rows[rows.length - 1]).toBe(`${book},2025-12-31,TOTAL,,,,77.70,77.70,,77.70,77.70,1,${first.hash}`);
    });

    it('an unknown book → 404 before anything is streamed', async () => {
      const res = await t.http.get('/v1/ledger/export').query({ book: 'nosuchbook', format: 'csv' }).set('Authorization', t.auth).expect(404);
      expect(res.body.code).toBe('LEDGER.UNKNOWN_BOOK');
    });
  });

  it('QueryFailedError is what raw SQL refusals surface as (the HTTP filter maps LEDGER.* codes)', async () => {
    const { first } = await fundedBook();
    await expect(t.dataSource.query(`DELETE FROM ledger_entries WHERE id = $1`, [first.id])).rejects.toBeInstanceOf(QueryFailedError);
  });
});
