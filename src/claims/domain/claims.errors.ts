import { DomainError } from '../../common/errors/domain-error';

/**
 * The claims module's stable error codes (STYLE.md "Errors"): claims, approval batches and
 * recoveries. Kinds decide the HTTP status (rule 422, conflict 409, not_found 404, invalid 400).
 */
export const CLAIM_ERRORS = {
  NOT_FOUND: 'CLAIM.NOT_FOUND',
  ALREADY_OPEN: 'CLAIM.ALREADY_OPEN',
  WRONG_STATUS: 'CLAIM.WRONG_STATUS',
  LOAN_NOT_DISBURSED: 'CLAIM.LOAN_NOT_DISBURSED',
  PRINCIPAL_ABOVE_DISBURSED: 'CLAIM.PRINCIPAL_ABOVE_DISBURSED',
  PRINCIPAL_INVALID: 'CLAIM.PRINCIPAL_INVALID',
  NOT_YET_ELIGIBLE: 'CLAIM.NOT_YET_ELIGIBLE',
  NO_TRIGGER: 'CLAIM.NO_TRIGGER',
  REASON_REQUIRED: 'CLAIM.REASON_REQUIRED',
  DATES_OUT_OF_ORDER: 'CLAIM.DATES_OUT_OF_ORDER',
  NOT_RECOMMENDED: 'CLAIM.NOT_RECOMMENDED',
  APPROVAL_BEFORE_REVIEW: 'CLAIM.APPROVAL_BEFORE_REVIEW',
  ALREADY_PAID: 'CLAIM.ALREADY_PAID',
  REFUND_PENDING: 'CLAIM.REFUND_PENDING',
  /** More than one filing check failed (each one in `details`). */
  NOT_FILEABLE: 'CLAIM.NOT_FILEABLE',
  /** henan-2025's per-bank annual cap: no room left for the bank this year (RULES §11a). */
  BANK_ANNUAL_CAP_EXHAUSTED: 'CLAIM.BANK_ANNUAL_CAP_EXHAUSTED',
} as const;

export const BATCH_ERRORS = {
  NOT_FOUND: 'BATCH.NOT_FOUND',
  DUPLICATE_CLAIM: 'BATCH.DUPLICATE_CLAIM',
  CLAIMS_NOT_APPROVABLE: 'BATCH.CLAIMS_NOT_APPROVABLE',
} as const;

export const RECOVERY_ERRORS = {
  NOT_FOUND: 'RECOVERY.NOT_FOUND',
  ALREADY_REFUNDED: 'RECOVERY.ALREADY_REFUNDED',
  NEGATIVE_AMOUNT: 'RECOVERY.NEGATIVE_AMOUNT',
  LOSS_INVALID: 'RECOVERY.LOSS_INVALID',
  COMPENSATION_ABOVE_LOSS: 'RECOVERY.COMPENSATION_ABOVE_LOSS',
  REFUNDED_ABOVE_COMPENSATION: 'RECOVERY.REFUNDED_ABOVE_COMPENSATION',
} as const;

export const claimErrors = {
  notFound(id: string): DomainError {
    return DomainError.notFound(CLAIM_ERRORS.NOT_FOUND, `No claim with id ${id}.`);
  },
  alreadyOpen(loanReference: string): DomainError {
    return DomainError.conflict(
      CLAIM_ERRORS.ALREADY_OPEN,
      `Loan ${loanReference} already has a claim that is not rejected; a loan is compensated once.`,
    );
  },
  /**
   * A lifecycle step dated before the step it follows, e.g. "The payout date … is before the
   * approval on …": 422 (RULES §4, dates 2026-12), the dates named in the detail.
   */
  datesOutOfOrder(message: string, dates: Record<string, string | null> = {}): DomainError {
    return DomainError.rule(CLAIM_ERRORS.DATES_OUT_OF_ORDER, message, [{ code: CLAIM_ERRORS.DATES_OUT_OF_ORDER, message, ...dates }]);
  },
  batchNotFound(id: string): DomainError {
    return DomainError.notFound(BATCH_ERRORS.NOT_FOUND, `No approval batch with id ${id}.`);
  },
  recoveryNotFound(claimId: string, recoveryId: string): DomainError {
    return DomainError.notFound(RECOVERY_ERRORS.NOT_FOUND, `No recovery ${recoveryId} on claim ${claimId}.`);
  },
};
