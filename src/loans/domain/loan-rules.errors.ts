import { PROGRAMME_RULE_ERRORS } from '../../programme/domain/programme-rules.errors';

/**
 * The codes the loans' pure rules raise (STYLE.md "Errors"): malformed loan input (400), the
 * tech-loan conditions, the revenue year and the registration rules (422). The services' own
 * codes are in ../loans.errors.ts, which re-exports these. Pure constants: domain/ imports them.
 */
export const LOAN_RULE_ERRORS = {
  // Malformed input (400).
  AMOUNT_INVALID: 'LOAN.AMOUNT_INVALID',
  SECURITY_INVALID: 'LOAN.SECURITY_INVALID',
  /** The same code the programme's LPR benchmark raises for a bad term. */
  TERM_INVALID: PROGRAMME_RULE_ERRORS.LOAN_TERM_INVALID,
  REVENUE_DUPLICATE_YEAR: 'LOAN.REVENUE_DUPLICATE_YEAR',
  // Tech-loan conditions (RULES §2–§3).
  COLLATERAL_TOO_HIGH: 'LOAN.COLLATERAL_TOO_HIGH',
  SECURITY_INCONSISTENT: 'LOAN.SECURITY_INCONSISTENT',
  RATE_ABOVE_CAP: 'LOAN.RATE_ABOVE_CAP',
  BORROWER_NOT_QUALIFIED: 'LOAN.BORROWER_NOT_QUALIFIED',
  TERM_TOO_SHORT: 'LOAN.TERM_TOO_SHORT',
  REVENUE_MISSING: 'LOAN.REVENUE_MISSING',
  // Registration rules: parties, agreement, renewal, one agency per group.
  BANK_NOT_ACTIVE: 'LOAN.BANK_NOT_ACTIVE',
  AGENCY_NOT_ACTIVE: 'LOAN.AGENCY_NOT_ACTIVE',
  NO_AGREEMENT: 'LOAN.NO_AGREEMENT',
  RENEWAL_OF_INVALID: 'LOAN.RENEWAL_OF_INVALID',
  GROUP_SERVED_BY_OTHER_AGENCY: 'LOAN.GROUP_SERVED_BY_OTHER_AGENCY',
  CREDIT_LINE_ABOVE_PREVIOUS: 'LOAN.CREDIT_LINE_ABOVE_PREVIOUS',
} as const;

/**
 * The agency-fee calculator's codes (RULES §7). The fee endpoint answers with its own FEE.* codes
 * (../loans.errors.ts, FEE_ERRORS), mapped from these.
 */
export const AGENCY_FEE_RULE_ERRORS = {
  ABOVE_CAP: 'AGENCY.FEE_ABOVE_CAP',
  BEFORE_CONFIRMATION: 'AGENCY.FEE_BEFORE_CONFIRMATION',
  REFUSED: 'AGENCY.FEE_REFUSED',
  INVALID_FEE_PERIOD: 'AGENCY.INVALID_FEE_PERIOD',
  NEGATIVE_AMOUNT: 'AGENCY.NEGATIVE_AMOUNT',
} as const;
