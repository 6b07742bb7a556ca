import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionScope } from '../common/database/transaction-scope';
import { formatFen, MatchMethod } from './domain/matching';
import type { StatementLine } from './domain/statement-lines';
import { RECONCILIATION_ERRORS } from './reconciliation.errors';
import { DomainError } from '../common/errors/domain-error';

export interface ReconciliationRow {
  id: string;
  bank_code: string;
  book: string;
  account_code: string;
  period_from: string;
  period_to: string;
  opening_balance: string;
  closing_balance: string;
  line_count: number;
  source: string;
  encoding: string | null;
  file_hash: string;
  window_days: number;
  status: 'open' | 'closed';
  created_at: Date;
  created_by: string | null;
  closed_at: Date | null;
  closed_by: string | null;
  closed_summary: unknown;
}

export interface StoredLine {
  position: number;
  fileLine: number;
  date: string;
  valueDate: string | null;
  fen: bigint;
  balance: string | null;
  counterparty: string;
  reference: string;
  memo: string;
}

export interface StoredMatch {
  id: string;
  method: MatchMethod | 'manual' | 'correction';
  statementTotal: bigint;
  ledgerTotal: bigint;
  reason: string | null;
  createdAt: Date;
  createdBy: string | null;
  statement: number[];
  ledger: string[];
}

/** A ledger side of a new match: key `entryId#lineNo`, with what the item row records. */
export interface LedgerSide {
  key: string;
  date: string;
  fen: bigint;
}

export interface NewMatch {
  method: StoredMatch['method'];
  reason: string | null;
  statement: { position: number; date: string; fen: bigint }[];
  ledger: LedgerSide[];
}

/** Rows per INSERT … unnest statement: arrays of this size parse and plan faster than one of 100,000. */
const CHUNK = 20_000;

export function toFen(text: string): bigint {
  const negative = text.startsWith('-');
  const [i, d = ''] = (negative ? text.slice(1) : text).split('.');
  const fen = BigInt(i) * 100n + BigInt(d.padEnd(2, '0').slice(0, 2) || '0');
  return negative ? -fen : fen;
}

/**
 * The rows of the reconciliation tables. Statement lines and match items are written and read
 * set-based (unnest arrays, one statement each) because a statement has up to 200,000 lines and
 * the benchmark imports and matches 100,000 (docs/benchmarks.md); the rest are single rows.
 */
@Injectable()
export class ReconciliationStore {
  constructor(private readonly tx: TransactionScope) {}

  async get(id: string, lock = false): Promise<ReconciliationRow> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw notFound(id);
    const rows = (await this.tx.manager.query(`SELECT * FROM reconciliations WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])) as ReconciliationRow[];
    if (!rows.length) throw notFound(id);
    return rows[0];
  }

  /** Inserts the statement's lines; `matchOf` gives the match of each matched position. */
  async insertLines(reconciliationId: string, all: readonly StatementLine[], matchOf: ReadonlyMap<number, string> = new Map()): Promise<void> {
    for (let start = 0; start < all.length; start += CHUNK) await this.insertLineChunk(reconciliationId, all.slice(start, start + CHUNK), start, matchOf);
  }

  private async insertLineChunk(reconciliationId: string, lines: readonly StatementLine[], offset: number, matchOf: ReadonlyMap<number, string>): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO reconciliation_statement_lines (reconciliation_id, position, file_line, booked_on, value_on, amount, balance, counterparty, reference, memo, match_id)
       SELECT $1, p, fl, d, vd, a, b, c, r, m, mi FROM unnest($2::int[], $3::int[], $4::date[], $5::date[], $6::numeric[], $7::numeric[], $8::text[], $9::text[], $10::text[], $11::uuid[]) AS t(p, fl, d, vd, a, b, c, r, m, mi)`,
      [
        reconciliationId,
        lines.map((_, i) => offset + i + 1),
        lines.map((l) => l.line),
        lines.map((l) => l.date),
        lines.map((l) => l.valueDate),
        lines.map((l) => formatFen(l.fen)),
        lines.map((l) => (l.balanceFen === null ? null : formatFen(l.balanceFen))),
        lines.map((l) => l.counterparty),
        lines.map((l) => l.reference),
        lines.map((l) => l.memo),
        lines.map((_, i) => matchOf.get(offset + i + 1) ?? null),
      ],
    );
  }

  async lines(reconciliationId: string): Promise<StoredLine[]> {
    const rows = (await this.tx.manager.query(
      `SELECT position, file_line, booked_on, value_on, amount::text AS amount, balance::text AS balance, counterparty, reference, memo
         FROM reconciliation_statement_lines WHERE reconciliation_id = $1 ORDER BY position`,
      [reconciliationId],
    )) as { position: number; file_line: number; booked_on: string; value_on: string | null; amount: string; balance: string | null; counterparty: string; reference: string; memo: string }[];
    return rows.map((r) => ({
      position: Number(r.position),
      fileLine: Number(r.file_line),
      date: r.booked_on,
      valueDate: r.value_on,
      fen: toFen(r.amount),
      balance: r.balance,
      counterparty: r.counterparty,
      reference: r.reference,
      memo: r.memo,
    }));
  }

  /**
   * Inserts matches and their ledger items (two statements for any number of matches); returns
   * their ids. With `linesStored`, the statement lines (already stored) are pointed at their match,
   * and a line that is already matched refuses the whole call; otherwise the caller stores the lines
   * afterwards with `insertLines(…, matchOf)`.
   */
  async insertMatches(reconciliationId: string, account: string, matches: readonly NewMatch[], actor: string | null, linesStored: boolean): Promise<string[]> {
    if (!matches.length) return [];
    const m = this.tx.manager;
    const ids = matches.map(() => randomUUID());
    for (let start = 0; start < matches.length; start += CHUNK) {
      await this.insertMatchChunk(reconciliationId, account, matches.slice(start, start + CHUNK), ids.slice(start, start + CHUNK), actor);
    }
    if (linesStored) {
      const positions = matches.flatMap((x) => x.statement.map((s) => s.position));
      const owners = matches.flatMap((x, i) => x.statement.map(() => ids[i]));
      const updated = (await m.query(
        `UPDATE reconciliation_statement_lines l SET match_id = t.mi FROM unnest($2::int[], $3::uuid[]) AS t(p, mi)
          WHERE l.reconciliation_id = $1 AND l.position = t.p AND l.match_id IS NULL RETURNING l.position`,
        [reconciliationId, positions, owners],
      )) as unknown[];
      const count = Array.isArray(updated[0]) ? (updated[0] as unknown[]).length : updated.length;
      if (count !== positions.length) throw DomainError.conflict(RECONCILIATION_ERRORS.INVALID_MATCH, 'A statement line of the match was matched meanwhile; nothing was changed.');
    }
    return ids;
  }

  private async insertMatchChunk(reconciliationId: string, account: string, matches: readonly NewMatch[], ids: string[], actor: string | null): Promise<void> {
    const m = this.tx.manager;
    const sumOf = (xs: { fen: bigint }[]) => formatFen(xs.reduce((a, x) => a + x.fen, 0n));
    await m.query(
      `INSERT INTO reconciliation_matches (id, reconciliation_id, method, statement_total, ledger_total, reason, created_by)
       SELECT id, $1, m, st, lt, r, $7 FROM unnest($2::uuid[], $3::text[], $4::numeric[], $5::numeric[], $6::text[]) AS t(id, m, st, lt, r)`,
      [reconciliationId, ids, matches.map((x) => x.method), matches.map((x) => sumOf(x.statement)), matches.map((x) => sumOf(x.ledger)), matches.map((x) => x.reason), actor],
    );
    const items = { match: [] as string[], entry: [] as string[], line: [] as number[], date: [] as string[], amount: [] as string[] };
    matches.forEach((x, i) => {
      for (const l of x.ledger) {
        const [entry, line] = l.key.split('#');
        items.match.push(ids[i]);
        items.entry.push(entry);
        items.line.push(Number(line));
        items.date.push(l.date);
        items.amount.push(formatFen(l.fen));
      }
    });
    await m.query(
      `INSERT INTO reconciliation_match_items (match_id, reconciliation_id, entry_id, line_no, account_code, effective_date, amount)
       SELECT mi, $1, e, l, $2, d, a FROM unnest($3::uuid[], $4::uuid[], $5::smallint[], $6::date[], $7::numeric[]) AS t(mi, e, l, d, a)`,
      [reconciliationId, account, items.match, items.entry, items.line, items.date, items.amount],
    );
  }

  /** Undoes a match: its statement lines and ledger items are free again. */
  async release(reconciliationId: string, matchId: string): Promise<void> {
    await this.tx.manager.query(`UPDATE reconciliation_statement_lines SET match_id = NULL WHERE reconciliation_id = $1 AND match_id = $2`, [reconciliationId, matchId]);
    await this.tx.manager.query(`UPDATE reconciliation_match_items SET active = false WHERE reconciliation_id = $1 AND match_id = $2`, [reconciliationId, matchId]);
  }

  /** Active matches of a reconciliation with their items. */
  async matches(reconciliationId: string): Promise<StoredMatch[]> {
    const m = this.tx.manager;
    const heads = (await m.query(
      `SELECT id, method, statement_total::text AS st, ledger_total::text AS lt, reason, created_at, created_by FROM reconciliation_matches
        WHERE reconciliation_id = $1 AND undone_at IS NULL ORDER BY created_at, id`,
      [reconciliationId],
    )) as { id: string; method: StoredMatch['method']; st: string; lt: string; reason: string | null; created_at: Date; created_by: string | null }[];
    const statement = (await m.query(`SELECT position, match_id FROM reconciliation_statement_lines WHERE reconciliation_id = $1 AND match_id IS NOT NULL ORDER BY position`, [reconciliationId])) as {
      position: number;
      match_id: string;
    }[];
    const ledger = (await m.query(`SELECT match_id, entry_id, line_no FROM reconciliation_match_items WHERE reconciliation_id = $1 AND active ORDER BY entry_id, line_no`, [reconciliationId])) as {
      match_id: string;
      entry_id: string;
      line_no: number;
    }[];
    const byId = new Map<string, StoredMatch>(
      heads.map((h) => [h.id, { id: h.id, method: h.method, statementTotal: toFen(h.st), ledgerTotal: toFen(h.lt), reason: h.reason, createdAt: h.created_at, createdBy: h.created_by, statement: [], ledger: [] }]),
    );
    for (const r of statement) byId.get(r.match_id)?.statement.push(Number(r.position));
    for (const r of ledger) byId.get(r.match_id)?.ledger.push(`${r.entry_id}#${r.line_no}`);
    // Matches made together (one import) share a timestamp: then statement order.
    const first = (m: StoredMatch) => (m.statement.length ? Math.min(...m.statement) : Number.MAX_SAFE_INTEGER);
    return [...byId.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || first(a) - first(b) || (a.id < b.id ? -1 : 1));
  }

  /** Ledger lines of an account matched in any reconciliation (active), dated within [from, to]: key → reconciliation id. */
  async matchedLedgerLines(account: string, from: string, to: string): Promise<Map<string, string>> {
    const rows = (await this.tx.manager.query(
      `SELECT entry_id, line_no, reconciliation_id FROM reconciliation_match_items WHERE active AND account_code = $1 AND effective_date BETWEEN $2 AND $3`,
      [account, from, to],
    )) as { entry_id: string; line_no: number; reconciliation_id: string }[];
    return new Map(rows.map((r) => [`${r.entry_id}#${r.line_no}`, r.reconciliation_id]));
  }

  /** The earliest period start of the account's reconciliations (where carried items start), or `from`. */
  async carryFrom(account: string, from: string): Promise<string> {
    const [row] = (await this.tx.manager.query(`SELECT min(period_from) AS first FROM reconciliations WHERE account_code = $1`, [account])) as { first: string | null }[];
    return row.first && row.first < from ? row.first : from;
  }
}

function notFound(id: string): DomainError {
  return DomainError.notFound(RECONCILIATION_ERRORS.NOT_FOUND, `No reconciliation ${id.slice(0, 64)}.`);
}
