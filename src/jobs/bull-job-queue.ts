import { randomUUID } from 'node:crypto';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Job, Queue, QueueEvents } from 'bullmq';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { EnqueueOptions, JobQueue, JobRegistry } from './job-registry';

export const JOBS_QUEUE = 'reserve-jobs';

/** How long a call that needs Redis (enqueue, a schedule) waits before giving up with 503. */
const REDIS_CALL_TIMEOUT_MS = 5_000;

/** The BullMQ worker: hands each job to the processor registered for its name. */
@Processor(JOBS_QUEUE, { concurrency: 1 })
export class BullJobsWorker extends WorkerHost {
  constructor(private readonly registry: JobRegistry) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    return this.registry.dispatch(job.name, job.data);
  }
}

class TimedOut extends Error {}

/**
 * The connection's commands wait while Redis is away (ioredis queues them until it reconnects,
 * `maxRetriesPerRequest: null`), so every call here is bounded in time.
 */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

interface Schedule {
  payload: unknown;
  everyMs: number;
}

interface RedisClientLike {
  status: string;
  ping(): Promise<string>;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * BullMQ behind the JobQueue interface.
 *
 * Repeatable schedules live in Redis only. If Redis loses its data (FLUSHALL, a restart without
 * persistence, a failover to an empty replica) they are gone, and nothing would run again until
 * the service restarted (issue 10 item 7). So the queue remembers every schedule it was given and
 * re-creates the missing ones: whenever the connection becomes ready again, and every
 * `jobScheduleCheckSeconds` (a FLUSHALL does not drop the connection). Creating a schedule that
 * exists is a no-op check, so instances can all do it.
 */
@Injectable()
export class BullJobQueue extends JobQueue implements OnApplicationShutdown {
  readonly mode = 'bullmq' as const;
  private readonly logger = new Logger('Jobs');
  private events: QueueEvents | null = null;
  private readonly schedules = new Map<string, Schedule>();
  private keeper: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  private queueEvents(): QueueEvents {
    if (!this.events) this.events = new QueueEvents(this.queue.name, { connection: this.queue.opts.connection, prefix: this.queue.opts.prefix });
    return this.events;
  }

  async enqueue(name: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    try {
      const job = await withTimeout(
        this.queue.add(name, payload, {
          jobId: options.jobId ?? randomUUID(),
          removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
          removeOnFail: { age: 30 * 24 * 3600 },
        }),
        REDIS_CALL_TIMEOUT_MS,
        'Redis',
      );
      return job.id as string;
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  async run<R>(name: string, payload: unknown, options: EnqueueOptions & { timeoutMs?: number } = {}): Promise<R> {
    const events = this.queueEvents();
    try {
      await withTimeout(events.waitUntilReady(), REDIS_CALL_TIMEOUT_MS, 'Redis');
    } catch (error) {
      throw this.unavailable(error);
    }
    const id = await this.enqueue(name, payload, options);
    const job = await Job.fromId(this.queue, id);
    if (!job) throw new Error(`job ${id} vanished`);
    return (await job.waitUntilFinished(events, options.timeoutMs ?? 120_000)) as R;
  }

  /**
   * Registers (or replaces) a repeatable job. It is remembered and kept in Redis from now on; if
   * Redis is unreachable right now, start-up goes on and the keeper creates it once it is back.
   */
  async schedule(name: string, payload: unknown, everyMs: number): Promise<void> {
    this.schedules.set(name, { payload, everyMs });
    this.startKeeper();
    try {
      await withTimeout(this.upsert(name), REDIS_CALL_TIMEOUT_MS, 'Redis');
    } catch (error) {
      this.logger.warn(`schedule "${name}" not registered yet (${String(error)}); it will be when Redis answers`);
    }
  }

  private upsert(name: string): Promise<unknown> {
    const s = this.schedules.get(name) as Schedule;
    return this.queue.upsertJobScheduler(name, { every: s.everyMs }, { name, data: s.payload });
  }

  private startKeeper(): void {
    if (this.keeper || this.stopped) return;
    this.keeper = setInterval(() => void this.ensureSchedules(), this.config.jobScheduleCheckSeconds * 1000);
    this.keeper.unref();
    void this.queue.client.then(
      (client) => (client as unknown as RedisClientLike).on('ready', () => void this.ensureSchedules()),
      () => undefined,
    );
  }

  /** Re-creates every remembered schedule that Redis no longer has. One check at a time. */
  ensureSchedules(): Promise<void> {
    if (this.checking) return this.checking;
    this.checking = (async () => {
      try {
        const client = (await withTimeout(this.queue.client, 1_000, 'Redis')) as unknown as RedisClientLike;
        if (client.status !== 'ready') return;
        for (const name of this.schedules.keys()) {
          if (this.stopped) return;
          const existing = await withTimeout(this.queue.getJobScheduler(name), REDIS_CALL_TIMEOUT_MS, 'Redis');
          if (existing) continue;
          await withTimeout(this.upsert(name), REDIS_CALL_TIMEOUT_MS, 'Redis');
          this.logger.warn(`schedule "${name}" was missing from Redis (data lost or flushed); re-created`);
        }
      } catch (error) {
        this.logger.warn(`could not check the job schedules: ${String(error)}`);
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  /** Up only when the connection is ready and answers a PING within 400 ms; never waits longer. */
  async healthy(): Promise<boolean> {
    try {
      const client = (await withTimeout(this.queue.client, 100, 'Redis')) as unknown as RedisClientLike;
      if (client.status !== 'ready') return false;
      return (await withTimeout(client.ping(), 400, 'Redis PING')) === 'PONG';
    } catch {
      return false;
    }
  }

  private unavailable(error: unknown): unknown {
    if (error instanceof TimedOut) {
      return DomainError.unavailable('QUEUE.UNAVAILABLE', 'The job queue (Redis) is unavailable right now; retry later.');
    }
    return error;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.keeper) clearInterval(this.keeper);
    if (this.events) await this.events.close();
  }
}
