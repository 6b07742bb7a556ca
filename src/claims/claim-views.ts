import type { Claim, ClaimRecovery } from './claim.entity';

/** A claim as the API shows it (money as two-decimal strings, dates as YYYY-MM-DD). */
export function claimOut(c: Claim, today: string) {
  return {
    id: c.id,
    loanId: c.loanId,
    bankCode: c.bankCode,
    agencyCode: c.agencyCode,
    status: c.status,
    claimDate: c.claimDate,
    outstandingPrincipal: c.outstandingPrincipal.toString(),
    interestUnpaidSince: c.interestUnpaidSince,
    principalOverdueSince: c.principalOverdueSince,
    lawsuitAcceptedOn: c.lawsuitAcceptedOn,
    eligibleFrom: c.eligibleFrom,
    policyVersionId: c.policyVersionId,
    ratio: c.ratio.toFixed(2),
    days: c.days,
    interest: c.interest.toString(),
    lossAmount: c.lossAmount.toString(),
    compensation: c.compensation.toString(),
    compensationClaimed: c.compensationClaimed?.toString() ?? null,
    policyVersion: c.policyVersionId,
    capped: c.capped,
    reviewDueOn: c.reviewDueOn,
    reviewOverdue: (c.status === 'filed' || c.status === 'under_review') && today > c.reviewDueOn,
    reviewedOn: c.reviewedOn,
    reviewDecision: c.reviewDecision,
    reviewReason: c.reviewReason,
    approvalBatchId: c.approvalBatchId,
    approvedOn: c.approvedOn,
    marginDeduction: c.marginDeduction?.toString() ?? null,
    approvalBreakdown: c.approvalBreakdown,
    paidOn: c.paidOn,
    receiptedOn: c.receiptedOn,
    refundedTotal: c.refundedTotal.toString(),
    writtenOffOn: c.writtenOffOn,
    writtenOffAmount: c.writtenOffAmount?.toString() ?? null,
    /** The token of each step (maker-checker); null where not made yet. */
    actors: { reviewedBy: c.reviewedBy, approvedBy: c.approvedBy, paidBy: c.paidBy, writtenOffBy: c.writtenOffBy },
    entries: { approval: c.approvalEntryId, payout: c.payoutEntryId, writeOff: c.writeOffEntryId },
  };
}

export function recoveryOut(r: ClaimRecovery) {
  return {
    id: r.id,
    claimId: r.claimId,
    recoveredOn: r.recoveredOn,
    recovered: r.recovered.toString(),
    agreedCosts: r.agreedCosts.toString(),
    refund: r.refund.toString(),
    refundDueOn: r.refundDueOn,
    refundedOn: r.refundedOn,
    refundEntryId: r.refundEntryId,
    breakdown: r.breakdown,
  };
}
