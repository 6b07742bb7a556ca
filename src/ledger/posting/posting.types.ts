import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { CanonicalParts } from '../domain/canonical';
import { EntryLine } from '../domain/entry';
import { EntryToCheck, GroupToCheck } from '../domain/posting-check';

/** What caused an entry: a claim, a loan, a quarter… (type and id are the caller's). */
export interface EntryLink {
  type: string;
  id: string;
}

export interface PostingLine {
  account: string;
  debit?: Money | null;
  credit?: Money | null;
}

/** What a domain module asks the ledger to post (issue #4 item 10). */
export interface PostingInput {
  book: string;
  /** Business date, YYYY-MM-DD; separate from the recorded timestamp. */
  effectiveDate: string;
  memo: string;
  /** Empty (or omitted) with `reversalOf`: the ledger builds the mirror of the original. */
  lines: PostingLine[];
  link?: EntryLink | null;
  /** Id of the entry this one reverses; its lines must mirror the original's. */
  reversalOf?: string | null;
}

export interface PostedLine {
  lineNo: number;
  account: string;
  debit: Money | null;
  credit: Money | null;
}

export interface PostedEntry {
  id: string;
  book: string;
  sequence: number;
  hash: string;
  prevHash: string;
  effectiveDate: string;
  recordedAt: Date;
  memo: string;
  link: EntryLink | null;
  reversalOf: string | null;
  lines: PostedLine[];
}

/**
 * How new entry ids are made (prepare.ts newEntryId): `time-ordered` (UUIDv7, the default since
 * issue #16) or `random` (v4, kept for the benchmark's before/after comparison).
 */
export type EntryIdKind = 'time-ordered' | 'random';

/** Group-commit tuning (docs/ledger.md "Group commit"). */
export interface GroupCommitOptions {
  /** Most entries one coalesced transaction carries. */
  maxBatch: number;
  /** How many coalesced transactions may be in flight at once. */
  maxInFlight: number;
  /**
   * Batches that fast-path.ts autocommitSafe allows run as one autocommitted statement (issue
   * #16); false: only a lone entry does (as before; kept for the benchmark's comparison).
   */
  autocommitBatches: boolean;
}

// ---------------------------------------------------------------------------------------------
// Internal to src/ledger/posting/.
// ---------------------------------------------------------------------------------------------

/** An entry checked and built before any lock (prepare.ts); only numbering and hashing are left. */
export interface Prepared extends EntryToCheck {
  id: string;
  memo: string;
  link: EntryLink | null;
  reversalOf: string | null;
  lines: EntryLine[];
  /** Per line, computed once before any lock: the amount in integer fen and as two-decimal text. */
  fen: bigint[];
  amounts: string[];
  /** The canonical form without sequence and recordedAt (filled in under the head lock). */
  canonical: CanonicalParts;
}

/** Entries that commit or fail together: one post() call, or one postMany() call. */
export type Group = GroupToCheck<Prepared> & { items: Prepared[] };

/** Per group: its posted entries, or the refusal of its first refused entry (a refused group writes nothing). */
export type GroupResult = PostedEntry[] | DomainError;

/** Runs one SQL statement on the connection (or transaction) the posting path was given; returns its rows. */
export type Querier = (sql: string, params?: unknown[]) => Promise<unknown[]>;

/** The two ways of writing groups inside one transaction (docs/ledger.md "Floors under concurrency"). */
export type WritePath = 'fast' | 'careful';
