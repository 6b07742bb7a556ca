/**
 * The stable error codes of the programme flows (issue 18 item 3; docs/programme-flows.md): the
 * two-phase IP-pledge claim, the start-up guarantee loan's interest subsidy, and the flows' funds.
 * Kinds decide the HTTP status (rule 422, conflict 409, not_found 404, invalid 400).
 */
export const FLOW_ERRORS = {
  /**
   * A figure the flow needs is missing from (or malformed in) the programme's data: refused, never
   * guessed. The same code the programme module raises for a null figure (docs/programmes.md).
   */
  FIGURE_MISSING: 'PROGRAMME.FIGURE_MISSING',
  FUND_UNKNOWN: 'FLOW.FUND_UNKNOWN',
  DUPLICATE_REFERENCE: 'FLOW.DUPLICATE_REFERENCE',
} as const;

export const PLEDGE_ERRORS = {
  NOT_FOUND: 'PLEDGE_CLAIM.NOT_FOUND',
  ALREADY_OPEN: 'PLEDGE_CLAIM.ALREADY_OPEN',
  WRONG_STATUS: 'PLEDGE_CLAIM.WRONG_STATUS',
  PRINCIPAL_INVALID: 'PLEDGE_CLAIM.PRINCIPAL_INVALID',
  REASON_REQUIRED: 'PLEDGE_CLAIM.REASON_REQUIRED',
  DATES_OUT_OF_ORDER: 'PLEDGE_CLAIM.DATES_OUT_OF_ORDER',
} as const;

export const SUBSIDY_ERRORS = {
  NOT_FOUND: 'SUBSIDY.NOT_FOUND',
  ALREADY_GRANTED: 'SUBSIDY.ALREADY_GRANTED',
  /** The borrower has had the subsidy the most times the programme allows (Xinxiang: 3). */
  TIMES_EXHAUSTED: 'SUBSIDY.TIMES_EXHAUSTED',
  LOAN_ABOVE_CAP: 'SUBSIDY.LOAN_ABOVE_CAP',
  LPR_UNKNOWN: 'SUBSIDY.LPR_UNKNOWN',
  PERIOD_INVALID: 'SUBSIDY.PERIOD_INVALID',
  /** A step dated before the one it follows (a grant before the contract, a payment before the claim). */
  DATES_OUT_OF_ORDER: 'SUBSIDY.DATES_OUT_OF_ORDER',
  QUARTER_NOT_IN_SCHEDULE: 'SUBSIDY.QUARTER_NOT_IN_SCHEDULE',
  QUARTER_OUT_OF_ORDER: 'SUBSIDY.QUARTER_OUT_OF_ORDER',
  QUARTER_ALREADY_CLAIMED: 'SUBSIDY.QUARTER_ALREADY_CLAIMED',
  QUARTER_NOT_ENDED: 'SUBSIDY.QUARTER_NOT_ENDED',
  QUARTER_NOT_CLAIMED: 'SUBSIDY.QUARTER_NOT_CLAIMED',
  QUARTER_ALREADY_PAID: 'SUBSIDY.QUARTER_ALREADY_PAID',
  PRINCIPAL_ABOVE_SUBSIDISED: 'SUBSIDY.PRINCIPAL_ABOVE_SUBSIDISED',
} as const;
