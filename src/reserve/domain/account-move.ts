import type { ErrorDetail } from '../../common/errors/domain-error';
import type { Money } from '../../common/money/money';
import { type PostingRecipe } from '../../ledger/domain/entry-draft';
import { RESERVE_BOOK, reserveAccounts } from './books';
import { RESERVE_ERRORS } from './reserve.errors';

/**
 * Account moves (RULES §8 "Accounts may only be opened at partner banks; moving an account
 * transfers the whole balance and closes the old one", R 第九–十一条; docs/reserve-accounts.md).
 * Pure: the checks of a move's input and the one entry that carries the whole balance over.
 */

/** A Chinese bank account number: 6 to 32 digits, written without spaces or dashes. */
const ACCOUNT_NUMBER = /^[0-9]{6,32}$/;

/**
 * The problems of an account's details: a branch (not blank, at most 200 characters) and an
 * account number of 6–32 digits. Example: { branch: ' ', accountNumber: '4100-12' } → two
 * problems, `branch` and `accountNumber`.
 */
export function accountDetailProblems(input: { branch: string; accountNumber: string }): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const code = RESERVE_ERRORS.INVALID_ACCOUNT_DETAILS;
  if (!input.branch.trim()) problems.push({ code, field: 'branch', message: 'the branch must not be blank' });
  else if (input.branch.length > 200) problems.push({ code, field: 'branch', message: 'the branch is at most 200 characters' });
  if (!ACCOUNT_NUMBER.test(input.accountNumber)) problems.push({ code, field: 'accountNumber', message: 'an account number is 6 to 32 digits, without spaces or dashes' });
  return problems;
}

/**
 * The dates a move must respect: on or after the old account's opening and its latest movement
 * (the move takes the balance as it stands after every line, so a move dated earlier would leave
 * the old account's balance as of the days in between wrong). Example: last movement 2025-11-20,
 * movedOn 2025-11-10 → one problem on `movedOn`.
 */
export function moveDateProblems(movedOn: string, old: { openedOn: string | null; lastMovementOn: string | null }): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const code = RESERVE_ERRORS.INVALID_ACCOUNT_DETAILS;
  if (old.openedOn && movedOn < old.openedOn) problems.push({ code, field: 'movedOn', message: `movedOn ${movedOn} is before the old account was opened (${old.openedOn})`, openedOn: old.openedOn });
  if (old.lastMovementOn && movedOn < old.lastMovementOn) {
    problems.push({ code, field: 'movedOn', message: `movedOn ${movedOn} is before the old account's latest movement (${old.lastMovementOn})`, lastMovementOn: old.lastMovementOn });
  }
  return problems;
}

/** A move of a bank's reserve account to a new one. */
export interface AccountMoveEvent {
  bankCode: string;
  /** The ordinals of the old (closing) and new (opening) accounts: reserve:deposit:BANK[:n]. */
  fromOrdinal: number;
  toOrdinal: number;
  /** The old account's whole balance. */
  balance: Money;
  movedOn: string;
  /** The new account's row id (reserve_accounts): the entry's link. */
  moveId: string;
  accountNumber: string;
}

/**
 * The one entry of a move: Dr the new deposit account / Cr the old one, the old account's whole
 * balance, link { type: 'account-move', id } (the payment instructions call it a placement
 * transfer). The caller posts nothing when the balance is 0.00.
 *
 * Worked example: BANK01's account 1 holds 1,000,000.00; moved on 2025-11-28 to account number
 * 4100123456789 → Dr reserve:deposit:BANK01:2 1,000,000.00 / Cr reserve:deposit:BANK01
 * 1,000,000.00; BANK01's balance stays 1,000,000.00, the old account is left at 0.00.
 */
export function accountMovePosting(event: AccountMoveEvent): PostingRecipe {
  const to = reserveAccounts.deposit(event.bankCode, event.toOrdinal);
  const from = reserveAccounts.deposit(event.bankCode, event.fromOrdinal);
  return {
    accounts: [to, from],
    entry: {
      book: RESERVE_BOOK,
      effectiveDate: event.movedOn,
      memo: `Account move of ${event.bankCode}: the whole balance to account ${event.accountNumber} (RULES §8; R 第十一条)`,
      link: { type: 'account-move', id: event.moveId },
      lines: [
        { account: to.code, debit: event.balance },
        { account: from.code, credit: event.balance },
      ],
    },
  };
}
