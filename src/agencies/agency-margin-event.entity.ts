import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { BreakdownStep } from '../common/breakdown';
import { dateColumn, moneyColumn } from '../common/database/transformers';
import type { Money } from '../common/money/money';
import type { MarginEventKind } from './domain/open-shortfall';

/**
 * One movement of an agency's margin, beside its ledger entry in the margin book (RULES §7): a
 * deposit, a withdrawal, a deduction on an approved claim (with what was due and what was short),
 * or a shortfall made good from a later deposit. The history the margin view and the open
 * shortfall are computed from.
 */
@Entity('agency_margin_events')
export class AgencyMarginEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'agency_code', type: 'text' })
  agencyCode!: string;

  @Column({ type: 'text' })
  kind!: MarginEventKind;

  /** What moved in the margin book (for a deduction: what was taken). */
  @Column(moneyColumn())
  amount!: Money;

  @Column(dateColumn('on_date'))
  onDate!: string;

  @Column({ name: 'claim_id', type: 'uuid', nullable: true })
  claimId!: string | null;

  /** A deduction's amount due by the bands, before the margin's balance limited it. */
  @Column(moneyColumn({ name: 'deduction_due', nullable: true }))
  deductionDue!: Money | null;

  @Column(moneyColumn({ nullable: true }))
  shortfall!: Money | null;

  @Column(dateColumn('top_up_due_on', true))
  topUpDueOn!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  breakdown!: BreakdownStep[] | null;

  @Column({ name: 'entry_id', type: 'uuid', nullable: true })
  entryId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
