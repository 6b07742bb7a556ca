/** The placement cycle's stable error codes (STYLE.md "Errors"; RULES §8 placement cycle, 2026-12). */
export const PLACEMENT_ERRORS = {
  /** A reserve balance changed since the proposal was made: recompute it (409). */
  STALE: 'PLACEMENT.STALE',
  /** Approve or reject a proposal that is not `proposed` (409). */
  NOT_PROPOSED: 'PLACEMENT.NOT_PROPOSED',
  /** The quarter already has an approved (or executed) proposal (409). */
  ALREADY_APPROVED: 'PLACEMENT.ALREADY_APPROVED',
  /** Execute a transfer of a proposal that is not approved (409). */
  NOT_APPROVED: 'PLACEMENT.NOT_APPROVED',
  /** No such transfer in the proposal (404). */
  TRANSFER_NOT_FOUND: 'PLACEMENT.TRANSFER_NOT_FOUND',
  /** The transfer would take the paying account below its floor or its locked money (409, with the figures). */
  TRANSFER_BREACHES_FLOOR: 'PLACEMENT.TRANSFER_BREACHES_FLOOR',
  /** A trustee approving while an approver token exists (403): the approver confirms. */
  APPROVER_EXISTS: 'PLACEMENT.APPROVER_EXISTS',
  /** Approved before the proposal was made, or executed before it was approved (422). */
  DATE_ORDER: 'PLACEMENT.DATE_ORDER',
  /** The quarter is not a quarter (400) or has not ended (409). */
  INVALID_QUARTER: 'PLACEMENT.INVALID_QUARTER',
  QUARTER_NOT_ENDED: 'PLACEMENT.QUARTER_NOT_ENDED',
  /** A yearly placement cycle proposes for the fourth quarter only (409). */
  NOT_IN_CYCLE: 'PLACEMENT.NOT_IN_CYCLE',
} as const;
