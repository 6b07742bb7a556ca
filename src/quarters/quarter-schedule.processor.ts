import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { JobProcessor, JobQueue, JobRegistry } from '../jobs/jobs.port';
import { QuarterCloseService, type RunTrigger } from './quarter-close.service';

export const QUARTER_ADVANCE_JOB = 'quarters.advance';

/**
 * The quarter schedule (issue 12 item 3; RULES §9). One repeatable job, `quarters.advance`, every
 * QUARTER_CHECK_SECONDS (a BullMQ job scheduler with REDIS_URL, the in-process runner without): each
 * pass runs the duties whose day has come (QUARTER_DUTIES: the first working day after the quarter
 * end, the working day after the 10th, the 25th — on the PRC calendar). One pass is also enqueued
 * at start-up, the catch-up: a server that was down over a quarter end closes it when it is back.
 * The processor only parses the payload and calls the close service; the run table decides what has
 * run, so a schedule, a catch-up and a hand-started close never apply a duty twice.
 */
@Injectable()
export class QuarterScheduleProcessor implements JobProcessor<{ trigger?: RunTrigger }, { advanced: string[] }>, OnModuleInit, OnApplicationBootstrap {
  readonly jobName = QUARTER_ADVANCE_JOB;
  private readonly logger = new Logger('QuarterSchedule');

  constructor(
    private readonly registry: JobRegistry,
    private readonly queue: JobQueue,
    private readonly close: QuarterCloseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.quarterCheckSeconds <= 0) return;
    await this.queue.schedule(QUARTER_ADVANCE_JOB, { trigger: 'schedule' }, this.config.quarterCheckSeconds * 1000);
    try {
      await this.queue.enqueue(QUARTER_ADVANCE_JOB, { trigger: 'catch-up' });
    } catch (error) {
      // Redis away at start-up: the schedule's next pass catches up instead.
      this.logger.warn(`start-up catch-up not enqueued: ${String(error)}`);
    }
  }

  async process(payload: { trigger?: RunTrigger }): Promise<{ advanced: string[] }> {
    const trigger: RunTrigger = payload?.trigger === 'catch-up' ? 'catch-up' : 'schedule';
    const advanced = await this.close.advance(trigger);
    if (advanced.length) this.logger.log(`quarter pass (${trigger}): ${advanced.join(', ')}`);
    return { advanced };
  }
}
