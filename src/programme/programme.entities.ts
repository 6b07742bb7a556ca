import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { dateColumn, moneyColumn, rateColumn } from '../common/database/transformers';
import type { Money } from '../common/money/money';
import type { Rate } from '../common/money/rate';

import type { PartyStatus, ReasonSource, ReasonStatus } from './domain/party-status';
import type { BorrowerType, MoneyFlow, SizeClass } from './domain/programme-document';
import type { QualificationKind } from './domain/qualifications';

// The statuses are defined once, with the status rules; re-exported for the entity's importers.
export { PARTY_STATUSES, type PartyStatus } from './domain/party-status';

/**
 * What banks and agencies share: a code, a name, a status with its reason and date (RULES §6),
 * and the latest loss rate a quarter close stored (null until one ran). Each subclass is its own
 * table with these columns.
 */
export abstract class ProgrammeParty {
  @PrimaryColumn({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  status!: PartyStatus;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column(dateColumn('status_since', true))
  statusSince!: string | null;

  @Column(rateColumn({ name: 'loss_rate', nullable: true }))
  lossRate!: Rate | null;

  @Column({ name: 'loss_rate_quarter', type: 'text', nullable: true })
  lossRateQuarter!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A partner bank (合作银行). */
@Entity('banks')
export class Bank extends ProgrammeParty {
  /** The date the bank joined the programme (its dormancy is counted from it, RULES §6); null when not given. */
  @Column(dateColumn('joined_on', true))
  joinedOn!: string | null;
}

/** A professional agency (专业机构). */
@Entity('agencies')
export class Agency extends ProgrammeParty {
  /** The agency's annual service-fee rate (RULES §7: fees receivable = balance × this rate). */
  @Column(rateColumn({ name: 'fee_rate' }))
  feeRate!: Rate;

  @Column(dateColumn('joined_on'))
  joinedOn!: string;
}

/** One status a bank or agency had from `since`; the history behind `statusOn(date)`. */
@Entity('party_status_changes')
export class PartyStatusChange {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'party_type', type: 'text' })
  partyType!: 'bank' | 'agency';

  @Column({ name: 'party_code', type: 'text' })
  partyCode!: string;

  @Column({ type: 'text' })
  status!: PartyStatus;

  @Column({ type: 'text' })
  reason!: string;

  @Column(dateColumn('since'))
  since!: string;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

/** The tri-party agreement bank × agency × trustee (S 二(二)3, A 第五条). */
@Entity('agreements')
export class Agreement {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'bank_code', type: 'text' })
  bankCode!: string;

  @Column({ name: 'agency_code', type: 'text' })
  agencyCode!: string;

  @Column(dateColumn('signed_on'))
  signedOn!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A tech enterprise (科技企业). */
@Entity('borrowers')
export class Borrower {
  @PrimaryColumn({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'high_tech', type: 'boolean' })
  highTech!: boolean;

  @Column({ name: 'tech_sme', type: 'boolean' })
  techSme!: boolean;

  /** The enterprise group (related enterprises); null = the borrower stands alone. */
  @Column({ name: 'group_code', type: 'text', nullable: true })
  groupCode!: string | null;

  /** Substantive industry–university–research cooperation (henan-2025's 80% category, RULES §11a). */
  @Column({ name: 'research_cooperation', type: 'boolean', default: false })
  researchCooperation!: boolean;

  /** The bank that registered it (its tokens see and edit it); null when the trustee did. */
  @Column({ name: 'bank_code', type: 'text', nullable: true })
  bankCode!: string | null;

  /** Enterprise (小微企业) or individual business (小微企业主/个体工商户), for the employment programmes (issue 18); null = not given. */
  @Column({ name: 'borrower_type', type: 'text', nullable: true })
  borrowerType!: BorrowerType | null;

  /** Micro / small / medium / large (the national size classification); null = not given. */
  @Column({ name: 'size_class', type: 'text', nullable: true })
  sizeClass!: SizeClass | null;

  /** The date the business was established (成立) or began operating (个体: 实际开展经营); null = not given. */
  @Column(dateColumn('established_on', true))
  establishedOn!: string | null;

  /** The administrative division code (GB/T 2260, six digits) of the borrower's location; null = not given. */
  @Column({ type: 'text', nullable: true })
  region!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A dated qualification of a borrower (RULES §2): validTo inclusive. */
@Entity('borrower_qualifications')
export class BorrowerQualification {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'borrower_code', type: 'text' })
  borrowerCode!: string;

  @Column({ type: 'text' })
  kind!: QualificationKind;

  @Column(dateColumn('valid_from'))
  validFrom!: string;

  @Column(dateColumn('valid_to'))
  validTo!: string;

  /** The certificate or registration number, when given. */
  @Column({ type: 'text', nullable: true })
  reference!: string | null;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** One reason behind a bank's or an agency's status (RULES §6), in force from startedOn until endedOn. */
@Entity('party_status_reasons')
export class PartyStatusReason {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'party_type', type: 'text' })
  partyType!: 'bank' | 'agency';

  @Column({ name: 'party_code', type: 'text' })
  partyCode!: string;

  @Column({ type: 'text' })
  source!: ReasonSource;

  @Column({ type: 'text' })
  status!: ReasonStatus;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text', nullable: true })
  quarter!: string | null;

  @Column(rateColumn({ name: 'loss_rate', nullable: true }))
  lossRate!: Rate | null;

  @Column(dateColumn('started_on'))
  startedOn!: string;

  @Column(dateColumn('ended_on', true))
  endedOn!: string | null;

  @Column({ name: 'lift_reason', type: 'text', nullable: true })
  liftReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'lifted_at', type: 'timestamptz', nullable: true })
  liftedAt!: Date | null;
}

/** Tax-declared revenue of one year (RULES §3). */
@Entity('borrower_revenues')
export class BorrowerRevenue {
  @PrimaryColumn({ name: 'borrower_code', type: 'text' })
  borrowerCode!: string;

  @PrimaryColumn({ type: 'integer' })
  year!: number;

  @Column(moneyColumn())
  amount!: Money;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

/** An approved change of agency for an enterprise group (A 第七条). */
@Entity('agency_changes')
export class AgencyChange {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'group_key', type: 'text' })
  groupKey!: string;

  @Column({ name: 'borrower_code', type: 'text' })
  borrowerCode!: string;

  @Column({ name: 'from_agency_code', type: 'text' })
  fromAgencyCode!: string;

  @Column({ name: 'to_agency_code', type: 'text' })
  toAgencyCode!: string;

  @Column(dateColumn('approved_on'))
  approvedOn!: string;

  /** The credit line under the old agency; the new line may not exceed it for one year. */
  @Column(moneyColumn({ name: 'previous_credit_line' }))
  previousCreditLine!: Money;

  @Column({ type: 'text' })
  reason!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A programme policy versions belong to (RULES §11a), e.g. henan-tech-loan. */
@Entity('programmes')
export class ProgrammeRow {
  @PrimaryColumn({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'name_zh', type: 'text', nullable: true })
  nameZh!: string | null;

  @Column({ name: 'name_en', type: 'text', nullable: true })
  nameEn!: string | null;

  /** The seed file the programme is digested from (../shared/seeds/). */
  @Column({ name: 'source_seed', type: 'text', nullable: true })
  sourceSeed!: string | null;

  /** The money flows the programme has, or ['none'] (issue 18; domain/programme-document.ts). */
  @Column({ name: 'money_flows', type: 'text', array: true })
  moneyFlows!: MoneyFlow[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A stored policy version (the rules a loan registered under keeps for life); never rewritten. */
@Entity('policy_versions')
export class PolicyVersionRow {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  programme!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column(dateColumn('effective_from'))
  effectiveFrom!: string;

  @Column({ type: 'jsonb' })
  body!: unknown;

  /** Names of the parameters carried over without a source (RULES §11a). */
  @Column({ type: 'jsonb' })
  provisional!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** One LPR row (RULES §2): in force from its date until the next row. */
@Entity('lpr_rates')
export class LprRateRow {
  @PrimaryColumn({ name: 'effective_from', type: 'date' })
  effectiveFrom!: string;

  @Column(rateColumn({ name: 'one_year' }))
  oneYear!: Rate;

  @Column(rateColumn({ name: 'five_year' }))
  fiveYear!: Rate;

  /** Where the row came from (the data file's name). */
  @Column({ type: 'text' })
  source!: string;

  @CreateDateColumn({ name: 'added_at', type: 'timestamptz' })
  addedAt!: Date;
}

/** One row of the PBoC benchmark lending rates by term (RULES §2). */
@Entity('pboc_benchmark_rates')
export class PbocBenchmarkRateRow {
  @PrimaryColumn({ name: 'effective_from', type: 'date' })
  effectiveFrom!: string;

  @Column(rateColumn({ name: 'up_to_one_year' }))
  upToOneYear!: Rate;

  @Column(rateColumn({ name: 'one_to_five_years' }))
  oneToFiveYears!: Rate;

  @Column(rateColumn({ name: 'over_five_years' }))
  overFiveYears!: Rate;

  @Column({ type: 'text' })
  source!: string;

  @CreateDateColumn({ name: 'added_at', type: 'timestamptz' })
  addedAt!: Date;
}

/**
 * A party's loss rate for one quarter, as the quarter close computed it (RULES §6): numerator
 * (approved − refunded − written off, dated up to the quarter end), balance, the rate stored to 8
 * decimals, the exact quotient, the rate as shown, the band and the status before and after.
 */
@Entity('party_loss_rates')
export class PartyLossRate {
  @PrimaryColumn({ name: 'party_type', type: 'text' })
  partyType!: 'bank' | 'agency';

  @PrimaryColumn({ name: 'party_code', type: 'text' })
  partyCode!: string;

  @PrimaryColumn({ type: 'text' })
  quarter!: string;

  @Column(dateColumn('as_of'))
  asOf!: string;

  @Column(moneyColumn())
  approved!: Money;

  @Column(moneyColumn())
  refunded!: Money;

  @Column(moneyColumn({ name: 'written_off' }))
  writtenOff!: Money;

  @Column(moneyColumn())
  numerator!: Money;

  @Column(moneyColumn())
  balance!: Money;

  @Column(rateColumn({ nullable: true }))
  rate!: Rate | null;

  @Column({ name: 'rate_exact', type: 'text', nullable: true })
  rateExact!: string | null;

  @Column({ name: 'rate_shown', type: 'text', nullable: true })
  rateShown!: string | null;

  @Column({ type: 'text' })
  band!: 'normal' | 'warning' | 'severe';

  @Column({ name: 'status_before', type: 'text' })
  statusBefore!: PartyStatus;

  @Column({ name: 'status_after', type: 'text' })
  statusAfter!: PartyStatus;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
