import type { EntityManager } from 'typeorm';
import { Money } from '../common/money/money';
import type { AccountDefinition as BookAccount } from './domain/books';
import type { AccountDefinition } from '../ledger/ledger-accounts.service';
import { balanceOnNormalSide } from '../ledger/domain/entry';

/** The chart-of-accounts definition as the ledger's ensureAccount takes it. */
export function ledgerAccount(def: BookAccount): AccountDefinition {
  return { book: def.book, code: def.code, name: def.name, type: def.type, floor: def.floor === null ? null : Money.parse(def.floor) };
}

export interface CurrentBalance {
  code: string;
  balance: Money;
}

/**
 * Current balances (on each account's normal side) of the accounts of `book` whose code starts
 * with `prefix`, read inside the caller's transaction from the ledger's running totals. Reads of
 * the ledger's own table: the totals are kept by the posting service in the same transaction as
 * the lines, so they are exactly the sum of the lines.
 */
export async function balancesByPrefix(m: EntityManager, book: string, prefix: string): Promise<CurrentBalance[]> {
  const rows: { code: string; normal_side: 'debit' | 'credit'; debits: string; credits: string }[] = await m.query(
    `SELECT code, normal_side, debits, credits FROM ledger_accounts
      WHERE book = $1 AND starts_with(code, $2) ORDER BY code`,
    [book, prefix],
  );
  return rows.map((r) => ({ code: r.code, balance: balanceOnNormalSide(r.normal_side, Money.of(r.debits), Money.of(r.credits)) }));
}

/** One account's current balance; 0.00 when the account does not exist yet. */
export async function currentBalance(m: EntityManager, book: string, code: string): Promise<Money> {
  const rows = await balancesByPrefix(m, book, code);
  return rows.find((r) => r.code === code)?.balance ?? Money.ZERO;
}

/**
 * Balances as of a business date (lines with effective date ≤ asOf) of the accounts under a
 * prefix; accounts with no line by then show 0.00.
 */
export async function balancesByPrefixAsOf(m: EntityManager, book: string, prefix: string, asOf: string): Promise<CurrentBalance[]> {
  const rows: { code: string; normal_side: 'debit' | 'credit'; debit: string; credit: string }[] = await m.query(
    `SELECT a.code, a.normal_side,
            coalesce(sum(l.amount) FILTER (WHERE l.side = 'D'), 0) AS debit,
            coalesce(sum(l.amount) FILTER (WHERE l.side = 'C'), 0) AS credit
       FROM ledger_accounts a
       LEFT JOIN ledger_lines l ON l.account_id = a.id AND l.effective_date <= $3
      WHERE a.book = $1 AND starts_with(a.code, $2)
      GROUP BY a.code, a.normal_side ORDER BY a.code`,
    [book, prefix, asOf],
  );
  return rows.map((r) => ({ code: r.code, balance: balanceOnNormalSide(r.normal_side, Money.of(r.debit), Money.of(r.credit)) }));
}
