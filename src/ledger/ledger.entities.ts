import { Column, Entity, PrimaryColumn } from 'typeorm';
import { moneyColumn } from '../common/database/transformers';
import { Money } from '../common/money/money';
import type { AccountType, Side } from './domain/accounts';

/**
 * TypeORM mappings of the ledger tables, for typed reads by other modules. Writes go through
 * LedgerPostingService only: entries and lines are append-only (triggers refuse UPDATE/DELETE),
 * and the balance rows and book heads are moved only by the posting path.
 */
@Entity('ledger_books')
export class LedgerBook {
  @PrimaryColumn({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'last_sequence', type: 'bigint' })
  lastSequence!: string;

  @Column({ name: 'last_hash', type: 'char', length: 64 })
  lastHash!: string;

  @Column({ name: 'closed_through', type: 'date', nullable: true })
  closedThrough!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity('ledger_accounts')
export class LedgerAccount {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  book!: string;

  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  type!: AccountType;

  @Column({ name: 'normal_side', type: 'text' })
  normalSide!: Side;

  @Column(moneyColumn({ nullable: true }))
  floor!: Money | null;

  @Column(moneyColumn())
  debits!: Money;

  @Column(moneyColumn())
  credits!: Money;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity('ledger_entries')
export class LedgerEntry {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  book!: string;

  @Column({ type: 'bigint' })
  sequence!: string;

  @Column({ name: 'effective_date', type: 'date' })
  effectiveDate!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;

  @Column({ type: 'text' })
  memo!: string;

  @Column({ name: 'link_type', type: 'text', nullable: true })
  linkType!: string | null;

  @Column({ name: 'link_id', type: 'text', nullable: true })
  linkId!: string | null;

  @Column({ name: 'reversal_of', type: 'uuid', nullable: true })
  reversalOf!: string | null;

  @Column({ name: 'line_count', type: 'integer' })
  lineCount!: number;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}

@Entity('ledger_lines')
export class LedgerLine {
  @PrimaryColumn({ name: 'entry_id', type: 'uuid' })
  entryId!: string;

  @PrimaryColumn({ name: 'line_no', type: 'smallint' })
  lineNo!: number;

  @Column({ name: 'account_id', type: 'bigint' })
  accountId!: string;

  @Column({ type: 'char', length: 1 })
  side!: 'D' | 'C';

  @Column(moneyColumn())
  amount!: Money;

  @Column({ name: 'effective_date', type: 'date' })
  effectiveDate!: string;

  @Column({ type: 'bigint' })
  sequence!: string;
}

@Entity('ledger_period_closes')
export class LedgerPeriodClose {
  @PrimaryColumn({ type: 'text' })
  book!: string;

  @PrimaryColumn({ type: 'text' })
  quarter!: string;

  @Column({ name: 'closed_through', type: 'date' })
  closedThrough!: string;

  @Column({ name: 'last_sequence', type: 'bigint' })
  lastSequence!: string;

  @Column({ name: 'head_hash', type: 'char', length: 64 })
  headHash!: string;

  @Column({ name: 'closed_at', type: 'timestamptz' })
  closedAt!: Date;
}

export const LEDGER_ENTITIES = [LedgerBook, LedgerAccount, LedgerEntry, LedgerLine, LedgerPeriodClose];
