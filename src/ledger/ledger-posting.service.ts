import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { isValidIsoDate } from '../common/calendar/iso-date';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError, ErrorDetail } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { Side, checkBookCode } from './domain/accounts';
import { CanonicalParts, canonicalFromParts, canonicalParts, chainHash } from './domain/canonical';
import { EntryLine, buildEntryLines, mirrorLines, sameLines } from './domain/entry';
import { LEDGER_ERRORS, ledgerErrors } from './domain/ledger.errors';
import { isRetryableLedgerConflict, retryOnLedgerConflict } from './ledger-conflicts';

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

/** Group-commit tuning (docs/ledger.md "Group commit"). */
export interface GroupCommitOptions {
  /** Most entries one coalesced transaction carries. */
  maxBatch: number;
  /** How many coalesced transactions may be in flight at once. */
  maxInFlight: number;
}

interface Prepared {
  index: number;
  id: string;
  book: string;
  effectiveDate: string;
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
interface Group {
  items: Prepared[];
  /** Errors name the entry (details[].entry) when the call carried more than one. */
  indexed: boolean;
}

/** A balance row under lock, in integer fen (exact, and no decimal objects in the hot loops). */
interface Balance {
  id: string;
  normalSide: Side;
  floor: bigint | null;
  debits: bigint;
  credits: bigint;
}

interface AccountRow {
  id: string;
  book: string;
  code: string;
  normal_side: Side;
  floor: string | null;
  debits: string;
  credits: string;
  closed_through: string | null;
}

interface HeadRow {
  code: string;
  last_sequence: string;
  last_hash: string;
  closed_through: string | null;
}

/** One row of the fast path's statement: a moved balance row ('a'), a locked book head ('h'), a numbered entry ('e': idx, sequence, hash, prev hash). */
interface FastRow {
  kind: 'a' | 'h' | 'e';
  id: string | null;
  book: string;
  code: string | null;
  normal_side: Side | null;
  floor: string | null;
  debits: string | null;
  credits: string | null;
  last_sequence: string | null;
  last_hash: string | null;
  closed_through: string | null;
}

type Querier = (sql: string, params?: unknown[]) => Promise<unknown[]>;

interface Waiter {
  group: Group;
  resolve: (entries: PostedEntry[]) => void;
  reject: (error: unknown) => void;
}

/** Raised inside a coalesced transaction when a check that needs the book head fails late. */
class LateCheckFailed extends Error {}

/**
 * The fast path met something it does not answer itself (a refusal, an unknown account or book):
 * the transaction (or savepoint) is rolled back and the careful path redoes the work exactly.
 */
class Retry extends Error {}

/**
 * The fast path: the whole write in one statement, so a transaction holds the hot balance rows
 * and the book head for one statement and its COMMIT only (no client round trip in between).
 * 1. `locked`: locks the touched balance rows in account-id order; `moved` adds the movements,
 *    RETURNING the new totals (the old ones, for the floor checks in code, are new − movement);
 * 2. `heads`: locks the book heads in code order, after the balance rows (the initplan on
 *    `moved`), which keeps the one global lock order;
 * 3. `chain`: numbers and hashes the entries on the locked heads, per book in call order:
 *    hash = sha256(prev_hash ‖ canonical), the canonical form built in code around the sequence
 *    (before ‖ sequence ‖ middle ‖ recordedAt ‖ after, see canonicalParts);
 * 4. inserts the entries and their lines (lines_in_statement: checked at the end of the statement).
 * Entries are passed grouped by book; $24–$26 give each book's range of array positions.
 */
const FAST_SQL = `
  WITH k AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[]) WITH ORDINALITY AS k(book, code, debit, credit, i)),
  locked AS MATERIALIZED (
    SELECT a.id, k.i, k.debit, k.credit FROM ledger_accounts a JOIN k ON a.book = k.book AND a.code = k.code
     ORDER BY a.id FOR UPDATE OF a),
  moved AS (
    UPDATE ledger_accounts a SET debits = a.debits + l.debit, credits = a.credits + l.credit
      FROM locked l WHERE a.id = l.id
    RETURNING a.id, a.book, a.code, a.normal_side, a.floor, a.debits, a.credits),
  heads AS MATERIALIZED (
    SELECT code, last_sequence, last_hash, closed_through FROM ledger_books
     WHERE code = ANY($5::text[]) AND (SELECT count(*) FROM moved) >= 0
     ORDER BY code FOR UPDATE),
  chain AS MATERIALIZED (
    WITH RECURSIVE c(entry, idx, stop, seq, prev, hash) AS (
      SELECT false, r.start - 1, r.stop, h.last_sequence, NULL::text, h.last_hash::text
        FROM heads h JOIN unnest($24::text[], $25::int[], $26::int[]) AS r(book, start, stop) ON r.book = h.code
      UNION ALL
      SELECT true, c.idx + 1, c.stop, c.seq + 1, c.hash,
             encode(sha256(convert_to(c.hash || ($14::text[])[c.idx + 1] || (c.seq + 1)::text || ($15::text[])[c.idx + 1]
                                      || $18::text || ($16::text[])[c.idx + 1], 'UTF8')), 'hex')
        FROM c WHERE c.idx < c.stop)
    SELECT idx, seq, prev, hash FROM c WHERE entry),
  e AS (
    SELECT * FROM unnest($6::uuid[], $7::text[], $8::date[], $9::text[], $10::text[], $11::text[], $12::uuid[], $13::int[])
      WITH ORDINALITY AS e(id, book, effective_date, memo, link_type, link_id, reversal_of, line_count, idx)),
  new_entries AS (
    INSERT INTO ledger_entries (id, book, sequence, effective_date, recorded_at, memo, link_type, link_id, reversal_of, line_count, prev_hash, hash,
                                lines_in_statement)
    SELECT e.id, e.book, c.seq, e.effective_date, $17::timestamptz, e.memo, e.link_type, e.link_id, e.reversal_of, e.line_count, c.prev, c.hash, true
      FROM e JOIN chain c ON c.idx = e.idx),
  new_lines AS (
    INSERT INTO ledger_lines (entry_id, line_no, account_id, side, amount, effective_date, sequence)
    SELECT e.id, l.line_no, a.id, l.side, l.amount, e.effective_date, c.seq
      FROM unnest($19::int[], $20::smallint[], $21::int[], $22::text[], $23::numeric[]) AS l(entry, line_no, account, side, amount)
      JOIN e ON e.idx = l.entry JOIN chain c ON c.idx = l.entry JOIN locked a ON a.i = l.account)
  SELECT 'a' AS kind, id::text AS id, book, code, normal_side, floor::text AS floor, debits::text AS debits, credits::text AS credits,
         NULL::text AS last_sequence, NULL::text AS last_hash, NULL::text AS closed_through FROM moved
  UNION ALL
  SELECT 'h', NULL, code, NULL, NULL, NULL, NULL, NULL, last_sequence::text, last_hash::text, closed_through::text FROM heads
  UNION ALL
  SELECT 'e', idx::text, NULL, NULL, NULL, NULL, NULL, NULL, seq::text, hash, prev FROM chain`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MEMO_MAX = 2000;

/**
 * The one way money moves (issue #4 items 2, 3, 5, 10): validates an entry (before any lock),
 * takes the touched balance rows' locks in account-id order, updates them, then — as late as
 * possible — locks the book head, numbers and hashes the entries and inserts them with their
 * lines: all in one statement (the fast path, FAST_SQL), after which the floors are checked in
 * code against the locked balances; any refusal rolls it back and the careful path (lock, check,
 * move, number) answers exactly. The database checks it all again (migration
 * 1732400000000-ledger). docs/ledger.md "Floors under concurrency" and "Group commit".
 *
 * `post(manager, …)` joins the caller's transaction (a claim payout and its entry commit together
 * or not at all), inside a savepoint so a refused entry leaves the caller's transaction usable.
 * `post(null, …)` and `postMany(null, …)` are group-committed: concurrent calls are coalesced into
 * one transaction, each call checked on its own so one refused call never fails the others.
 */
@Injectable()
export class LedgerPostingService {
  private readonly logger = new Logger('LedgerPosting');
  private readonly queue: Waiter[] = [];
  private inFlight = 0;
  private savepointCounter = 0;
  readonly groupCommit: GroupCommitOptions = { maxBatch: 500, maxInFlight: 2 };

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly tx: TransactionScope,
  ) {}

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
    const prepared = await this.prepare(this.querier(null), input, 0);
    const [entry] = await this.enqueue({ items: [prepared], indexed: false });
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
      const q = this.querier(manager);
      const group = await this.prepareGroup(q, inputs);
      if (!group.items.length) return [];
      const savepoint = `ledger_post_${++this.savepointCounter}`;
      await q(`SAVEPOINT ${savepoint}`);
      try {
        let result: PostedEntry[] | DomainError;
        try {
          [result] = await this.write(q, [group], 'fast');
        } catch {
          // Anything the fast path does not answer itself: undo it, and take the careful path.
          await q(`ROLLBACK TO SAVEPOINT ${savepoint}`);
          [result] = await this.write(q, [group], 'careful');
        }
        if (result instanceof DomainError) throw result;
        await q(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (error) {
        await q(`ROLLBACK TO SAVEPOINT ${savepoint}`);
        throw this.translate(error);
      }
    }
    const group = await this.prepareGroup(this.querier(null), inputs);
    if (!group.items.length) return [];
    return this.enqueue(group);
  }

  /** Reverses an entry with a new, linked entry whose lines mirror the original's. */
  async reverse(
    manager: EntityManager | null,
    entryId: string,
    input: { effectiveDate: string; memo: string; link?: EntryLink | null },
  ): Promise<PostedEntry> {
    manager ??= this.tx.current();
    const original = await this.loadOriginal(this.querier(manager), entryId);
    return this.post(manager, { book: original.book, effectiveDate: input.effectiveDate, memo: input.memo, link: input.link ?? null, lines: [], reversalOf: entryId });
  }

  /**
   * Whether a failed transaction that posted here may be run again as a whole (a floor refused
   * because balances moved underneath it, a serialization failure, a deadlock).
   */
  isRetryableConflict(error: unknown): boolean {
    return isRetryableLedgerConflict(error);
  }

  /** Runs a whole transaction again while it fails with a retryable ledger conflict (at most `attempts` times). */
  retryOnConflict<T>(attempt: () => Promise<T>, options: { attempts: number; onRetry?: (attemptNo: number, error: unknown) => void }): Promise<T> {
    return retryOnLedgerConflict(attempt, options);
  }

  // ------------------------------------------------------------------------------------------
  // Internals
  // ------------------------------------------------------------------------------------------

  private querier(manager: EntityManager | null): Querier {
    const target = manager ?? this.dataSource;
    return (sql, params) => target.query(sql, params) as Promise<unknown[]>;
  }

  private async prepareGroup(q: Querier, inputs: PostingInput[]): Promise<Group> {
    const items: Prepared[] = [];
    for (const [i, input] of inputs.entries()) items.push(await this.prepare(q, input, inputs.length > 1 ? i : null));
    return { items, indexed: inputs.length > 1 };
  }

  private enqueue(group: Group): Promise<PostedEntry[]> {
    return new Promise<PostedEntry[]>((resolve, reject) => {
      this.queue.push({ group, resolve, reject });
      this.pump();
    });
  }

  /** Checks everything that needs no lock: shape, dates, lines, and a reversal's original. */
  private async prepare(q: Querier, input: PostingInput, index: number | null): Promise<Prepared> {
    try {
      checkBookCode(input.book);
      const problems: ErrorDetail[] = [];
      if (!isValidIsoDate(input.effectiveDate)) {
        problems.push({ code: LEDGER_ERRORS.INVALID_ENTRY, field: 'effectiveDate', message: 'must be a real date written YYYY-MM-DD' });
      }
      if (typeof input.memo !== 'string' || input.memo.length > MEMO_MAX) {
        problems.push({ code: LEDGER_ERRORS.INVALID_ENTRY, field: 'memo', message: `a text of at most ${MEMO_MAX} characters` });
      }
      const link = input.link ?? null;
      if (link && (!link.type || !link.id || link.type.length > 100 || link.id.length > 200)) {
        problems.push({ code: LEDGER_ERRORS.INVALID_ENTRY, field: 'link', message: 'a link needs a type (≤ 100) and an id (≤ 200)' });
      }
      if (problems.length) throw DomainError.invalid(LEDGER_ERRORS.INVALID_ENTRY, 'The entry is malformed.', problems);

      let lines: EntryLine[];
      const reversalOf = input.reversalOf ?? null;
      if (reversalOf) {
        const original = await this.loadOriginal(q, reversalOf);
        if (original.book !== input.book) {
          throw DomainError.rule(LEDGER_ERRORS.REVERSAL_MISMATCH, `Entry ${reversalOf} is in book "${original.book}", not "${input.book}".`);
        }
        if (original.reversedBy) throw ledgerErrors.alreadyReversed(reversalOf, original.reversedBy);
        const mirror = mirrorLines(original.lines);
        if (input.lines.length === 0) {
          lines = mirror;
        } else {
          lines = buildEntryLines(input.lines);
          if (!sameLines(lines, mirror)) {
            throw DomainError.rule(LEDGER_ERRORS.REVERSAL_MISMATCH, `The lines do not mirror those of entry ${reversalOf}.`);
          }
        }
      } else {
        lines = buildEntryLines(input.lines);
      }
      const id = randomUUID();
      const amounts = lines.map((l) => l.amount.toString());
      return {
        index: index ?? 0,
        id,
        book: input.book,
        effectiveDate: input.effectiveDate,
        memo: input.memo,
        link,
        reversalOf,
        lines,
        fen: amounts.map(fenOf),
        amounts,
        canonical: canonicalParts({ id, book: input.book, effectiveDate: input.effectiveDate, memo: input.memo, link, reversalOf, lines }),
      };
    } catch (error) {
      throw withEntryIndex(error, index);
    }
  }

  private async loadOriginal(q: Querier, entryId: string): Promise<{ book: string; lines: EntryLine[]; reversedBy: string | null }> {
    if (!UUID.test(entryId)) throw ledgerErrors.entryNotFound(entryId);
    const rows = (await q(
      `SELECT e.book, l.line_no, a.code, l.side, l.amount,
              (SELECT r.id FROM ledger_entries r WHERE r.reversal_of = e.id) AS reversed_by
         FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id JOIN ledger_accounts a ON a.id = l.account_id
        WHERE e.id = $1 ORDER BY l.line_no`,
      [entryId],
    )) as { book: string; line_no: number; code: string; side: 'D' | 'C'; amount: string; reversed_by: string | null }[];
    if (!rows.length) throw ledgerErrors.entryNotFound(entryId);
    return {
      book: rows[0].book,
      reversedBy: rows[0].reversed_by,
      lines: rows.map((r) => ({ lineNo: Number(r.line_no), account: r.code, side: r.side === 'D' ? 'debit' : 'credit', amount: Money.of(r.amount) })),
    };
  }

  /**
   * Writes the groups in one transaction (the caller's). Returns, per group, its entries or the
   * refusal of its first refused entry (a refused group writes nothing; the others go on).
   *
   * `fast`: one statement locks and moves every touched balance row and locks the book heads;
   * the checks then run in code on the balances before the move. It assumes every group passes:
   * when one does not (or an account or book is unknown), it throws Retry and the caller rolls
   * back and uses `careful`. `careful`: lock and read the balance rows, check each group, move
   * only the accepted ones, then lock the heads (three round trips instead of one).
   */
  private async write(q: Querier, groups: Group[], strategy: 'fast' | 'autocommit' | 'careful'): Promise<(PostedEntry[] | DomainError)[]> {
    const results = new Array<PostedEntry[] | DomainError>(groups.length);

    // Every touched account, with its movement if every group passes.
    const moves = new Map<string, { book: string; code: string; debit: bigint; credit: bigint }>();
    for (const g of groups) {
      for (const item of g.items) {
        item.lines.forEach((l, i) => {
          const key = accountKey(item.book, l.account);
          let m = moves.get(key);
          if (!m) moves.set(key, (m = { book: item.book, code: l.account, debit: 0n, credit: 0n }));
          if (l.side === 'debit') m.debit += item.fen[i];
          else m.credit += item.fen[i];
        });
      }
    }
    const balances = new Map<string, Balance>();
    const heads = new Map<string, { sequence: number; hash: string; closedThrough: string | null }>();
    const accepted: number[] = [];

    if (strategy !== 'careful') return this.writeFast(q, groups, moves, strategy === 'autocommit');
    {
      const list = [...moves.values()];
      const rows = (await q(
        `SELECT a.id, a.book, a.code, a.normal_side, a.floor, a.debits, a.credits, b.closed_through
           FROM ledger_accounts a
           JOIN unnest($1::text[], $2::text[]) AS k(book, code) ON a.book = k.book AND a.code = k.code
           JOIN ledger_books b ON b.code = a.book
          ORDER BY a.id
            FOR UPDATE OF a`,
        [list.map((m) => m.book), list.map((m) => m.code)],
      )) as AccountRow[];
      const closedThrough = new Map<string, string | null>();
      for (const r of rows) {
        balances.set(accountKey(r.book, r.code), {
          id: r.id,
          normalSide: r.normal_side,
          floor: r.floor === null ? null : fenOf(r.floor),
          debits: fenOf(r.debits),
          credits: fenOf(r.credits),
        });
        closedThrough.set(r.book, r.closed_through);
      }
      const closedOf = (book: string) => closedThrough.get(book) ?? null;
      for (const [i, g] of groups.entries()) {
        const error = await this.checkGroup(q, g, balances, closedOf);
        if (error) results[i] = error;
        else accepted.push(i);
      }
      if (!accepted.length) return results;

      // Move the balance rows (net per account, accepted groups only) and lock the book heads.
      const deltas = new Map<string, { debit: bigint; credit: bigint }>();
      for (const i of accepted) {
        for (const item of groups[i].items) {
          item.lines.forEach((l, n) => {
            const id = (balances.get(accountKey(item.book, l.account)) as Balance).id;
            let d = deltas.get(id);
            if (!d) deltas.set(id, (d = { debit: 0n, credit: 0n }));
            if (l.side === 'debit') d.debit += item.fen[n];
            else d.credit += item.fen[n];
          });
        }
      }
      const ids = [...deltas.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      const books = [...new Set(accepted.flatMap((i) => groups[i].items.map((item) => item.book)))].sort();
      const headRows = (await q(
        `WITH moved AS (
           UPDATE ledger_accounts a SET debits = a.debits + v.debit, credits = a.credits + v.credit
             FROM unnest($1::bigint[], $2::numeric[], $3::numeric[]) AS v(id, debit, credit)
            WHERE a.id = v.id
            RETURNING a.id)
         SELECT code, last_sequence, last_hash, closed_through
           FROM ledger_books WHERE code = ANY($4::text[]) ORDER BY code FOR UPDATE`,
        [ids, ids.map((id) => fenText((deltas.get(id) as { debit: bigint }).debit)), ids.map((id) => fenText((deltas.get(id) as { credit: bigint }).credit)), books],
      )) as HeadRow[];
      for (const h of headRows) heads.set(h.code, { sequence: Number(h.last_sequence), hash: h.last_hash, closedThrough: h.closed_through });
    }

    // Number and hash the entries on the locked heads (the canonical forms are already built).
    const recordedAt = this.clock.now();
    const recordedIso = recordedAt.toISOString();
    const posted: PostedEntry[] = [];
    const lineRows = { entry: [] as string[], no: [] as number[], account: [] as string[], side: [] as string[], amount: [] as string[], date: [] as string[], seq: [] as number[] };
    for (const i of accepted) {
      const g = groups[i];
      const entries: PostedEntry[] = [];
      for (const item of g.items) {
        const h = heads.get(item.book) as { sequence: number; hash: string; closedThrough: string | null };
        if (h.closedThrough !== null && item.effectiveDate <= h.closedThrough) {
          // A period was closed between the balance-row locks and the head lock (careful path).
          // Nothing is committed: the caller's savepoint (or our own transaction) is rolled back.
          const error = ledgerErrors.closedPeriod(item.book, h.closedThrough, item.effectiveDate);
          if (groups.length === 1) throw withEntryIndex(error, g.indexed ? item.index : null);
          throw new LateCheckFailed(error.message);
        }
        const sequence = h.sequence + 1;
        const prevHash = h.hash;
        const hash = chainHash(prevHash, canonicalFromParts(item.canonical, sequence, recordedIso));
        h.sequence = sequence;
        h.hash = hash;
        item.lines.forEach((l, n) => {
          lineRows.entry.push(item.id);
          lineRows.no.push(l.lineNo);
          lineRows.account.push((balances.get(accountKey(item.book, l.account)) as Balance).id);
          lineRows.side.push(l.side === 'debit' ? 'D' : 'C');
          lineRows.amount.push(item.amounts[n]);
          lineRows.date.push(item.effectiveDate);
          lineRows.seq.push(sequence);
        });
        const entry: PostedEntry = {
          id: item.id,
          book: item.book,
          sequence,
          hash,
          prevHash,
          effectiveDate: item.effectiveDate,
          recordedAt,
          memo: item.memo,
          link: item.link,
          reversalOf: item.reversalOf,
          lines: item.lines.map((l) => ({ lineNo: l.lineNo, account: l.account, debit: l.side === 'debit' ? l.amount : null, credit: l.side === 'credit' ? l.amount : null })),
        };
        entries.push(entry);
        posted.push(entry);
      }
      results[i] = entries;
    }

    // Insert entries and lines in one statement; lines_in_statement has the entry trigger check
    // that they are complete and balance at the end of it (no deferred per-entry check at COMMIT).
    await q(
      `WITH e AS (
         INSERT INTO ledger_entries (id, book, sequence, effective_date, recorded_at, memo, link_type, link_id, reversal_of, line_count, prev_hash, hash,
                                     lines_in_statement)
         SELECT u.*, true FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::date[], $5::timestamptz[], $6::text[], $7::text[], $8::text[],
                                      $9::uuid[], $10::int[], $11::text[], $12::text[]) AS u)
       INSERT INTO ledger_lines (entry_id, line_no, account_id, side, amount, effective_date, sequence)
       SELECT * FROM unnest($13::uuid[], $14::smallint[], $15::bigint[], $16::text[], $17::numeric[], $18::date[], $19::bigint[])`,
      [
        posted.map((p) => p.id),
        posted.map((p) => p.book),
        posted.map((p) => p.sequence),
        posted.map((p) => p.effectiveDate),
        posted.map(() => recordedIso),
        posted.map((p) => p.memo),
        posted.map((p) => p.link?.type ?? null),
        posted.map((p) => p.link?.id ?? null),
        posted.map((p) => p.reversalOf),
        posted.map((p) => p.lines.length),
        posted.map((p) => p.prevHash),
        posted.map((p) => p.hash),
        lineRows.entry,
        lineRows.no,
        lineRows.account,
        lineRows.side,
        lineRows.amount,
        lineRows.date,
        lineRows.seq,
      ],
    );
    return results;
  }

  /** The fast path (FAST_SQL): one statement; throws Retry when code must refuse something. */
  private async writeFast(
    q: Querier,
    groups: Group[],
    moves: Map<string, { book: string; code: string; debit: bigint; credit: bigint }>,
    autocommit: boolean,
  ): Promise<PostedEntry[][]> {
    const list = [...moves.values()];
    const accountIndex = new Map<string, number>();
    list.forEach((m, i) => accountIndex.set(accountKey(m.book, m.code), i + 1));
    // Entries grouped by book (call order kept within a book), and each book's range.
    const byBook = new Map<string, Prepared[]>();
    for (const g of groups) for (const item of g.items) (byBook.get(item.book) ?? byBook.set(item.book, []).get(item.book) as Prepared[]).push(item);
    const books = [...byBook.keys()].sort();
    const ordered: Prepared[] = [];
    const ranges = { book: [] as string[], start: [] as number[], stop: [] as number[] };
    for (const book of books) {
      ranges.book.push(book);
      ranges.start.push(ordered.length + 1);
      ordered.push(...(byBook.get(book) as Prepared[]));
      ranges.stop.push(ordered.length);
    }
    const lines = { entry: [] as number[], no: [] as number[], account: [] as number[], side: [] as string[], amount: [] as string[] };
    ordered.forEach((item, k) => {
      item.lines.forEach((l, n) => {
        lines.entry.push(k + 1);
        lines.no.push(l.lineNo);
        lines.account.push(accountIndex.get(accountKey(item.book, l.account)) as number);
        lines.side.push(l.side === 'debit' ? 'D' : 'C');
        lines.amount.push(item.amounts[n]);
      });
    });
    // recordedAt is read just before the statement that takes the locks (docs/ledger.md).
    const recordedAt = this.clock.now();
    const recordedIso = recordedAt.toISOString();
    const rows = (await q(FAST_SQL, [
      list.map((m) => m.book),
      list.map((m) => m.code),
      list.map((m) => fenText(m.debit)),
      list.map((m) => fenText(m.credit)),
      books,
      ordered.map((e) => e.id),
      ordered.map((e) => e.book),
      ordered.map((e) => e.effectiveDate),
      ordered.map((e) => e.memo),
      ordered.map((e) => e.link?.type ?? null),
      ordered.map((e) => e.link?.id ?? null),
      ordered.map((e) => e.reversalOf),
      ordered.map((e) => e.lines.length),
      ordered.map((e) => e.canonical.before),
      ordered.map((e) => e.canonical.middle),
      ordered.map((e) => e.canonical.after),
      recordedIso,
      JSON.stringify(recordedIso),
      lines.entry,
      lines.no,
      lines.account,
      lines.side,
      lines.amount,
      ranges.book,
      ranges.start,
      ranges.stop,
    ])) as FastRow[];
    const balances = new Map<string, Balance>();
    const heads = new Map<string, string | null>();
    const numbered = new Map<Prepared, { sequence: number; hash: string; prevHash: string }>();
    for (const r of rows) {
      if (r.kind === 'h') {
        heads.set(r.book, r.closed_through);
      } else if (r.kind === 'e') {
        numbered.set(ordered[Number(r.id) - 1], { sequence: Number(r.last_sequence), hash: r.last_hash as string, prevHash: r.closed_through as string });
      } else {
        const key = accountKey(r.book, r.code as string);
        const m = moves.get(key) as { debit: bigint; credit: bigint };
        balances.set(key, {
          id: r.id as string,
          normalSide: r.normal_side as Side,
          floor: r.floor === null ? null : fenOf(r.floor),
          debits: fenOf(r.debits as string) - m.debit,
          credits: fenOf(r.credits as string) - m.credit,
        });
      }
    }
    // (The statement itself fails on an unknown book or account, a closed period or a floor
    // breached by the net movement: the triggers refuse the rows.)
    if (autocommit) {
      // Committed already: the statement succeeded, so the triggers accepted exactly what the
      // checks in code would (one entry: its net movement per account is the statement's) — or,
      // for an unknown book (no head, so no account of it either), the statement wrote nothing.
      if (numbered.size !== ordered.length) throw new Retry('unknown book');
    } else {
      if (balances.size !== moves.size || heads.size !== books.length || numbered.size !== ordered.length) throw new Retry('unknown account or book');
      const closedOf = (book: string) => heads.get(book) ?? null;
      for (const g of groups) {
        if (await this.checkGroup(q, g, balances, closedOf)) throw new Retry('a group is refused');
      }
    }
    return groups.map((g) =>
      g.items.map((item) => {
        const n = numbered.get(item) as { sequence: number; hash: string; prevHash: string };
        return {
          id: item.id,
          book: item.book,
          sequence: n.sequence,
          hash: n.hash,
          prevHash: n.prevHash,
          effectiveDate: item.effectiveDate,
          recordedAt,
          memo: item.memo,
          link: item.link,
          reversalOf: item.reversalOf,
          lines: item.lines.map((l) => ({ lineNo: l.lineNo, account: l.account, debit: l.side === 'debit' ? l.amount : null, credit: l.side === 'credit' ? l.amount : null })),
        };
      }),
    );
  }

  /**
   * A group against the locked balances, entry by entry in order; applies it to them when every
   * entry passes. Returns the first refusal (tagged with the entry's index), or null.
   */
  private async checkGroup(q: Querier, g: Group, balances: Map<string, Balance>, closedOf: (book: string) => string | null): Promise<DomainError | null> {
    const overlay = new Map<string, { debits: bigint; credits: bigint }>();
    for (const item of g.items) {
      const error = await this.checkEntry(q, item, balances, overlay, closedOf);
      if (error) return withEntryIndex(error, g.indexed ? item.index : null) as DomainError;
    }
    for (const [key, v] of overlay) {
      const b = balances.get(key) as Balance;
      b.debits = v.debits;
      b.credits = v.credits;
    }
    return null;
  }

  /** One entry against the balances (as moved by the group's earlier entries, in `overlay`). */
  private async checkEntry(
    q: Querier,
    item: Prepared,
    balances: Map<string, Balance>,
    overlay: Map<string, { debits: bigint; credits: bigint }>,
    closedOf: (book: string) => string | null,
  ): Promise<DomainError | null> {
    let missing: string[] | null = null;
    for (const l of item.lines) {
      if (!balances.has(accountKey(item.book, l.account)) && !(missing ??= []).includes(l.account)) missing.push(l.account);
    }
    if (missing) {
      const book = (await q(`SELECT 1 FROM ledger_books WHERE code = $1`, [item.book])) as unknown[];
      return book.length ? ledgerErrors.unknownAccounts(item.book, missing) : ledgerErrors.unknownBook(item.book);
    }
    const closed = closedOf(item.book);
    if (closed !== null && item.effectiveDate <= closed) return ledgerErrors.closedPeriod(item.book, closed, item.effectiveDate);

    // Net movement per account within the entry, then the floor rule on each.
    const net = new Map<string, { debit: bigint; credit: bigint }>();
    item.lines.forEach((l, i) => {
      let n = net.get(l.account);
      if (!n) net.set(l.account, (n = { debit: 0n, credit: 0n }));
      if (l.side === 'debit') n.debit += item.fen[i];
      else n.credit += item.fen[i];
    });
    let breaches: ErrorDetail[] | null = null;
    const after = new Map<string, { debits: bigint; credits: bigint }>();
    for (const [code, n] of net) {
      const key = accountKey(item.book, code);
      const b = balances.get(key) as Balance;
      const current = overlay.get(key) ?? b;
      after.set(key, { debits: current.debits + n.debit, credits: current.credits + n.credit });
      if (b.floor === null) continue;
      const before = b.normalSide === 'debit' ? current.debits - current.credits : current.credits - current.debits;
      const change = b.normalSide === 'debit' ? n.debit - n.credit : n.credit - n.debit;
      const wouldBe = before + change;
      if (wouldBe < before && wouldBe < b.floor) {
        (breaches ??= []).push({
          code: LEDGER_ERRORS.FLOOR_BREACH,
          message: `${code} would go from ${fenText(before)} to ${fenText(wouldBe)}, below its floor ${fenText(b.floor)}`,
          account: code,
          balance: fenText(before),
          change: fenText(change),
          wouldBe: fenText(wouldBe),
          floor: fenText(b.floor),
        });
      }
    }
    if (breaches) return ledgerErrors.floorBreach(breaches);
    for (const [key, v] of after) overlay.set(key, v);
    return null;
  }

  /** Starts coalesced transactions while there is work and room (group commit). */
  private pump(): void {
    while (this.queue.length && this.inFlight < this.groupCommit.maxInFlight) {
      // Whole groups, up to maxBatch entries (a larger group goes alone).
      let take = 0;
      let entries = 0;
      while (take < this.queue.length && (take === 0 || entries + this.queue[take].group.items.length <= this.groupCommit.maxBatch)) {
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
    const settle = (results: (PostedEntry[] | DomainError)[]) =>
      results.forEach((r, i) => (r instanceof DomainError ? batch[i].reject(r) : batch[i].resolve(r)));
    // One entry alone: the fast statement needs no transaction around it (no BEGIN and COMMIT
    // round trips). For a single entry the triggers' checks (floors on the statement's net
    // movement per account, closed period, complete and balanced lines) are exactly the checks in
    // code, so the statement either commits what the careful path would, or fails having written
    // nothing — then the careful path gives the exact refusal.
    if (groups.length === 1 && groups[0].items.length === 1) {
      let results: (PostedEntry[] | DomainError)[] | null = null;
      const [client, release] = (await (this.dataSource.driver as PostgresDriver).obtainMasterConnection()) as [PgClient, () => void];
      try {
        results = await this.write(preparedQuerier(client), groups, 'autocommit');
      } catch (error) {
        // Only a refused statement (nothing written) may be retried; anything else may have
        // committed, so it is reported, never posted again.
        if (!(error instanceof QueryFailedError) && !(error instanceof Retry)) {
          batch[0].reject(error);
          return;
        }
      } finally {
        release();
      }
      if (results) {
        settle(results);
        return;
      }
    } else {
      try {
        settle(await this.dataSource.transaction((m) => this.write(this.querier(m), groups, 'fast')));
        return;
      } catch {
        // A refusal, an unknown account, or a database refusal: the careful path answers exactly.
      }
    }
    try {
      settle(await this.dataSource.transaction((m) => this.write(this.querier(m), groups, 'careful')));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(this.translate(error));
        return;
      }
      // Something only the database saw (a reversal posted twice at once, a period closed while
      // we waited for the head): fall back to one transaction per group so each caller gets its
      // own answer.
      if (!(error instanceof LateCheckFailed)) this.logger.warn(`group commit of ${batch.length} calls failed (${String(error)}); posting them one by one`);
      for (const w of batch) {
        try {
          const [r] = await this.dataSource.transaction((m) => this.write(this.querier(m), [w.group], 'careful'));
          if (r instanceof DomainError) w.reject(r);
          else w.resolve(r);
        } catch (e) {
          w.reject(this.translate(e));
        }
      }
    }
  }

  /** Database refusals that have a ledger meaning become the ledger's domain errors. */
  private translate(error: unknown): unknown {
    if (error instanceof QueryFailedError) {
      const driver = error.driverError as { code?: string; constraint?: string };
      if (driver.code === '23505' && driver.constraint === 'ledger_entries_reversal_of') {
        return DomainError.conflict(LEDGER_ERRORS.ALREADY_REVERSED, 'The entry has already been reversed.');
      }
    }
    return error;
  }
}

function assertInTransaction(manager: EntityManager): void {
  if (!manager.queryRunner?.isTransactionActive) {
    // A programmer error: without a transaction the row locks would not hold.
    throw new Error('LedgerPostingService: pass the EntityManager of an open transaction, or null to let the ledger commit');
  }
}

/** Tags an error of a multi-entry request with the entry's index (details[].entry). */
function withEntryIndex(error: unknown, index: number | null): unknown {
  if (index === null || !(error instanceof DomainError)) return error;
  const details = error.details.length ? error.details.map((d) => ({ ...d, entry: index })) : [{ code: error.code, message: error.message, entry: index }];
  return new DomainError(error.code, error.kind, `entries.${index}: ${error.message}`, details);
}

function accountKey(book: string, code: string): string {
  return `${book}\u0000${code}`;
}

/** "1234.50" (numeric text, or Money.toString()) → 123450n fen. */
function fenOf(text: string): bigint {
  const dot = text.indexOf('.');
  if (dot < 0) return BigInt(text) * 100n;
  return BigInt(text.slice(0, dot) + `${text.slice(dot + 1)}00`.slice(0, 2));
}

/** 123450n fen → "1234.50". */
function fenText(fen: bigint): string {
  const digits = (fen < 0n ? -fen : fen).toString().padStart(3, '0');
  return `${fen < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

interface PgClient {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * A querier on one pooled connection that runs FAST_SQL as a named prepared statement (parsed and
 * planned once per connection: planning the large statement is ~0.5 ms, a fifth of a lone post).
 * Used only for lone entries, whose arrays are always tiny, so a generic plan is as good as a
 * custom one. Errors are wrapped as TypeORM's QueryFailedError, like the other queries'.
 */
function preparedQuerier(client: PgClient): Querier {
  return async (sql, params) => {
    const named = sql === FAST_SQL && !unpreparable.has(client);
    try {
      const result = await client.query({ name: named ? 'ledger_fast_v1' : undefined, text: sql, values: params });
      return result.rows;
    } catch (error) {
      // The embedded server (PGlite) runs every client connection on one session, so a statement
      // prepared through one connection "already exists" for the next: use it unnamed there.
      if (named && (error as { code?: string }).code === '42P05') {
        unpreparable.add(client);
        return (await client.query({ text: sql, values: params })).rows;
      }
      throw new QueryFailedError(sql, params, error as Error);
    }
  };
}

const unpreparable = new WeakSet<PgClient>();
