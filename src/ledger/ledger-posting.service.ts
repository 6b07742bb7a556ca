import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { EmbeddedHolder } from '../common/database/database.module';
import { MetricsService } from '../common/metrics/metrics.service';
import { DomainError } from '../common/errors/domain-error';
import { HandedOffWork, TransactionScope } from '../common/database/transaction-scope';
import { isRetryableLedgerConflict, retryOnLedgerConflict } from './ledger-conflicts';
import { writeCareful } from './posting/careful-path';
import { FAST_STATEMENT, autocommitSafe, writeFast } from './posting/fast-path';
import { GroupCommit } from './posting/group-commit';
import { assertInTransaction, postInSavepoint } from './posting/in-transaction';
import { GenericPlanPool, managerQuerier, withPooledConnection } from './posting/pg-client';
import { prepareEntry, prepareGroup, loadOriginal } from './posting/prepare';
import { EntryIdKind, EntryLink, Group, GroupCommitOptions, GroupResult, PostedEntry, PostingInput, Querier, WritePath } from './posting/posting.types';

export type { EntryIdKind, EntryLink, GroupCommitOptions, PostedEntry, PostedLine, PostingInput, PostingLine } from './posting/posting.types';

/**
 * On the embedded server, autocommitted batches of at most this many entries run the fast
 * statement as a named statement on the shared pool (larger ones unnamed: a custom plan sizes
 * their arrays).
 */
const PREPARED_MAX_ENTRIES = 16;
/**
 * On a real server, autocommitted batches of at most this many entries run the fast statement on
 * the ledger's own connections, planned once (GenericPlanPool); larger ones unnamed on the shared
 * pool, planned for their size. On one connection the generic plan measured faster than a fresh
 * custom plan up to 500 entries and slower at 1,000; with 4 writers' postMany(100) coalesced into
 * batches of 200–500 the custom plans were 1.18× faster (docs/benchmarks.md "Run 7", within that
 * run's noise); planning is a few µs per entry there, and the generic plan's guess of 10 elements
 * per array only gets worse as the arrays grow.
 */
const GENERIC_PLAN_MAX_ENTRIES = 100;
/** The ledger's own connections on a real server: one per coalesced batch in flight (2 by default), and room for `maxInFlight = 4`. */
const GENERIC_PLAN_CONNECTIONS = 4;

/**
 * The one way money moves (issue #4 items 2, 3, 5, 10): validates an entry (before any lock),
 * takes the touched balance rows' locks in account-id order, updates them, then — as late as
 * possible — locks the book head, numbers and hashes the entries and inserts them with their
 * lines: all in one statement (the fast path), after which the floors are checked in code against
 * the locked balances; a refusal rolls it back and the careful path (lock, check, move, number)
 * answers exactly. The database checks it all again (migration 1732400000000-ledger).
 * docs/ledger.md "Floors under concurrency", "Group commit" and "Code layout".
 *
 * `post(manager, …)` joins the caller's transaction (a claim payout and its entry commit together
 * or not at all), inside a savepoint so a refused entry leaves the caller's transaction usable.
 * `post(null, …)` and `postMany(null, …)` are group-committed: concurrent calls are coalesced into
 * one transaction, each call checked on its own so one refused call never fails the others.
 *
 * This class is the facade; the work is in ./posting/ (one file per step).
 */
@Injectable()
export class LedgerPostingService implements OnApplicationShutdown {
  private readonly logger = new Logger('LedgerPosting');
  private savepointCounter = 0;
  readonly groupCommit: GroupCommitOptions = { maxBatch: 500, maxInFlight: 2, autocommitBatches: true };
  /** New entry ids: time-ordered UUIDv7 (prepare.ts newEntryId); `random` only for the benchmark's comparison. */
  readonly entryIds: { kind: EntryIdKind } = { kind: 'time-ordered' };
  /**
   * `generic`: autocommitted batches on a real server run on the ledger's own connections, planned
   * once (GenericPlanPool); false restores the rule before (the shared pool, re-planned at every
   * execution), kept for the benchmark's comparison.
   */
  readonly plans = { generic: true, genericMaxEntries: GENERIC_PLAN_MAX_ENTRIES };
  private readonly commits: GroupCommit;
  /** Accounts known to have no floor (definitions never change): their movements never stop a batch from autocommitting. */
  private readonly unfloored = new Set<string>();
  /**
   * Work handed to a group by its caller's request (TransactionScope.takeHandOff: the request's
   * audit row), run in the group's transaction once its entries are in (docs/ledger.md "Group
   * commit", "From HTTP").
   */
  private readonly handedOff = new WeakMap<Group, HandedOffWork>();
  /** The connections autocommitted batches run on, on a real server (pg-client.ts GenericPlanPool). */
  private readonly genericPlans: GenericPlanPool;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly tx: TransactionScope,
    private readonly metrics: MetricsService,
    @Optional() @Inject(EmbeddedHolder) private readonly embedded: EmbeddedHolder | null = null,
  ) {
    this.genericPlans = new GenericPlanPool(dataSource, GENERIC_PLAN_CONNECTIONS);
    this.commits = new GroupCommit(
      this.groupCommit,
      {
        // A group carrying a request's work needs a transaction to run it in.
        autocommits: (groups) =>
          !groups.some((g) => this.handedOff.has(g)) &&
          (this.groupCommit.autocommitBatches ? autocommitSafe(groups, this.unfloored) : groups.length === 1 && groups[0].items.length === 1),
        autocommit: (groups) => this.autocommit(groups),
        inTransaction: (groups, path) =>
          this.dataSource.transaction(async (m) => {
            const results = await this.write(managerQuerier(m), groups, path);
            // Each posted group's handed-off work, before COMMIT, one after another: they share one
            // connection, which runs one query at a time (pg refuses to queue concurrent queries).
            for (const [i, g] of groups.entries()) {
              const work = this.handedOff.get(g);
              const result = results[i];
              if (work && !(result instanceof DomainError)) await work(m, g.items.length === 1 && !g.indexed ? result[0] : result);
            }
            return results;
          }),
      },
      (message) => this.logger.warn(message),
    );
  }

  // ------------------------------------------------------------------------------------------
  // Posting
  // ------------------------------------------------------------------------------------------

  /**
   * Posts one balanced entry. `manager` (or, when null, the transaction open in TransactionScope):
   * the caller's transaction, and the entry commits with it; none: the ledger commits it itself,
   * coalesced with concurrent posts (group commit).
   */
  async post(manager: EntityManager | null, input: PostingInput): Promise<PostedEntry> {
    manager ??= this.tx.current();
    if (manager) {
      const [entry] = await this.postMany(manager, [input]);
      return entry;
    }
    const prepared = await prepareEntry(managerQuerier(this.dataSource), input, 0, this.entryIds.kind);
    const [entry] = await this.commits.enqueue(this.withHandedOff({ items: [prepared], indexed: false }));
    this.metrics.countPosted([entry.book]);
    return entry;
  }

  /**
   * Posts several entries all-or-nothing, in the given order (the batch endpoint, and callers
   * with more than one entry in one transaction: all their balance rows are locked together in
   * account order, which keeps concurrent transactions deadlock-free). Without a manager the call
   * joins the group-commit queue as one all-or-nothing group.
   */
  async postMany(manager: EntityManager | null, inputs: PostingInput[]): Promise<PostedEntry[]> {
    manager ??= this.tx.current();
    if (manager) {
      assertInTransaction(manager);
      const q = managerQuerier(manager);
      const group = await prepareGroup(q, inputs, this.entryIds.kind);
      if (!group.items.length) return [];
      const posted = await postInSavepoint(q, group, `ledger_post_${++this.savepointCounter}`, (tq, groups, path) => this.write(tq, groups, path));
      this.metrics.countPosted(posted.map((e) => e.book));
      return posted;
    }
    const group = await prepareGroup(managerQuerier(this.dataSource), inputs, this.entryIds.kind);
    if (!group.items.length) return [];
    const posted = await this.commits.enqueue(this.withHandedOff(group));
    this.metrics.countPosted(posted.map((e) => e.book));
    return posted;
  }

  /** Reverses an entry with a new, linked entry whose lines mirror the original's. */
  async reverse(
    manager: EntityManager | null,
    entryId: string,
    input: { effectiveDate: string; memo: string; link?: EntryLink | null },
  ): Promise<PostedEntry> {
    manager ??= this.tx.current();
    const original = await loadOriginal(managerQuerier(manager ?? this.dataSource), entryId);
    return this.post(manager, { book: original.book, effectiveDate: input.effectiveDate, memo: input.memo, link: input.link ?? null, lines: [], reversalOf: entryId });
  }

  /**
   * Whether a failed transaction that posted here may be run again as a whole (a floor refused
   * because balances moved underneath it, a serialization failure, a deadlock).
   */
  isRetryableConflict(error: unknown): boolean {
    return isRetryableLedgerConflict(error);
  }

  /**
   * Runs a whole transaction again while it fails with a retryable ledger conflict (at most
   * `attempts` times). When a transaction is already open here (the request's), only a floor
   * refusal is retried in it; a serialization failure or deadlock aborted that transaction and
   * goes to its owner, which runs it all again.
   */
  retryOnConflict<T>(attempt: () => Promise<T>, options: { attempts: number; onRetry?: (attemptNo: number, error: unknown) => void }): Promise<T> {
    return retryOnLedgerConflict(attempt, { ...options, inOuterTransaction: this.tx.current() !== null });
  }

  /** Closes the ledger's own connections (GenericPlanPool); new ones open on the next post. */
  async releaseConnections(): Promise<void> {
    await this.genericPlans.end();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.releaseConnections();
  }

  // ------------------------------------------------------------------------------------------
  // Internals
  // ------------------------------------------------------------------------------------------

  private readonly now = (): Date => this.clock.now();

  /** Attaches the work the calling request handed off (its audit row), if any: it commits with the group. */
  private withHandedOff(group: Group): Group {
    const work = this.tx.takeHandOff();
    if (work) this.handedOff.set(group, work);
    return group;
  }

  /**
   * One autocommitted fast statement (group-commit.ts). Real server: up to
   * GENERIC_PLAN_MAX_ENTRIES entries on the ledger's own connections, where the named statement
   * is planned once per connection; larger batches unnamed on the shared pool. Embedded server:
   * small batches named on the shared pool (its one session may already hold the name:
   * pg-client.ts), larger ones unnamed.
   */
  private autocommit(groups: Group[]): Promise<GroupResult[]> {
    const entries = groups.reduce((n, g) => n + g.items.length, 0);
    const write = (q: Querier) => writeFast(q, groups, this.now, true, this.unfloored);
    if (this.embedded?.instance || !this.plans.generic) {
      return entries <= PREPARED_MAX_ENTRIES ? withPooledConnection(this.dataSource, FAST_STATEMENT, write) : write(managerQuerier(this.dataSource));
    }
    return entries <= this.plans.genericMaxEntries ? withPooledConnection(this.genericPlans, FAST_STATEMENT, write) : write(managerQuerier(this.dataSource));
  }

  /** Writes the groups in the transaction `q` runs in: per group, its entries or its refusal. */
  private write(q: Querier, groups: Group[], path: WritePath): Promise<GroupResult[]> {
    return path === 'careful' ? writeCareful(q, groups, this.now) : writeFast(q, groups, this.now, false);
  }
}
