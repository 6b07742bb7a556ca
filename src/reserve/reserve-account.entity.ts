import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { dateColumn } from '../common/database/transformers';

/**
 * One reserve account of a partner bank (RULES §8 "Accounts may only be opened at partner banks;
 * moving an account transfers the whole balance and closes the old one", R 第九–十一条): where it
 * is (branch, account number), when it was opened and closed, and the ledger account that books
 * it (`reserve:deposit:BANK` for the first, `reserve:deposit:BANK:n` for the n-th). At most one
 * account per bank is open. docs/reserve-accounts.md.
 */
@Entity('reserve_accounts')
export class ReserveAccount {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'bank_code', type: 'text' })
  bankCode!: string;

  /** 1 for the bank's first account, then 2, 3, … for the accounts each move opens. */
  @Column({ type: 'int' })
  ordinal!: number;

  /** The ledger account (reserve book) that books this account. */
  @Column({ name: 'account_code', type: 'text' })
  accountCode!: string;

  @Column({ type: 'text', nullable: true })
  branch!: string | null;

  @Column({ name: 'account_number', type: 'text', nullable: true })
  accountNumber!: string | null;

  @Column(dateColumn('opened_on', true))
  openedOn!: string | null;

  @Column(dateColumn('closed_on', true))
  closedOn!: string | null;

  @Column({ type: 'text' })
  status!: 'open' | 'closed';

  /** The account this one was moved to (set when it is closed by a move). */
  @Column({ name: 'moved_to', type: 'uuid', nullable: true })
  movedTo!: string | null;

  /** The ledger entry that carried the whole balance over; null when the balance was 0.00. */
  @Column({ name: 'move_entry_id', type: 'uuid', nullable: true })
  moveEntryId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
