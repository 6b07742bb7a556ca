/**
 * Codes the programme's pure rules raise (domain/ stays free of service code). The LPR benchmark
 * checks the loan's term, so its code is the loans' `LOAN.TERM_INVALID`; the loans' own term check
 * (loans/domain/loan-rules.errors.ts) takes it from here, so the string is written once.
 */
export const PROGRAMME_RULE_ERRORS = {
  LOAN_TERM_INVALID: 'LOAN.TERM_INVALID',
} as const;

/**
 * Loading a policy version (RULES §11a, `POST /v1/policies`). Every problem is listed at once:
 * the request is a 400 `POLICY.INVALID` when any problem is one of shape or type, else a 422
 * `POLICY.REFUSED`; nothing is stored either way.
 */
export const POLICY_RULE_ERRORS = {
  INVALID: 'POLICY.INVALID',
  REFUSED: 'POLICY.REFUSED',
  // shape and type (400)
  FIELD_INVALID: 'POLICY.FIELD_INVALID',
  PARAMETER_MISSING: 'POLICY.PARAMETER_MISSING',
  PARAMETER_UNKNOWN: 'POLICY.PARAMETER_UNKNOWN',
  PARAMETER_TYPE: 'POLICY.PARAMETER_TYPE',
  PROVISIONAL_UNKNOWN: 'POLICY.PROVISIONAL_UNKNOWN',
  // against the rules (422)
  UNKNOWN_PROGRAMME: 'POLICY.UNKNOWN_PROGRAMME',
  DUPLICATE_ID: 'POLICY.DUPLICATE_ID',
  EFFECTIVE_DATE_TAKEN: 'POLICY.EFFECTIVE_DATE_TAKEN',
  EFFECTIVE_DATE_OVERLAPS: 'POLICY.EFFECTIVE_DATE_OVERLAPS',
  BASED_ON_UNKNOWN: 'POLICY.BASED_ON_UNKNOWN',
  PARAMETER_RANGE: 'POLICY.PARAMETER_RANGE',
} as const;

/** Which policy problems are malformed input (400); the others are refusals (422). */
export const POLICY_SHAPE_PROBLEMS: readonly string[] = [
  POLICY_RULE_ERRORS.FIELD_INVALID,
  POLICY_RULE_ERRORS.PARAMETER_MISSING,
  POLICY_RULE_ERRORS.PARAMETER_UNKNOWN,
  POLICY_RULE_ERRORS.PARAMETER_TYPE,
  POLICY_RULE_ERRORS.PROVISIONAL_UNKNOWN,
];
