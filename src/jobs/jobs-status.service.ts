import { Injectable } from '@nestjs/common';
import { HeartbeatProcessor } from './heartbeat';
import { JobQueue } from './job-registry';

/**
 * What other modules may know about the jobs machinery: which queue runs jobs, whether it answers,
 * and the last heartbeat (GET /health). The queue, the registry and the processors stay inside
 * the jobs module.
 */
@Injectable()
export class JobsStatusService {
  constructor(
    private readonly queue: JobQueue,
    private readonly heartbeat: HeartbeatProcessor,
  ) {}

  /** BullMQ (REDIS_URL set) or the in-process runner. */
  get mode(): JobQueue['mode'] {
    return this.queue.mode;
  }

  queueHealthy(): Promise<boolean> {
    return this.queue.healthy();
  }

  /**
   * The last beat of this instance's queue mode, or null before the first one; `run` runs the
   * query elsewhere than on the pool (the health probe's own connection).
   */
  lastHeartbeat(run?: (sql: string, params: unknown[]) => Promise<unknown[]>): Promise<{ beatAt: string; beats: number } | null> {
    return this.heartbeat.lastBeat(run);
  }
}
