import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { BreakdownStep } from '../common/breakdown';
import { dateColumn, moneyColumn } from '../common/database/transformers';
import type { Money } from '../common/money/money';

export interface PlacementBankOut {
  bankCode: string;
  balance: string;
  locked: string;
  score: string;
  target: string;
  /** The scoring model's own target before the minimum-transfer rule (equal to target unless that rule moved it). */
  scoredTarget?: string;
  inputs?: PlacementInputsOut;
}

export interface PlacementTransferOut {
  id: string;
  fromBankCode: string;
  toBankCode: string;
  amount: string;
  /** The reference of the paying leg's payment instruction once approved (the 附言 the custodian keys in). */
  reference: string;
  /** The receiving leg's payment instruction, once approved. */
  inReference?: string;
  status: 'pending' | 'executed';
  executedOn?: string;
  executedBy?: string | null;
  entryId?: string;
}

/** What the scores were computed from, per bank (issue 13 item 1): shown so a bank can see why it got its target. */
export interface PlacementInputsOut {
  outstandingBalance: string;
  averageTermMonths: string;
  averageRate: string;
  collateralRatio: string;
  smallBorrowerShare: string;
  lossRate: string | null;
  compensationReceived: string;
}

/** A placement of the reserve across the banks' accounts (RULES §8 placement cycle): proposed, approved or rejected, executed. */
@Entity('placement_proposals')
export class PlacementProposal {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  quarter!: string;

  @Column({ type: 'text' })
  status!: 'proposed' | 'approved' | 'rejected' | 'stale' | 'executed';

  @Column(dateColumn('as_of'))
  asOf!: string;

  @Column(moneyColumn())
  total!: Money;

  @Column({ type: 'jsonb' })
  banks!: PlacementBankOut[];

  @Column({ type: 'jsonb' })
  transfers!: PlacementTransferOut[];

  @Column({ type: 'jsonb' })
  breakdown!: BreakdownStep[];

  /** The token that asked for it, or 'quarter-close' when the close made it. */
  @Column({ name: 'proposed_by', type: 'text', nullable: true })
  proposedBy!: string | null;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column(dateColumn('approved_on', true))
  approvedOn!: string | null;

  /** Why it was rejected, or why it went stale. */
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column(dateColumn('executed_on', true))
  executedOn!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
