import type { Money } from '../common/money/money';

/**
 * What the agencies module needs to know of claims, which it does not own (issue #9 item 3): the
 * net compensation granted on the loans an agency reviewed — approved minus refunded minus written
 * off (RULES §6) — counted over the claims whose compensation has been granted. The claims module
 * provides it (it owns the claims table); agencies never reads that table. Runs in the caller's
 * transaction when one is open.
 */
export interface AgencyCompensationPort {
  /** `excludeClaimId`: leave one claim out (the claim being approved, for the marginal deduction). */
  netCompensation(agencyCode: string, options?: { excludeClaimId?: string }): Promise<Money>;
}

/** Injection token of the AgencyCompensationPort. */
export const AGENCY_COMPENSATION = Symbol('AgencyCompensationPort');
