import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { DataSource } from 'typeorm';
import { DomainError } from '../../src/common/errors/domain-error';
import { Money } from '../../src/common/money/money';
import { CanonicalVersion, entryHash, recordedAtText } from '../../src/ledger/domain/canonical';
import { LedgerAuditService, VerifyReport } from '../../src/ledger/ledger-audit.service';
import { LedgerPostingService } from '../../src/ledger/ledger-posting.service';
import { boundStatements } from '../../src/ledger/ledger-rows';
import { rawRequest } from '../support/raw-http';
import { ADMIN_TOKEN, TestApp, startIsolatedTestApp } from '../support/test-app';
import { entry, openBook, post } from './ledger-fixtures';

/**
 * Issue 10 items 1, 5 and 6 on the reading side of the ledger: the hash covers exactly what is
 * stored; verify is incremental, checkpointed, single-flight and stops when its client goes;
 * exports give their connection back when the client hangs up; verify and the trial balance
 * cross-check the balance rows against the lines. On both databases (a database of its own on
 * the real server, so that connections can be counted).
 */
const real = Boolean(process.env.DATABASE_URL);
const m = (s: string) => Money.of(s);

describe('verify and export on what is stored (issue 10 items 1, 5, 6)', () => {
  let t: TestApp;
  let audit: LedgerAuditService;
  let ledger: LedgerPostingService;
  let port: number;

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    audit = t.app.get(LedgerAuditService);
    ledger = t.app.get(LedgerPostingService);
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t?.close();
  });

  const verify = async (book: string, full = false): Promise<VerifyReport> =>
    (await t.http.get('/v1/ledger/verify').query(full ? { book, full: 'true' } : { book }).set('Authorization', t.auth).expect(200)).body as VerifyReport;

  async function fund(book: string, n: number, amount = '10.00'): Promise<void> {
    for (let done = 0; done < n; done += 500) {
      const entries = Array.from({ length: Math.min(500, n - done) }, (_, i) => ({
        book,
        effectiveDate: '2025-02-01',
        memo: `funding ${done + i}`,
        lines: [
          { account: `${book}:deposit:BANK01`, debit: m(amount) },
          { account: `${book}:capital`, credit: m(amount) },
        ],
      }));
      await ledger.postMany(null, entries);
    }
  }

  /** Changes rows with every trigger off, as a superuser could (the tamperer of the tests). */
  async function tamper(sql: string, params: unknown[]): Promise<void> {
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SET LOCAL session_replication_role = replica`);
      await runner.query(sql, params);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
  }

  /**
   * Appends an entry by SQL with a hash computed here for the given canonical version and stored
   * instant (text, to the microsecond): how the journals written before version 2 look, and an
   * instant the service's millisecond clock cannot produce.
   */
  async function appendRaw(ds: DataSource, book: string, version: CanonicalVersion, recordedAt: string, amount: string, memo: string): Promise<string> {
    const [head] = (await ds.query(`SELECT last_sequence, last_hash FROM ledger_books WHERE code = $1`, [book])) as { last_sequence: string; last_hash: string }[];
    const id = randomUUID();
    const sequence = Number(head.last_sequence) + 1;
    const hash = entryHash(head.last_hash, {
      version,
      id,
      book,
      sequence,
      effectiveDate: '2025-01-05',
      recordedAt: recordedAtText(version, recordedAt),
      memo,
      link: null,
      reversalOf: null,
      lines: [
        { lineNo: 1, account: `${book}:deposit:BANK01`, side: 'debit', amount: m(amount) },
        { lineNo: 2, account: `${book}:capital`, side: 'credit', amount: m(amount) },
      ],
    });
    await ds.transaction(async (q) => {
      await q.query(`UPDATE ledger_accounts SET debits = debits + $2 WHERE code = $1`, [`${book}:deposit:BANK01`, amount]);
      await q.query(`UPDATE ledger_accounts SET credits = credits + $2 WHERE code = $1`, [`${book}:capital`, amount]);
      // Version 1 rows are inserted as the code before version 2 did, without naming the column:
      // the migration's default makes them version 1.
      const version1 = version === 1;
      await q.query(
        `WITH e AS (
           INSERT INTO ledger_entries (id, book, sequence, effective_date, recorded_at, memo, line_count, prev_hash, hash, lines_in_statement${version1 ? '' : ', canonical_version'})
           VALUES ($1, $2, $3, '2025-01-05', $4::timestamptz, $5, 2, $6, $7, true${version1 ? '' : ', $8'}))
         INSERT INTO ledger_lines (entry_id, line_no, account_id, side, amount, effective_date, sequence)
         SELECT $1::uuid, x.n, a.id, x.side, $9::numeric, '2025-01-05', $3::bigint
           FROM (VALUES (1, 'D', $2 || ':deposit:BANK01'), (2, 'C', $2 || ':capital')) AS x(n, side, code) JOIN ledger_accounts a ON a.code = x.code
          WHERE $8::smallint = $8::smallint`,
        [id, book, sequence, recordedAt, memo, head.last_hash, hash, version, amount],
      );
    });
    return hash;
  }

  describe('item 1: the hash covers exactly what is stored', () => {
    const unusual = [
      'e\u0301 (NFD, not normalised to é)',
      'é (NFC)',
      '👍🏽 👨‍👩‍👧 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
      'line\u2028separator, BOM \ufeff, noncharacters \ufffe \uffff, replacement \ufffd',
      'RTL \u202e override \u202c, zero width \u200b\u200d joiner',
      'tab\tnewline\nreturn\r quotes "\' backslash \\ slash / <script>',
      '代偿 · 科技贷 · ＦＵＬＬＷＩＤＴＨ',
      '😀'.repeat(1000), // 2,000 UTF-16 units (the longest memo), 4,000 bytes
    ];

    it('unusual but valid Unicode, long memos, amounts with and without trailing zeros: posted over HTTP, then verify ok', async () => {
      const book = await openBook(t);
      const amounts = ['100.5', '7', '0.10', '123456789012345.00', '0.01'];
      const posted: { memo: string; hash: string }[] = [];
      for (const [i, memo] of unusual.entries()) {
        const a = amounts[i % amounts.length];
        const res = await post(t, { ...entry(book, '2025-02-01', [{ account: 'deposit:BANK01', debit: a }, { account: 'capital', credit: a }], memo), link: { type: 'note', id: memo.slice(0, 100) } });
        posted.push({ memo, hash: res.body.hash as string });
      }
      // Stored exactly as sent (PostgreSQL does not normalise text); the amounts to the fen.
      const rows = (await t.dataSource.query(`SELECT memo, hash FROM ledger_entries WHERE book = $1 ORDER BY sequence`, [book])) as { memo: string; hash: string }[];
      expect(rows).toEqual(posted);
      const lines = (await t.dataSource.query(`SELECT amount::text AS amount FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id WHERE e.book = $1 AND l.line_no = 1 ORDER BY e.sequence`, [book])) as { amount: string }[];
      expect(lines.map((l) => l.amount).slice(0, 5)).toEqual(['100.50', '7.00', '0.10', '123456789012345.00', '0.01']);
      const report = await verify(book, true);
      expect(report).toMatchObject({ ok: true, entries: unusual.length, firstBroken: null, balances: { ok: true, mismatches: [] } });
    });

    it('the second wall: text PostgreSQL cannot store as given (a lone surrogate) is hashed as it is stored, so the chain still verifies', async () => {
      const book = await openBook(t);
      // The edge refuses this over HTTP (400 REQUEST.INVALID_TEXT); a caller inside the service does not go through it.
      const e = await ledger.post(null, {
        book,
        effectiveDate: '2025-02-01',
        memo: 'lone \ud800 surrogate',
        link: { type: 'claim', id: 'C\udc00' },
        lines: [
          { account: `${book}:deposit:BANK01`, debit: m('5.00') },
          { account: `${book}:capital`, credit: m('5.00') },
        ],
      });
      expect(e.memo).toBe('lone \ufffd surrogate');
      const [row] = (await t.dataSource.query(`SELECT memo, link_id FROM ledger_entries WHERE id = $1`, [e.id])) as { memo: string; link_id: string }[];
      expect(row).toEqual({ memo: 'lone \ufffd surrogate', link_id: 'C\ufffd' });
      // The same in a caller's transaction (the careful path computes the hash in code).
      await t.dataSource.transaction(async (q) => {
        await ledger.postMany(q, [{ book, effectiveDate: '2025-02-02', memo: '\udfff', lines: [{ account: `${book}:capital`, debit: m('1.00') }, { account: `${book}:deposit:BANK01`, credit: m('1.00') }] }]);
      });
      expect(await verify(book, true)).toMatchObject({ ok: true, entries: 2, firstBroken: null });
    });

    it('a reversal named by an upper-case id is hashed with the id as stored (lower case)', async () => {
      const book = await openBook(t);
      const original = await post(t, entry(book, '2025-02-01', [{ account: 'deposit:BANK01', debit: '40.00' }, { account: 'capital', credit: '40.00' }]));
      const reversal = await t.http
        .post(`/v1/ledger/entries/${String(original.body.id).toUpperCase()}/reverse`)
        .set('Authorization', t.auth)
        .send({ effectiveDate: '2025-02-02', memo: 'undo' })
        .expect(201);
      expect(reversal.body.reversalOf).toBe(original.body.id);
      expect(await verify(book, true)).toMatchObject({ ok: true, entries: 2, firstBroken: null });
    });

    it('journals written before: version-1 entries (milliseconds) and an instant with microseconds verify, and the chain goes on', async () => {
      const book = await openBook(t);
      await appendRaw(t.dataSource, book, 1, '2025-01-05T10:00:00.123000Z', '10.00', 'written by version 1');
      await appendRaw(t.dataSource, book, 1, '2025-01-05T10:00:01.000000Z', '11.00', 'version 1 on a whole second');
      await appendRaw(t.dataSource, book, 2, '2025-01-05T10:00:02.123456Z', '12.00', 'version 2 with microseconds');
      await post(t, entry(book, '2025-02-01', [{ account: 'deposit:BANK01', debit: '1.00' }, { account: 'capital', credit: '1.00' }]));
      const versions = (await t.dataSource.query(`SELECT canonical_version AS v FROM ledger_entries WHERE book = $1 ORDER BY sequence`, [book])) as { v: number }[];
      expect(versions.map((r) => Number(r.v))).toEqual([1, 1, 2, 2]);
      expect(await verify(book, true)).toMatchObject({ ok: true, entries: 4, firstBroken: null, balances: { ok: true } });
      // An auditor recomputes every hash from the journal export alone.
      const csv = await rawRequest({ port, method: 'GET', path: `/v1/ledger/export?book=${book}&format=csv`, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      // The export starts with the UTF-8 byte-order mark (issue 17, docs/exports.md): a CSV reader skips it.
      expect(csv.text.startsWith('\ufeff')).toBe(true);
      const [header, ...rows] = csv.text.replace(/^\ufeff/, '').trimEnd().split('\r\n').map((l) => l.split(','));
      const col = (r: string[], name: string) => r[header.indexOf(name)];
      let prev = '0'.repeat(64);
      for (let i = 0; i < rows.length; i += 2) {
        const [d, c] = [rows[i], rows[i + 1]];
        const recomputed = entryHash(prev, {
          version: Number(col(d, 'canonical_version')) as CanonicalVersion,
          id: col(d, 'entry_id'),
          book: col(d, 'book'),
          sequence: Number(col(d, 'sequence')),
          effectiveDate: col(d, 'effective_date'),
          recordedAt: col(d, 'canonical_recorded_at'),
          memo: col(d, 'memo'),
          link: null,
          reversalOf: null,
          lines: [d, c].map((r) => ({ lineNo: Number(col(r, 'line_no')), account: col(r, 'account'), side: col(r, 'debit') ? 'debit' : 'credit', amount: m(col(r, 'debit') || col(r, 'credit')) })),
        });
        expect(recomputed).toBe(col(d, 'entry_hash'));
        prev = recomputed;
      }
      expect(rows.map((r) => col(r, 'canonical_recorded_at')).filter((_, i) => i % 2 === 0).slice(0, 3)).toEqual(['2025-01-05T10:00:00.123Z', '2025-01-05T10:00:01.000Z', '2025-01-05T10:00:02.123456Z']);
      // A stored instant moved by one microsecond no longer matches its hash.
      await tamper(`UPDATE ledger_entries SET recorded_at = recorded_at + interval '1 microsecond' WHERE book = $1 AND sequence = 3`, [book]);
      expect((await verify(book, true)).firstBroken).toMatchObject({ sequence: 3, reason: 'HASH_MISMATCH' });
    });
  });

  describe('item 5: incremental, checkpointed, single flight, stopped when the client goes', () => {
    it('verifies what was posted since the last verified head; full=true walks everything; the checkpoint is stored per book', async () => {
      const book = await openBook(t);
      await fund(book, 30);
      const first = await verify(book);
      expect(first).toMatchObject({ ok: true, entries: 30, walk: { full: true, from: 1, through: 30, entries: 30, checkpoint: null } });
      const [cp] = (await t.dataSource.query(`SELECT sequence, hash, full_walk FROM ledger_verify_checkpoints WHERE book = $1`, [book])) as { sequence: string; hash: string; full_walk: boolean }[];
      expect({ sequence: Number(cp.sequence), hash: cp.hash, full: cp.full_walk }).toEqual({ sequence: 30, hash: first.head, full: true });

      await fund(book, 3);
      const next = await verify(book);
      expect(next).toMatchObject({ ok: true, entries: 33, walk: { full: false, from: 31, through: 33, entries: 3, checkpoint: { sequence: 30, matched: true } } });
      expect(await verify(book)).toMatchObject({ ok: true, entries: 33, walk: { full: false, from: 34, through: 33, entries: 0 } });
      expect(await verify(book, true)).toMatchObject({ ok: true, entries: 33, walk: { full: true, from: 1, through: 33, entries: 33 } });
      const bad = await t.http.get('/v1/ledger/verify').query({ book, full: 'yes' }).set('Authorization', t.auth).expect(400);
      expect(bad.body.code).toBe('REQUEST.INVALID');
    });

    it('a checkpoint that no longer matches the chain is not trusted: the walk is whole, finds the change, and leaves a tombstone', async () => {
      const book = await openBook(t);
      await fund(book, 5);
      await verify(book);
      await tamper(`UPDATE ledger_entries SET hash = repeat('a', 64) WHERE book = $1 AND sequence = 5`, [book]);
      const r = await verify(book);
      expect(r).toMatchObject({ ok: false, walk: { full: true, from: 1, checkpoint: { sequence: 5, matched: false } } });
      expect(r.firstBroken).toMatchObject({ sequence: 5, reason: 'HASH_MISMATCH' });
      // The tombstone: the broken sequence with a hash no entry can have.
      expect(await t.dataSource.query(`SELECT sequence::int AS sequence, hash FROM ledger_verify_checkpoints WHERE book = $1`, [book])).toEqual([{ sequence: 5, hash: '0'.repeat(64) }]);
      const again = await verify(book);
      expect(again).toMatchObject({ ok: false, walk: { full: true, from: 1, checkpoint: { sequence: 5, matched: false } }, firstBroken: { sequence: 5, reason: 'HASH_MISMATCH' } });
      // An incremental walk whose snapshot predates the break finishing after it (simulated: its
      // intact report recorded now, its head the stored hash of entry 5) cannot bring a trusted
      // checkpoint back: only a full walk clears
      // the tombstone.
      const stale = { ...again, ok: true, firstBroken: null, entries: 5, head: 'a'.repeat(64), walk: { ...again.walk, full: false } } as unknown as VerifyReport;
      await (audit as unknown as { recordCheckpoint(r: VerifyReport): Promise<void> }).recordCheckpoint(stale);
      expect(await verify(book)).toMatchObject({ ok: false, walk: { full: true, from: 1 }, firstBroken: { sequence: 5, reason: 'HASH_MISMATCH' } });
      // A checkpoint row moved beyond the head (by hand) is not trusted either.
      const other = await openBook(t);
      await fund(other, 3);
      await verify(other);
      await t.dataSource.query(`UPDATE ledger_verify_checkpoints SET sequence = 99 WHERE book = $1`, [other]);
      expect(await verify(other)).toMatchObject({ ok: true, entries: 3, walk: { full: true, entries: 3, checkpoint: { sequence: 99, matched: false } } });
    });

    it('a walk stops at the first broken link, and still reports the chain’s length', async () => {
      const book = await openBook(t);
      await fund(book, 2100);
      await tamper(`UPDATE ledger_entries SET memo = 'changed' WHERE book = $1 AND sequence = 10`, [book]);
      const r = await verify(book, true);
      expect(r).toMatchObject({ ok: false, entries: 2100, firstBroken: { sequence: 10, reason: 'HASH_MISMATCH' }, walk: { full: true, from: 1, through: 1000, entries: 1000 } });
    });

    it('25 concurrent verifies of a book share one walk', async () => {
      const book = await openBook(t);
      await fund(book, 1200);
      const walk = jest.spyOn(audit as unknown as { walk: (...a: unknown[]) => Promise<VerifyReport> }, 'walk');
      try {
        const reports = await Promise.all(Array.from({ length: 25 }, () => audit.verify(book, { full: true })));
        expect(walk).toHaveBeenCalledTimes(1);
        for (const r of reports) expect(r).toEqual(reports[0]);
        expect(reports[0]).toMatchObject({ ok: true, entries: 1200 });
        // An incremental caller joins a full walk in progress; a full caller does not join an incremental one.
        walk.mockClear();
        await Promise.all([audit.verify(book, { full: true }), audit.verify(book)]);
        expect(walk).toHaveBeenCalledTimes(1);
        walk.mockClear();
        await Promise.all([audit.verify(book), audit.verify(book, { full: true })]);
        expect(walk).toHaveBeenCalledTimes(2);
      } finally {
        walk.mockRestore();
      }
    });

    it('the walk stops when its last caller has gone; a caller left alone still gets the report', async () => {
      const book = await openBook(t);
      await fund(book, 2500);
      const a = new AbortController();
      const b = new AbortController();
      const first = audit.verify(book, { full: true, signal: a.signal });
      const second = audit.verify(book, { full: true, signal: b.signal });
      a.abort();
      await expect(first).rejects.toMatchObject({ code: 'REQUEST.ABORTED' });
      await expect(second).resolves.toMatchObject({ ok: true, entries: 2500 });

      const c = new AbortController();
      const lone = audit.verify(book, { full: true, signal: c.signal });
      setImmediate(() => c.abort());
      const error = (await lone.catch((e: unknown) => e)) as DomainError;
      expect(error).toBeInstanceOf(DomainError);
      expect(error.code).toBe('REQUEST.ABORTED');
      // The run itself ended (its transaction rolled back), and the book can be verified again.
      for (let i = 0; i < 100 && audit.verifiesRunning.length; i++) await new Promise((r) => setTimeout(r, 50));
      expect(audit.verifiesRunning).toEqual([]);
      expect(await verify(book, true)).toMatchObject({ ok: true, entries: 2500 });
    });

    (real ? it : it.skip)('the reads are bounded by SET LOCAL statement_timeout (real PostgreSQL): a statement over it is cancelled', async () => {
      const seen = await t.dataSource.transaction(async (q) => {
        await boundStatements(q, 50);
        const [row] = (await q.query(`SHOW statement_timeout`)) as { statement_timeout: string }[];
        const slow = await q.query(`SELECT pg_sleep(0.5)`).then(
          () => 'finished',
          (e: { code?: string; driverError?: { code?: string } }) => e.driverError?.code ?? e.code,
        );
        return { timeout: row.statement_timeout, slow };
      }).catch((e: Error) => ({ timeout: 'rolled back', slow: e.message }));
      expect(seen).toEqual({ timeout: '50ms', slow: '57014' });
      // SET LOCAL: the pooled connection is back to its own setting afterwards.
      const [after] = (await t.dataSource.query(`SHOW statement_timeout`)) as { statement_timeout: string }[];
      expect(after.statement_timeout).not.toBe('50ms');
    });

    it('10 downloads abandoned after their first bytes leave no connection busy and no transaction open', async () => {
      const book = await openBook(t);
      await fund(book, 2500);
      const abandon = (format: string) =>
        new Promise<number>((resolve) => {
          let bytes = 0;
          const req = request({ host: '127.0.0.1', port, path: `/v1/ledger/export?book=${book}&format=${format}`, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }, agent: false }, (res) => {
            res.on('data', (c: Buffer) => {
              bytes += c.length;
              req.destroy();
            });
            res.on('error', () => resolve(bytes));
            res.on('close', () => resolve(bytes));
          });
          req.on('error', () => resolve(bytes));
          req.end();
        });
      const got = await Promise.all(Array.from({ length: 10 }, (_, i) => abandon(i % 2 ? 'csv' : 'xlsx')));
      expect(got.every((n) => n > 0)).toBe(true);
      if (real) {
        // Before the fix, each stayed idle in its REPEATABLE READ transaction until the server's
        // idle_in_transaction_session_timeout (60 s) ended it.
        const busy = async () => {
          const [s] = (await t.dataSource.query(
            `SELECT count(*) FILTER (WHERE state LIKE 'idle in transaction%')::int AS open, count(*) FILTER (WHERE state = 'active')::int AS active
               FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
          )) as { open: number; active: number }[];
          // Read once the query above has given its own connection back.
          const pool = (t.dataSource.driver as unknown as { master: { totalCount: number; idleCount: number } }).master;
          return { pool: pool.totalCount - pool.idleCount, open: s.open, active: s.active };
        };
        let state = await busy();
        for (let i = 0; i < 100 && (state.open || state.active || state.pool > 0); i++) {
          await new Promise((r) => setTimeout(r, 100));
          state = await busy();
        }
        expect(state).toEqual({ pool: 0, open: 0, active: 0 });
      }
      // The service reads on: a whole export and a verify are answered (on the embedded database,
      // whose one connection an export stuck in its transaction would hold, this is the check).
      const whole = await rawRequest({ port, method: 'GET', path: `/v1/ledger/export?book=${book}&format=csv`, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }, timeoutMs: 20_000 });
      expect(whole.status).toBe(200);
      expect(whole.text.split('\r\n').length).toBe(1 + 2 * 2500 + 1);
      expect(await verify(book)).toMatchObject({ ok: true, entries: 2500 });
    });
  });

  describe('item 6: balance rows cross-checked against the lines', () => {
    it('a balance row raised behind the service’s back: verify and the trial balance report LEDGER.BALANCE_MISMATCH with both figures', async () => {
      const book = await openBook(t);
      await fund(book, 3, '100.00');
      await t.dataSource.query(`UPDATE ledger_accounts SET debits = debits + 1000000 WHERE code = $1`, [`${book}:deposit:BANK01`]);
      const expected = [{ code: 'LEDGER.BALANCE_MISMATCH', account: `${book}:deposit:BANK01`, rowDebits: '1000300.00', rowCredits: '0.00', lineDebits: '300.00', lineCredits: '0.00' }];
      const v = await verify(book);
      expect(v).toMatchObject({ ok: false, firstBroken: null, balances: { ok: false, mismatches: expected } });
      const tb = await t.http.get('/v1/ledger/trial-balance').query({ book }).set('Authorization', t.auth).expect(200);
      expect(tb.body.totals.balanced).toBe(false);
      expect(tb.body.balances).toEqual({ ok: false, mismatches: expected });
      const asOf = await t.http.get('/v1/ledger/trial-balance').query({ book, asOf: '2025-12-31' }).set('Authorization', t.auth).expect(200);
      expect(asOf.body.balances.mismatches).toEqual(expected);
      expect(asOf.body.totals.balanced).toBe(false);
    });

    it('a tampered line: the current trial balance (from the balance rows) no longer says balanced, and verify reports the line', async () => {
      const book = await openBook(t);
      await fund(book, 3, '100.00');
      const clean = await t.http.get('/v1/ledger/trial-balance').query({ book }).set('Authorization', t.auth).expect(200);
      expect(clean.body).toMatchObject({ totals: { balanced: true }, balances: { ok: true, mismatches: [] } });
      const [target] = (await t.dataSource.query(`SELECT id FROM ledger_entries WHERE book = $1 AND sequence = 2`, [book])) as { id: string }[];
      await tamper(`UPDATE ledger_lines SET amount = 1.00 WHERE entry_id = $1`, [target.id]);
      const tb = await t.http.get('/v1/ledger/trial-balance').query({ book }).set('Authorization', t.auth).expect(200);
      // The rows themselves still add up: before the cross-check this said balanced.
      expect(tb.body.totals.totalDebits).toBe(tb.body.totals.totalCredits);
      expect(tb.body.totals.balanced).toBe(false);
      expect(tb.body.balances.mismatches).toEqual([
        { code: 'LEDGER.BALANCE_MISMATCH', account: `${book}:capital`, rowDebits: '0.00', rowCredits: '300.00', lineDebits: '0.00', lineCredits: '201.00' },
        { code: 'LEDGER.BALANCE_MISMATCH', account: `${book}:deposit:BANK01`, rowDebits: '300.00', rowCredits: '0.00', lineDebits: '201.00', lineCredits: '0.00' },
      ]);
      const v = await verify(book, true);
      expect(v).toMatchObject({ ok: false, firstBroken: { sequence: 2, entryId: target.id, reason: 'HASH_MISMATCH' }, balances: { ok: false } });
      expect(v.balances.mismatches).toEqual(tb.body.balances.mismatches);
    });
  });
});
