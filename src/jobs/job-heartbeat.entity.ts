import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last beat of the heartbeat job, one row per job mode (`bullmq` or `in-process`). */
@Entity('job_heartbeats')
export class JobHeartbeat {
  @PrimaryColumn({ type: 'text' })
  mode!: string;

  @Column({ name: 'beat_at', type: 'timestamptz' })
  beatAt!: Date;

  @Column({ type: 'text' })
  source!: string;

  /** bigint, read as a string by the driver. */
  @Column({ type: 'bigint', default: 1 })
  beats!: string;
}
