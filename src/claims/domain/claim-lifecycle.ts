import { DomainError } from '../../common/errors/domain-error';
import { CLAIM_ERRORS } from './claims.errors';

/**
 * The statuses of a loss-compensation claim (RULES §4 "Claim lifecycle"; R 第十三–十九条), in
 * lifecycle order. The one definition: the entity, the DTOs and the services take it from here.
 */
export const CLAIM_STATUSES = ['filed', 'under_review', 'recommended', 'rejected', 'approved', 'paid', 'receipted', 'written_off'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** What may happen to a claim after it is filed (each a service method or a step of one). */
export const CLAIM_ACTIONS = [
  'start_review',
  'recommend',
  'reject',
  'approve',
  'pay',
  'receipt',
  'record_recovery',
  'record_refund',
  'write_off',
] as const;
export type ClaimAction = (typeof CLAIM_ACTIONS)[number];

type Transitions = Readonly<Partial<Record<ClaimAction, ClaimStatus>>>;

/**
 * The claim lifecycle as a table: status × action → next status; a pair that is not in the table
 * is refused. RULES §4: `filed → under_review → recommended | rejected → approved (quarterly
 * batch) → paid → receipted → (recoveries…) → written_off`; R 第十三条 (expert review, which may
 * start from `filed` directly), 第十四条 (approval in batches), 第十五、十六条 (payout and the
 * bank's receipt), 第十七条 (recoveries and refunds, which leave the status as it is), 第十九条
 * (write-off, from a paid claim whether or not the bank has receipted it yet).
 *
 * Worked example: a claim filed on 2025-07-15 goes filed —start_review→ under_review
 * —recommend→ recommended —approve→ approved —pay→ paid —receipt→ receipted; a recovery and its
 * refund keep it receipted; the write-off closes it as written_off. A rejected or written-off
 * claim accepts no action at all.
 */
export const CLAIM_TRANSITIONS: Readonly<Record<ClaimStatus, Transitions>> = {
  filed: { start_review: 'under_review', recommend: 'recommended', reject: 'rejected' },
  under_review: { recommend: 'recommended', reject: 'rejected' },
  recommended: { approve: 'approved' },
  rejected: {},
  approved: { pay: 'paid' },
  paid: { receipt: 'receipted', record_recovery: 'paid', record_refund: 'paid', write_off: 'written_off' },
  receipted: { record_recovery: 'receipted', record_refund: 'receipted', write_off: 'written_off' },
  written_off: {},
};

/**
 * How the refusal names the action: "Claim … is rejected; a payout needs approved." These are the
 * phrases the service has always used; 'an approval' is new (a batch refuses with its own error,
 * BATCH.CLAIMS_NOT_APPROVABLE, listing every claim, so the API never shows it).
 */
const ACTION_PHRASES: Readonly<Record<ClaimAction, string>> = {
  start_review: 'starting the review',
  recommend: 'a review',
  reject: 'a review',
  approve: 'an approval',
  pay: 'a payout',
  receipt: 'a receipt',
  record_recovery: 'a recovery',
  record_refund: 'a refund',
  write_off: 'a write-off',
};

/**
 * The statuses in which a claim's compensation has been granted: approved and every status after
 * it. Such claims count in the net compensation of loss rates and margin deductions (RULES §6, §7).
 */
export const GRANTED_STATUSES: readonly ClaimStatus[] = ['approved', 'paid', 'receipted', 'written_off'];

/** The statuses from which `action` is allowed, in lifecycle order (e.g. write_off → paid, receipted). */
export function allowedFrom(action: ClaimAction): ClaimStatus[] {
  return CLAIM_STATUSES.filter((status) => CLAIM_TRANSITIONS[status][action] !== undefined);
}

/** Whether the table allows `action` on a claim in `status` (e.g. approve on recommended → true). */
export function canApply(status: ClaimStatus, action: ClaimAction): boolean {
  return CLAIM_TRANSITIONS[status][action] !== undefined;
}

/**
 * The status a claim moves to when `action` is applied (RULES §4, §5). Any pair outside the table
 * throws 409 CLAIM.WRONG_STATUS naming the statuses the action needs, e.g. a payout of a
 * recommended claim: "Claim 5f0c… is recommended; a payout needs approved." with details
 * `[{ code: 'CLAIM.WRONG_STATUS', message: 'status is recommended', claimId, status:
 * 'recommended', allowed: ['approved'] }]`.
 */
export function nextStatus(claimId: string, status: ClaimStatus, action: ClaimAction): ClaimStatus {
  const next = CLAIM_TRANSITIONS[status][action];
  if (next !== undefined) return next;
  const allowed = allowedFrom(action);
  return wrongStatus(claimId, status, ACTION_PHRASES[action], allowed);
}

function wrongStatus(claimId: string, status: ClaimStatus, what: string, allowed: ClaimStatus[]): never {
  throw DomainError.conflict(CLAIM_ERRORS.WRONG_STATUS, `Claim ${claimId} is ${status}; ${what} needs ${allowed.join(' or ')}.`, [
    { code: CLAIM_ERRORS.WRONG_STATUS, message: `status is ${status}`, claimId, status, allowed },
  ]);
}
