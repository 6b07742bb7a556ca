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
}

export interface PlacementTransferOut {
  id: string;
  fromBankCode: string;
  toBankCode: string;
  amount: string;
  reference: string;
  status: 'pending' | 'executed';
}

/** The placement of the reserve across the banks' accounts a quarter close proposes (RULES §8). */
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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
