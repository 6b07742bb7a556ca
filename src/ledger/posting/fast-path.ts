import { fenOf, fenText } from '../../common/money/fen';
import { CANONICAL_VERSION, microsText } from '../domain/canonical';
import { Side } from '../domain/accounts';
import { Balances, accountKey, checkGroup } from '../domain/posting-check';
import { Numbering, postedEntry } from './numbering';
import { FastPathDeclined } from './posting.errors';
import { Group, PostedEntry, Prepared, Querier } from './posting.types';

/**
 * The fast path: the whole write in one statement, so a transaction holds the hot balance rows
 * and the book head for one statement and its COMMIT only (no client round trip in between).
 *
 * The ledger writes with SQL rather than through TypeORM entities and repositories on purpose: a
 * repository needs a round trip per step and per row, and the hot rows would be held across all
 * of them. docs/benchmarks.md "Ledger posting": with this one statement and the rest of that
 * rework (steps 1–7 there), one writer's post() went from 372 to 788 entries/s and 4 writers'
 * postMany(100) from 4,914 to 8,191 entries/s.
 *
 * 1. `locked`: locks the touched balance rows in account-id order; `moved` adds the movements,
 *    RETURNING the new totals (the old ones, for the floor checks in code, are new − movement);
 * 2. `heads`: locks the book heads in code order, after the balance rows (the initplan on
 *    `moved`), which keeps the one global lock order;
 * 3. `chain`: numbers and hashes the entries on the locked heads, per book in call order:
 *    hash = sha256(prev_hash ‖ canonical), the canonical form built in code around the sequence
 *    (before ‖ sequence ‖ middle ‖ recordedAt ‖ after, see canonicalParts), from the values as
 *    they are stored (prepare.ts) and recordedAt as PostgreSQL returns it (microsText);
 * 4. inserts the entries and their lines (lines_in_statement: checked at the end of the statement).
 * Entries are passed grouped by book; $24–$26 give each book's range of array positions.
 */
export const FAST_SQL = `
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
                                lines_in_statement, canonical_version)
    SELECT e.id, e.book, c.seq, e.effective_date, $17::timestamptz, e.memo, e.link_type, e.link_id, e.reversal_of, e.line_count, c.prev, c.hash, true,
           ${CANONICAL_VERSION}
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

/**
 * FAST_SQL as a named prepared statement, for connections that run it often (lone entries,
 * pg-client.ts). A changed statement needs a new name: a connection keeps the old one.
 */
export const FAST_STATEMENT = { name: `ledger_fast_v2_c${CANONICAL_VERSION}`, text: FAST_SQL } as const;

/** One row of FAST_SQL: a moved balance row ('a'), a locked book head ('h'), a numbered entry ('e': idx, sequence, hash, prev hash). */
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

/** An account's movement if every group passes. */
interface Move {
  book: string;
  code: string;
  debit: bigint;
  credit: bigint;
}

/** The statement's inputs: the touched accounts, the entries grouped by book, and the lines. */
interface FastPlan {
  moves: Map<string, Move>;
  books: string[];
  ordered: Prepared[];
  ranges: { book: string[]; start: number[]; stop: number[] };
  lines: { entry: number[]; no: number[]; account: number[]; side: string[]; amount: string[] };
}

/**
 * Writes the groups with FAST_SQL in the caller's transaction (or, `autocommit`, as a statement of
 * its own: only for groups that autocommitSafe allows, see docs/ledger.md "Group commit"). It assumes every group
 * passes: when the checks in code refuse one, or an account or book is unknown, it throws
 * FastPathDeclined, and the caller rolls back and takes the careful path. A trigger's refusal
 * surfaces as the statement's error (posting.errors.ts isLedgerRefusal).
 */
export async function writeFast(
  q: Querier,
  groups: Group[],
  now: () => Date,
  autocommit: boolean,
  unfloored?: Set<string>,
): Promise<PostedEntry[][]> {
  const plan = planFast(groups);
  // recordedAt is read just before the statement that takes the locks (docs/ledger.md).
  const recordedAt = now();
  const rows = (await q(FAST_SQL, fastParams(plan, recordedAt.toISOString()))) as FastRow[];
  const { balances, heads, numbered } = readRows(rows, plan);
  if (unfloored) {
    // Account definitions never change (ledger_account_guard), so an account seen without a floor
    // keeps none: autocommitSafe need not look at its movements again.
    for (const [key, b] of balances) if (b.floor === null) unfloored.add(key);
  }
  // (The statement itself fails on an unknown account, a closed period or a floor breached by the
  // net movement: the triggers refuse the rows.)
  if (autocommit) {
    // Committed already: the statement succeeded, so the triggers accepted exactly what the
    // checks in code would (autocommitSafe) — or, for an unknown book (no head, so no account of
    // it either; the batch is of one book), the statement wrote nothing.
    if (numbered.size !== plan.ordered.length) throw new FastPathDeclined('unknown book');
  } else {
    if (balances.size !== plan.moves.size || heads.size !== plan.books.length || numbered.size !== plan.ordered.length) {
      throw new FastPathDeclined('unknown account or book');
    }
    const closedOf = (book: string) => heads.get(book) ?? null;
    for (const g of groups) {
      if (checkGroup(g, balances, closedOf).kind !== 'accepted') throw new FastPathDeclined('a group is refused');
    }
  }
  return groups.map((g) => g.items.map((item) => postedEntry(item, numbered.get(item) as Numbering, recordedAt)));
}

/**
 * Whether a batch may run as one autocommitted fast statement, with no check in code before its
 * COMMIT: every entry is in one book, and no account that may have a floor is moved both ways by
 * the batch's entries (each entry's net movement per account counts; a net of zero moves nothing).
 *
 * Then the database refuses exactly what the checks in code would. Floors: the code checks each
 * entry in order against the balance as moved by the earlier ones, the balance-row trigger checks
 * the statement's net movement once; when every movement of an account goes the same way, its
 * balance only rises (never refused either way) or only falls — and then some entry ends below
 * the floor if and only if the last one does, which is what the trigger sees. An unknown account
 * leaves its entry's lines incomplete (the entry trigger refuses the statement), a closed period
 * is refused by the entry trigger, and an unknown book (the batch's only one) writes nothing.
 * So the statement commits what the careful path would, or fails having written nothing.
 *
 * `unfloored`: accounts known to have no floor (writeFast learns them; definitions never change).
 *
 * Example: entries [debit A 10 / credit D 10] and [debit D 5 / credit B 5], D a floored deposit
 * → D moves both ways: not safe (a transaction, checked in code); [debit A 10 / credit D 10] and
 * [debit B 5 / credit D 5] → D only falls: safe.
 */
export function autocommitSafe(groups: readonly Group[], unfloored: ReadonlySet<string>): boolean {
  const book = groups[0]?.items[0]?.book;
  const ways = new Map<string, boolean>();
  for (const g of groups) {
    for (const item of g.items) {
      if (item.book !== book) return false;
      const net = new Map<string, bigint>();
      item.lines.forEach((l, i) => net.set(l.account, (net.get(l.account) ?? 0n) + (l.side === 'debit' ? item.fen[i] : -item.fen[i])));
      for (const [account, n] of net) {
        const key = accountKey(book, account);
        if (n === 0n || unfloored.has(key)) continue;
        const up = n > 0n;
        const seen = ways.get(key);
        if (seen === undefined) ways.set(key, up);
        else if (seen !== up) return false;
      }
    }
  }
  return true;
}

function planFast(groups: Group[]): FastPlan {
  const moves = new Map<string, Move>();
  const byBook = new Map<string, Prepared[]>();
  for (const g of groups) {
    for (const item of g.items) {
      item.lines.forEach((l, i) => {
        const key = accountKey(item.book, l.account);
        let m = moves.get(key);
        if (!m) moves.set(key, (m = { book: item.book, code: l.account, debit: 0n, credit: 0n }));
        if (l.side === 'debit') m.debit += item.fen[i];
        else m.credit += item.fen[i];
      });
      // Entries grouped by book, call order kept within a book.
      (byBook.get(item.book) ?? (byBook.set(item.book, []).get(item.book) as Prepared[])).push(item);
    }
  }
  const accountIndex = new Map<string, number>();
  [...moves.keys()].forEach((key, i) => accountIndex.set(key, i + 1));
  const books = [...byBook.keys()].sort();
  const ordered: Prepared[] = [];
  const ranges = { book: [] as string[], start: [] as number[], stop: [] as number[] };
  for (const book of books) {
    ranges.book.push(book);
    ranges.start.push(ordered.length + 1);
    ordered.push(...(byBook.get(book) as Prepared[]));
    ranges.stop.push(ordered.length);
  }
  const lines: FastPlan['lines'] = { entry: [], no: [], account: [], side: [], amount: [] };
  ordered.forEach((item, k) => {
    item.lines.forEach((l, n) => {
      lines.entry.push(k + 1);
      lines.no.push(l.lineNo);
      lines.account.push(accountIndex.get(accountKey(item.book, l.account)) as number);
      lines.side.push(l.side === 'debit' ? 'D' : 'C');
      lines.amount.push(item.amounts[n]);
    });
  });
  return { moves, books, ordered, ranges, lines };
}

function fastParams(plan: FastPlan, recordedIso: string): unknown[] {
  const list = [...plan.moves.values()];
  const { ordered, lines, ranges } = plan;
  return [
    list.map((m) => m.book),
    list.map((m) => m.code),
    list.map((m) => fenText(m.debit)),
    list.map((m) => fenText(m.credit)),
    plan.books,
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
    // The canonical form's recordedAt: the stored instant as PostgreSQL gives it back (microseconds).
    JSON.stringify(microsText(new Date(recordedIso))),
    lines.entry,
    lines.no,
    lines.account,
    lines.side,
    lines.amount,
    ranges.book,
    ranges.start,
    ranges.stop,
  ];
}

/** The statement's rows: balances before the move (new − movement), heads' closed-through dates, each entry's numbering. */
function readRows(rows: FastRow[], plan: FastPlan): { balances: Balances; heads: Map<string, string | null>; numbered: Map<Prepared, Numbering> } {
  const balances: Balances = new Map();
  const heads = new Map<string, string | null>();
  const numbered = new Map<Prepared, Numbering>();
  for (const r of rows) {
    if (r.kind === 'h') {
      heads.set(r.book, r.closed_through);
    } else if (r.kind === 'e') {
      numbered.set(plan.ordered[Number(r.id) - 1], { sequence: Number(r.last_sequence), hash: r.last_hash as string, prevHash: r.closed_through as string });
    } else {
      const key = accountKey(r.book, r.code as string);
      const m = plan.moves.get(key) as Move;
      balances.set(key, {
        id: r.id as string,
        normalSide: r.normal_side as Side,
        floor: r.floor === null ? null : fenOf(r.floor),
        debits: fenOf(r.debits as string) - m.debit,
        credits: fenOf(r.credits as string) - m.credit,
      });
    }
  }
  return { balances, heads, numbered };
}
