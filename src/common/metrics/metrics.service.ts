import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

/** What the pg pool under TypeORM exposes (pg.Pool); read, never changed. */
interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/**
 * Prometheus metrics (issue #15 item 5), through prom-client: one registry per application
 * instance (tests start several in one process), served by `GET /metrics`.
 *
 * - `http_request_duration_seconds{method,route,status}`: every response, by route pattern
 *   (`/v1/claims/:id`, never the ids), including those the edge answers before the router
 *   (`route="unmatched"`);
 * - `ledger_entries_posted_total{book}`: entries returned by the posting service (an enclosing
 *   transaction that later rolls back is not subtracted);
 * - `job_runs_total{job,outcome}`: every processor run, `completed` or `failed`;
 * - `db_pool_connections{state}` (total, idle, waiting) and `db_pool_max`, read at scrape time;
 * - prom-client's default process metrics (CPU, memory, event loop lag, GC).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly ledgerEntries = new Counter({
    name: 'ledger_entries_posted_total',
    help: 'Journal entries posted through the ledger posting service, by book.',
    labelNames: ['book'] as const,
    registers: [this.registry],
  });
  readonly jobRuns = new Counter({
    name: 'job_runs_total',
    help: 'Job processor runs by job name and outcome (completed, failed).',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(dataSource: DataSource) {
    const pool = (): PoolLike | null => ((dataSource.driver as unknown as { master?: PoolLike }).master ?? null);
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state (total, idle, waiting clients).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const p = pool();
        if (!p) return;
        this.set({ state: 'total' }, p.totalCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
      },
    });
    new Gauge({
      name: 'db_pool_max',
      help: 'Largest number of connections the pool opens.',
      registers: [this.registry],
      collect() {
        const max = pool()?.options?.max;
        if (max !== undefined) this.set(max);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  countPosted(books: readonly string[]): void {
    for (const book of books) this.ledgerEntries.inc({ book });
  }
}
