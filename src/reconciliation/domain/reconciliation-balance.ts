import { formatFen } from './matching';

/**
 * The difference between a bank statement and the books, explained item by item, and the
 * reconciliation statement (余额调节表) built from it (RULES §8 "Reconciliation"; R 第二十一条;
 * docs/reconciliation.md "The difference").
 *
 *   difference = statement closing balance − ledger balance of the account on the period's last day
 *
 * explained by:
 * - each statement line not matched: +its amount (the bank moved money the books do not show);
 * - each ledger line not matched (of the period, or carried in transit from an earlier one):
 *   −its amount (the books moved money the bank has not shown yet);
 * - each match whose sides differ: statement total − ledger total;
 * - what is left: the opening balance not explained by items (`unexplained`).
 *
 * The 余额调节表: ledger balance + bank-only receipts − bank-only payments = adjusted ledger balance;
 * statement balance + books-only receipts − books-only payments = adjusted statement balance. The
 * two agree exactly when the matches balance and nothing is left unexplained.
 *
 * Closing (Decision, docs/reconciliation.md): allowed when no statement line is unmatched (the
 * bank's own movements — a fee, interest — must be booked by a correcting entry or matched by
 * hand with a reason), every match balances, and nothing is unexplained; ledger lines not yet on
 * the statement may remain: they are items in transit, listed, and carried to the next period.
 *
 * Worked example: statement closing 4,194,745.00; ledger balance 4,194,770.00 → difference −25.00,
 * explained by the bank fee of −25.00 on the statement (unmatched) → unexplained 0.00, but the close
 * is refused until the fee is booked; once booked and matched, the difference is 0.00 and it closes.
 */
export interface BalanceItem {
  kind: 'statement' | 'ledger' | 'match';
  /** Statement position, ledger key (entryId#line) or match id. */
  ref: string;
  date: string;
  /** Signed fen as the bank sees the account. */
  fen: bigint;
  text: string;
}

export interface BalanceInput {
  statementClosingFen: bigint;
  ledgerClosingFen: bigint;
  unmatchedStatement: BalanceItem[];
  unmatchedLedger: BalanceItem[];
  /** Matches with their statement total − ledger total (only those ≠ 0 are listed). */
  matchDifferences: BalanceItem[];
}

export interface ExplanationLine {
  kind: 'statement-only' | 'books-only' | 'match-difference' | 'unexplained';
  ref: string | null;
  date: string | null;
  amount: string;
  text: string;
}

export interface BalanceReport {
  statementBalance: string;
  ledgerBalance: string;
  difference: string;
  explanation: ExplanationLine[];
  unexplained: string;
  /** 余额调节表 */
  statementOnlyReceipts: string;
  statementOnlyPayments: string;
  booksOnlyReceipts: string;
  booksOnlyPayments: string;
  adjustedLedgerBalance: string;
  adjustedStatementBalance: string;
  canClose: boolean;
  /** Why it cannot close yet (codes and messages, every one). */
  blockers: { code: string; message: string }[];
}

const total = (items: BalanceItem[], pick: (fen: bigint) => boolean) => items.filter((i) => pick(i.fen)).reduce((a, i) => a + i.fen, 0n);

export function balanceReport(input: BalanceInput): BalanceReport {
  const difference = input.statementClosingFen - input.ledgerClosingFen;
  const explanation: ExplanationLine[] = [
    ...input.unmatchedStatement.map((i) => ({ kind: 'statement-only' as const, ref: i.ref, date: i.date, amount: formatFen(i.fen), text: i.text })),
    ...input.unmatchedLedger.map((i) => ({ kind: 'books-only' as const, ref: i.ref, date: i.date, amount: formatFen(-i.fen), text: i.text })),
    ...input.matchDifferences.map((i) => ({ kind: 'match-difference' as const, ref: i.ref, date: i.date, amount: formatFen(i.fen), text: i.text })),
  ];
  const explained = input.unmatchedStatement.reduce((a, i) => a + i.fen, 0n) - input.unmatchedLedger.reduce((a, i) => a + i.fen, 0n) + input.matchDifferences.reduce((a, i) => a + i.fen, 0n);
  const unexplained = difference - explained;
  if (unexplained !== 0n) explanation.push({ kind: 'unexplained', ref: null, date: null, amount: formatFen(unexplained), text: 'opening balance not explained by items' });
  const sReceipts = total(input.unmatchedStatement, (f) => f > 0n);
  const sPayments = -total(input.unmatchedStatement, (f) => f < 0n);
  const bReceipts = total(input.unmatchedLedger, (f) => f > 0n);
  const bPayments = -total(input.unmatchedLedger, (f) => f < 0n);
  const blockers: { code: string; message: string }[] = [];
  if (input.unmatchedStatement.length) {
    blockers.push({ code: 'STATEMENT_LINES_UNMATCHED', message: `${input.unmatchedStatement.length} statement line(s) not in the books (${formatFen(sReceipts - sPayments)}): match them by hand with a reason or book a correcting entry` });
  }
  if (input.matchDifferences.length) {
    blockers.push({ code: 'MATCH_DIFFERENCES', message: `${input.matchDifferences.length} match(es) whose sides differ: correct the difference` });
  }
  if (unexplained !== 0n) blockers.push({ code: 'UNEXPLAINED', message: `${formatFen(unexplained)} of the difference is not explained by any item` });
  return {
    statementBalance: formatFen(input.statementClosingFen),
    ledgerBalance: formatFen(input.ledgerClosingFen),
    difference: formatFen(difference),
    explanation,
    unexplained: formatFen(unexplained),
    statementOnlyReceipts: formatFen(sReceipts),
    statementOnlyPayments: formatFen(sPayments),
    booksOnlyReceipts: formatFen(bReceipts),
    booksOnlyPayments: formatFen(bPayments),
    adjustedLedgerBalance: formatFen(input.ledgerClosingFen + sReceipts - sPayments),
    adjustedStatementBalance: formatFen(input.statementClosingFen + bReceipts - bPayments),
    canClose: blockers.length === 0,
    blockers,
  };
}
