import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { BreakdownStep } from '../common/breakdown';
import { dateColumn, moneyColumn, rateColumn } from '../common/database/transformers';
import type { ErrorDetail } from '../common/errors/domain-error';
import type { Money } from '../common/money/money';
import type { Rate } from '../common/money/rate';
import type { BorrowerType, HireGroup, MissingFigure, ProgrammeDocument } from './domain/programme-document';

/** A programme's data document in force from `effectiveFrom` (issue 18; never rewritten once a loan uses it). */
@Entity('programme_versions')
export class ProgrammeVersionRow {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'programme_code', type: 'text' })
  programmeCode!: string;

  @Column(dateColumn('effective_from'))
  effectiveFrom!: string;

  /** The last registration date the version applies to (Guangxi's special loan ends 2025-12-31); null = open. */
  @Column(dateColumn('effective_to', true))
  effectiveTo!: string | null;

  @Column({ type: 'jsonb' })
  body!: ProgrammeDocument;

  /** The figures the seed does not give (also in body.missing), for listing without reading the body. */
  @Column({ type: 'jsonb' })
  missing!: MissingFigure[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A borrower's headcount (在职职工人数 / 用工人数) on a date. */
@Entity('borrower_headcounts')
export class BorrowerHeadcount {
  @PrimaryColumn({ name: 'borrower_code', type: 'text' })
  borrowerCode!: string;

  @PrimaryColumn({ name: 'as_of', type: 'date' })
  asOf!: string;

  @Column({ type: 'integer' })
  headcount!: number;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

/** Persons a borrower hired on a date, by origin region and group, with their contract length. */
@Entity('borrower_hires')
export class BorrowerHire {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'borrower_code', type: 'text' })
  borrowerCode!: string;

  @Column(dateColumn('hired_on'))
  hiredOn!: string;

  @Column({ type: 'integer' })
  persons!: number;

  /** The division code (GB/T 2260) the persons come from; null = not recorded. */
  @Column({ name: 'origin_region', type: 'text', nullable: true })
  originRegion!: string | null;

  @Column({ type: 'text', array: true })
  groups!: HireGroup[];

  /** Length of their labour contracts in months; null = not recorded. */
  @Column({ name: 'contract_months', type: 'integer', nullable: true })
  contractMonths!: number | null;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

/**
 * A loan registered against a programme other than Henan's tech loans (issue 18): the version it
 * was registered under, the facts its rules saw (frozen), the soft rules it failed and the
 * breakdown. Henan's loans are in `loans` (src/loans); no Henan aggregate reads this table.
 */
@Entity('programme_loans')
export class ProgrammeLoan {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'programme_code', type: 'text' })
  programmeCode!: string;

  @Column({ name: 'programme_version_id', type: 'text' })
  programmeVersionId!: string;

  @Column({ type: 'text' })
  product!: string;

  @Column({ type: 'text' })
  reference!: string;

  @Column({ name: 'bank_code', type: 'text' })
  bankCode!: string;

  @Column({ name: 'borrower_code', type: 'text' })
  borrowerCode!: string;

  @Column({ name: 'borrower_type', type: 'text' })
  borrowerType!: BorrowerType;

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

  @Column({ type: 'jsonb' })
  facts!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  warnings!: ErrorDetail[];

  @Column({ type: 'jsonb' })
  breakdown!: BreakdownStep[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
