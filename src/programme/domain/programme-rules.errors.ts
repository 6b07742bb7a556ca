/**
 * Codes the programme's pure rules raise (domain/ stays free of service code). The LPR benchmark
 * checks the loan's term, so its code is the loans' `LOAN.TERM_INVALID`; the loans' own term check
 * (loans/domain/loan-rules.errors.ts) takes it from here, so the string is written once.
 */
export const PROGRAMME_RULE_ERRORS = {
  LOAN_TERM_INVALID: 'LOAN.TERM_INVALID',
} as const;
