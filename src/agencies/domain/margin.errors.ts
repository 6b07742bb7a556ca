/**
 * The agency-margin module's stable error codes and status reasons (STYLE.md "Errors"; RULES §7).
 */
/** Errors of the agencies' pure calculators. */
export const AGENCY_ERRORS = {
  NEGATIVE_AMOUNT: 'AGENCY.NEGATIVE_AMOUNT',
} as const;

export const MARGIN_ERRORS = {
  AMOUNT_NOT_POSITIVE: 'MARGIN.AMOUNT_NOT_POSITIVE',
  WITHDRAWAL_ABOVE_EXCESS: 'MARGIN.WITHDRAWAL_ABOVE_EXCESS',
  /** RULES §7 (2026-12): nothing may be withdrawn on or before the 10th of the quarter's first month. */
  WITHDRAWAL_BEFORE_DUE_DAY: 'MARGIN.WITHDRAWAL_BEFORE_DUE_DAY',
} as const;

/** Reasons recorded with an agency's status changes caused by its margin (A 第十九条(三)). */
export const MARGIN_STATUS_REASONS = {
  /** Suspended for new business: a deduction found the margin short. */
  SHORTFALL: 'MARGIN.SHORTFALL',
  /** The shortfall was made good by a deposit: the suspension it caused is lifted. */
  TOPPED_UP: 'MARGIN.TOPPED_UP',
  /** Suspended for new business: still below the quarter's requirement after the 10th (RULES §7). */
  BELOW_REQUIREMENT: 'MARGIN.BELOW_REQUIREMENT',
} as const;
