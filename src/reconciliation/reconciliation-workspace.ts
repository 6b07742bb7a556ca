import { Injectable } from '@nestjs/common';
import { addDays, isWorkingDay, toDayNumber } from '../common/calendar';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerQueryService } from '../ledger/ledger-query.service';
import { RESERVE_BOOK } from '../reserve/domain/books';
import type { LedgerItem } from './domain/matching';
import { BalanceItem, balanceReport, BalanceReport } from './domain/reconciliation-balance';
import { PaymentInstructionsService } from './payment-instructions.service';
import { ReconciliationRow, ReconciliationStore, StoredLine, StoredMatch, toFen } from './reconciliation-store';

/** A ledger line of the reserve account as reconciliation sees it. */
export interface BookLine extends LedgerItem {
  entryId: string;
  lineNo: number;
  sequence: number;
  memo: string;
  /** Dated before the period: carried in transit from an earlier one. */
  carried: boolean;
}

/** Everything one reconciliation needs, read in one go. */
export interface Workspace {
  rec: ReconciliationRow;
  lines: StoredLine[];
  matches: StoredMatch[];
  /** The account's ledger lines this reconciliation may match (its period's, and unmatched earlier ones). */
  book: BookLine[];
  matchedStatement: Set<number>;
  matchedLedger: Set<string>;
  ledgerClosingFen: bigint;
  balance: BalanceReport;
}

/**
 * The working-day index of a date (RULES §9 calendar), for the matching date window: consecutive
 * working days differ by 1, and a day off counts half-way after the working day before it (a
 * Saturday is 0.5 from Friday and from Monday). Built once for the days from `from` − 30 to `to` + 30;
 * outside them (never the case for a statement's own dates) calendar days count 5/7.
 */
export function workingDayIndex(from: string, to: string): (date: string) => number {
  const start = addDays(from, -30);
  const end = addDays(to, 30);
  const index = new Map<string, number>();
  let i = 0;
  for (let d = start; d <= end; d = addDays(d, 1)) {
    i = isWorkingDay(d) ? Math.floor(i) + 1 : Math.floor(i) + 0.5;
    index.set(d, i);
  }
  const base = toDayNumber(start);
  return (date: string) => index.get(date) ?? ((toDayNumber(date) - base) * 5) / 7;
}

@Injectable()
export class ReconciliationWorkspaceService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly store: ReconciliationStore,
    private readonly ledger: LedgerQueryService,
    private readonly accounts: LedgerAccountsService,
    private readonly instructions: PaymentInstructionsService,
  ) {}

  /**
   * The ledger lines an account's reconciliation for [from, to] may match: the period's lines not
   * matched by another reconciliation, and the earlier lines (from the account's first
   * reconciliation on) matched by none — items still in transit.
   */
  async bookLines(account: string, from: string, to: string, reconciliationId: string | null): Promise<BookLine[]> {
    const carryFrom = await this.store.carryFrom(account, from);
    // One after the other: inside a transaction they share its one connection.
    const moves = await this.ledger.movements(RESERVE_BOOK, { account, from: carryFrom, to }, this.tx.manager);
    const matched = await this.store.matchedLedgerLines(account, carryFrom, to);
    const references = await this.instructions.referencesOf(account, carryFrom, to);
    const lines: BookLine[] = [];
    for (const mv of moves) {
      const key = `${mv.entryId}#${mv.lineNo}`;
      const matchedIn = matched.get(key);
      if (matchedIn !== undefined && matchedIn !== reconciliationId) continue;
      const fen = toFen(mv.amount);
      lines.push({
        key,
        entryId: mv.entryId,
        lineNo: mv.lineNo,
        sequence: mv.sequence,
        date: mv.effectiveDate,
        fen: mv.side === 'debit' ? fen : -fen,
        reference: references.get(key) ?? null,
        order: mv.sequence * 1000 + mv.lineNo,
        memo: mv.memo,
        carried: mv.effectiveDate < from,
      });
    }
    return lines;
  }

  /** Whether the reserve book has this account. */
  async accountExists(account: string): Promise<boolean> {
    return this.accounts.balance(RESERVE_BOOK, account).then(
      () => true,
      (error: unknown) => {
        if (error instanceof DomainError && error.kind === 'not_found') return false;
        throw error;
      },
    );
  }

  async ledgerBalanceFen(account: string, asOf: string): Promise<bigint> {
    const rows = await this.accounts.balancesByPrefix(RESERVE_BOOK, account, asOf);
    const row = rows.find((r) => r.code === account);
    return row ? row.balance.toFen() : 0n;
  }

  async load(id: string, lock = false): Promise<Workspace> {
    const rec = await this.store.get(id, lock);
    await this.instructions.sync();
    const lines = await this.store.lines(id);
    const matches = await this.store.matches(id);
    const book = await this.bookLines(rec.account_code, rec.period_from, rec.period_to, id);
    const ledgerClosingFen = await this.ledgerBalanceFen(rec.account_code, rec.period_to);
    return this.assemble(rec, lines, matches, book, ledgerClosingFen);
  }

  /** The workspace from rows already in memory (the import has them all). */
  assemble(rec: ReconciliationRow, lines: StoredLine[], matches: StoredMatch[], book: BookLine[], ledgerClosingFen: bigint): Workspace {
    const matchedStatement = new Set(matches.flatMap((m) => m.statement));
    const matchedLedger = new Set(matches.flatMap((m) => m.ledger));
    const balance = balanceReport({
      statementClosingFen: toFen(rec.closing_balance),
      ledgerClosingFen,
      unmatchedStatement: lines.filter((l) => !matchedStatement.has(l.position)).map((l): BalanceItem => ({ kind: 'statement', ref: String(l.position), date: l.date, fen: l.fen, text: [l.reference, l.memo, l.counterparty].filter(Boolean).join(' / ') })),
      unmatchedLedger: book.filter((b) => !matchedLedger.has(b.key)).map((b): BalanceItem => ({ kind: 'ledger', ref: b.key, date: b.date, fen: b.fen, text: b.memo })),
      matchDifferences: matches
        .filter((m) => m.statementTotal !== m.ledgerTotal)
        .map((m): BalanceItem => ({ kind: 'match', ref: m.id, date: m.createdAt.toISOString().slice(0, 10), fen: m.statementTotal - m.ledgerTotal, text: m.reason ?? m.method })),
    });
    return { rec, lines, matches, book, matchedStatement, matchedLedger, ledgerClosingFen, balance };
  }
}
