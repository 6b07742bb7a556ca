import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { BreakdownStep } from '../common/breakdown';
import { dateColumn, moneyColumn, rateColumn } from '../common/database/transformers';
import type { Money } from '../common/money/money';
import type { Rate } from '../common/money/rate';
import type { LoanSecurity } from './domain/loan-security';

/**
 * A registered (备案) tech loan. The compensation ratio, the revenue year used and the policy
 * version are fixed at registration and never change (RULES §3).
 */
@Entity('loans')
export class Loan {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The bank's own reference; unique per bank. */
  @Column({ type: 'text' })
  reference!: string;

  @Column({ name: 'bank_code', type: 'text' })
  bankCode!: string;

  @Column({ name: 'agency_code', type: 'text' })
  agencyCode!: string;

  @Column({ name: 'borrower_code', type: 'text' })
  borrowerCode!: string;

  @Column({ name: 'group_key', type: 'text' })
  groupKey!: string;

  @Column(moneyColumn())
  amount!: Money;

  @Column(rateColumn({ name: 'annual_rate' }))
  annualRate!: Rate;

  @Column({ name: 'term_months', type: 'integer' })
  termMonths!: number;

  @Column(dateColumn('contract_date'))
  contractDate!: string;

  @Column(dateColumn('registered_on'))
  registeredOn!: string;

  @Column({ type: 'text' })
  security!: LoanSecurity;

  @Column(moneyColumn({ name: 'collateral_value' }))
  collateralValue!: Money;

  @Column({ name: 'single_asset_exception', type: 'boolean' })
  singleAssetException!: boolean;

  @Column({ name: 'is_renewal', type: 'boolean' })
  isRenewal!: boolean;

  @Column({ name: 'renewal_of', type: 'uuid', nullable: true })
  renewalOf!: string | null;

  /** A renewal registered after the risk review of RULES §6 (party in the 4–6% band). */
  @Column({ name: 'risk_reviewed', type: 'boolean', default: false })
  riskReviewed!: boolean;

  @Column({ name: 'policy_version_id', type: 'text' })
  policyVersionId!: string;

  @Column(rateColumn({ name: 'compensation_ratio' }))
  compensationRatio!: Rate;

  @Column({ name: 'revenue_year_used', type: 'integer' })
  revenueYearUsed!: number;

  @Column(moneyColumn({ name: 'revenue_used' }))
  revenueUsed!: Money;

  @Column({ name: 'registration_breakdown', type: 'jsonb' })
  registrationBreakdown!: BreakdownStep[];

  @Column(dateColumn('disbursed_on', true))
  disbursedOn!: string | null;

  @Column(moneyColumn({ name: 'disbursed_amount', nullable: true }))
  disbursedAmount!: Money | null;

  @Column(dateColumn('disbursement_reported_on', true))
  disbursementReportedOn!: string | null;

  @Column(dateColumn('disbursement_report_due_on', true))
  disbursementReportDueOn!: string | null;

  @Column({ name: 'disbursement_report_late', type: 'boolean', nullable: true })
  disbursementReportLate!: boolean | null;

  /** The trustee's confirmation letter (确认函); agency fees only after it (RULES §7). */
  @Column(dateColumn('confirmation_letter_on', true))
  confirmationLetterOn!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A service fee an agency charged on a loan (RULES §7; A 第六条). */
@Entity('agency_fees')
export class AgencyFee {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'loan_id', type: 'uuid' })
  loanId!: string;

  @Column({ name: 'agency_code', type: 'text' })
  agencyCode!: string;

  @Column(moneyColumn())
  amount!: Money;

  @Column(dateColumn('charged_on'))
  chargedOn!: string;

  @Column({ name: 'period_months', type: 'integer' })
  periodMonths!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
