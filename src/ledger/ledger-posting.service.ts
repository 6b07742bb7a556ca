import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { isValidIsoDate } from '../common/calendar/iso-date';
import { Clock } from '../common/clock/clock';
import { DomainError, ErrorDetail } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { ACCOUNT_TYPES, AccountType, Side, checkAccountCode, checkBookCode, normalSideOf } from './domain/accounts';
import { entryHash } from './domain/canonical';
import {
  EntryLine,
  balanceOnNormalSide,
  breachesFloor,
  buildEntryLines,
  mirrorLines,
  sameLines,
  signedDelta,
} from './domain/entry';
import { LEDGER_ERRORS, ledgerErrors } from './domain/ledger.errors';

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

export interface AccountDefinition {
  book: string;
  code: string;
  name: string;
  type: AccountType;
  /** Defaults to the type's normal side; set it for a contra account. */
  normalSide?: Side;
  /** The lowest balance (on the normal side) a movement may leave; null = no floor. */
  floor?: Money | null;
}

export interface LedgerAccountView {
  book: string;
  code: string;
  name: string;
  type: AccountType;
  normalSide: Side;
  floor: Money | null;
  createdAt: Date;
}

export interface AccountBalance {
  book: string;
  account: string;
  normalSide: Side;
  asOf: string | null;
  debit: Money;
  credit: Money;
  balance: Money;
}

/** Group-commit tuning (docs/ledger.md "Throughput"). */
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

type Querier = (sql: string, params?: unknown[]) => Promise<unknown[]>;

interface Waiter {
  prepared: Prepared;
  resolve: (entry: PostedEntry) => void;
  reject: (error: unknown) => void;
}

/** Raised inside a coalesced transaction when a check that needs the book head fails late. */
class LateCheckFailed extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MEMO_MAX = 2000;

/**
 * The one way money moves (issue #4 items 2, 3, 5, 10): validates an entry, takes the touched
 * balance rows' locks in account-id order, checks floors against the locked balances, updates the
 * balance rows, then — as late as possible — locks the book head, numbers and hashes the entries
 * and inserts them with their lines. The database checks it all again (migration
 * 1732400000000-ledger).
 *
 * `post(manager, …)` joins the caller's transaction (a claim payout and its entry commit together
 * or not at all), inside a savepoint so a refused entry leaves the caller's transaction usable.
 * `post(null, …)` is group-committed: concurrent calls are coalesced into one transaction, each
 * entry checked on its own so one refused entry never fails the others.
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
  ) {}

  // ------------------------------------------------------------------------------------------
  // Books and accounts
  // ------------------------------------------------------------------------------------------

  /** Creates the book if it does not exist (idempotent). */
  async ensureBook(manager: EntityManager | null, code: string, name = ''): Promise<{ code: string; name: string; created: boolean }> {
    checkBookCode(code);
    const q = this.querier(manager);
    const inserted = (await q(
      `INSERT INTO ledger_books (code, name) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING RETURNING code, name`,
      [code, name],
    )) as { code: string; name: string }[];
    if (inserted.length) return { ...inserted[0], created: true };
    const rows = (await q(`SELECT code, name FROM ledger_books WHERE code = $1`, [code])) as { code: string; name: string }[];
    return { ...rows[0], created: false };
  }

  /**
   * Opens the account if it is missing; when it exists with the same definition (type, normal
   * side, floor) returns it; with another definition → 409 LEDGER.ACCOUNT_CONFLICT.
   */
  async ensureAccount(manager: EntityManager | null, def: AccountDefinition): Promise<LedgerAccountView & { created: boolean }> {
    checkBookCode(def.book);
    checkAccountCode(def.book, def.code);
    if (!(ACCOUNT_TYPES as readonly string[]).includes(def.type)) {
      throw DomainError.invalid(LEDGER_ERRORS.INVALID_ENTRY, `Unknown account type "${def.type}".`);
    }
    const normalSide = def.normalSide ?? normalSideOf(def.type);
    const floor = def.floor ?? null;
    const q = this.querier(manager);
    const inserted = (await q(
      `INSERT INTO ledger_accounts (book, code, name, type, normal_side, floor)
       SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM ledger_books WHERE code = $1)
       ON CONFLICT (book, code) DO NOTHING
       RETURNING book, code, name, type, normal_side, floor, created_at`,
      [def.book, def.code, def.name, def.type, normalSide, floor?.toString() ?? null],
    )) as AccountViewRow[];
    if (inserted.length) return { ...toAccountView(inserted[0]), created: true };
    const rows = (await q(
      `SELECT book, code, name, type, normal_side, floor, created_at FROM ledger_accounts WHERE book = $1 AND code = $2`,
      [def.book, def.code],
    )) as AccountViewRow[];
    if (!rows.length) throw ledgerErrors.unknownBook(def.book);
    const existing = toAccountView(rows[0]);
    const differences: ErrorDetail[] = [];
    if (existing.type !== def.type) differences.push({ code: 'TYPE', field: 'type', message: `is ${existing.type}`, existing: existing.type });
    if (existing.normalSide !== normalSide) {
      differences.push({ code: 'NORMAL_SIDE', field: 'normalSide', message: `is ${existing.normalSide}`, existing: existing.normalSide });
    }
    const sameFloor = existing.floor === null ? floor === null : floor !== null && existing.floor.eq(floor);
    if (!sameFloor) {
      differences.push({ code: 'FLOOR', field: 'floor', message: `is ${existing.floor?.toString() ?? 'none'}`, existing: existing.floor?.toString() ?? null });
    }
    if (differences.length) {
      throw DomainError.conflict(
        LEDGER_ERRORS.ACCOUNT_CONFLICT,
        `Account "${def.code}" already exists in book "${def.book}" with another definition.`,
        differences,
      );
    }
    return { ...existing, created: false };
  }

  /** Current balance (from the balance row) or as of a business date (from the lines). */
  async balance(book: string, code: string, asOf?: string | null): Promise<AccountBalance> {
    const rows = (await this.dataSource.query(
      `SELECT id, normal_side, debits, credits FROM ledger_accounts WHERE book = $1 AND code = $2`,
      [book, code],
    )) as { id: string; normal_side: Side; debits: string; credits: string }[];
    if (!rows.length) {
      await this.assertBook(book);
      throw ledgerErrors.accountNotFound(book, code);
    }
    const account = rows[0];
    let debit = Money.of(account.debits);
    let credit = Money.of(account.credits);
    if (asOf) {
      const sums = (await this.dataSource.query(
        `SELECT coalesce(sum(amount) FILTER (WHERE side = 'D'), 0) AS debit,
                coalesce(sum(amount) FILTER (WHERE side = 'C'), 0) AS credit
           FROM ledger_lines WHERE account_id = $1 AND effective_date <= $2`,
        [account.id, asOf],
      )) as { debit: string; credit: string }[];
      debit = Money.of(sums[0].debit);
      credit = Money.of(sums[0].credit);
    }
    return { book, account: code, normalSide: account.normal_side, asOf: asOf ?? null, debit, credit, balance: balanceOnNormalSide(account.normal_side, debit, credit) };
  }

  async assertBook(book: string): Promise<void> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM ledger_books WHERE code = $1`, [book])) as unknown[];
    if (!rows.length) throw ledgerErrors.unknownBook(book);
  }

  // ------------------------------------------------------------------------------------------
  // Posting
  // ------------------------------------------------------------------------------------------

  /**
   * Posts one balanced entry. `manager`: the caller's transaction (the entry commits with it);
   * null: the ledger commits it itself, coalesced with concurrent posts (group commit).
   */
  async post(manager: EntityManager | null, input: PostingInput): Promise<PostedEntry> {
    if (manager) {
      const [entry] = await this.postMany(manager, [input]);
      return entry;
    }
    const prepared = await this.prepare(this.querier(null), input, 0);
    return new Promise<PostedEntry>((resolve, reject) => {
      this.queue.push({ prepared, resolve, reject });
      this.pump();
    });
  }

  /**
   * Posts several entries all-or-nothing, in the given order (the batch endpoint, and callers
   * with more than one entry in one transaction: all their balance rows are locked together in
   * account order, which keeps concurrent transactions deadlock-free).
   */
  async postMany(manager: EntityManager | null, inputs: PostingInput[]): Promise<PostedEntry[]> {
    if (manager) {
      assertInTransaction(manager);
      const q = this.querier(manager);
      const prepared: Prepared[] = [];
      for (const [i, input] of inputs.entries()) prepared.push(await this.prepare(q, input, inputs.length > 1 ? i : null));
      const savepoint = `ledger_post_${++this.savepointCounter}`;
      await q(`SAVEPOINT ${savepoint}`);
      try {
        const results = await this.append(q, prepared, 'all');
        await q(`RELEASE SAVEPOINT ${savepoint}`);
        return results as PostedEntry[];
      } catch (error) {
        await q(`ROLLBACK TO SAVEPOINT ${savepoint}`);
        throw this.translate(error);
      }
    }
    // Our own transaction: checks run before the first write, so no savepoint is needed.
    const prepared: Prepared[] = [];
    const outside = this.querier(null);
    for (const [i, input] of inputs.entries()) prepared.push(await this.prepare(outside, input, inputs.length > 1 ? i : null));
    try {
      return (await this.dataSource.transaction((m) => this.append(this.querier(m), prepared, 'all'))) as PostedEntry[];
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Reverses an entry with a new, linked entry whose lines mirror the original's. */
  async reverse(
    manager: EntityManager | null,
    entryId: string,
    input: { effectiveDate: string; memo: string; link?: EntryLink | null },
  ): Promise<PostedEntry> {
    const original = await this.loadOriginal(this.querier(manager), entryId);
    return this.post(manager, { book: original.book, effectiveDate: input.effectiveDate, memo: input.memo, link: input.link ?? null, lines: [], reversalOf: entryId });
  }

  // ------------------------------------------------------------------------------------------
  // Internals
  // ------------------------------------------------------------------------------------------

  private querier(manager: EntityManager | null): Querier {
    const target = manager ?? this.dataSource;
    return (sql, params) => target.query(sql, params) as Promise<unknown[]>;
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
      return { index: index ?? 0, id: randomUUID(), book: input.book, effectiveDate: input.effectiveDate, memo: input.memo, link, reversalOf, lines };
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
   * Writes prepared entries in one transaction (the caller's). `all`: the first refusal throws.
   * `each`: a refused entry gets its error in the result and the others go on.
   */
  private async append(q: Querier, items: Prepared[], mode: 'all' | 'each'): Promise<(PostedEntry | DomainError)[]> {
    const results: (PostedEntry | DomainError)[] = new Array<PostedEntry | DomainError>(items.length);

    // 1. Lock the balance rows of every touched account, in account-id order (deadlock-free: every
    //    transaction takes balance rows in that one global order, then book heads in code order).
    const keys = new Map<string, { book: string; code: string }>();
    for (const item of items) for (const l of item.lines) keys.set(`${item.book}\u0000${l.account}`, { book: item.book, code: l.account });
    const keyList = [...keys.values()];
    const rows = (await q(
      `SELECT a.id, a.book, a.code, a.normal_side, a.floor, a.debits, a.credits, b.closed_through
         FROM ledger_accounts a
         JOIN unnest($1::text[], $2::text[]) AS k(book, code) ON a.book = k.book AND a.code = k.code
         JOIN ledger_books b ON b.code = a.book
        ORDER BY a.id
          FOR UPDATE OF a`,
      [keyList.map((k) => k.book), keyList.map((k) => k.code)],
    )) as AccountRow[];
    const accounts = new Map<string, { row: AccountRow; debits: Money; credits: Money; floor: Money | null }>();
    const closedThrough = new Map<string, string | null>();
    for (const r of rows) {
      accounts.set(`${r.book}\u0000${r.code}`, { row: r, debits: Money.of(r.debits), credits: Money.of(r.credits), floor: r.floor === null ? null : Money.of(r.floor) });
      closedThrough.set(r.book, r.closed_through);
    }

    // 2. Check each entry against the locked balances, in order.
    const accepted: Prepared[] = [];
    for (const [i, item] of items.entries()) {
      const error = await this.check(q, item, accounts, closedThrough);
      if (error) {
        if (mode === 'all') throw withEntryIndex(error, items.length > 1 ? item.index : null);
        results[i] = error;
        continue;
      }
      accepted.push(item);
    }
    if (!accepted.length) return results;

    // 3. Update the balance rows (net per account) and lock the book heads, in one round trip.
    const deltas = new Map<string, { debit: Money; credit: Money }>();
    for (const item of accepted) {
      for (const l of item.lines) {
        const id = (accounts.get(`${item.book}\u0000${l.account}`) as { row: AccountRow }).row.id;
        const d = deltas.get(id) ?? { debit: Money.ZERO, credit: Money.ZERO };
        if (l.side === 'debit') d.debit = d.debit.plus(l.amount);
        else d.credit = d.credit.plus(l.amount);
        deltas.set(id, d);
      }
    }
    const ids = [...deltas.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    const books = [...new Set(accepted.map((i) => i.book))].sort();
    const heads = (await q(
      `WITH moved AS (
         UPDATE ledger_accounts a SET debits = a.debits + v.debit, credits = a.credits + v.credit
           FROM unnest($1::bigint[], $2::numeric[], $3::numeric[]) AS v(id, debit, credit)
          WHERE a.id = v.id
          RETURNING a.id)
       SELECT code, last_sequence, last_hash, closed_through
         FROM ledger_books WHERE code = ANY($4::text[]) ORDER BY code FOR UPDATE`,
      [ids, ids.map((id) => (deltas.get(id) as { debit: Money }).debit.toString()), ids.map((id) => (deltas.get(id) as { credit: Money }).credit.toString()), books],
    )) as HeadRow[];

    // 4. Number and hash the entries on the locked heads.
    const head = new Map(heads.map((h) => [h.code, { sequence: Number(h.last_sequence), hash: h.last_hash, closedThrough: h.closed_through }]));
    const recordedAt = this.clock.now();
    const recordedIso = recordedAt.toISOString();
    const posted: PostedEntry[] = [];
    for (const item of accepted) {
      const h = head.get(item.book) as { sequence: number; hash: string; closedThrough: string | null };
      if (h.closedThrough !== null && item.effectiveDate <= h.closedThrough) {
        // A period was closed between step 1 and the head lock. Nothing is committed: the
        // caller's savepoint (or our own transaction) is rolled back.
        const error = ledgerErrors.closedPeriod(item.book, h.closedThrough, item.effectiveDate);
        if (mode === 'all') throw withEntryIndex(error, items.length > 1 ? item.index : null);
        throw new LateCheckFailed(error.message);
      }
      const sequence = h.sequence + 1;
      const prevHash = h.hash;
      const hash = entryHash(prevHash, { ...item, sequence, recordedAt: recordedIso });
      h.sequence = sequence;
      h.hash = hash;
      posted.push({
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
      });
    }

    // 5. Insert entries and lines in one statement.
    const lineRows: { entry: string; no: number; account: string; side: string; amount: string; date: string; seq: number }[] = [];
    accepted.forEach((item, k) => {
      for (const l of item.lines) {
        lineRows.push({
          entry: item.id,
          no: l.lineNo,
          account: (accounts.get(`${item.book}\u0000${l.account}`) as { row: AccountRow }).row.id,
          side: l.side === 'debit' ? 'D' : 'C',
          amount: l.amount.toString(),
          date: item.effectiveDate,
          seq: posted[k].sequence,
        });
      }
    });
    await q(
      `WITH e AS (
         INSERT INTO ledger_entries (id, book, sequence, effective_date, recorded_at, memo, link_type, link_id, reversal_of, line_count, prev_hash, hash)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::date[], $5::timestamptz[], $6::text[], $7::text[], $8::text[],
                              $9::uuid[], $10::int[], $11::text[], $12::text[]))
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
        lineRows.map((r) => r.entry),
        lineRows.map((r) => r.no),
        lineRows.map((r) => r.account),
        lineRows.map((r) => r.side),
        lineRows.map((r) => r.amount),
        lineRows.map((r) => r.date),
        lineRows.map((r) => r.seq),
      ],
    );
    let k = 0;
    items.forEach((_, i) => {
      if (!results[i]) results[i] = posted[k++];
    });
    return results;
  }

  /** One entry against the locked balances; applies it to them when it passes. */
  private async check(
    q: Querier,
    item: Prepared,
    accounts: Map<string, { row: AccountRow; debits: Money; credits: Money; floor: Money | null }>,
    closedThrough: Map<string, string | null>,
  ): Promise<DomainError | null> {
    const missing = [...new Set(item.lines.map((l) => l.account).filter((c) => !accounts.has(`${item.book}\u0000${c}`)))];
    if (missing.length) {
      const book = (await q(`SELECT 1 FROM ledger_books WHERE code = $1`, [item.book])) as unknown[];
      return book.length ? ledgerErrors.unknownAccounts(item.book, missing) : ledgerErrors.unknownBook(item.book);
    }
    const closed = closedThrough.get(item.book) ?? null;
    if (closed !== null && item.effectiveDate <= closed) return ledgerErrors.closedPeriod(item.book, closed, item.effectiveDate);

    // Net movement per account within the entry, then the floor rule on each.
    const net = new Map<string, { debit: Money; credit: Money }>();
    for (const l of item.lines) {
      const n = net.get(l.account) ?? { debit: Money.ZERO, credit: Money.ZERO };
      if (l.side === 'debit') n.debit = n.debit.plus(l.amount);
      else n.credit = n.credit.plus(l.amount);
      net.set(l.account, n);
    }
    const breaches: ErrorDetail[] = [];
    for (const [code, n] of net) {
      const a = accounts.get(`${item.book}\u0000${code}`) as { row: AccountRow; debits: Money; credits: Money; floor: Money | null };
      const side = a.row.normal_side;
      const before = balanceOnNormalSide(side, a.debits, a.credits);
      const change = signedDelta(side, { side: 'debit', amount: n.debit }).plus(signedDelta(side, { side: 'credit', amount: n.credit }));
      const after = before.plus(change);
      if (breachesFloor(before, after, a.floor)) {
        breaches.push({
          code: LEDGER_ERRORS.FLOOR_BREACH,
          message: `${code} would go from ${before.toString()} to ${after.toString()}, below its floor ${(a.floor as Money).toString()}`,
          account: code,
          balance: before.toString(),
          change: change.toString(),
          wouldBe: after.toString(),
          floor: (a.floor as Money).toString(),
        });
      }
    }
    if (breaches.length) return ledgerErrors.floorBreach(breaches);
    for (const [code, n] of net) {
      const a = accounts.get(`${item.book}\u0000${code}`) as { debits: Money; credits: Money };
      a.debits = a.debits.plus(n.debit);
      a.credits = a.credits.plus(n.credit);
    }
    return null;
  }

  /** Starts coalesced transactions while there is work and room (group commit). */
  private pump(): void {
    while (this.queue.length && this.inFlight < this.groupCommit.maxInFlight) {
      const batch = this.queue.splice(0, this.groupCommit.maxBatch);
      this.inFlight += 1;
      void this.runBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async runBatch(batch: Waiter[]): Promise<void> {
    try {
      const results = await this.dataSource.transaction((m) => this.append(this.querier(m), batch.map((w) => w.prepared), 'each'));
      results.forEach((r, i) => (r instanceof DomainError ? batch[i].reject(r) : batch[i].resolve(r as PostedEntry)));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(this.translate(error));
        return;
      }
      // Something only the database saw (a reversal posted twice at once, a period closed while
      // we waited for the head): fall back to one transaction per entry so each caller gets its
      // own answer.
      if (!(error instanceof LateCheckFailed)) this.logger.warn(`group commit of ${batch.length} entries failed (${String(error)}); posting them one by one`);
      for (const w of batch) {
        try {
          const [r] = await this.dataSource.transaction((m) => this.append(this.querier(m), [w.prepared], 'all'));
          w.resolve(r as PostedEntry);
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

interface AccountViewRow {
  book: string;
  code: string;
  name: string;
  type: AccountType;
  normal_side: Side;
  floor: string | null;
  created_at: Date;
}

export function toAccountView(r: AccountViewRow): LedgerAccountView {
  return { book: r.book, code: r.code, name: r.name, type: r.type, normalSide: r.normal_side, floor: r.floor === null ? null : Money.of(r.floor), createdAt: r.created_at };
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
