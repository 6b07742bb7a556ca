import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { DEFAULT_PAGE_LIMIT, Page, decodeCursor, encodeCursor } from '../common/http/pagination';
import { Money } from '../common/money/money';
import { AccountType, Side } from './domain/accounts';
import { balanceOnNormalSide, signedDelta } from './domain/entry';
import { ledgerErrors } from './domain/ledger.errors';
import { LedgerAccountView, toAccountView } from './ledger-accounts.service';
import { BalanceMismatch, BookView, ENTRY_COLUMNS, EntryRow, balanceMismatches, linesOf, readBook, toPostedEntry } from './ledger-rows';
import { PostedEntry } from './posting/posting.types';
import { REQUEST_ERRORS } from '../common/errors/common.errors';

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
  /**
   * `balanced`: the debit and credit columns agree, the total debits and credits agree, and the
   * balance rows agree with the lines (`balances`).
   */
  totals: { debit: Money; credit: Money; totalDebits: Money; totalCredits: Money; balanced: boolean };
  /**
   * Every current balance row cross-checked against the sum of its lines (issue 10 item 6), whatever
   * `asOf`: a balance row or a line changed behind the service's back shows here as
   * LEDGER.BALANCE_MISMATCH with both figures.
   */
  balances: { ok: boolean; mismatches: BalanceMismatch[] };
}


/** One line of an account with its entry's memo and link (LedgerQueryService.movements). */
export interface LedgerMovement {
  entryId: string;
  lineNo: number;
  sequence: number;
  effectiveDate: string;
  account: string;
  side: 'debit' | 'credit';
  /** Two-decimal text, as stored. */
  amount: string;
  memo: string;
  linkType: string | null;
  linkId: string | null;
  reversalOf: string | null;
}

export interface MovementFilter {
  /** One account… */
  account?: string;
  /** …or every account whose code starts with this. */
  prefix?: string;
  from?: string | null;
  to?: string | null;
  /** Only lines of entries after this sequence (book order). */
  afterSequence?: number;
}

/**
 * Reads of the ledger: books, accounts with balances, entries, statements, the trial balance.
 * (Verify and period close: LedgerAuditService; shared row shapes: ledger-rows.ts.)
 */
@Injectable()
export class LedgerQueryService {
  constructor(private readonly tx: TransactionScope) {}

  /**
   * The request's transaction when there is one (a write answers with what it wrote, uncommitted
   * until its Idempotency-Key answer commits with it), else the pool.
   */
  private get db(): EntityManager {
    return this.tx.manager;
  }

  /** A book and its head; 404 LEDGER.UNKNOWN_BOOK when there is none. */
  book(code: string, q: EntityManager | DataSource = this.db): Promise<BookView> {
    return readBook(q, code);
  }

  async accounts(book: string, prefix: string | undefined, limit = DEFAULT_PAGE_LIMIT, cursor?: string): Promise<Page<LedgerAccountView & { debit: Money; credit: Money; balance: Money }>> {
    await this.book(book);
    const after = decodeCursor(cursor, (v): v is string => typeof v === 'string');
    const rows = (await this.db.query(
      `SELECT book, code, name, type, normal_side, floor, created_at, closed_on, debits, credits FROM ledger_accounts
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
    const rows = (await this.db.query(`SELECT ${ENTRY_COLUMNS} FROM ledger_entries e WHERE e.id = $1`, [id])) as EntryRow[];
    if (!rows.length) throw ledgerErrors.entryNotFound(id);
    const lines = await linesOf(this.db, [id]);
    return toPostedEntry(rows[0], lines.get(id) ?? []);
  }

  /** Entries of a book in sequence order, optionally within effective dates. */
  async entries(book: string, from: string | undefined, to: string | undefined, limit = DEFAULT_PAGE_LIMIT, cursor?: string): Promise<Page<PostedEntry>> {
    await this.book(book);
    const after = decodeCursor(cursor, (v): v is number => typeof v === 'number' && Number.isInteger(v)) ?? 0;
    const rows = (await this.db.query(
      `SELECT ${ENTRY_COLUMNS} FROM ledger_entries e
        WHERE e.book = $1 AND e.sequence > $2 AND ($3::date IS NULL OR e.effective_date >= $3) AND ($4::date IS NULL OR e.effective_date <= $4)
        ORDER BY e.sequence LIMIT $5`,
      [book, after, from ?? null, to ?? null, limit + 1],
    )) as EntryRow[];
    const more = rows.length > limit;
    const slice = more ? rows.slice(0, limit) : rows;
    const lines = await linesOf(this.db, slice.map((r) => r.id));
    return {
      items: slice.map((r) => toPostedEntry(r, lines.get(r.id) ?? [])),
      nextCursor: more ? encodeCursor(Number(slice[slice.length - 1].sequence)) : null,
    };
  }

  /** Opening balance (before `from`), the lines from `from` to `to`, closing balance (at `to`). */
  async statement(book: string, code: string, from: string | undefined, to: string | undefined, limit = DEFAULT_PAGE_LIMIT, cursor?: string): Promise<Statement> {
    if (from && to && from > to) throw DomainError.invalid(REQUEST_ERRORS.INVALID, '`from` must not be after `to`.');
    const accounts = (await this.db.query(`SELECT id, normal_side FROM ledger_accounts WHERE book = $1 AND code = $2`, [book, code])) as {
      id: string;
      normal_side: Side;
    }[];
    if (!accounts.length) {
      await this.book(book);
      throw ledgerErrors.accountNotFound(book, code);
    }
    const { id, normal_side: side } = accounts[0];
    const sums = (await this.db.query(
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
    const rows = (await this.db.query(
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

  /** Trial balance as of a date (from the lines) or now (from the balance rows), with the balance rows cross-checked against the lines. */
  async trialBalance(book: string, asOf?: string | null, q: EntityManager | DataSource = this.db): Promise<TrialBalance> {
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
    const mismatches = await balanceMismatches(q, book);
    return {
      book,
      asOf: asOf ?? null,
      headSequence: head.lastSequence,
      headHash: head.lastHash,
      rows: out,
      totals: { debit, credit, totalDebits, totalCredits, balanced: debit.eq(credit) && totalDebits.eq(totalCredits) && mismatches.length === 0 },
      balances: { ok: mismatches.length === 0, mismatches },
    };
  }

  /**
   * The lines of one account (or of every account under a prefix), with their entries' memos and
   * links, in book order: what reconciliation matches against a bank statement and turns into
   * payment instructions. One set-based query without pagination, because a reconciliation needs
   * every line of the period at once (100,000 lines in the reconciliation benchmark). Pass the
   * caller's transaction as `q` to read inside it.
   */
  async movements(book: string, filter: MovementFilter, q: EntityManager | DataSource = this.db): Promise<LedgerMovement[]> {
    // After a sequence, the entries (book, sequence) index leads; otherwise the account's lines (account, date).
    const source = filter.afterSequence
      ? `ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id JOIN ledger_accounts a ON a.id = l.account_id`
      : `ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id JOIN ledger_entries e ON e.id = l.entry_id`;
    const rows = (await q.query(
      `SELECT l.entry_id, l.line_no, l.sequence, l.effective_date, a.code, l.side, l.amount::text AS amount, e.memo, e.link_type, e.link_id, e.reversal_of
         FROM ${source}
        WHERE a.book = $1 AND e.book = $1 AND ($2::text IS NULL OR a.code = $2) AND ($3::text IS NULL OR a.code LIKE $3 || '%')
          AND ($4::date IS NULL OR l.effective_date >= $4) AND ($5::date IS NULL OR l.effective_date <= $5) AND e.sequence > $6
        ORDER BY l.sequence, l.line_no`,
      [book, filter.account ?? null, filter.prefix ?? null, filter.from ?? null, filter.to ?? null, filter.afterSequence ?? 0],
    )) as { entry_id: string; line_no: number; sequence: string; effective_date: string; code: string; side: 'D' | 'C'; amount: string; memo: string; link_type: string | null; link_id: string | null; reversal_of: string | null }[];
    return rows.map((r) => ({
      entryId: r.entry_id,
      lineNo: Number(r.line_no),
      sequence: Number(r.sequence),
      effectiveDate: r.effective_date,
      account: r.code,
      side: r.side === 'D' ? 'debit' : 'credit',
      amount: r.amount,
      memo: r.memo,
      linkType: r.link_type,
      linkId: r.link_id,
      reversalOf: r.reversal_of,
    }));
  }
}
