import { DomainError } from '../../common/errors/domain-error';
import { LEDGER_ERRORS } from './ledger.errors';

/** Account types of the chart of accounts (RULES.md §10). */
export const ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'income', 'expense'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export type Side = 'debit' | 'credit';
export const SIDES: readonly Side[] = ['debit', 'credit'];

/**
 * The side on which an account of this type normally carries its balance: assets and expenses
 * grow with debits; liabilities, equity and income with credits.
 */
export function normalSideOf(type: AccountType): Side {
  return type === 'asset' || type === 'expense' ? 'debit' : 'credit';
}

/** Book codes: lower-case, e.g. `reserve`, `margin`. */
export const BOOK_CODE = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * Account codes are hierarchical, `:`-separated, and start with their book:
 * `reserve:deposit:BANK01`, `reserve:payable:BANK01`, `reserve:capital`. The first segment is the
 * book, the second the account's role (lower case), later segments name the party (any case).
 */
export const ACCOUNT_CODE = /^[a-z][a-z0-9_-]{0,31}(:[a-z][a-z0-9_-]{0,63})(:[A-Za-z0-9][A-Za-z0-9_.-]{0,63}){0,4}$/;

export function checkBookCode(book: string): void {
  if (!BOOK_CODE.test(book)) {
    throw DomainError.invalid(LEDGER_ERRORS.INVALID_BOOK_CODE, `"${book}" is not a book code (lower case letters, digits, "-", "_").`, [
      { code: LEDGER_ERRORS.INVALID_BOOK_CODE, field: 'book', message: 'lower case letters, digits, "-" and "_", starting with a letter' },
    ]);
  }
}

export function checkAccountCode(book: string, code: string): void {
  const problems: string[] = [];
  if (!ACCOUNT_CODE.test(code)) problems.push('must look like book:role[:party…], e.g. reserve:deposit:BANK01');
  else if (code.split(':')[0] !== book) problems.push(`must start with its book, "${book}:"`);
  if (problems.length) {
    throw DomainError.invalid(LEDGER_ERRORS.INVALID_ACCOUNT_CODE, `"${code}" is not a valid account code of book "${book}": ${problems.join('; ')}.`, [
      { code: LEDGER_ERRORS.INVALID_ACCOUNT_CODE, field: 'code', message: problems.join('; ') },
    ]);
  }
}
