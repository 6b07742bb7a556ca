import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { quarterLastDay } from '../common/calendar/quarter';
import { Clock } from '../common/clock/clock';
import { DomainError } from '../common/errors/domain-error';
import { DEFAULT_PAGE_LIMIT, Page, decodeCursor, encodeCursor } from '../common/http/pagination';
import { Money } from '../common/money/money';
import { AccountType, Side } from './domain/accounts';
import { BrokenLink, ChainVerifier } from './domain/chain-verifier';
import { balanceOnNormalSide, signedDelta } from './domain/entry';
import { ledgerErrors } from './domain/ledger.errors';
import { LedgerAccountView, toAccountView } from './ledger-accounts.service';
import { PostedEntry } from './ledger-posting.service';

export interface StatementLine {
  entryId: string;
  sequence: number;
  effectiveDate: string;
  recordedAt: Date;
  memo: string;
  lineNo: number;
  debit: Money | null;
  credit: Money | null;
  /** Balance on the normal side after this line. */
  balance: Money;
}

export interface Totals {
  debit: Money;
  credit: Money;
  balance: Money;
}

export interface Statement {
  book: string;
  account: string;
  normalSide: Side;
  from: string | null;
  to: string | null;
  opening: Totals;
  closing: Totals;
  lines: StatementLine[];
  nextCursor: string | null;
}

export interface TrialBalanceRow {
  account: string;
  name: string;
  type: AccountType;
  normalSide: Side;
  /** Net balance shown in the debit column (debits exceed credits), else 0.00. */
  debit: Money;
  /** Net balance shown in the credit column (credits exceed debits), else 0.00. */
  credit: Money;
  /** Balance on the account's normal side. */
  balance: Money;
  totalDebits: Money;
  totalCredits: Money;
}

export interface TrialBalance {
  book: string;
  asOf: string | null;
  headSequence: number;
  headHash: string;
  rows: TrialBalanceRow[];
  totals: { debit: Money; credit: Money; totalDebits: Money; totalCredits: Money; balanced: boolean };
}

export interface VerifyReport {
  ok: boolean;
  book: string;
  entries: number;
  head: string;
  firstBroken: BrokenLink | null;
  balances: { ok: boolean; mismatches: { account: string; rowDebits: string; rowCredits: string; lineDebits: string; lineCredits: string }[] };
}

export interface PeriodClose {
  book: string;
  quarter: string;
  closedThrough: string;
  lastSequence: number;
  headHash: string;
  closedAt: Date;
}

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

const ENTRY_COLUMNS = `e.id, e.book, e.sequence, e.effective_date, e.recorded_at, e.memo, e.link_type, e.link_id, e.reversal_of, e.prev_hash, e.hash`;

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

/** Reads of the ledger: entries, balances, statements, trial balance, verify; period close. */
@Injectable()
export class LedgerQueryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async book(code: string, q: EntityManager | DataSource = this.dataSource): Promise<BookView> {
    const rows = (await q.query(
      `SELECT code, name, last_sequence, last_hash, closed_through, created_at FROM ledger_books WHERE code = $1`,
      [code],
    )) as { code: string; name: string; last_sequence: string; last_hash: string; closed_through: string | null; created_at: Date }[];
    if (!rows.length) throw ledgerErrors.unknownBook(code);
    const r = rows[0];
    return { code: r.code, name: r.name, lastSequence: Number(r.last_sequence), lastHash: r.last_hash, closedThrough: r.closed_through, createdAt: r.created_at };
  }

  async accounts(book: string, prefix: string | undefined, limit = DEFAULT_PAGE_LIMIT, cursor?: string): Promise<Page<LedgerAccountView & { debit: Money; credit: Money; balance: Money }>> {
    await this.book(book);
    const after = decodeCursor(cursor, (v): v is string => typeof v === 'string');
    const rows = (await this.dataSource.query(
      `SELECT book, code, name, type, normal_side, floor, created_at, debits, credits FROM ledger_accounts
        WHERE book = $1 AND ($2::text IS NULL OR code LIKE $2 || '%') AND ($3::text IS NULL OR code > $3)
        ORDER BY code LIMIT $4`,
      [book, prefix ?? null, after, limit + 1],
    )) as (Parameters<typeof toAccountView>[0] & { debits: string; credits: string })[];
    const more = rows.length > limit;
    const slice = more ? rows.slice(0, limit) : rows;
    return {
      items: slice.map((r) => {
        const debit = Money.of(r.debits);
        const credit = Money.of(r.credits);
        return { ...toAccountView(r), debit, credit, balance: balanceOnNormalSide(r.normal_side, debit, credit) };
      }),
      nextCursor: more ? encodeCursor(slice[slice.length - 1].code) : null,
    };
  }

  async entry(id: string): Promise<PostedEntry> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw ledgerErrors.entryNotFound(id);
    const rows = (await this.dataSource.query(`SELECT ${ENTRY_COLUMNS} FROM ledger_entries e WHERE e.id = $1`, [id])) as EntryRow[];
    if (!rows.length) throw ledgerErrors.entryNotFound(id);
    const lines = await this.linesOf(this.dataSource, [id]);
    return toPostedEntry(rows[0], lines.get(id) ?? []);
  }

  /** Entries of a book in sequence order, optionally within effective dates. */
  async entries(book: string, from: string | undefined, to: string | undefined, limit = DEFAULT_PAGE_LIMIT, cursor?: string): Promise<Page<PostedEntry>> {
    await this.book(book);
    const after = decodeCursor(cursor, (v): v is number => typeof v === 'number' && Number.isInteger(v)) ?? 0;
    const rows = (await this.dataSource.query(
      `SELECT ${ENTRY_COLUMNS} FROM ledger_entries e
        WHERE e.book = $1 AND e.sequence > $2 AND ($3::date IS NULL OR e.effective_date >= $3) AND ($4::date IS NULL OR e.effective_date <= $4)
        ORDER BY e.sequence LIMIT $5`,
      [book, after, from ?? null, to ?? null, limit + 1],
    )) as EntryRow[];
    const more = rows.length > limit;
    const slice = more ? rows.slice(0, limit) : rows;
    const lines = await this.linesOf(this.dataSource, slice.map((r) => r.id));
    return {
      items: slice.map((r) => toPostedEntry(r, lines.get(r.id) ?? [])),
      nextCursor: more ? encodeCursor(Number(slice[slice.length - 1].sequence)) : null,
    };
  }

  async linesOf(q: EntityManager | DataSource, ids: string[]): Promise<Map<string, LineRow[]>> {
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

  /** Opening balance (before `from`), the lines from `from` to `to`, closing balance (at `to`). */
  async statement(book: string, code: string, from: string | undefined, to: string | undefined, limit = DEFAULT_PAGE_LIMIT, cursor?: string): Promise<Statement> {
    if (from && to && from > to) throw DomainError.invalid('REQUEST.INVALID', '`from` must not be after `to`.');
    const accounts = (await this.dataSource.query(`SELECT id, normal_side FROM ledger_accounts WHERE book = $1 AND code = $2`, [book, code])) as {
      id: string;
      normal_side: Side;
    }[];
    if (!accounts.length) {
      await this.book(book);
      throw ledgerErrors.accountNotFound(book, code);
    }
    const { id, normal_side: side } = accounts[0];
    const sums = (await this.dataSource.query(
      `SELECT coalesce(sum(amount) FILTER (WHERE side = 'D' AND ($2::date IS NOT NULL AND effective_date < $2)), 0) AS od,
              coalesce(sum(amount) FILTER (WHERE side = 'C' AND ($2::date IS NOT NULL AND effective_date < $2)), 0) AS oc,
              coalesce(sum(amount) FILTER (WHERE side = 'D'), 0) AS cd,
              coalesce(sum(amount) FILTER (WHERE side = 'C'), 0) AS cc
         FROM ledger_lines WHERE account_id = $1 AND ($3::date IS NULL OR effective_date <= $3)`,
      [id, from ?? null, to ?? null],
    )) as { od: string; oc: string; cd: string; cc: string }[];
    const totals = (d: string, c: string): Totals => ({ debit: Money.of(d), credit: Money.of(c), balance: balanceOnNormalSide(side, Money.of(d), Money.of(c)) });
    const opening = totals(sums[0].od, sums[0].oc);
    const closing = totals(sums[0].cd, sums[0].cc);

    type Key = [string, number, number, string];
    const after = decodeCursor(cursor, (v): v is Key => Array.isArray(v) && v.length === 4);
    const rows = (await this.dataSource.query(
      `SELECT l.entry_id, l.sequence, l.effective_date, l.line_no, l.side, l.amount, e.recorded_at, e.memo
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
        WHERE l.account_id = $1 AND ($2::date IS NULL OR l.effective_date >= $2) AND ($3::date IS NULL OR l.effective_date <= $3)
          AND ($4::date IS NULL OR (l.effective_date, l.sequence, l.line_no) > ($4::date, $5::bigint, $6::smallint))
        ORDER BY l.effective_date, l.sequence, l.line_no LIMIT $7`,
      [id, from ?? null, to ?? null, after?.[0] ?? null, after?.[1] ?? 0, after?.[2] ?? 0, limit + 1],
    )) as { entry_id: string; sequence: string; effective_date: string; line_no: number; side: 'D' | 'C'; amount: string; recorded_at: Date; memo: string }[];
    const more = rows.length > limit;
    const slice = more ? rows.slice(0, limit) : rows;
    let running = after ? Money.of(after[3]) : opening.balance;
    const lines = slice.map((r) => {
      const amount = Money.of(r.amount);
      running = running.plus(signedDelta(side, { side: r.side === 'D' ? 'debit' : 'credit', amount }));
      return {
        entryId: r.entry_id,
        sequence: Number(r.sequence),
        effectiveDate: r.effective_date,
        recordedAt: r.recorded_at,
        memo: r.memo,
        lineNo: Number(r.line_no),
        debit: r.side === 'D' ? amount : null,
        credit: r.side === 'C' ? amount : null,
        balance: running,
      };
    });
    const last = lines[lines.length - 1];
    return {
      book,
      account: code,
      normalSide: side,
      from: from ?? null,
      to: to ?? null,
      opening,
      closing,
      lines,
      nextCursor: more ? encodeCursor([last.effectiveDate, last.sequence, last.lineNo, last.balance.toString()]) : null,
    };
  }

  /** Trial balance as of a date (from the lines) or now (from the balance rows). */
  async trialBalance(book: string, asOf?: string | null, q: EntityManager | DataSource = this.dataSource): Promise<TrialBalance> {
    const head = await this.book(book, q);
    const rows = (await q.query(
      asOf
        ? `SELECT a.code, a.name, a.type, a.normal_side, coalesce(s.d, 0) AS debits, coalesce(s.c, 0) AS credits
             FROM ledger_accounts a
             LEFT JOIN LATERAL (SELECT sum(amount) FILTER (WHERE side = 'D') AS d, sum(amount) FILTER (WHERE side = 'C') AS c
                                  FROM ledger_lines l WHERE l.account_id = a.id AND l.effective_date <= $2) s ON true
            WHERE a.book = $1 ORDER BY a.code`
        : `SELECT code, name, type, normal_side, debits, credits FROM ledger_accounts WHERE book = $1 AND $2::date IS NULL ORDER BY code`,
      [book, asOf ?? null],
    )) as { code: string; name: string; type: AccountType; normal_side: Side; debits: string; credits: string }[];
    let debit = Money.ZERO;
    let credit = Money.ZERO;
    let totalDebits = Money.ZERO;
    let totalCredits = Money.ZERO;
    const out = rows.map((r) => {
      const d = Money.of(r.debits);
      const c = Money.of(r.credits);
      const net = d.minus(c);
      const row: TrialBalanceRow = {
        account: r.code,
        name: r.name,
        type: r.type,
        normalSide: r.normal_side,
        debit: net.isPositive() ? net : Money.ZERO,
        credit: net.isNegative() ? net.negated() : Money.ZERO,
        balance: balanceOnNormalSide(r.normal_side, d, c),
        totalDebits: d,
        totalCredits: c,
      };
      debit = debit.plus(row.debit);
      credit = credit.plus(row.credit);
      totalDebits = totalDebits.plus(d);
      totalCredits = totalCredits.plus(c);
      return row;
    });
    return {
      book,
      asOf: asOf ?? null,
      headSequence: head.lastSequence,
      headHash: head.lastHash,
      rows: out,
      totals: { debit, credit, totalDebits, totalCredits, balanced: debit.eq(credit) && totalDebits.eq(totalCredits) },
    };
  }

  /**
   * Walks the book's hash chain in sequence order (keyset batches, constant memory) inside one
   * repeatable-read snapshot, then checks every balance row against the sum of its lines.
   */
  async verify(book: string): Promise<VerifyReport> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const head = await this.book(book, m);
      const verifier = new ChainVerifier();
      let after = 0;
      for (;;) {
        const entries = (await m.query(
          `SELECT ${ENTRY_COLUMNS} FROM ledger_entries e WHERE e.book = $1 AND e.sequence > $2 ORDER BY e.sequence LIMIT $3`,
          [book, after, WALK_BATCH],
        )) as EntryRow[];
        if (!entries.length) break;
        const lines = await this.linesOf(m, entries.map((e) => e.id));
        for (const e of entries) {
          const p = toPostedEntry(e, lines.get(e.id) ?? []);
          verifier.feed({
            ...p,
            recordedAt: p.recordedAt.toISOString(),
            lines: p.lines.map((l) => ({ lineNo: l.lineNo, account: l.account, side: l.debit ? 'debit' : 'credit', amount: (l.debit ?? l.credit) as Money })),
          });
        }
        after = Number(entries[entries.length - 1].sequence);
      }
      const chain = verifier.finish({ lastSequence: head.lastSequence, lastHash: head.lastHash });
      const mismatches = (await m.query(
        `SELECT a.code AS account, a.debits AS "rowDebits", a.credits AS "rowCredits",
                coalesce(s.d, 0)::numeric(20,2)::text AS "lineDebits", coalesce(s.c, 0)::numeric(20,2)::text AS "lineCredits"
           FROM ledger_accounts a
           LEFT JOIN (SELECT account_id, sum(amount) FILTER (WHERE side = 'D') AS d, sum(amount) FILTER (WHERE side = 'C') AS c
                        FROM ledger_lines GROUP BY account_id) s ON s.account_id = a.id
          WHERE a.book = $1 AND (a.debits <> coalesce(s.d, 0) OR a.credits <> coalesce(s.c, 0))
          ORDER BY a.code`,
        [book],
      )) as VerifyReport['balances']['mismatches'];
      return { ...chain, ok: chain.ok && mismatches.length === 0, book, balances: { ok: mismatches.length === 0, mismatches } };
    });
  }

  /**
   * Closes a quarter of a book: no entry dated on or before its last day is accepted afterwards
   * (the posting service checks it, the entry trigger too). Takes the book-head lock, so it
   * serialises with postings. Closing a quarter again returns the first close.
   */
  async closePeriod(book: string, quarter: string): Promise<PeriodClose & { created: boolean }> {
    const closedThrough = quarterLastDay(quarter);
    if (closedThrough >= this.clock.today()) {
      throw DomainError.rule('LEDGER.PERIOD_NOT_ENDED', `Quarter ${quarter} has not ended yet (it ends on ${closedThrough}).`);
    }
    return this.dataSource.transaction(async (m) => {
      const heads = (await m.query(`SELECT last_sequence, last_hash, closed_through FROM ledger_books WHERE code = $1 FOR UPDATE`, [book])) as {
        last_sequence: string;
        last_hash: string;
        closed_through: string | null;
      }[];
      if (!heads.length) throw ledgerErrors.unknownBook(book);
      const existing = (await m.query(
        `SELECT book, quarter, closed_through, last_sequence, head_hash, closed_at FROM ledger_period_closes WHERE book = $1 AND quarter = $2`,
        [book, quarter],
      )) as PeriodRow[];
      if (existing.length) return { ...toPeriod(existing[0]), created: false };
      const h = heads[0];
      if (h.closed_through === null || h.closed_through < closedThrough) {
        await m.query(`UPDATE ledger_books SET closed_through = $2 WHERE code = $1`, [book, closedThrough]);
      }
      const inserted = (await m.query(
        `INSERT INTO ledger_period_closes (book, quarter, closed_through, last_sequence, head_hash, closed_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING book, quarter, closed_through, last_sequence, head_hash, closed_at`,
        [book, quarter, closedThrough, h.last_sequence, h.last_hash, this.clock.now().toISOString()],
      )) as PeriodRow[];
      return { ...toPeriod(inserted[0]), created: true };
    });
  }
}

interface PeriodRow {
  book: string;
  quarter: string;
  closed_through: string;
  last_sequence: string;
  head_hash: string;
  closed_at: Date;
}

function toPeriod(r: PeriodRow): PeriodClose {
  return { book: r.book, quarter: r.quarter, closedThrough: r.closed_through, lastSequence: Number(r.last_sequence), headHash: r.head_hash, closedAt: r.closed_at };
}
