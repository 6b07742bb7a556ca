import { DomainError } from '../common/errors/domain-error';

export { AGENCY_FEE_RULE_ERRORS, LOAN_RULE_ERRORS } from './domain/loan-rules.errors';

/**
 * The loans module's stable error codes (STYLE.md "Errors"), besides the rules' own codes in
 * domain/loan-rules.errors.ts (re-exported here). Kinds decide the HTTP status: `invalid` 400,
 * `not_found` 404, `conflict` 409, `rule` 422.
 */
export const LOAN_ERRORS = {
  NOT_FOUND: 'LOAN.NOT_FOUND',
  DUPLICATE_REFERENCE: 'LOAN.DUPLICATE_REFERENCE',
  RENEWAL_OF_REQUIRED: 'LOAN.RENEWAL_OF_REQUIRED',
  RENEWAL_FLAG_MISSING: 'LOAN.RENEWAL_FLAG_MISSING',
  /** More than one registration rule is broken (each one in `details`). */
  NOT_ELIGIBLE: 'LOAN.NOT_ELIGIBLE',
  ALREADY_DISBURSED: 'LOAN.ALREADY_DISBURSED',
  DISBURSEMENT_NOT_POSITIVE: 'LOAN.DISBURSEMENT_NOT_POSITIVE',
  DISBURSEMENT_ABOVE_REGISTERED: 'LOAN.DISBURSEMENT_ABOVE_REGISTERED',
  DISBURSED_BEFORE_REGISTRATION: 'LOAN.DISBURSED_BEFORE_REGISTRATION',
  DISBURSEMENT_IN_FUTURE: 'LOAN.DISBURSEMENT_IN_FUTURE',
  /** More than one disbursement check failed (each one in `details`). */
  DISBURSEMENT_REFUSED: 'LOAN.DISBURSEMENT_REFUSED',
  CONFIRMATION_ALREADY_ISSUED: 'LOAN.CONFIRMATION_ALREADY_ISSUED',
  CONFIRMATION_BEFORE_REGISTRATION: 'LOAN.CONFIRMATION_BEFORE_REGISTRATION',
} as const;

/** Agency fees charged on a loan (RULES §7). */
export const FEE_ERRORS = {
  NOT_POSITIVE: 'FEE.NOT_POSITIVE',
  PERIOD_TOO_LONG: 'FEE.PERIOD_TOO_LONG',
  ABOVE_CAP: 'FEE.ABOVE_CAP',
  BEFORE_CONFIRMATION: 'FEE.BEFORE_CONFIRMATION',
  /** No fee before the loan is disbursed, nor dated before the disbursement (RULES §7, 2026-12). */
  BEFORE_DISBURSEMENT: 'FEE.BEFORE_DISBURSEMENT',
  /** More than one fee rule is broken (each one in `details`). */
  REFUSED: 'FEE.REFUSED',
} as const;

/** Quarterly bank reports (B 第十条). */
export const REPORT_ERRORS = {
  NOT_FOUND: 'REPORT.NOT_FOUND',
  QUARTER_NOT_ENDED: 'REPORT.QUARTER_NOT_ENDED',
  /** Some rows are invalid; every problem is in `details` (REPORT_ROW_PROBLEMS). */
  INVALID_ROWS: 'REPORT.INVALID_ROWS',
  /** The CSV header does not name the four columns; the reasons are in `details`. */
  CSV_HEADER: 'REPORT.CSV_HEADER',
  CSV_EMPTY: 'REPORT.CSV_EMPTY',
  CSV_PARAMS: 'REPORT.CSV_PARAMS',
  QUERY_WITH_JSON: 'REPORT.QUERY_WITH_JSON',
} as const;

/**
 * The `code` of each problem in the details of REPORT.INVALID_ROWS (per row) and REPORT.CSV_HEADER
 * (per column). A money field's problem carries the money parser's own code instead
 * (common/money, e.g. NOT_A_STRING).
 */
export const REPORT_ROW_PROBLEMS = {
  FIELD_COUNT: 'FIELD_COUNT',
  /** The CSV cannot be read from this line on (an unclosed quote). */
  MALFORMED_CSV: 'MALFORMED_CSV',
  UNKNOWN_FIELD: 'UNKNOWN_FIELD',
  REQUIRED: 'REQUIRED',
  DUPLICATE_LOAN: 'DUPLICATE_LOAN',
  LOAN_NOT_FOUND: 'LOAN_NOT_FOUND',
  LOAN_NOT_DISBURSED: 'LOAN_NOT_DISBURSED',
  INVALID_ASSET_QUALITY: 'INVALID_ASSET_QUALITY',
  OUTSTANDING_ABOVE_DISBURSED: 'OUTSTANDING_ABOVE_DISBURSED',
  MISSING_COLUMN: 'MISSING_COLUMN',
  UNKNOWN_COLUMN: 'UNKNOWN_COLUMN',
  DUPLICATE_COLUMN: 'DUPLICATE_COLUMN',
} as const;

/** The errors built in more than one place. */
export const loanErrors = {
  /** 404 for a loan that does not exist or that the caller may not see (the same answer). */
  notFound(id: string): DomainError {
    return DomainError.notFound(LOAN_ERRORS.NOT_FOUND, `No loan with id ${id}.`);
  },
};
