import { DomainError } from '../../common/errors/domain-error';
import { LateCheckFailed, isLedgerRefusal, takesCarefulPath, translateRefusal } from './posting.errors';
import { Group, GroupCommitOptions, GroupResult, PostedEntry, WritePath } from './posting.types';

/** How a batch of groups is written; the posting service provides it (the database behind it). */
export interface BatchWriter {
  /**
   * Whether the groups may be written by one autocommitted fast statement (fast-path.ts
   * autocommitSafe: one book, and no account moved both ways, so the triggers' checks are exactly
   * the checks in code).
   */
  autocommits(groups: Group[]): boolean;
  /** The groups by the fast statement in autocommit (no transaction around it, no check in code before COMMIT). */
  autocommit(groups: Group[]): Promise<GroupResult[]>;
  /** The groups in one transaction of their own, on the given path. */
  inTransaction(groups: Group[], path: WritePath): Promise<GroupResult[]>;
}

interface Waiter {
  group: Group;
  resolve: (entries: PostedEntry[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit (docs/ledger.md "Group commit"): calls that let the ledger commit (`post(null, …)`,
 * `postMany(null, …)`) are queued as groups; up to `options.maxInFlight` coalesced transactions run
 * at once, each taking whole queued groups up to `options.maxBatch` entries (a larger group goes
 * alone). Each group is checked on its own, so one refused call never fails the others.
 *
 * Where a failure goes (posting.errors.ts): a refusal that the fast path does not answer itself
 * sends the batch down the careful path; a refusal only the database saw in a careful batch of
 * several calls re-runs them one transaction each. Anything else — a lost connection, a bug —
 * is reported to every caller of the batch and never posted again: it may have committed.
 */
export class GroupCommit {
  private readonly queue: Waiter[] = [];
  private inFlight = 0;

  /** `options` is read at every pump, so changes to it take effect for the next batch. */
  constructor(
    private readonly options: GroupCommitOptions,
    private readonly writer: BatchWriter,
    private readonly warn: (message: string) => void,
  ) {}

  /** Queues one group; resolves with its entries once committed, or rejects with its refusal. */
  enqueue(group: Group): Promise<PostedEntry[]> {
    return new Promise<PostedEntry[]>((resolve, reject) => {
      this.queue.push({ group, resolve, reject });
      this.pump();
    });
  }

  /** Starts coalesced transactions while there is work and room. */
  private pump(): void {
    while (this.queue.length && this.inFlight < this.options.maxInFlight) {
      // Whole groups, up to maxBatch entries (a larger group goes alone).
      let take = 0;
      let entries = 0;
      while (take < this.queue.length && (take === 0 || entries + this.queue[take].group.items.length <= this.options.maxBatch)) {
        entries += this.queue[take].group.items.length;
        take += 1;
      }
      const batch = this.queue.splice(0, take);
      this.inFlight += 1;
      void this.runBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async runBatch(batch: Waiter[]): Promise<void> {
    const groups = batch.map((w) => w.group);
    try {
      // A lone entry, or groups of one book in which no account moves both ways: the fast
      // statement needs no transaction around it (no BEGIN and COMMIT round trips, and the hot
      // rows are not held across a round trip to check in code). For such a batch the triggers'
      // checks (floors on the statement's net movement per account, closed period, complete and
      // balanced lines) refuse exactly what the checks in code would, so the statement either
      // commits what the careful path would, or fails having written nothing — then the careful
      // path gives each group its exact answer (docs/ledger.md "Group commit").
      const autocommit = this.writer.autocommits(groups);
      settle(batch, autocommit ? await this.writer.autocommit(groups) : await this.writer.inTransaction(groups, 'fast'));
      return;
    } catch (error) {
      if (!takesCarefulPath(error)) {
        rejectAll(batch, error);
        return;
      }
    }
    await this.runCareful(batch);
  }

  private async runCareful(batch: Waiter[]): Promise<void> {
    try {
      settle(batch, await this.writer.inTransaction(batch.map((w) => w.group), 'careful'));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(translateRefusal(error));
      } else if (error instanceof LateCheckFailed || isLedgerRefusal(error)) {
        // Something only the database saw (a reversal posted twice at once, a period closed while
        // we waited for the head): one transaction per group, so each caller gets its own answer.
        if (!(error instanceof LateCheckFailed)) this.warn(`group commit of ${batch.length} calls failed (${String(error)}); posting them one by one`);
        await this.runOneByOne(batch);
      } else {
        rejectAll(batch, error);
      }
    }
  }

  private async runOneByOne(batch: Waiter[]): Promise<void> {
    for (const w of batch) {
      try {
        settle([w], await this.writer.inTransaction([w.group], 'careful'));
      } catch (e) {
        w.reject(translateRefusal(e));
      }
    }
  }
}

function settle(batch: Waiter[], results: GroupResult[]): void {
  results.forEach((r, i) => (r instanceof DomainError ? batch[i].reject(r) : batch[i].resolve(r)));
}

function rejectAll(batch: Waiter[], error: unknown): void {
  for (const w of batch) w.reject(error);
}
