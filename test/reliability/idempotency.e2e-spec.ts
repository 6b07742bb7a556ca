import { balanceOf, counts, entry, openBook, uniqueBook } from '../ledger/ledger-fixtures';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * Issue 10 item 4 (docs/reliability.md "Idempotency"): the answer to an Idempotency-Key is stored
 * in the same transaction as the request's effect. A trigger on idempotency_keys (created here,
 * on a database of this spec's own) makes the transaction fail at the very end — when the answer
 * is written, after the handler's work — with the SQLSTATE a real failure would have:
 *
 * - 57P01 (the server terminated the connection): the client gets 503, as during an outage;
 * - XX000 (an internal error): 500;
 * - 40001 (serialization failure): 409 CONFLICT.RETRY, never stored.
 *
 * Before the change the effect had committed on its own (the autocommitted key row, then the
 * service's transaction) and the key was released or left pending: the retry applied it again or
 * waited for ever. Now nothing of the request remains, and the retry applies it once.
 */
describe('idempotent answers recorded in the request transaction (issue 10 item 4)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startIsolatedTestApp();
    await t.dataSource.query(`CREATE SEQUENCE idem_test_conflicts`);
    await t.dataSource.query(`
      CREATE FUNCTION idem_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.state = 'done' AND NEW.key LIKE 'fail-503-%' THEN
          RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01';
        ELSIF NEW.state = 'done' AND NEW.key LIKE 'fail-500-%' THEN
          RAISE EXCEPTION 'something broke after the effect' USING ERRCODE = 'XX000';
        ELSIF NEW.state = 'done' AND NEW.key LIKE 'conflict-always-%' THEN
          RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001';
        ELSIF NEW.state = 'done' AND NEW.key LIKE 'conflict-once-%' AND nextval('idem_test_conflicts') % 2 = 1 THEN
          RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01';
        END IF;
        RETURN NEW;
      END $$`);
    await t.dataSource.query(`CREATE TRIGGER idem_test_fail BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION idem_test_fail()`);
  });
  afterAll(async () => {
    await t.close();
  });

  const keyRows = async (key: string) =>
    (await t.dataSource.query(`SELECT state, status_code, recorded_in_request_transaction FROM idempotency_keys WHERE key = $1`, [key])) as {
      state: string;
      status_code: number;
      recorded_in_request_transaction: boolean;
    }[];
  const postEntry = (key: string, body: object) => t.http.post('/v1/ledger/entries').set('Authorization', t.auth).set('Idempotency-Key', key).send(body);
  const deposit = (book: string, memo: string) => entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '125.37' }, { account: 'capital', credit: '125.37' }], memo);

  it('a failure after the effect (503, connection lost) leaves nothing: no entry, no key; the retry posts it once and then replays', async () => {
    const book = await openBook(t);
    const body = deposit(book, 'lost answer');
    const first = await postEntry(`fail-503-${book}`, body).expect(503);
    expect(first.body.code).toBe('SERVICE.UNAVAILABLE');
    expect(first.headers['retry-after']).toBe('1');
    expect(await counts(t, book)).toEqual({ entries: 0, lines: 0, sequence: 0 });
    expect(await keyRows(`fail-503-${book}`)).toEqual([]);

    // The same request under a key that does not fail (the retry after the outage).
    const key = `ok-${book}`;
    const applied = await postEntry(key, body).expect(201);
    const replayed = await postEntry(key, body).expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(applied.body);
    expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
    expect(await balanceOf(t, book, 'deposit:BANK01')).toMatchObject({ balance: '125.37' });
    expect(await keyRows(key)).toEqual([{ state: 'done', status_code: 201, recorded_in_request_transaction: true }]);
  });

  it('a 500 after the effect is not stored and rolls the effect back', async () => {
    const book = await openBook(t);
    const key = `fail-500-${book}`;
    const first = await postEntry(key, deposit(book, 'internal')).expect(500);
    expect(first.body.code).toBe('INTERNAL');
    expect(await counts(t, book)).toMatchObject({ entries: 0 });
    expect(await keyRows(key)).toEqual([]);
  });

  it('409 CONFLICT.RETRY is never stored: the request is run again in a new transaction, once applied', async () => {
    const book = await openBook(t);
    const body = deposit(book, 'conflict once');
    const key = `conflict-once-${book}`;
    const first = await postEntry(key, body).expect(201);
    expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
    const again = await postEntry(key, body).expect(201);
    expect(again.body.id).toBe(first.body.id);
    expect(await balanceOf(t, book, 'deposit:BANK01')).toMatchObject({ balance: '125.37' });

    const always = `conflict-always-${book}`;
    const refused = await postEntry(always, deposit(book, 'conflict always')).expect(409);
    expect(refused.body.code).toBe('CONFLICT.RETRY');
    expect(await keyRows(always)).toEqual([]);
    expect(await counts(t, book)).toMatchObject({ entries: 1 });
  });

  it('a 4xx is stored with nothing of its work: the same key replays it, another key may succeed', async () => {
    const book = await openBook(t);
    const overdraw = entry(book, '2025-01-10', [{ account: 'deposit:BANK01', credit: '0.01' }, { account: 'capital', debit: '0.01' }], 'overdraw');
    const first = await postEntry(`floor-${book}`, overdraw).expect(422);
    expect(first.body.code).toBe('LEDGER.FLOOR_BREACH');
    expect(await keyRows(`floor-${book}`)).toEqual([{ state: 'done', status_code: 422, recorded_in_request_transaction: true }]);
    const again = await postEntry(`floor-${book}`, overdraw).expect(422);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await counts(t, book)).toEqual({ entries: 0, lines: 0, sequence: 0 });
  });

  it('every kind of write joins the request transaction: books, accounts, banks, tokens, period closes leave nothing after a failure', async () => {
    const book = uniqueBook();
    const send = (path: string, key: string, body: object) => t.http.post(path).set('Authorization', t.auth).set('Idempotency-Key', key).send(body);
    await send('/v1/ledger/books', `fail-503-book-${book}`, { code: book, name: 'never' }).expect(503);
    expect(await t.dataSource.query(`SELECT 1 FROM ledger_books WHERE code = $1`, [book])).toEqual([]);

    const opened = await openBook(t);
    await send('/v1/ledger/accounts', `fail-503-acct-${opened}`, { book: opened, code: `${opened}:deposit:BANK09`, name: 'never', type: 'asset' }).expect(503);
    expect(await t.dataSource.query(`SELECT 1 FROM ledger_accounts WHERE code = $1`, [`${opened}:deposit:BANK09`])).toEqual([]);

    const bank = `B${book.slice(-6).toUpperCase()}`;
    await send('/v1/banks', `fail-503-bank-${book}`, { code: bank, name: 'Never Bank' }).expect(503);
    expect(await t.dataSource.query(`SELECT 1 FROM banks WHERE code = $1`, [bank])).toEqual([]);
    const created = await send('/v1/banks', `ok-bank-${book}`, { code: bank, name: 'Bank' }).expect(201);
    expect(created.body.code).toBe(bank);

    const before = Number((await t.dataSource.query(`SELECT count(*) AS n FROM api_tokens`))[0].n);
    await send('/v1/tokens', `fail-503-token-${book}`, { role: 'auditor' }).expect(503);
    expect(Number((await t.dataSource.query(`SELECT count(*) AS n FROM api_tokens`))[0].n)).toBe(before);

    await send('/v1/ledger/periods/2024Q4/close', `fail-503-close-${opened}`, { book: opened }).expect(503);
    expect(await t.dataSource.query(`SELECT 1 FROM ledger_period_closes WHERE book = $1`, [opened])).toEqual([]);
    const closed = await send('/v1/ledger/periods/2024Q4/close', `ok-close-${opened}`, { book: opened }).expect(201);
    expect(closed.body).toMatchObject({ book: opened, quarter: '2024Q4', closedThrough: '2024-12-31' });
  });

  it('keys written before the change are still read: a done one replays, a pending one is IN_PROGRESS then OUTCOME_UNKNOWN', async () => {
    const book = await openBook(t);
    const tokenId = ((await t.dataSource.query(`SELECT id FROM api_tokens WHERE label = 'bootstrap admin'`)) as { id: string }[])[0].id;
    const body = deposit(book, 'legacy');
    const { requestHash } = await import('../../src/common/idempotency/canonical-json');
    const hash = requestHash({ query: {}, body });
    const legacy = async (key: string, state: string, status: number | null, response: unknown, age: string) =>
      t.dataSource.query(
        `INSERT INTO idempotency_keys (scope, method, path, key, request_hash, state, status_code, response, created_at, recorded_in_request_transaction)
         VALUES ($1, 'POST', '/v1/ledger/entries', $2, $3, $4, $5, $6::jsonb, now() - $7::interval, false)`,
        [tokenId, key, hash, state, status, JSON.stringify(response), age],
      );
    await legacy(`old-done-${book}`, 'done', 201, { id: 'an-old-answer', book }, '1 day');
    await legacy(`old-recent-${book}`, 'pending', null, null, '10 seconds');
    await legacy(`old-stale-${book}`, 'pending', null, null, '10 minutes');

    const done = await postEntry(`old-done-${book}`, body).expect(201);
    expect(done.body).toEqual({ id: 'an-old-answer', book });
    expect((await postEntry(`old-recent-${book}`, body).expect(409)).body.code).toBe('IDEMPOTENCY.IN_PROGRESS');
    expect((await postEntry(`old-stale-${book}`, body).expect(409)).body.code).toBe('IDEMPOTENCY.OUTCOME_UNKNOWN');
    expect((await postEntry(`old-done-${book}`, { ...body, memo: 'other' }).expect(409)).body.code).toBe('IDEMPOTENCY.KEY_REUSED');
    expect(await counts(t, book)).toMatchObject({ entries: 0 });
  });

  // Real PostgreSQL only: the embedded server has one session for every connection.
  (process.env.DATABASE_URL ? it : it.skip)('a connection lost in the middle of a keyed write is a 503 that left nothing (not a 500 from the released query runner)', async () => {
    const book = await openBook(t);
    await t.dataSource.query(`
      CREATE OR REPLACE FUNCTION idem_test_terminate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.memo = 'terminate my backend' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
        RETURN NEW;
      END $$`);
    await t.dataSource.query(`CREATE TRIGGER idem_test_terminate AFTER INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION idem_test_terminate()`);
    try {
      const body = deposit(book, 'terminate my backend');
      for (let i = 0; i < 3; i++) {
        const res = await postEntry(`lost-${i}-${book}`, body);
        expect([res.status, res.body.code]).toEqual([503, 'SERVICE.UNAVAILABLE']);
        expect(await keyRows(`lost-${i}-${book}`)).toEqual([]);
      }
      expect(await counts(t, book)).toEqual({ entries: 0, lines: 0, sequence: 0 });
    } finally {
      await t.dataSource.query(`DROP TRIGGER idem_test_terminate ON ledger_entries`);
    }
    // The pool replaced the lost connections; the same request now posts once.
    await postEntry(`lost-0-${book}`, deposit(book, 'terminate my backend')).expect(201);
    expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
  });

  it('20 concurrent requests with one key: one effect, twenty identical answers (the others waited on the key row)', async () => {
    const book = await openBook(t);
    const body = deposit(book, 'concurrent');
    const results = await Promise.all(Array.from({ length: 20 }, () => postEntry(`same-${book}`, body)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
    expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
  });
});
