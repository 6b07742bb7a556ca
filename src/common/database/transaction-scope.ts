import { AsyncLocalStorage } from 'node:async_hooks';
import { Global, Inject, Injectable, Logger, Module, OnModuleInit, Optional } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { EmbeddedHolder } from './database.module';
import { enterWall, leaveWall, prepareWall, WallParty } from './party-wall';
import { ReadReplica } from './read-replica';

/**
 * The unit of work: one database transaction shared by everything that runs inside it, without
 * passing it down by hand (docs/architecture.md "Transactions").
 *
 * `run(fn)` opens a transaction, or joins the one already open in this async context, so a service
 * method that needs a transaction works the same when it is called alone and when it is called
 * inside a larger one (an approval batch and the margin deductions it causes; later an HTTP write
 * and the idempotency record or audit row that must commit with it). The open transaction follows
 * the async call chain (AsyncLocalStorage), never another request's.
 *
 * Why not nestjs-cls with its transactional plugin: it needs a CLS context opened at every entry
 * point (HTTP, jobs, start-up hooks, tests that call services directly) and would sit on the
 * ledger's posting path, which uses the pg driver below TypeORM; this is AsyncLocalStorage plus
 * DataSource.transaction, which is all the service needs.
 */
@Injectable()
export class TransactionScope implements OnModuleInit {
  private readonly open = new AsyncLocalStorage<EntityManager>();
  /** The party whose rows the transactions opened here may see (row-level security); none = unrestricted. */
  private readonly party = new AsyncLocalStorage<WallParty | null>();
  /** Walled transactions switch to the wall role (the service's role bypasses row-level security). */
  private switchRole = false;
  /** Work a service that commits by itself takes into its transaction (withHandOff / takeHandOff). */
  private readonly handOffs = new AsyncLocalStorage<{ work: HandedOffWork; taken: boolean }>();
  /** Work to do once a transaction opened here has ended (whenSettled). */
  private readonly settled = new WeakMap<EntityManager, (() => Promise<void>)[]>();
  private readonly logger = new Logger('TransactionScope');

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(EmbeddedHolder) private readonly embedded: EmbeddedHolder | null = null,
    @Optional() private readonly replica: ReadReplica | null = null,
  ) {}

  /** Prepares the party wall once the database is there (party-wall.ts). */
  async onModuleInit(): Promise<void> {
    if (this.dataSource.isInitialized) this.switchRole = await prepareWall(this.dataSource, Boolean(this.embedded?.instance));
  }

  /**
   * Runs `fn` with `party` as the party of every transaction opened inside it (row-level security,
   * docs/access.md): those transactions can see only that party's rows of the walled tables.
   * Transactions opened by `runDetached` (records of the service's own, like the audit row) are
   * not walled.
   */
  asParty<T>(party: WallParty, fn: () => Promise<T>): Promise<T> {
    return this.party.run(party, fn);
  }

  /** The party transactions opened here are walled to, or null (unrestricted). */
  currentParty(): WallParty | null {
    return this.party.getStore() ?? null;
  }

  /**
   * Runs `fn` unrestricted inside the open walled transaction, then walls it again: for the
   * programme-wide figures a party's view shows (the reserve's totals), which read every party's
   * rows on the party's behalf. Outside a walled transaction it just runs `fn`.
   */
  async unrestricted<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const m = this.current();
    const party = this.currentParty();
    if (!m || !party) return this.party.run(null, () => fn(this.manager));
    await leaveWall(m);
    let result: T;
    try {
      result = await fn(m);
    } catch (error) {
      // Back behind the wall if the transaction still can; after a database error it is aborted, and
      // a failure to re-enter must not hide the original error, which reaches the caller as it is.
      await enterWall(m, party, false).catch(() => undefined);
      throw error;
    }
    await enterWall(m, party, false);
    return result;
  }

  /** The transaction open in this async context, or null. */
  current(): EntityManager | null {
    const m = this.open.getStore();
    return m?.queryRunner?.isTransactionActive ? m : null;
  }

  /**
   * For reads: the open transaction's manager when there is one, else the pool's — the read
   * replica's pool inside a request routed there (read-replica.ts), unless walled to a party.
   */
  get manager(): EntityManager {
    const open = this.current();
    if (open) return open;
    const replica = this.currentParty() ? null : this.replica?.routedSource();
    return (replica ?? this.dataSource).manager;
  }

  /**
   * One statement on the primary's pool, autocommitted, outside any transaction open here and
   * unwalled: a cheap look before opening a transaction of one's own (the audit sealer's "anything
   * to seal?").
   */
  async queryDetached<T>(sql: string, parameters?: unknown[]): Promise<T[]> {
    return this.open.exit(() => this.party.run(null, () => this.dataSource.query(sql, parameters) as Promise<T[]>));
  }

  /** Runs `fn` in the open transaction, or in a new one that commits when `fn` resolves. */
  async run<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const m = this.current();
    if (m) return fn(m);
    return this.transaction(fn);
  }

  /**
   * Runs `fn` in a new transaction even when one is open here (for work that must commit or fail
   * on its own, e.g. a record that a refused request was seen).
   */
  async runDetached<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.open.exit(() => this.party.run(null, () => this.transaction(fn)));
  }

  /**
   * Runs `fn` once the transaction open here has ended — committed or rolled back — or at once
   * when none is open: for in-memory state read from the tables (the policies, the calendar) that
   * must end up holding what was committed. Since a write with an Idempotency-Key runs in the
   * request's transaction, the end of a service's `run` is not the end of the transaction; such a
   * service refreshes its state at once (its answer may depend on it) and again here. A failure is
   * logged, never thrown: the transaction's outcome stands.
   */
  async whenSettled(fn: () => Promise<void>): Promise<void> {
    const m = this.current();
    if (!m) return this.runHooks([fn]);
    const hooks = this.settled.get(m) ?? [];
    hooks.push(fn);
    this.settled.set(m, hooks);
  }

  /**
   * A transaction of its own. When its connection is lost (a terminated backend, a restart), `pg`
   * emits 'error' and TypeORM releases the query runner at once; what the transaction does next
   * (a ROLLBACK TO SAVEPOINT after the failed statement, the answer's UPDATE, the COMMIT) then
   * fails with "query runner already released" — which says nothing of the cause and would be
   * answered 500. The connection's own error is thrown instead (503, docs/reliability.md), or
   * one that says the connection was lost when its event came before the listener was attached.
   */
  private async transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    let opened: EntityManager | undefined;
    let connection: ConnectionEvents | undefined;
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost ??= error;
    };
    try {
      const party = this.currentParty();
      return await this.dataSource.transaction(async (tx) => {
        opened = tx;
        connection = (tx.queryRunner as { databaseConnection?: ConnectionEvents } | undefined)?.databaseConnection;
        connection?.on('error', onError);
        if (party) await enterWall(tx, party, this.switchRole);
        return this.open.run(tx, () => fn(tx));
      });
    } catch (error) {
      // Nothing here releases a transaction's query runner but TypeORM on a connection error, which
      // may also come before the listener above is attached (between BEGIN and `fn`).
      if (isReleasedRunnerError(error)) throw lost ?? new Error('Connection terminated: the transaction\'s connection failed and was released', { cause: error });
      throw error;
    } finally {
      connection?.off('error', onError);
      const hooks = opened ? this.settled.get(opened) : undefined;
      if (hooks) {
        this.settled.delete(opened as EntityManager);
        await this.open.exit(() => this.runHooks(hooks));
      }
    }
  }

  private async runHooks(hooks: (() => Promise<void>)[]): Promise<void> {
    for (const hook of hooks) {
      try {
        await hook();
      } catch (error) {
        this.logger.error(`work after commit failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  }

  /**
   * Runs `fn` (a request's handler, with no transaction open) offering `work` to the one service
   * call in it that commits a write in a transaction of its own making (the ledger's group commit):
   * that service takes it (`takeHandOff`) and runs it inside that transaction once the write is in,
   * with what the write produced, so `work` (the request's audit row) commits with the write or not
   * at all. `taken` says whether a service took it.
   */
  async withHandOff<T>(work: HandedOffWork, fn: () => Promise<T>): Promise<{ result: T; taken: boolean }> {
    const offer = { work, taken: false };
    const result = await this.handOffs.run(offer, fn);
    return { result, taken: offer.taken };
  }

  /** The work offered to this call chain's write, once (null when none was offered, or it was taken). */
  takeHandOff(): HandedOffWork | null {
    const offer = this.handOffs.getStore();
    if (!offer || offer.taken || this.current()) return null;
    offer.taken = true;
    return offer.work;
  }

  /** Runs `fn` with `m` as the open transaction (for code that opened one by other means). */
  within<T>(m: EntityManager, fn: () => Promise<T>): Promise<T> {
    return this.open.run(m, fn);
  }
}

/** Work run inside another service's transaction, with what that service's write produced. */
export type HandedOffWork = (m: EntityManager, produced: unknown) => Promise<void>;

/** The part of a pg client this file listens to. */
interface ConnectionEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** TypeORM's errors for a query on a query runner that was already released. */
function isReleasedRunnerError(error: unknown): boolean {
  return error instanceof QueryRunnerAlreadyReleasedError || error instanceof QueryRunnerProviderAlreadyReleasedError;
}

/** Makes the one TransactionScope of an application available to every module. */
@Global()
@Module({ providers: [TransactionScope], exports: [TransactionScope] })
export class TransactionScopeModule {}
