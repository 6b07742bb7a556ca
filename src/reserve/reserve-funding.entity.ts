import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { dateColumn, moneyColumn } from '../common/database/transformers';
import type { Money } from '../common/money/money';

/**
 * An appropriation deposited into a bank's reserve account (RULES §8), by the reference of the
 * budget's payment: one funding per reference, with the ledger entry that booked it.
 */
@Entity('reserve_fundings')
export class ReserveFunding {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  reference!: string;

  @Column({ name: 'bank_code', type: 'text' })
  bankCode!: string;

  @Column(moneyColumn())
  amount!: Money;

  @Column(dateColumn('funded_on'))
  fundedOn!: string;

  @Column({ name: 'entry_id', type: 'uuid' })
  entryId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
