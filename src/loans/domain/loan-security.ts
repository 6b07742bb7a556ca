import { DomainError } from '../../common/errors/domain-error';
import { LOAN_RULE_ERRORS } from './loan-rules.errors';

/**
 * How a loan is secured (API.md `security`). RULES §3 / S 二(一)3(1)e: `credit` = no collateral
 * and no guarantee; `shareholder_guarantee_only` = no collateral, the only guarantee is the joint
 * liability of natural-person shareholders holding ≥ 34% (spouse included). Both get 60%.
 */
export type LoanSecurity = 'collateral' | 'guarantee' | 'shareholder_guarantee_only' | 'credit';

export const LOAN_SECURITIES: readonly LoanSecurity[] = [
  'collateral',
  'guarantee',
  'shareholder_guarantee_only',
  'credit',
];

export function isLoanSecurity(value: unknown): value is LoanSecurity {
  return typeof value === 'string' && (LOAN_SECURITIES as readonly string[]).includes(value);
}

/** Securities that must carry no collateral and earn the flat credit-loan ratio. */
export function isUncollateralisedSecurity(security: LoanSecurity): boolean {
  return security === 'credit' || security === 'shareholder_guarantee_only';
}

/** Throws DomainError invalid `LOAN.SECURITY_INVALID` (400) for anything but the four values. */
export function assertLoanSecurity(value: unknown): asserts value is LoanSecurity {
  if (!isLoanSecurity(value)) {
    throw DomainError.invalid(
      LOAN_RULE_ERRORS.SECURITY_INVALID,
      `security must be one of ${LOAN_SECURITIES.join(', ')}`,
      [
        {
          code: LOAN_RULE_ERRORS.SECURITY_INVALID,
          field: 'security',
          message: `${JSON.stringify(value)} is not a known security`,
        },
      ],
    );
  }
}

/** Throws DomainError invalid `LOAN.TERM_INVALID` (400) unless termMonths is a whole number ≥ 1. */
export function assertTermMonths(termMonths: unknown): asserts termMonths is number {
  if (typeof termMonths !== 'number' || !Number.isInteger(termMonths) || termMonths < 1) {
    throw DomainError.invalid(
      LOAN_RULE_ERRORS.TERM_INVALID,
      'termMonths must be a whole number of months ≥ 1',
      [
        {
          code: LOAN_RULE_ERRORS.TERM_INVALID,
          field: 'termMonths',
          message: `${JSON.stringify(termMonths)} is not a whole number ≥ 1`,
        },
      ],
    );
  }
}
