import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError, ErrorDetail } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { ACCOUNT_TYPES, AccountType, Side, checkAccountCode, checkBookCode, normalSideOf } from './domain/accounts';
import { balanceOnNormalSide } from './domain/entry';
import { LEDGER_ERRORS, ledgerErrors } from './domain/ledger.errors';

/**
 * An account as a caller defines it: the chart of accounts of a feature (its `domain/` folder)
 * gives the floor as text ('0.00'); the custodian's endpoint gives Money.
 */
export interface AccountDefinition {
  book: string;
  code: string;
  name: string;
  type: AccountType;
  /** Defaults to the type's normal side; set it for a contra account. */
  normalSide?: Side;
  /** The lowest balance (on the normal side) a movement may leave; null = no floor. */
  floor?: Money | string | null;
}

export interface LedgerAccountView {
  book: string;
  code: string;
  name: string;
  type: AccountType;
  normalSide: Side;
  floor: Money | null;
  createdAt: Date;
  /** The date the account was closed (it accepts no posting since); null while open. */
  closedOn: string | null;
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

/** One account's balance on its normal side, as the feature modules read it. */
export interface CodeBalance {
  code: string;
  balance: Money;
}

export interface AccountViewRow {
  book: string;
  code: string;
  name: string;
  type: AccountType;
  normal_side: Side;
  floor: string | null;
  created_at: Date;
  closed_on: string | null;
}

export function toAccountView(r: AccountViewRow): LedgerAccountView {
  return {
    book: r.book,
    code: r.code,
    name: r.name,
    type: r.type,
    normalSide: r.normal_side,
    floor: r.floor === null ? null : Money.of(r.floor),
    createdAt: r.created_at,
    closedOn: r.closed_on,
  };
}

/** An account's state under its row lock, for a caller about to empty and close it (an account move). */
export interface LockedAccountState {
  code: string;
  balance: Money;
  closedOn: string | null;
  /** The latest effective date of any of its lines; null when it has none. */
  lastMovementOn: string | null;
}

/**
 * The ledger's accounts and balances as other modules use them (issue #9 item 1): books and
 * accounts opened on demand, balances now or as of a business date (one account, or every account
 * under a code prefix), and the row locks that make "read the balances, then post" safe. Every
 * method runs in the caller's transaction when one is open (TransactionScope), else on the pool.
 * No other module names the ledger's tables.
 */
@Injectable()
export class LedgerAccountsService {
  constructor(private readonly tx: TransactionScope) {}

  /** Creates the book if it does not exist (idempotent). */
  async ensureBook(code: string, name = ''): Promise<{ code: string; name: string; created: boolean }> {
    checkBookCode(code);
    const m = this.tx.manager;
    const inserted = (await m.query(
      `INSERT INTO ledger_books (code, name) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING RETURNING code, name`,
      [code, name],
    )) as { code: string; name: string }[];
    if (inserted.length) return { ...inserted[0], created: true };
    const rows = (await m.query(`SELECT code, name FROM ledger_books WHERE code = $1`, [code])) as { code: string; name: string }[];
    return { ...rows[0], created: false };
  }

  /**
   * Opens the account if it is missing; when it exists with the same definition (type, normal
   * side, floor) returns it; with another definition → 409 LEDGER.ACCOUNT_CONFLICT.
   */
  async ensureAccount(def: AccountDefinition): Promise<LedgerAccountView & { created: boolean }> {
    checkBookCode(def.book);
    checkAccountCode(def.book, def.code);
    if (!(ACCOUNT_TYPES as readonly string[]).includes(def.type)) {
      throw DomainError.invalid(LEDGER_ERRORS.INVALID_ENTRY, `Unknown account type "${def.type}".`);
    }
    const normalSide = def.normalSide ?? normalSideOf(def.type);
    const floor = def.floor === undefined || def.floor === null ? null : typeof def.floor === 'string' ? Money.parse(def.floor) : def.floor;
    const m = this.tx.manager;
    const inserted = (await m.query(
      `INSERT INTO ledger_accounts (book, code, name, type, normal_side, floor)
       SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM ledger_books WHERE code = $1)
       ON CONFLICT (book, code) DO NOTHING
       RETURNING book, code, name, type, normal_side, floor, created_at, closed_on`,
      [def.book, def.code, def.name, def.type, normalSide, floor?.toString() ?? null],
    )) as AccountViewRow[];
    if (inserted.length) return { ...toAccountView(inserted[0]), created: true };
    const rows = (await m.query(
      `SELECT book, code, name, type, normal_side, floor, created_at, closed_on FROM ledger_accounts WHERE book = $1 AND code = $2`,
      [def.book, def.code],
    )) as AccountViewRow[];
    if (!rows.length) throw ledgerErrors.unknownBook(def.book);
    const existing = toAccountView(rows[0]);
    const differences = definitionDifferences(existing, def.type, normalSide, floor);
    if (differences.length) {
      throw DomainError.conflict(
        LEDGER_ERRORS.ACCOUNT_CONFLICT,
        `Account "${def.code}" already exists in book "${def.book}" with another definition.`,
        differences,
      );
    }
    return { ...existing, created: false };
  }

  /** Opens each account (in the given order) that is missing. */
  async ensureAccounts(defs: readonly AccountDefinition[]): Promise<void> {
    for (const def of defs) await this.ensureAccount(def);
  }

  /** One account's balance now (its running totals) or as of a business date (its lines); 404 when unknown. */
  async balance(book: string, code: string, asOf?: string | null): Promise<AccountBalance> {
    const m = this.tx.manager;
    const rows = (await m.query(`SELECT id, normal_side, debits, credits FROM ledger_accounts WHERE book = $1 AND code = $2`, [book, code])) as {
      id: string;
      normal_side: Side;
      debits: string;
      credits: string;
    }[];
    if (!rows.length) {
      await this.assertBook(book);
      throw ledgerErrors.accountNotFound(book, code);
    }
    const account = rows[0];
    let debit = Money.of(account.debits);
    let credit = Money.of(account.credits);
    if (asOf) {
      const sums = (await m.query(
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

  /**
   * Balances on each account's normal side of the accounts of `book` whose code starts with
   * `prefix`, in code order: now (the running totals, kept in the same transaction as the lines)
   * or, with `asOf`, from the lines dated on or before it (accounts with no line by then: 0.00).
   */
  async balancesByPrefix(book: string, prefix: string, asOf?: string | null): Promise<CodeBalance[]> {
    const m = this.tx.manager;
    const rows = (await m.query(
      asOf
        ? `SELECT a.code, a.normal_side,
                  coalesce(sum(l.amount) FILTER (WHERE l.side = 'D'), 0) AS debits,
                  coalesce(sum(l.amount) FILTER (WHERE l.side = 'C'), 0) AS credits
             FROM ledger_accounts a
             LEFT JOIN ledger_lines l ON l.account_id = a.id AND l.effective_date <= $3
            WHERE a.book = $1 AND starts_with(a.code, $2)
            GROUP BY a.code, a.normal_side ORDER BY a.code`
        : `SELECT code, normal_side, debits, credits FROM ledger_accounts
            WHERE book = $1 AND starts_with(code, $2) AND $3::date IS NULL ORDER BY code`,
      [book, prefix, asOf ?? null],
    )) as { code: string; normal_side: Side; debits: string; credits: string }[];
    return rows.map((r) => ({ code: r.code, balance: balanceOnNormalSide(r.normal_side, Money.of(r.debits), Money.of(r.credits)) }));
  }

  /**
   * Net movement (debits − credits) of the accounts of `book` under `prefix`, dated from `from` to
   * `to` inclusive, counting only the entries that also have a line on `counterCode`: e.g. each
   * reserve deposit account's interest of a quarter (entries touching reserve:interest). Accounts
   * with no such movement are absent. One aggregate statement.
   */
  async netMovementWith(book: string, prefix: string, counterCode: string, from: string, to: string): Promise<CodeBalance[]> {
    const rows = (await this.tx.manager.query(
      `SELECT a.code, sum(CASE WHEN l.side = 'D' THEN l.amount ELSE -l.amount END)::numeric(20,2)::text AS net
         FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id
        WHERE a.book = $1 AND starts_with(a.code, $2) AND l.effective_date BETWEEN $4 AND $5
          AND EXISTS (SELECT 1 FROM ledger_lines c JOIN ledger_accounts ca ON ca.id = c.account_id
                       WHERE c.entry_id = l.entry_id AND ca.book = $1 AND ca.code = $3)
        GROUP BY a.code ORDER BY a.code`,
      [book, prefix, counterCode, from, to],
    )) as { code: string; net: string }[];
    return rows.map((r) => ({ code: r.code, balance: Money.of(r.net) }));
  }

  /** One account's current balance; 0.00 when the account does not exist yet. */
  async currentBalance(book: string, code: string): Promise<Money> {
    const rows = await this.balancesByPrefix(book, code);
    return rows.find((r) => r.code === code)?.balance ?? Money.ZERO;
  }

  /**
   * Locks the balance rows of the accounts of `book` under `prefix` until the caller's transaction
   * ends, in the ledger's own lock order (account id), so that balances read afterwards stay true
   * for the posting that follows and concurrent callers queue instead of deadlocking with the
   * posting path (which takes balance rows in the same order). Needs an open transaction.
   */
  async lockByPrefix(book: string, prefix: string): Promise<void> {
    const m = this.requireTransaction('lockByPrefix');
    await m.query(`SELECT id FROM ledger_accounts WHERE book = $1 AND starts_with(code, $2) ORDER BY id FOR UPDATE`, [book, prefix]);
  }

  /**
   * Locks one account's balance row until the caller's transaction ends (the ledger's lock, so no
   * posting can move it meanwhile) and reads its current balance, whether it is closed, and the
   * date of its latest line. Null when the account does not exist. Needs an open transaction.
   */
  async lockAccount(book: string, code: string): Promise<LockedAccountState | null> {
    const m = this.requireTransaction('lockAccount');
    const locked = (await m.query(`SELECT id FROM ledger_accounts WHERE book = $1 AND code = $2 FOR UPDATE`, [book, code])) as { id: string }[];
    if (!locked.length) return null;
    // Read in a second statement: under READ COMMITTED it sees every posting committed before the
    // lock was granted (a subquery of the locking statement would read its older snapshot).
    const rows = (await m.query(
      `SELECT a.code, a.normal_side, a.debits, a.credits, a.closed_on,
              (SELECT max(l.effective_date) FROM ledger_lines l WHERE l.account_id = a.id) AS last_movement_on
         FROM ledger_accounts a WHERE a.id = $1`,
      [locked[0].id],
    )) as { code: string; normal_side: Side; debits: string; credits: string; closed_on: string | null; last_movement_on: string | null }[];
    const r = rows[0];
    return { code: r.code, balance: balanceOnNormalSide(r.normal_side, Money.of(r.debits), Money.of(r.credits)), closedOn: r.closed_on, lastMovementOn: r.last_movement_on };
  }

  /**
   * Closes an account as of a date: it accepts no posting afterwards (409 LEDGER.ACCOUNT_CLOSED,
   * refused by the balance-row trigger in the posting's own statement, so no concurrent posting
   * slips in). Only an account at 0.00 can be closed (LEDGER.ACCOUNT_NOT_EMPTY, the trigger
   * again); a closed account stays closed (409 LEDGER.ACCOUNT_CLOSED). Its balance, statement and
   * lines remain readable; its code is never reused (the code is part of every hashed entry).
   */
  async closeAccount(book: string, code: string, closedOn: string): Promise<void> {
    const m = this.tx.manager;
    const closed = (await m.query(`UPDATE ledger_accounts SET closed_on = $3 WHERE book = $1 AND code = $2 AND closed_on IS NULL RETURNING code`, [
      book,
      code,
      closedOn,
    ])) as unknown[];
    if (closed.length) return;
    const rows = (await m.query(`SELECT closed_on FROM ledger_accounts WHERE book = $1 AND code = $2`, [book, code])) as { closed_on: string }[];
    if (!rows.length) throw ledgerErrors.accountNotFound(book, code);
    throw ledgerErrors.accountClosed(book, [{ account: code, closedOn: rows[0].closed_on }]);
  }

  async assertBook(book: string): Promise<void> {
    const rows = (await this.tx.manager.query(`SELECT 1 FROM ledger_books WHERE code = $1`, [book])) as unknown[];
    if (!rows.length) throw ledgerErrors.unknownBook(book);
  }

  private requireTransaction(what: string): EntityManager {
    const m = this.tx.current();
    // A programmer error: without a transaction the row locks would not outlive the statement.
    if (!m) throw new Error(`LedgerAccountsService.${what} needs an open transaction (TransactionScope.run)`);
    return m;
  }
}

function definitionDifferences(existing: LedgerAccountView, type: AccountType, normalSide: Side, floor: Money | null): ErrorDetail[] {
  const differences: ErrorDetail[] = [];
  if (existing.type !== type) differences.push({ code: 'TYPE', field: 'type', message: `is ${existing.type}`, existing: existing.type });
  if (existing.normalSide !== normalSide) {
    differences.push({ code: 'NORMAL_SIDE', field: 'normalSide', message: `is ${existing.normalSide}`, existing: existing.normalSide });
  }
  const sameFloor = existing.floor === null ? floor === null : floor !== null && existing.floor.eq(floor);
  if (!sameFloor) {
    differences.push({ code: 'FLOOR', field: 'floor', message: `is ${existing.floor?.toString() ?? 'none'}`, existing: existing.floor?.toString() ?? null });
  }
  return differences;
}
