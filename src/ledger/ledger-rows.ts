import { DataSource, EntityManager } from 'typeorm';
import { REQUEST_ERRORS } from '../common/errors/common.errors';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { LEDGER_ERRORS, ledgerErrors } from './domain/ledger.errors';
import { PostedEntry } from './posting/posting.types';

/**
 * The ledger's rows as its read paths share them (queries, verify, export): a book's head, the
 * entry and line rows, and how an entry row becomes the API's PostedEntry.
 */

export interface BookView {
  code: string;
  name: string;
  lastSequence: number;
  lastHash: string;
  closedThrough: string | null;
  createdAt: Date;
}

export interface EntryRow {
  id: string;
  book: string;
  sequence: string;
  effective_date: string;
  recorded_at: Date;
  memo: string;
  link_type: string | null;
  link_id: string | null;
  reversal_of: string | null;
  prev_hash: string;
  hash: string;
}

export interface LineRow {
  entry_id: string;
  line_no: number;
  code: string;
  side: 'D' | 'C';
  amount: string;
}

/** An entry's recording instant as PostgreSQL holds it: UTC, to the microsecond ("2025-07-15T08:30:00.123000Z"). */
export const STORED_INSTANT_SQL = `to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** How many entries the keyset walks (verify, export, lists) read per query. */
export const WALK_BATCH = 1000;

export const ENTRY_COLUMNS = `e.id, e.book, e.sequence, e.effective_date, e.recorded_at, e.memo, e.link_type, e.link_id, e.reversal_of, e.prev_hash, e.hash`;

export function toPostedEntry(e: EntryRow, lines: LineRow[]): PostedEntry {
  return {
    id: e.id,
    book: e.book,
    sequence: Number(e.sequence),
    hash: e.hash,
    prevHash: e.prev_hash,
    effectiveDate: e.effective_date,
    recordedAt: e.recorded_at,
    memo: e.memo,
    link: e.link_type === null ? null : { type: e.link_type, id: e.link_id as string },
    reversalOf: e.reversal_of,
    lines: lines.map((l) => ({
      lineNo: Number(l.line_no),
      account: l.code,
      debit: l.side === 'D' ? Money.of(l.amount) : null,
      credit: l.side === 'C' ? Money.of(l.amount) : null,
    })),
  };
}

/** A book and its head; 404 LEDGER.UNKNOWN_BOOK when there is none. */
export async function readBook(q: EntityManager | DataSource, code: string): Promise<BookView> {
  const rows = (await q.query(
    `SELECT code, name, last_sequence, last_hash, closed_through, created_at FROM ledger_books WHERE code = $1`,
    [code],
  )) as { code: string; name: string; last_sequence: string; last_hash: string; closed_through: string | null; created_at: Date }[];
  if (!rows.length) throw ledgerErrors.unknownBook(code);
  const r = rows[0];
  return { code: r.code, name: r.name, lastSequence: Number(r.last_sequence), lastHash: r.last_hash, closedThrough: r.closed_through, createdAt: r.created_at };
}

/** The lines of the given entries, with their account codes, by entry id and in line order. */
export async function linesOf(q: EntityManager | DataSource, ids: string[]): Promise<Map<string, LineRow[]>> {
  const out = new Map<string, LineRow[]>();
  if (!ids.length) return out;
  const rows = (await q.query(
    `SELECT l.entry_id, l.line_no, a.code, l.side, l.amount FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id
      WHERE l.entry_id = ANY($1::uuid[]) ORDER BY l.entry_id, l.line_no`,
    [ids],
  )) as LineRow[];
  for (const r of rows) {
    const list = out.get(r.entry_id) ?? [];
    list.push(r);
    out.set(r.entry_id, list);
  }
  return out;
}

/**
 * An account whose balance row disagrees with the sum of its lines (issue 10 item 6). Both figures
 * as two-decimal text.
 */
export interface BalanceMismatch {
  code: typeof LEDGER_ERRORS.BALANCE_MISMATCH;
  account: string;
  rowDebits: string;
  rowCredits: string;
  lineDebits: string;
  lineCredits: string;
}

/**
 * Cross-checks every balance row of a book against the sum of its lines, per account (one
 * aggregate per account over the index (account_id, effective_date, sequence)); the accounts
 * that disagree, in code order. Used by verify and by the trial balance.
 */
export async function balanceMismatches(q: EntityManager | DataSource, book: string): Promise<BalanceMismatch[]> {
  const rows = (await q.query(
    `SELECT a.code AS account, a.debits::text AS "rowDebits", a.credits::text AS "rowCredits",
            s.d::numeric(20,2)::text AS "lineDebits", s.c::numeric(20,2)::text AS "lineCredits"
       FROM ledger_accounts a
       CROSS JOIN LATERAL (SELECT coalesce(sum(l.amount) FILTER (WHERE l.side = 'D'), 0) AS d,
                                  coalesce(sum(l.amount) FILTER (WHERE l.side = 'C'), 0) AS c
                             FROM ledger_lines l WHERE l.account_id = a.id) s
      WHERE a.book = $1 AND (a.debits <> s.d OR a.credits <> s.c)
      ORDER BY a.code`,
    [book],
  )) as Omit<BalanceMismatch, 'code'>[];
  return rows.map((r) => ({ code: LEDGER_ERRORS.BALANCE_MISMATCH, ...r }));
}

/**
 * `statement_timeout` of each statement of a verify or an export (SET LOCAL, real PostgreSQL):
 * each reads one batch of WALK_BATCH entries, milliseconds normally, so a statement that runs
 * for seconds is stuck or starved and is ended (503 SERVICE.TIMEOUT) rather than holding its
 * connection.
 */
export const HEAVY_READ_STATEMENT_TIMEOUT_MS = 10_000;

/**
 * Bounds the statements of the caller's transaction (SET LOCAL: until its end, so never a
 * setting left on a pooled connection, nor on the embedded server's one shared session, where a
 * session-wide SET would reach every request). The embedded server accepts it; whether its
 * single-threaded build can cancel a statement on time is not relied upon.
 */
export async function boundStatements(m: EntityManager, ms: number): Promise<void> {
  await m.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(ms))}`);
}

/** Throws REQUEST.ABORTED when the signal has fired (between the batches of a long read). */
export function stopIfGone(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw DomainError.invalid(REQUEST_ERRORS.ABORTED, 'The client went away; the read was stopped.');
}
