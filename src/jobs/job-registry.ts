import { Injectable } from '@nestjs/common';
import { MetricsService } from '../common/metrics/metrics.service';

/**
 * A job processor: parses its payload and calls a service (STYLE.md: processors stay thin). The
 * same processors run under BullMQ (REDIS_URL set) and in-process (no Redis).
 */
export interface JobProcessor<P = unknown, R = unknown> {
  readonly jobName: string;
  process(payload: P): Promise<R>;
}

@Injectable()
export class JobRegistry {
  private readonly processors = new Map<string, JobProcessor>();

  constructor(private readonly metrics: MetricsService) {}

  register(processor: JobProcessor): void {
    if (this.processors.has(processor.jobName)) throw new Error(`job "${processor.jobName}" registered twice`);
    this.processors.set(processor.jobName, processor);
  }

  async dispatch(name: string, payload: unknown): Promise<unknown> {
    const processor = this.processors.get(name);
    if (!processor) throw new Error(`no processor for job "${name}"`);
    try {
      const result = await processor.process(payload);
      this.metrics.jobRuns.inc({ job: name, outcome: 'completed' });
      return result;
    } catch (error) {
      this.metrics.jobRuns.inc({ job: name, outcome: 'failed' });
      throw error;
    }
  }
}

export interface EnqueueOptions {
  /** Deduplicates: a job with the same id is not added twice. */
  jobId?: string;
}

/** Where jobs go: BullMQ or the in-process runner, chosen by configuration. */
export abstract class JobQueue {
  abstract readonly mode: 'bullmq' | 'in-process';
  abstract enqueue(name: string, payload: unknown, options?: EnqueueOptions): Promise<string>;
  /** Enqueues and waits for the result (used where an HTTP call runs a job, e.g. a quarter close). */
  abstract run<R>(name: string, payload: unknown, options?: EnqueueOptions & { timeoutMs?: number }): Promise<R>;
  /** Repeats a job every `everyMs`; replaces an earlier schedule with the same name. */
  abstract schedule(name: string, payload: unknown, everyMs: number): Promise<void>;
  abstract healthy(): Promise<boolean>;
}
