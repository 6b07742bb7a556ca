import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { dateColumn } from '../common/database/transformers';

export type QuarterRunStatus = 'running' | 'completed' | 'failed';
export type DutyStatus = 'pending' | 'running' | 'done' | 'failed';

/** One close per quarter (issue 12). */
@Entity('quarter_runs')
export class QuarterRun {
  @PrimaryColumn({ type: 'text' })
  quarter!: string;

  @Column({ type: 'text' })
  status!: QuarterRunStatus;

  /** `hand` (POST /v1/quarters/{q}/close), `schedule` or `catch-up`. */
  @Column({ name: 'started_by', type: 'text' })
  startedBy!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}

/** One duty of a quarter's close: the row that decides whether it has applied (unique quarter × duty). */
@Entity('quarter_duties')
export class QuarterDutyRow {
  @PrimaryColumn({ type: 'text' })
  quarter!: string;

  @PrimaryColumn({ type: 'text' })
  duty!: string;

  @Column({ type: 'smallint' })
  position!: number;

  @Column(dateColumn('due_on'))
  dueOn!: string;

  @Column({ type: 'text' })
  status!: DutyStatus;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;
}

/** A bank past its dormancy period (a disqualification proposal) or a dormant agency (a warning), RULES §6. */
@Entity('quarter_dormancy_proposals')
export class DormancyProposal {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  quarter!: string;

  @Column({ name: 'party_type', type: 'text' })
  partyType!: 'bank' | 'agency';

  @Column({ name: 'party_code', type: 'text' })
  partyCode!: string;

  @Column({ type: 'text' })
  kind!: 'disqualification' | 'warning';

  @Column(dateColumn('dormant_since'))
  dormantSince!: string;

  @Column(dateColumn('dormant_from'))
  dormantFrom!: string;

  @Column(dateColumn('last_activity_on', true))
  lastActivityOn!: string | null;

  @Column({ type: 'text' })
  status!: 'proposed' | 'confirmed';

  @Column(dateColumn('confirmed_on', true))
  confirmedOn!: string | null;

  @Column({ name: 'confirm_reason', type: 'text', nullable: true })
  confirmReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
