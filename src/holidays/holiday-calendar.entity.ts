import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { dateColumn } from '../common/database/transformers';

/** One year's PRC holiday schedule as the trustee loaded it (RULES §9); the current one is not superseded. */
@Entity('holiday_calendars')
export class HolidayCalendar {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'integer' })
  year!: number;

  /** The notice it comes from, e.g. 国办发明电〔2026〕N号. */
  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'jsonb' })
  holidays!: string[];

  @Column({ type: 'jsonb' })
  workdays!: string[];

  @Column(dateColumn('loaded_on'))
  loadedOn!: string;

  @Column({ name: 'loaded_by', type: 'text', nullable: true })
  loadedBy!: string | null;

  @Column({ name: 'loaded_at', type: 'timestamptz', default: () => 'now()' })
  loadedAt!: Date;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt!: Date | null;
}
