import { DomainError, ErrorDetail } from '../../common/errors/domain-error';

/**
 * The ledger's stable error codes (STYLE.md "Errors"). Kinds decide the HTTP status: `rule` 422,
 * `conflict` 409, `not_found` 404, `invalid` 400. The same codes are raised by the database
 * triggers (`RAISE EXCEPTION 'LEDGER.X: …'`), which the HTTP filter maps the same way.
 */
export const LEDGER_ERRORS = {
  UNBALANCED: 'LEDGER.UNBALANCED',
  TOO_FEW_LINES: 'LEDGER.TOO_FEW_LINES',
  UNKNOWN_ACCOUNT: 'LEDGER.UNKNOWN_ACCOUNT',
  LINE_BOTH_SIDES: 'LEDGER.LINE_BOTH_SIDES',
  LINE_NO_SIDE: 'LEDGER.LINE_NO_SIDE',
  ZERO_LINE: 'LEDGER.ZERO_LINE',
  NEGATIVE_LINE: 'LEDGER.NEGATIVE_LINE',
  FLOOR_BREACH: 'LEDGER.FLOOR_BREACH',
  CLOSED_PERIOD: 'LEDGER.CLOSED_PERIOD',
  UNKNOWN_BOOK: 'LEDGER.UNKNOWN_BOOK',
  ALREADY_REVERSED: 'LEDGER.ALREADY_REVERSED',
  REVERSAL_MISMATCH: 'LEDGER.REVERSAL_MISMATCH',
  ENTRY_NOT_FOUND: 'LEDGER.ENTRY_NOT_FOUND',
  ACCOUNT_NOT_FOUND: 'LEDGER.ACCOUNT_NOT_FOUND',
  ACCOUNT_CONFLICT: 'LEDGER.ACCOUNT_CONFLICT',
  INVALID_ACCOUNT_CODE: 'LEDGER.INVALID_ACCOUNT_CODE',
  INVALID_BOOK_CODE: 'LEDGER.INVALID_BOOK_CODE',
  INVALID_ENTRY: 'LEDGER.INVALID_ENTRY',
  PERIOD_NOT_ENDED: 'LEDGER.PERIOD_NOT_ENDED',
  /** A closed account (an account move, RULES §8; R 第十一条) accepts no posting; also raised by the balance-row trigger. */
  ACCOUNT_CLOSED: 'LEDGER.ACCOUNT_CLOSED',
  /** Only an account whose balance is 0.00 can be closed (the balance-row trigger too). */
  ACCOUNT_NOT_EMPTY: 'LEDGER.ACCOUNT_NOT_EMPTY',
  /**
   * Not an error answer but a problem `verify` and the trial balance report (issue 10 item 6): an
   * account's balance row (debits, credits) differs from the sum of its lines, e.g. after an
   * UPDATE of ledger_accounts or of ledger_lines made behind the service's back.
   */
  BALANCE_MISMATCH: 'LEDGER.BALANCE_MISMATCH',
} as const;

export const ledgerErrors = {
  unknownBook(book: string): DomainError {
    return DomainError.notFound(LEDGER_ERRORS.UNKNOWN_BOOK, `There is no book "${book}".`, [
      { code: LEDGER_ERRORS.UNKNOWN_BOOK, field: 'book', message: `unknown book "${book}"`, book },
    ]);
  },
  unknownAccounts(book: string, codes: string[]): DomainError {
    return DomainError.rule(
      LEDGER_ERRORS.UNKNOWN_ACCOUNT,
      `Book "${book}" has no account ${codes.map((c) => `"${c}"`).join(', ')}.`,
      codes.map((account) => ({ code: LEDGER_ERRORS.UNKNOWN_ACCOUNT, message: `unknown account "${account}"`, account, book })),
    );
  },
  accountNotFound(book: string, code: string): DomainError {
    return DomainError.notFound(LEDGER_ERRORS.ACCOUNT_NOT_FOUND, `Book "${book}" has no account "${code}".`, [
      { code: LEDGER_ERRORS.ACCOUNT_NOT_FOUND, message: `unknown account "${code}"`, account: code, book },
    ]);
  },
  entryNotFound(id: string): DomainError {
    return DomainError.notFound(LEDGER_ERRORS.ENTRY_NOT_FOUND, `There is no journal entry ${id}.`, [
      { code: LEDGER_ERRORS.ENTRY_NOT_FOUND, message: `unknown entry ${id}`, entryId: id },
    ]);
  },
  closedPeriod(book: string, closedThrough: string, effectiveDate: string): DomainError {
    return DomainError.conflict(
      LEDGER_ERRORS.CLOSED_PERIOD,
      `Book "${book}" is closed through ${closedThrough}; no entry dated ${effectiveDate} can be posted.`,
      [{ code: LEDGER_ERRORS.CLOSED_PERIOD, field: 'effectiveDate', message: `dated on or before ${closedThrough}`, book, closedThrough, effectiveDate }],
    );
  },
  alreadyReversed(id: string, by: string | null): DomainError {
    return DomainError.conflict(LEDGER_ERRORS.ALREADY_REVERSED, `Entry ${id} has already been reversed.`, [
      { code: LEDGER_ERRORS.ALREADY_REVERSED, message: `entry ${id} is reversed${by ? ` by ${by}` : ''}`, entryId: id, reversedBy: by },
    ]);
  },
  accountClosed(book: string, accounts: { account: string; closedOn: string }[]): DomainError {
    return DomainError.conflict(
      LEDGER_ERRORS.ACCOUNT_CLOSED,
      `${accounts.map((a) => `Account "${a.account}" was closed on ${a.closedOn}`).join('; ')}: a closed account accepts no posting.`,
      accounts.map((a) => ({ code: LEDGER_ERRORS.ACCOUNT_CLOSED, message: `closed on ${a.closedOn}`, account: a.account, book, closedOn: a.closedOn })),
    );
  },
  floorBreach(details: ErrorDetail[]): DomainError {
    const what = details.map((d) => `${String(d.account)} (balance ${String(d.balance)}, floor ${String(d.floor)})`).join('; ');
    return DomainError.rule(LEDGER_ERRORS.FLOOR_BREACH, `The entry would take an account below its floor: ${what}.`, details);
  },
};

/**
 * Tags an error of a multi-entry request with the entry's index: the message is prefixed
 * `entries.<i>: ` and every detail gets `entry: i` (a detail is made from the error when it has
 * none). `index` null, or an error that is not a DomainError: returned as it is.
 */
export function withEntryIndex(error: unknown, index: number | null): unknown {
  if (index === null || !(error instanceof DomainError)) return error;
  const details = error.details.length ? error.details.map((d) => ({ ...d, entry: index })) : [{ code: error.code, message: error.message, entry: index }];
  return new DomainError(error.code, error.kind, `entries.${index}: ${error.message}`, details);
}
