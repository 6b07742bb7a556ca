/**
 * The reconciliation module's stable error codes (STYLE.md "Errors"; RULES §8 "Reconciliation").
 * Kinds decide the HTTP status: `invalid` 400 (a malformed statement), `rule` 422 (well-formed but
 * inconsistent), `conflict` 409, `not_found` 404, `forbidden` 403.
 */
export const STATEMENT_ERRORS = {
  /** The file or body has no statement line (or no header). */
  EMPTY: 'STATEMENT.EMPTY',
  /** The file is not text in an encoding we read (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16 with BOM). */
  UNREADABLE: 'STATEMENT.UNREADABLE',
  /** The header line does not name the columns a statement needs (every problem in details). */
  HEADER: 'STATEMENT.HEADER',
  /** One or more lines are malformed: every bad line in details, nothing stored. */
  INVALID_LINES: 'STATEMENT.INVALID_LINES',
  /** The period, account or balances given with the statement are malformed. */
  INVALID_PARAMS: 'STATEMENT.INVALID_PARAMS',
  /** More lines than one statement may carry. */
  TOO_MANY_LINES: 'STATEMENT.TOO_MANY_LINES',
  /** A multipart upload without exactly one file part. */
  MULTIPART: 'STATEMENT.MULTIPART',
  /** opening + Σ lines ≠ closing (422). */
  UNBALANCED: 'STATEMENT.UNBALANCED',
  /** The same file (hash) was already imported for this account (409). */
  DUPLICATE: 'STATEMENT.DUPLICATE',
  /** Another statement of the account covers part of this period (409). */
  PERIOD_OVERLAP: 'STATEMENT.PERIOD_OVERLAP',
  /** The bank has no reserve deposit account in the books (422). */
  NO_ACCOUNT: 'STATEMENT.NO_ACCOUNT',
} as const;

export const RECONCILIATION_ERRORS = {
  NOT_FOUND: 'RECONCILIATION.NOT_FOUND',
  /** A closed reconciliation is immutable (409). */
  CLOSED: 'RECONCILIATION.CLOSED',
  /** Close refused: a difference remains unexplained (409, every item in details). */
  DIFFERENCE_REMAINS: 'RECONCILIATION.DIFFERENCE_REMAINS',
  /** A manual match names a line that does not exist or is already matched (422). */
  INVALID_MATCH: 'RECONCILIATION.INVALID_MATCH',
  MATCH_NOT_FOUND: 'RECONCILIATION.MATCH_NOT_FOUND',
  MATCH_ALREADY_UNDONE: 'RECONCILIATION.MATCH_ALREADY_UNDONE',
  CORRECTION_NOT_FOUND: 'RECONCILIATION.CORRECTION_NOT_FOUND',
  /** The correction is not (or no longer) something to correct (422). */
  NOTHING_TO_CORRECT: 'RECONCILIATION.NOTHING_TO_CORRECT',
  CORRECTION_NOT_PROPOSED: 'RECONCILIATION.CORRECTION_NOT_PROPOSED',
  INVALID_ACCOUNT: 'RECONCILIATION.INVALID_ACCOUNT',
  INVALID_FORMAT: 'RECONCILIATION.INVALID_FORMAT',
} as const;

/** Codes of one bad statement line in STATEMENT.INVALID_LINES details. */
export const LINE_PROBLEMS = {
  FIELD_COUNT: 'FIELD_COUNT',
  INVALID_DATE: 'INVALID_DATE',
  DATE_OUTSIDE_PERIOD: 'DATE_OUTSIDE_PERIOD',
  INVALID_AMOUNT: 'INVALID_AMOUNT',
  NO_AMOUNT: 'NO_AMOUNT',
  BOTH_SIDES: 'BOTH_DEBIT_AND_CREDIT',
  ZERO_AMOUNT: 'ZERO_AMOUNT',
  BALANCE_MISMATCH: 'BALANCE_MISMATCH',
  TEXT_TOO_LONG: 'TEXT_TOO_LONG',
  INVALID_TEXT: 'INVALID_TEXT',
  NOT_AN_OBJECT: 'NOT_AN_OBJECT',
} as const;

export const INSTRUCTION_ERRORS = {
  INVALID_STATUS: 'INSTRUCTION.INVALID_STATUS',
  /** A placement transfer's leg is confirmed through the placement route, which posts it (409). */
  PLACEMENT_TRANSFER: 'INSTRUCTION.PLACEMENT_TRANSFER',
} as const;
