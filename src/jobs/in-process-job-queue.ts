import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EnqueueOptions, JobQueue, JobRegistry } from './job-registry';

/**
 * No Redis: jobs run in this process through the same processors, one at a time in arrival order
 * (like a BullMQ worker with concurrency 1), so a quarter's duties never interleave.
 */
@Injectable()
export class InProcessJobQueue extends JobQueue implements OnApplicationShutdown {
  readonly mode = 'in-process' as const;
  private readonly logger = new Logger('Jobs');
  private tail: Promise<unknown> = Promise.resolve();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly seen = new Map<string, Promise<unknown>>();
  private stopped = false;

  constructor(private readonly registry: JobRegistry) {
    super();
  }

  private submit(name: string, payload: unknown, options: EnqueueOptions): { id: string; done: Promise<unknown> } {
    const id = options.jobId ?? randomUUID();
    const existing = this.seen.get(id);
    if (existing) return { id, done: existing };
    const done = this.tail.then(() => this.registry.dispatch(name, payload));
    // The chain continues whatever this job's outcome.
    this.tail = done.catch((error: unknown) => this.logger.error(`job ${name} (${id}) failed: ${String(error)}`));
    if (options.jobId) this.seen.set(id, done);
    return { id, done };
  }

  async enqueue(name: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    return this.submit(name, payload, options).id;
  }

  async run<R>(name: string, payload: unknown, options: EnqueueOptions = {}): Promise<R> {
    return (await this.submit(name, payload, options).done) as R;
  }

  async schedule(name: string, payload: unknown, everyMs: number): Promise<void> {
    // Like a BullMQ job scheduler: the first run is now, then every `everyMs`.
    void this.enqueue(name, payload);
    const timer = setInterval(() => {
      if (!this.stopped) void this.enqueue(name, payload);
    }, everyMs);
    timer.unref();
    this.timers.push(timer);
  }

  async healthy(): Promise<boolean> {
    return !this.stopped;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.tail;
  }
}
