import { randomUUID } from 'node:crypto';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Job, Queue, QueueEvents } from 'bullmq';
import { EnqueueOptions, JobQueue, JobRegistry } from './job-registry';

export const JOBS_QUEUE = 'reserve-jobs';

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

@Injectable()
export class BullJobQueue extends JobQueue implements OnApplicationShutdown {
  readonly mode = 'bullmq' as const;
  private events: QueueEvents | null = null;

  constructor(@InjectQueue(JOBS_QUEUE) private readonly queue: Queue) {
    super();
  }

  private queueEvents(): QueueEvents {
    if (!this.events) this.events = new QueueEvents(this.queue.name, { connection: this.queue.opts.connection, prefix: this.queue.opts.prefix });
    return this.events;
  }

  async enqueue(name: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    const job = await this.queue.add(name, payload, {
      jobId: options.jobId ?? randomUUID(),
      removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
    return job.id as string;
  }

  async run<R>(name: string, payload: unknown, options: EnqueueOptions & { timeoutMs?: number } = {}): Promise<R> {
    const events = this.queueEvents();
    await events.waitUntilReady();
    const id = await this.enqueue(name, payload, options);
    const job = await Job.fromId(this.queue, id);
    if (!job) throw new Error(`job ${id} vanished`);
    return (await job.waitUntilFinished(events, options.timeoutMs ?? 120_000)) as R;
  }

  async schedule(name: string, payload: unknown, everyMs: number): Promise<void> {
    await this.queue.upsertJobScheduler(name, { every: everyMs }, { name, data: payload });
  }

  async healthy(): Promise<boolean> {
    try {
      const client = (await this.queue.client) as unknown as { ping(): Promise<string> };
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.events) await this.events.close();
  }
}
