import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { dateColumn, moneyColumn } from '../common/database/transformers';
import type { Money } from '../common/money/money';
import type { AssetQuality } from './bank-report-rows';

/**
 * One version of a bank's quarterly report (B 第十条). Re-sending a quarter adds a version and
 * marks the previous one superseded (`supersededAt`, `supersededBy`); at most one version of a
 * bank's quarter is current (unique index on bank × quarter where superseded_at is null).
 */
@Entity('bank_reports')
export class BankReport {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'bank_code', type: 'text' })
  bankCode!: string;

  /** '2025Q2'. */
  @Column({ type: 'text' })
  quarter!: string;

  @Column(dateColumn('quarter_end'))
  quarterEnd!: string;

  /** 1 for the first report of the quarter, then 2, 3, … without gaps. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  source!: 'json' | 'csv';

  @Column(dateColumn('received_on'))
  receivedOn!: string;

  @Column(dateColumn('due_on'))
  dueOn!: string;

  @Column({ type: 'boolean' })
  late!: boolean;

  @Column({ name: 'row_count', type: 'integer' })
  rowCount!: number;

  @Column(moneyColumn({ name: 'outstanding_total' }))
  outstandingTotal!: Money;

  @Column(moneyColumn({ name: 'repaid_total' }))
  repaidTotal!: Money;

  /** The version that replaced this one; null while it is current. */
  @Column({ name: 'superseded_by', type: 'uuid', nullable: true })
  supersededBy!: string | null;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * One loan's line of a report version: outstanding principal at the quarter end, principal repaid
 * in the quarter and the asset quality (五级分类). Rows of superseded versions are kept.
 */
@Entity('bank_report_rows')
export class BankReportRow {
  @PrimaryColumn({ name: 'report_id', type: 'uuid' })
  reportId!: string;

  @PrimaryColumn({ name: 'loan_id', type: 'uuid' })
  loanId!: string;

  /** The line of the upload it came from (CSV file line, or 1-based JSON position). */
  @Column({ type: 'integer' })
  line!: number;

  @Column(moneyColumn({ name: 'outstanding_principal' }))
  outstandingPrincipal!: Money;

  @Column(moneyColumn())
  repaid!: Money;

  @Column({ name: 'asset_quality', type: 'text' })
  assetQuality!: AssetQuality;
}
