import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AuditSealer } from '../../src/audit/audit-sealer';
import { DomainError } from '../../src/common/errors/domain-error';
import { Money } from '../../src/common/money/money';
import { LedgerPostingService, PostingInput } from '../../src/ledger/ledger-posting.service';
import { FAST_SQL, FAST_STATEMENT } from '../../src/ledger/posting/fast-path';
import { GenericPlanPool, PgClient, withPooledConnection } from '../../src/ledger/posting/pg-client';
import { startTestApp, TestApp } from '../support/test-app';
import { counts, openBook } from './ledger-fixtures';

const m = (s: string) => Money.of(s);

/** The careful path's first statement: lock and read the balance rows with their book's closed-through date. */
const isCareful = (sql: string) => sql.includes('JOIN ledger_books b ON b.code = a.book');
const isFast = (sql: string) => sql === FAST_SQL;

/**
 * Which failures of the fast path take the careful path (docs/ledger.md "Which errors take the
 * careful path"), on the real database: a refusal does, and is answered exactly; anything else —
 * simulated here as a failing driver — reaches the caller and is not retried.
 */
describe('posting: typed routing between the fast and the careful path (issue #9 item 2)', () => {
  let t: TestApp;
  let ledger: LedgerPostingService;
  beforeAll(async () => {
    t = await startTestApp();
    ledger = t.app.get(LedgerPostingService);
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  async function fundedBook(amount: string): Promise<string> {
    const book = await openBook(t);
    await ledger.post(null, { book, effectiveDate: '2025-01-10', memo: 'funding', lines: [{ account: `${book}:deposit:BANK01`, debit: m(amount) }, { account: `${book}:capital`, credit: m(amount) }] });
    return book;
  }

  const payout = (book: string, amount: string): PostingInput => ({
    book,
    effectiveDate: '2025-02-01',
    memo: 'payout',
    lines: [
      { account: `${book}:payable:BANK01`, debit: m(amount) },
      { account: `${book}:deposit:BANK01`, credit: m(amount) },
    ],
  });

  /** Records every statement the caller's transaction runs; `fail` may throw instead of running one. */
  function recordQueries(manager: EntityManager, fail?: (sql: string) => Error | null): string[] {
    const seen: string[] = [];
    const query = manager.query.bind(manager);
    jest.spyOn(manager, 'query').mockImplementation(async (sql: string, params?: unknown[]) => {
      seen.push(sql);
      const error = fail?.(sql);
      if (error) throw error;
      return query(sql, params);
    });
    return seen;
  }

  describe('inside a caller’s transaction (savepoint)', () => {
    it('a trigger refusal of the fast statement goes down the careful path, which answers with the exact figures', async () => {
      const book = await fundedBook('100.00');
      let seen: string[] = [];
      const error = await t.dataSource
        .transaction(async (manager) => {
          seen = recordQueries(manager);
          await ledger.post(manager, payout(book, '100.01'));
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details).toEqual([
        expect.objectContaining({ code: 'LEDGER.FLOOR_BREACH', account: `${book}:deposit:BANK01`, balance: '100.00', change: '-100.01', wouldBe: '-0.01', floor: '0.00' }),
      ]);
      const fast = seen.findIndex(isFast);
      const careful = seen.findIndex(isCareful);
      expect(fast).toBeGreaterThan(-1);
      expect(seen[fast + 1]).toMatch(/^ROLLBACK TO SAVEPOINT /);
      expect(careful).toBeGreaterThan(fast);
      expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
    });

    it('a refusal only the checks in code see (entry by entry, where the statement’s net movement passes) goes down the careful path too', async () => {
      const book = await fundedBook('100.00');
      // Net movement of the two entries on the deposit: −150.00 + 100.00 = −50.00 (the trigger
      // accepts 50.00 ≥ 0.00), but entry 0 alone takes 100.00 to −50.00.
      const back = { ...payout(book, '100.00'), lines: [{ account: `${book}:deposit:BANK01`, debit: m('100.00') }, { account: `${book}:payable:BANK01`, credit: m('100.00') }] };
      let seen: string[] = [];
      const error = await t.dataSource
        .transaction(async (manager) => {
          seen = recordQueries(manager);
          await ledger.postMany(manager, [payout(book, '150.00'), back]);
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'LEDGER.FLOOR_BREACH', message: expect.stringMatching(/^entries\.0: /) });
      expect(seen.some(isFast) && seen.some(isCareful)).toBe(true);
      expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
    });

    it('an error that is not a refusal (a failing driver) is NOT retried on the careful path: the caller gets it, its transaction stays usable', async () => {
      const book = await fundedBook('100.00');
      const failure = new Error('simulated driver failure');
      const outcome = await t.dataSource.transaction(async (manager) => {
        const seen = recordQueries(manager, (sql) => (isFast(sql) ? failure : null));
        const error = await ledger.post(manager, payout(book, '10.00')).catch((e: unknown) => e);
        const statements = [...seen];
        jest.restoreAllMocks();
        // The savepoint was rolled back: the caller's transaction goes on.
        const next = await ledger.post(manager, payout(book, '20.00'));
        return { error, statements, next };
      });
      expect(outcome.error).toBe(failure);
      expect(outcome.statements.some(isCareful)).toBe(false);
      expect(outcome.statements[outcome.statements.length - 1]).toMatch(/^ROLLBACK TO SAVEPOINT /);
      expect(outcome.next.sequence).toBe(2);
      expect(await counts(t, book)).toEqual({ entries: 2, lines: 4, sequence: 2 });
    });
  });

  // pg_terminate_backend needs a real server (the embedded one runs every connection in one session).
  (process.env.DATABASE_URL ? describe : describe.skip)('a lone entry’s connection terminated by the server (real PostgreSQL)', () => {
    it('the caller gets the error, the process lives on, the entry is not posted again, and the next post gets a sound connection', async () => {
      const book = await fundedBook('100.00');
      // Hold the deposit's balance row so the lone post waits for it inside its statement.
      const holder = t.dataSource.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      try {
        await holder.query(`SELECT id FROM ledger_accounts WHERE book = $1 AND code = $2 FOR UPDATE`, [book, `${book}:deposit:BANK01`]);
        const pending = ledger.post(null, payout(book, '1.00')).catch((e: unknown) => e);
        let pid: number | null = null;
        for (let i = 0; i < 200 && pid === null; i++) {
          const rows = (await t.dataSource.query(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND position('locked AS MATERIALIZED' IN query) > 0`,
          )) as { pid: number }[];
          pid = rows[0]?.pid ?? null;
          if (pid === null) await new Promise((r) => setTimeout(r, 25));
        }
        expect(pid).not.toBeNull();
        await t.dataSource.query(`SELECT pg_terminate_backend($1)`, [pid]);
        const error = await pending;
        expect(error).toBeInstanceOf(QueryFailedError);
        expect(((error as QueryFailedError).driverError as { code?: string }).code).toBe('57P01');
      } finally {
        await holder.rollbackTransaction();
        await holder.release();
      }
      expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
      const next = await ledger.post(null, payout(book, '2.00'));
      expect(next.sequence).toBe(2);
    });

    it('terminated while held between queries: the connection’s error event is heard (no crash) and the connection is released with it', async () => {
      const driver = t.dataSource.driver as PostgresDriver;
      const obtain = driver.obtainMasterConnection.bind(driver);
      const released: unknown[] = [];
      jest.spyOn(driver, 'obtainMasterConnection').mockImplementationOnce(async () => {
        const [client, release] = (await obtain()) as [unknown, (e?: Error) => void];
        return [client, (e?: Error) => (released.push(e), release(e))];
      });
      const error = await withPooledConnection(t.dataSource, FAST_STATEMENT, async (q) => {
        const [{ pid }] = (await q('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
        await t.dataSource.query(`SELECT pg_terminate_backend($1)`, [pid]);
        // Idle and held: the server's goodbye arrives as an 'error' event on the client.
        await new Promise((r) => setTimeout(r, 300));
        return q('SELECT 1');
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryFailedError);
      expect(released).toHaveLength(1);
      expect(released[0]).toBeInstanceOf(Error);
      const book = await fundedBook('10.00');
      expect((await ledger.post(null, payout(book, '1.00'))).sequence).toBe(2);
    });
  });

  /**
   * Where a lone entry takes its connection: on a real server the ledger's own connections
   * (GenericPlanPool), on the embedded one the shared pool (obtainMasterConnection).
   */
  function loneConnections(): { spy: () => jest.SpyInstance<Promise<[PgClient, (e?: Error) => void]>, []>; obtain: () => Promise<[PgClient, (e?: Error) => void]> } {
    if (process.env.DATABASE_URL) {
      const pool = (ledger as unknown as { genericPlans: GenericPlanPool }).genericPlans;
      const connect = pool.connect.bind(pool);
      return { spy: () => jest.spyOn(pool, 'connect'), obtain: connect };
    }
    const driver = t.dataSource.driver as PostgresDriver;
    const obtain = driver.obtainMasterConnection.bind(driver) as () => Promise<[PgClient, (e?: Error) => void]>;
    return { spy: () => jest.spyOn(driver, 'obtainMasterConnection') as unknown as jest.SpyInstance<Promise<[PgClient, (e?: Error) => void]>, []>, obtain };
  }

  describe('prepared statements (issue 16)', () => {
    it('on a real server, lone entries run the fast statement planned once on the ledger’s own connections; the shared pool keeps custom plans', async () => {
      if (!process.env.DATABASE_URL) return; // the embedded server has one session for every connection: the shared pool is used there
      const book = await fundedBook('100.00');
      for (let i = 0; i < 8; i++) await ledger.post(null, payout(book, '1.00'));
      const pool = (ledger as unknown as { genericPlans: GenericPlanPool }).genericPlans;
      const [client, release] = await pool.connect();
      try {
        const { rows } = (await client.query({
          text: `SELECT current_setting('plan_cache_mode') AS mode,
                        (SELECT generic_plans::int FROM pg_prepared_statements WHERE name = $1) AS generic,
                        (SELECT custom_plans::int FROM pg_prepared_statements WHERE name = $1) AS custom`,
          values: [FAST_STATEMENT.name],
        })) as { rows: { mode: string; generic: number; custom: number }[] };
        // Sequential posts reuse one idle connection (the pool lends the last one returned): it
        // ran the statement at least these 9 times and never planned it for given values.
        expect(rows[0]).toEqual({ mode: 'force_generic_plan', generic: expect.any(Number), custom: 0 });
        expect(rows[0].generic).toBeGreaterThanOrEqual(9);
      } finally {
        release();
      }
      const [{ mode }] = (await t.dataSource.query(`SELECT current_setting('plan_cache_mode') AS mode`)) as { mode: string }[];
      expect(mode).toBe('auto');
      expect(await counts(t, book)).toEqual({ entries: 9, lines: 18, sequence: 9 });
    });
  });

  describe('group commit (the ledger’s own transactions)', () => {
    // The specs below count the data source's transactions; the audit sealer opens its own (to
    // chain rows this file's requests, or another file's on the shared real database, left), so
    // it stops here: rows stay unsealed until the next app on the database seals them.
    beforeAll(async () => {
      await t.app.get(AuditSealer).stop();
    });

    /** Wraps the managers of the ledger's own transactions so their statements are recorded (and may fail). */
    function recordTransactions(ds: DataSource, fail?: (sql: string) => Error | null): string[][] {
      const transactions: string[][] = [];
      const original = ds.transaction.bind(ds) as (fn: (m: EntityManager) => Promise<unknown>) => Promise<unknown>;
      jest.spyOn(ds, 'transaction').mockImplementation(((fn: (m: EntityManager) => Promise<unknown>) =>
        original((manager) => {
          transactions.push(recordQueries(manager, fail));
          return fn(manager);
        })) as unknown as DataSource['transaction']);
      return transactions;
    }

    /** Raises the deposit: with a payout in the same batch the deposit moves both ways, so the batch needs a transaction (autocommitSafe). */
    const topUp = (book: string, amount: string): PostingInput => ({
      book,
      effectiveDate: '2025-02-01',
      memo: 'top-up',
      lines: [
        { account: `${book}:deposit:BANK01`, debit: m(amount) },
        { account: `${book}:capital`, credit: m(amount) },
      ],
    });

    it('a refused call of a coalesced batch: the fast transaction is rolled back and the careful one answers exactly', async () => {
      const book = await fundedBook('100.00');
      const transactions = recordTransactions(t.dataSource);
      const error = await ledger.postMany(null, [payout(book, '60.00'), topUp(book, '5.00'), payout(book, '50.00')]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'LEDGER.FLOOR_BREACH', message: expect.stringMatching(/^entries\.2: /) });
      expect((error as DomainError).details[0]).toMatchObject({ entry: 2, balance: '45.00', wouldBe: '-5.00' });
      expect(transactions).toHaveLength(2);
      expect(transactions[0].some(isFast)).toBe(true);
      expect(transactions[1].some(isCareful)).toBe(true);
    });

    it('a batch that may autocommit (the deposit only falls) runs as one statement without a transaction; refused, the careful transaction answers exactly', async () => {
      const book = await fundedBook('100.00');
      const transactions = recordTransactions(t.dataSource);
      const error = await ledger.postMany(null, [payout(book, '60.00'), payout(book, '50.00')]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'LEDGER.FLOOR_BREACH', message: expect.stringMatching(/^entries\.1: /) });
      expect((error as DomainError).details[0]).toMatchObject({ entry: 1, balance: '40.00', wouldBe: '-10.00' });
      expect(transactions).toHaveLength(1);
      expect(transactions[0].some(isCareful)).toBe(true);
      expect(transactions[0].some(isFast)).toBe(false);
      expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
      const posted = await ledger.postMany(null, [payout(book, '60.00'), payout(book, '40.00')]);
      expect(posted.map((e) => e.sequence)).toEqual([2, 3]);
      expect(transactions).toHaveLength(1);
    });

    it('an error that is not a refusal in a coalesced batch reaches the caller; no careful transaction is run', async () => {
      const book = await fundedBook('100.00');
      const failure = new Error('simulated driver failure');
      const transactions = recordTransactions(t.dataSource, (sql) => (isFast(sql) ? failure : null));
      await expect(ledger.postMany(null, [payout(book, '1.00'), topUp(book, '2.00')])).rejects.toBe(failure);
      expect(transactions).toHaveLength(1);
      expect(transactions[0].some(isCareful)).toBe(false);
      expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
    });

    it('a lone entry refused by a trigger in autocommit goes to a careful transaction, which answers exactly', async () => {
      const book = await fundedBook('100.00');
      const transactions = recordTransactions(t.dataSource);
      await expect(ledger.post(null, payout(book, '100.01'))).rejects.toMatchObject({ code: 'LEDGER.FLOOR_BREACH', details: [expect.objectContaining({ wouldBe: '-0.01' })] });
      expect(transactions).toHaveLength(1);
      expect(transactions[0].some(isCareful)).toBe(true);
    });

    it('a lone entry that cannot get a connection: the caller gets the error (it is not left waiting)', async () => {
      const book = await fundedBook('100.00');
      const refused = new Error('connect ECONNREFUSED 127.0.0.1:5432');
      loneConnections().spy().mockRejectedValueOnce(refused);
      const transactions = recordTransactions(t.dataSource);
      await expect(ledger.post(null, payout(book, '1.00'))).rejects.toBe(refused);
      expect(transactions).toHaveLength(0);
      expect((await ledger.post(null, payout(book, '2.00'))).sequence).toBe(2);
    });

    it('a lone entry whose connection is lost is NOT posted again: the caller gets the error, no careful transaction runs', async () => {
      const book = await fundedBook('100.00');
      const { spy, obtain } = loneConnections();
      const released: unknown[] = [];
      spy().mockImplementationOnce(async () => {
        const [client, release] = await obtain();
        const lost: PgClient = {
          query: async () => {
            throw new Error('Connection terminated unexpectedly');
          },
          on: client.on.bind(client),
          off: client.off.bind(client),
        };
        return [lost, (e?: Error) => (released.push(e), release())] as [PgClient, (e?: Error) => void];
      });
      const transactions = recordTransactions(t.dataSource);
      const error = await ledger.post(null, payout(book, '1.00')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryFailedError);
      expect((error as QueryFailedError).message).toMatch(/Connection terminated unexpectedly/);
      expect(transactions).toHaveLength(0);
      // Handed back with the error, so the pool would discard it. (The real connection underneath is
      // sound and goes back to the pool.)
      expect(released).toHaveLength(1);
      expect(released[0]).toBe(error);
      expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
    });
  });
});
