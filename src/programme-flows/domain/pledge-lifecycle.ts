import { DomainError } from '../../common/errors/domain-error';
import { PLEDGE_ERRORS } from './flows.errors';

/**
 * The IP-pledge claim's statuses (RULES §11; xinxiang 七.3), in lifecycle order, and what may
 * happen in each. As Henan's claims (RULES §4): the bank files, the trustee reviews, the approver
 * approves the advance (four eyes against the reviewer), the custodian pays it; after the sale the
 * bank (or trustee) records it and the settlement posts; the difference moving closes the claim.
 *
 *   filed → recommended | rejected → approved → advance_paid → settled → closed
 *
 * A settlement with no difference closes the claim at once.
 */
export const PLEDGE_CLAIM_STATUSES = ['filed', 'recommended', 'rejected', 'approved', 'advance_paid', 'settled', 'closed'] as const;
export type PledgeClaimStatus = (typeof PLEDGE_CLAIM_STATUSES)[number];

export type PledgeClaimAction = 'recommend' | 'reject' | 'approve' | 'pay_advance' | 'settle' | 'close';

const TRANSITIONS: Readonly<Record<PledgeClaimAction, { from: PledgeClaimStatus; to: PledgeClaimStatus }>> = {
  recommend: { from: 'filed', to: 'recommended' },
  reject: { from: 'filed', to: 'rejected' },
  approve: { from: 'recommended', to: 'approved' },
  pay_advance: { from: 'approved', to: 'advance_paid' },
  settle: { from: 'advance_paid', to: 'settled' },
  close: { from: 'settled', to: 'closed' },
};

/** The status after `action`, or 409 PLEDGE_CLAIM.WRONG_STATUS naming the status it needs. */
export function nextPledgeStatus(id: string, status: PledgeClaimStatus, action: PledgeClaimAction): PledgeClaimStatus {
  const t = TRANSITIONS[action];
  if (t.from !== status) {
    throw DomainError.conflict(PLEDGE_ERRORS.WRONG_STATUS, `Pledge claim ${id} is ${status}; "${action}" needs it ${t.from}.`, [
      { code: PLEDGE_ERRORS.WRONG_STATUS, field: 'status', message: `${status}, needs ${t.from}`, status, needed: t.from },
    ]);
  }
  return t.to;
}
