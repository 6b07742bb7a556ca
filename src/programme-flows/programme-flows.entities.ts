import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { BreakdownStep } from '../common/breakdown';
import { dateColumn, moneyColumn, rateColumn } from '../common/database/transformers';
import type { Money } from '../common/money/money';
import type { Rate } from '../common/money/rate';
import type { SettlementDirection } from './domain/pledge-settlement.calculator';
import type { PledgeClaimStatus } from './domain/pledge-lifecycle';

/** An appropriation into a flow's fund (docs/programme-flows.md "Funds"). */
@Entity('flow_fundings')
export class FlowFunding {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) book!: string;
  @Column({ type: 'text' }) reference!: string;
  @Column(moneyColumn()) amount!: Money;
  @Column(dateColumn('funded_on')) fundedOn!: string;
  @Column({ name: 'entry_id', type: 'uuid' }) entryId!: string;
  @Column({ name: 'funded_by', type: 'text', nullable: true }) fundedBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** The two-phase IP-pledge claim (xinxiang 七.3): advance at default, settlement after the sale. */
@Entity('pledge_claims')
export class PledgeClaim {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'loan_id', type: 'uuid' }) loanId!: string;
  @Column({ name: 'bank_code', type: 'text' }) bankCode!: string;
  @Column({ type: 'text' }) programme!: string;
  @Column({ name: 'programme_version_id', type: 'text' }) programmeVersionId!: string;
  @Column({ type: 'text' }) status!: PledgeClaimStatus;
  @Column(dateColumn('claim_date')) claimDate!: string;
  @Column(moneyColumn({ name: 'outstanding_principal' })) outstandingPrincipal!: Money;
  @Column(dateColumn('interest_unpaid_since')) interestUnpaidSince!: string;
  @Column(rateColumn({ name: 'annual_rate' })) annualRate!: Rate;
  @Column({ type: 'integer' }) days!: number;
  @Column(moneyColumn()) interest!: Money;
  @Column(moneyColumn({ name: 'loss_amount' })) lossAmount!: Money;
  @Column(rateColumn({ name: 'advance_ratio' })) advanceRatio!: Rate;
  @Column(rateColumn({ name: 'settlement_ratio' })) settlementRatio!: Rate;
  @Column(moneyColumn()) advance!: Money;
  @Column({ type: 'jsonb' }) breakdown!: BreakdownStep[];
  @Column({ name: 'filed_by', type: 'text', nullable: true }) filedBy!: string | null;
  @Column(dateColumn('reviewed_on', true)) reviewedOn!: string | null;
  @Column({ name: 'reviewed_by', type: 'text', nullable: true }) reviewedBy!: string | null;
  @Column({ name: 'review_reason', type: 'text', nullable: true }) reviewReason!: string | null;
  @Column(dateColumn('approved_on', true)) approvedOn!: string | null;
  @Column({ name: 'approved_by', type: 'text', nullable: true }) approvedBy!: string | null;
  @Column({ name: 'approval_entry_id', type: 'uuid', nullable: true }) approvalEntryId!: string | null;
  @Column(dateColumn('advance_paid_on', true)) advancePaidOn!: string | null;
  @Column({ name: 'advance_paid_by', type: 'text', nullable: true }) advancePaidBy!: string | null;
  @Column({ name: 'advance_entry_id', type: 'uuid', nullable: true }) advanceEntryId!: string | null;
  @Column(dateColumn('sold_on', true)) soldOn!: string | null;
  @Column(moneyColumn({ nullable: true })) proceeds!: Money | null;
  @Column(moneyColumn({ name: 'disposal_costs', nullable: true })) disposalCosts!: Money | null;
  @Column(moneyColumn({ name: 'net_proceeds', nullable: true })) netProceeds!: Money | null;
  @Column(moneyColumn({ name: 'final_loss', nullable: true })) finalLoss!: Money | null;
  @Column(moneyColumn({ name: 'final_compensation', nullable: true })) finalCompensation!: Money | null;
  @Column({ type: 'text', nullable: true }) direction!: SettlementDirection | null;
  @Column(moneyColumn({ nullable: true })) difference!: Money | null;
  @Column({ name: 'settlement_breakdown', type: 'jsonb', nullable: true }) settlementBreakdown!: BreakdownStep[] | null;
  @Column(dateColumn('settled_on', true)) settledOn!: string | null;
  @Column({ name: 'settlement_entry_id', type: 'uuid', nullable: true }) settlementEntryId!: string | null;
  @Column(dateColumn('closed_on', true)) closedOn!: string | null;
  @Column({ name: 'closing_entry_id', type: 'uuid', nullable: true }) closingEntryId!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** An interest subsidy on a start-up guarantee loan (xinxiang (四)), numbered per borrower. */
@Entity('interest_subsidies')
export class InterestSubsidy {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'loan_id', type: 'uuid' }) loanId!: string;
  @Column({ name: 'bank_code', type: 'text' }) bankCode!: string;
  @Column({ name: 'borrower_code', type: 'text' }) borrowerCode!: string;
  @Column({ type: 'text' }) programme!: string;
  @Column({ name: 'programme_version_id', type: 'text' }) programmeVersionId!: string;
  @Column({ type: 'integer' }) ordinal!: number;
  @Column({ name: 'times_max', type: 'integer' }) timesMax!: number;
  @Column(moneyColumn()) principal!: Money;
  @Column(rateColumn({ name: 'loan_rate' })) loanRate!: Rate;
  @Column(rateColumn()) lpr!: Rate;
  @Column(dateColumn('lpr_effective_from')) lprEffectiveFrom!: string;
  @Column(rateColumn({ name: 'band_floor' })) bandFloor!: Rate;
  @Column(rateColumn({ name: 'band_ceiling' })) bandCeiling!: Rate;
  @Column(rateColumn({ name: 'subsidised_rate' })) subsidisedRate!: Rate;
  @Column({ name: 'day_count_basis', type: 'integer' }) dayCountBasis!: number;
  @Column(dateColumn('starts_on')) startsOn!: string;
  @Column(dateColumn('ends_on')) endsOn!: string;
  @Column(dateColumn('granted_on')) grantedOn!: string;
  @Column({ name: 'granted_by', type: 'text', nullable: true }) grantedBy!: string | null;
  @Column(moneyColumn({ name: 'scheduled_total' })) scheduledTotal!: Money;
  @Column({ type: 'jsonb' }) breakdown!: BreakdownStep[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** One quarter of a subsidy's schedule: scheduled, then claimed by the bank, then paid by the custodian. */
@Entity('interest_subsidy_quarters')
export class InterestSubsidyQuarter {
  @PrimaryColumn({ name: 'subsidy_id', type: 'uuid' }) subsidyId!: string;
  @PrimaryColumn({ type: 'text' }) quarter!: string;
  @Column({ type: 'integer' }) position!: number;
  @Column(dateColumn('period_from')) periodFrom!: string;
  @Column(dateColumn('period_to')) periodTo!: string;
  @Column({ type: 'integer' }) days!: number;
  @Column(moneyColumn({ name: 'scheduled_amount' })) scheduledAmount!: Money;
  @Column(moneyColumn({ name: 'principal_outstanding', nullable: true })) principalOutstanding!: Money | null;
  @Column(moneyColumn({ nullable: true })) amount!: Money | null;
  @Column({ type: 'jsonb', nullable: true }) breakdown!: BreakdownStep[] | null;
  @Column(dateColumn('claimed_on', true)) claimedOn!: string | null;
  @Column({ name: 'claimed_by', type: 'text', nullable: true }) claimedBy!: string | null;
  @Column({ name: 'claim_entry_id', type: 'uuid', nullable: true }) claimEntryId!: string | null;
  @Column(dateColumn('paid_on', true)) paidOn!: string | null;
  @Column({ name: 'paid_by', type: 'text', nullable: true }) paidBy!: string | null;
  @Column({ name: 'payment_entry_id', type: 'uuid', nullable: true }) paymentEntryId!: string | null;
}
