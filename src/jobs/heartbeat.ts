import { Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Clock } from '../common/clock/clock';
import { JobHeartbeat } from './job-heartbeat.entity';
import { JobProcessor, JobQueue, JobRegistry } from './job-registry';

export const HEARTBEAT_JOB = 'heartbeat';

/**
 * The smallest real job: it stamps `job_heartbeats` so /health shows that jobs actually run, on
 * whichever path (BullMQ or in-process) this instance uses.
 */
@Injectable()
export class HeartbeatProcessor implements JobProcessor<{ source?: string }, { beatAt: string }>, OnModuleInit, OnApplicationBootstrap {
  readonly jobName = HEARTBEAT_JOB;

  constructor(
    private readonly registry: JobRegistry,
    private readonly queue: JobQueue,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.heartbeatSeconds > 0) {
      await this.queue.schedule(HEARTBEAT_JOB, { source: 'schedule' }, this.config.heartbeatSeconds * 1000);
    }
  }

  async process(payload: { source?: string }): Promise<{ beatAt: string }> {
    const now = this.clock.now();
    const beat = { mode: this.queue.mode, beatAt: now, source: String(payload?.source ?? 'manual').slice(0, 50) };
    // The row for this mode exists from the first beat on; each beat then stamps it and counts.
    await this.dataSource.transaction(async (m) => {
      await m.createQueryBuilder().insert().into(JobHeartbeat).values({ ...beat, beats: '0' }).orIgnore().execute();
      await m
        .createQueryBuilder()
        .update(JobHeartbeat)
        .set({ beatAt: beat.beatAt, source: beat.source, beats: () => 'beats + 1' })
        .where('mode = :mode', { mode: beat.mode })
        .execute();
    });
    return { beatAt: now.toISOString() };
  }

  /**
   * The last beat; `run` runs the query elsewhere than the pool (the health probe's own,
   * time-boxed connection, which has no EntityManager — hence SQL here).
   */
  async lastBeat(
    run: (sql: string, params: unknown[]) => Promise<unknown[]> = (sql, params) => this.dataSource.query(sql, params),
  ): Promise<{ beatAt: string; beats: number } | null> {
    const rows = (await run('SELECT beat_at, beats FROM job_heartbeats WHERE mode = $1', [this.queue.mode])) as { beat_at: Date; beats: string }[];
    return rows[0] ? { beatAt: new Date(rows[0].beat_at).toISOString(), beats: Number(rows[0].beats) } : null;
  }
}
