import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { BreakdownStep } from '../common/breakdown';
import { dateColumn, moneyColumn, rateColumn } from '../common/database/transformers';
import type { Money } from '../common/money/money';
import type { Rate } from '../common/money/rate';

/**
 * The business-margin requirement of an agency for one quarter, fixed once by the close of the
 * quarter before (RULES §7, 2026-12): it does not move when a claim is approved mid-quarter.
 */
@Entity('agency_margin_requirements')
export class AgencyMarginRequirement {
  @PrimaryColumn({ name: 'agency_code', type: 'text' })
  agencyCode!: string;

  /** The quarter the requirement applies to. */
  @PrimaryColumn({ type: 'text' })
  quarter!: string;

  /** The end of the previous quarter, whose reviewed balance is the base. */
  @Column(dateColumn('basis_quarter_end'))
  basisQuarterEnd!: string;

  @Column(moneyColumn({ name: 'reviewed_balance' }))
  reviewedBalance!: Money;

  @Column(rateColumn({ name: 'fee_rate' }))
  feeRate!: Rate;

  @Column(moneyColumn({ name: 'fees_receivable' }))
  feesReceivable!: Money;

  /** The published loss rate the 20% test used; null when none was published or it was undefined. */
  @Column(rateColumn({ name: 'loss_rate', nullable: true }))
  lossRate!: Rate | null;

  @Column({ name: 'loss_rate_quarter', type: 'text', nullable: true })
  lossRateQuarter!: string | null;

  @Column(rateColumn())
  ratio!: Rate;

  @Column(moneyColumn())
  requirement!: Money;

  @Column(moneyColumn({ name: 'balance_at_fixing' }))
  balanceAtFixing!: Money;

  @Column({ type: 'jsonb' })
  breakdown!: BreakdownStep[];

  @Column(dateColumn('fixed_on'))
  fixedOn!: string;
}
