import { DataSource, EntityManager } from 'typeorm';
import { Money } from '../common/money/money';
import { ledgerErrors } from './domain/ledger.errors';
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
