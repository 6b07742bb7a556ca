import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { BreakdownStep } from '../common/breakdown';
import { dateColumn, moneyColumn, rateColumn } from '../common/database/transformers';
import type { Money } from '../common/money/money';
import type { Rate } from '../common/money/rate';

import type { ClaimStatus } from './domain/claim-lifecycle';

// The statuses are defined once, with the lifecycle; re-exported for the entity's importers.
export { CLAIM_STATUSES, type ClaimStatus } from './domain/claim-lifecycle';

/** A loss-compensation claim (RULES §4–§5): filing → review → approval → payout → recoveries → write-off. */
@Entity('claims')
export class Claim {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'loan_id', type: 'uuid' })
  loanId!: string;

  @Column({ name: 'bank_code', type: 'text' })
  bankCode!: string;

  @Column({ name: 'agency_code', type: 'text' })
  agencyCode!: string;

  @Column({ type: 'text' })
  status!: ClaimStatus;

  @Column(dateColumn('claim_date'))
  claimDate!: string;

  @Column(moneyColumn({ name: 'outstanding_principal' }))
  outstandingPrincipal!: Money;

  @Column(dateColumn('interest_unpaid_since'))
  interestUnpaidSince!: string;

  @Column(dateColumn('principal_overdue_since', true))
  principalOverdueSince!: string | null;

  @Column(dateColumn('lawsuit_accepted_on', true))
  lawsuitAcceptedOn!: string | null;

  @Column(dateColumn('eligible_from'))
  eligibleFrom!: string;

  @Column({ name: 'policy_version_id', type: 'text' })
  policyVersionId!: string;

  @Column(rateColumn())
  ratio!: Rate;

  @Column({ type: 'integer' })
  days!: number;

  @Column(moneyColumn())
  interest!: Money;

  @Column(moneyColumn({ name: 'loss_amount' }))
  lossAmount!: Money;

  /** The compensation granted: what was computed, or less when the bank's annual cap cut it at approval. */
  @Column(moneyColumn())
  compensation!: Money;

  /** What the claim computed, when the per-bank annual cap approved less (RULES §11a); else null. */
  @Column(moneyColumn({ name: 'compensation_claimed', nullable: true }))
  compensationClaimed!: Money | null;

  /** The approval's own steps (the bank's annual room), when its version has the cap. */
  @Column({ name: 'approval_breakdown', type: 'jsonb', nullable: true })
  approvalBreakdown!: BreakdownStep[] | null;

  @Column({ type: 'boolean' })
  capped!: boolean;

  @Column({ type: 'jsonb' })
  breakdown!: BreakdownStep[];

  @Column(dateColumn('review_due_on'))
  reviewDueOn!: string;

  @Column(dateColumn('reviewed_on', true))
  reviewedOn!: string | null;

  @Column({ name: 'review_decision', type: 'text', nullable: true })
  reviewDecision!: 'recommend' | 'reject' | null;

  @Column({ name: 'review_reason', type: 'text', nullable: true })
  reviewReason!: string | null;

  @Column({ name: 'approval_batch_id', type: 'uuid', nullable: true })
  approvalBatchId!: string | null;

  @Column(dateColumn('approved_on', true))
  approvedOn!: string | null;

  @Column({ name: 'approval_entry_id', type: 'uuid', nullable: true })
  approvalEntryId!: string | null;

  @Column(moneyColumn({ name: 'margin_deduction', nullable: true }))
  marginDeduction!: Money | null;

  @Column(dateColumn('paid_on', true))
  paidOn!: string | null;

  @Column({ name: 'payout_entry_id', type: 'uuid', nullable: true })
  payoutEntryId!: string | null;

  @Column(dateColumn('receipted_on', true))
  receiptedOn!: string | null;

  @Column(moneyColumn({ name: 'refunded_total' }))
  refundedTotal!: Money;

  @Column(dateColumn('written_off_on', true))
  writtenOffOn!: string | null;

  @Column(moneyColumn({ name: 'written_off_amount', nullable: true }))
  writtenOffAmount!: Money | null;

  @Column({ name: 'write_off_entry_id', type: 'uuid', nullable: true })
  writeOffEntryId!: string | null;

  /** The token that reviewed (recommended or rejected), approved, paid out and wrote off the claim. */
  @Column({ name: 'reviewed_by', type: 'uuid', nullable: true })
  reviewedBy!: string | null;

  @Column({ name: 'approved_by', type: 'uuid', nullable: true })
  approvedBy!: string | null;

  @Column({ name: 'paid_by', type: 'uuid', nullable: true })
  paidBy!: string | null;

  @Column({ name: 'written_off_by', type: 'uuid', nullable: true })
  writtenOffBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity('claim_payout_legs')
export class ClaimPayoutLeg {
  @PrimaryColumn({ name: 'claim_id', type: 'uuid' })
  claimId!: string;

  @PrimaryColumn({ type: 'integer' })
  position!: number;

  @Column({ name: 'bank_code', type: 'text' })
  bankCode!: string;

  @Column(moneyColumn())
  amount!: Money;
}

@Entity('claim_recoveries')
export class ClaimRecovery {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'claim_id', type: 'uuid' })
  claimId!: string;

  @Column(dateColumn('recovered_on'))
  recoveredOn!: string;

  @Column(moneyColumn())
  recovered!: Money;

  @Column(moneyColumn({ name: 'agreed_costs' }))
  agreedCosts!: Money;

  @Column(moneyColumn())
  refund!: Money;

  @Column(dateColumn('refund_due_on'))
  refundDueOn!: string;

  @Column({ type: 'jsonb' })
  breakdown!: BreakdownStep[];

  @Column(dateColumn('refunded_on', true))
  refundedOn!: string | null;

  @Column({ name: 'refund_entry_id', type: 'uuid', nullable: true })
  refundEntryId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity('approval_batches')
export class ApprovalBatch {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column(dateColumn('approved_on'))
  approvedOn!: string;

  @Column({ name: 'claim_count', type: 'integer' })
  claimCount!: number;

  /** The approver's token. */
  @Column({ name: 'approved_by', type: 'uuid', nullable: true })
  approvedBy!: string | null;

  @Column(moneyColumn({ name: 'total_compensation' }))
  totalCompensation!: Money;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
