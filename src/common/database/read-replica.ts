import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import Redis from 'ioredis';
import { DataSource, DataSourceOptions } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { dataSourceOptions } from './database.module';

/** Which server answered a replica-eligible read: `replica` or `primary` (docs/scaling.md). */
export const READ_SOURCE_HEADER = 'X-Read-Source';

/**
 * The reads that may be served by the replica: whole-book or programme-wide reads that a client
 * makes to look, not to decide a write (issue 19 item 2). Everything else, and every write, stays
 * on the primary.
 */
export const REPLICA_READ_ROUTES: readonly RegExp[] = [
  /^\/v1\/ledger\/verify\/?$/,
  /^\/v1\/ledger\/export\/?$/,
  /^\/v1\/ledger\/trial-balance\/?$/,
  /^\/v1\/ledger\/accounts\/[^/]+\/statement\/?$/,
  /^\/v1\/console\/(overview|risk|claims-pipeline|quarters)\/?$/,
];

/** The Redis key prefix of the read-after-write marks: the job queue's, so instances that share a queue share the marks. */
export const READ_MARK_PREFIX = Symbol('READ_MARK_PREFIX');

/** How often the replica's progress is measured. */
const PROBE_EVERY_MS = 250;
/** A write's marker is first set for this long (the request may run that long), then for the bound from its answer on. */
const WRITE_IN_FLIGHT_MS = 5 * 60_000;
/** After a Redis failure, every eligible read goes to the primary for this long (a marker may have been lost). */
const REDIS_DOUBT_MS = 30_000;

/** `X/Y` (a pg_lsn as text) → a number that orders like it. */
export function lsnValue(text: string): bigint {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/**
 * How stale the replica is, from samples of the primary's WAL position: the replica has replayed
 * everything the primary had written when sample `at` was taken once its replay position reaches
 * the sample's. The newest such sample bounds the staleness: every commit acknowledged before its
 * `at` is visible on the replica. Pure; the ReadReplica below feeds it.
 */
export class LagTracker {
  private samples: { lsn: bigint; at: number }[] = [];
  /** The instant up to which every acknowledged commit is on the replica (ms since the epoch); 0 = none yet. */
  caughtUpThrough = 0;

  constructor(private readonly keep = 4096) {}

  /** The primary's position, read at `at` (taken before the query was sent). */
  primaryAt(lsn: bigint, at: number): void {
    this.samples.push({ lsn, at });
    if (this.samples.length > this.keep) this.samples.splice(0, this.samples.length - this.keep);
  }

  /** The replica's replay position now; null: the server is not in recovery (the primary itself), so it is never behind. */
  replayed(lsn: bigint | null, now: number): void {
    if (lsn === null) {
      this.caughtUpThrough = now;
      this.samples = [];
      return;
    }
    let i = -1;
    for (let k = 0; k < this.samples.length; k++) if (this.samples[k].lsn <= lsn) i = k;
    if (i < 0) return;
    this.caughtUpThrough = Math.max(this.caughtUpThrough, this.samples[i].at);
    // Older samples can never be the newest caught-up one again.
    this.samples.splice(0, i);
  }

  /** How far behind the replica may be at `now`, ms (Infinity before the first measure). */
  staleness(now: number): number {
    return this.caughtUpThrough === 0 ? Infinity : Math.max(0, now - this.caughtUpThrough);
  }
}

/** Where a caller's recent writes are remembered: Redis when the instances share one, else this process. */
interface RecentWrites {
  mark(caller: string, ms: number): Promise<void>;
  recent(caller: string): Promise<boolean>;
  close(): Promise<void>;
}

class MemoryRecentWrites implements RecentWrites {
  private readonly until = new Map<string, number>();
  mark(caller: string, ms: number): Promise<void> {
    this.until.set(caller, Date.now() + ms);
    if (this.until.size > 100_000) for (const [k, t] of this.until) if (t < Date.now()) this.until.delete(k);
    return Promise.resolve();
  }
  recent(caller: string): Promise<boolean> {
    return Promise.resolve((this.until.get(caller) ?? 0) > Date.now());
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class RedisRecentWrites implements RecentWrites {
  private readonly redis: Redis;
  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.redis = new Redis(url, { commandTimeout: 500, enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: false });
    this.redis.on('error', () => undefined);
  }
  async mark(caller: string, ms: number): Promise<void> {
    await this.redis.set(`${this.prefix}${caller}`, '1', 'PX', ms);
  }
  async recent(caller: string): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}${caller}`)) === 1;
  }
  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/**
 * The optional read replica (DATABASE_READ_URL; docs/scaling.md "Read replicas").
 *
 * Routing is decided once per request, at its start, for the routes of REPLICA_READ_ROUTES only:
 * the replica answers when (1) it is fresh — it has replayed every commit the primary acknowledged
 * more than READ_REPLICA_MAX_LAG_MS ago (LagTracker, measured every 250 ms from the primary's
 * `pg_current_wal_lsn()` and the replica's `pg_last_wal_replay_lsn()`) — and (2) the caller has not
 * written within that bound. A caller is its bearer credential (its SHA-256); each of its writes
 * (any method but GET, HEAD, OPTIONS) marks it, in Redis when REDIS_URL is set (so a write on one
 * instance sends the next read on another to the primary), for the whole request and then for the
 * bound from its answer on. A read that starts more than the bound after the answer to a write
 * therefore finds that write on a fresh replica; one that starts sooner goes to the primary: a
 * client always reads its own writes. If Redis fails, eligible reads go to the primary for a while.
 *
 * Services do not choose: TransactionScope's pool manager and the whole-book reads ask
 * `routedSource()`, which is the replica's DataSource inside a request routed there and null
 * otherwise. A read inside an open transaction, or walled to a party, stays where it is.
 */
@Injectable()
export class ReadReplica implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReadReplica');
  private readonly routed = new AsyncLocalStorage<boolean>();
  private readonly lag = new LagTracker();
  private source: DataSource | null = null;
  private starting: Promise<void> | null = null;
  private probe: NodeJS.Timeout | null = null;
  private probing = false;
  private readonly writes: RecentWrites | null;
  private redisDoubtUntil = 0;
  private stopped = false;

  constructor(
    private readonly primary: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(READ_MARK_PREFIX) prefix: string,
  ) {
    this.writes = config.databaseReadUrl ? (config.redisUrl ? new RedisRecentWrites(config.redisUrl, `${prefix}:read-after-write:`) : new MemoryRecentWrites()) : null;
  }

  get configured(): boolean {
    return this.writes !== null;
  }

  /** The staleness bound, ms. */
  get maxLagMs(): number {
    return this.config.readReplicaMaxLagMs;
  }

  onApplicationBootstrap(): void {
    if (!this.configured) return;
    this.probe = setInterval(() => void this.measure(), PROBE_EVERY_MS);
    this.probe.unref();
    void this.measure();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.probe) clearInterval(this.probe);
    await this.writes?.close();
    if (this.source?.isInitialized) await this.source.destroy().catch(() => undefined);
  }

  /** The replica's DataSource when the current request was routed there, else null. */
  routedSource(): DataSource | null {
    return this.routed.getStore() === true && this.source?.isInitialized ? this.source : null;
  }

  /** The replica's state, for /health and the tests. */
  status(): { configured: boolean; connected: boolean; stalenessMs: number | null; maxLagMs: number } {
    const s = this.lag.staleness(Date.now());
    return { configured: this.configured, connected: Boolean(this.source?.isInitialized), stalenessMs: Number.isFinite(s) ? s : null, maxLagMs: this.maxLagMs };
  }

  /** Whether the replica may answer now (connected and within the bound). */
  fresh(now = Date.now()): boolean {
    return Boolean(this.source?.isInitialized) && this.lag.staleness(now) <= this.maxLagMs;
  }

  private async connect(): Promise<void> {
    if (this.source?.isInitialized || this.stopped) return;
    this.starting ??= (async () => {
      const options = dataSourceOptions(this.config.databaseReadUrl as string, false, {
        statementTimeoutMs: this.config.dbStatementTimeoutMs,
        idleInTransactionTimeoutMs: this.config.dbIdleInTransactionTimeoutMs,
        connectTimeoutMs: Math.min(this.config.dbConnectTimeoutMs, 5_000),
      });
      const source = new DataSource({
        ...options,
        migrationsRun: false,
        migrations: [],
        entities: this.primary.options.entities,
        extra: { ...options.extra, max: 10 },
      } as DataSourceOptions);
      try {
        await source.initialize();
        this.source = source;
        this.logger.log('read replica connected');
      } catch (error) {
        this.logger.warn(`read replica unreachable, reads stay on the primary: ${String(error)}`);
      } finally {
        this.starting = null;
      }
    })();
    await this.starting;
  }

  /** One measure: the primary's WAL position, then how far the replica has replayed. */
  private async measure(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    try {
      await this.connect();
      if (!this.source?.isInitialized) return;
      const at = Date.now();
      const [p] = (await this.primary.query(`SELECT pg_current_wal_lsn()::text AS lsn`)) as { lsn: string }[];
      this.lag.primaryAt(lsnValue(p.lsn), at);
      const [r] = (await this.source.query(`SELECT pg_last_wal_replay_lsn()::text AS lsn`)) as { lsn: string | null }[];
      this.lag.replayed(r.lsn === null ? null : lsnValue(r.lsn), Date.now());
    } catch (error) {
      this.logger.debug(`replica lag not measured: ${String(error)}`);
    } finally {
      this.probing = false;
    }
  }

  /**
   * The middleware (src/bootstrap.ts): marks a caller's writes and routes its eligible reads. Sets
   * X-Read-Source on every eligible read so a client (and the cluster tests) can see where it went.
   */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (!this.writes) return next();
      const caller = callerOf(req);
      const method = req.method.toUpperCase();
      if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
        if (!caller) return next();
        void this.markWrite(caller, res).then(() => next(), next);
        return;
      }
      const path = req.path;
      if (!REPLICA_READ_ROUTES.some((r) => r.test(path))) return next();
      void this.decide(caller).then((replica) => {
        res.setHeader(READ_SOURCE_HEADER, replica ? 'replica' : 'primary');
        this.routed.run(replica, () => next());
      }, next);
    };
  }

  private async markWrite(caller: string, res: Response): Promise<void> {
    const writes = this.writes as RecentWrites;
    try {
      await writes.mark(caller, WRITE_IN_FLIGHT_MS);
    } catch (error) {
      this.doubt(error);
    }
    res.once('finish', () => {
      writes.mark(caller, this.maxLagMs + PROBE_EVERY_MS).catch((error: unknown) => this.doubt(error));
    });
  }

  private async decide(caller: string | null): Promise<boolean> {
    const now = Date.now();
    if (!this.fresh(now) || now < this.redisDoubtUntil) return false;
    if (!caller) return true;
    try {
      return !(await (this.writes as RecentWrites).recent(caller));
    } catch (error) {
      this.doubt(error);
      return false;
    }
  }

  private doubt(error: unknown): void {
    if (Date.now() > this.redisDoubtUntil) this.logger.warn(`read-after-write markers unavailable, eligible reads go to the primary for ${REDIS_DOUBT_MS / 1000} s: ${String(error)}`);
    this.redisDoubtUntil = Date.now() + REDIS_DOUBT_MS;
  }
}

/** The caller a request speaks for: its bearer credential's SHA-256 (never the credential itself), or null. */
function callerOf(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? createHash('sha256').update(match[1]).digest('hex').slice(0, 40) : null;
}

/** Makes the one ReadReplica of an application available to every module (inert without DATABASE_READ_URL). */
@Global()
@Module({})
export class ReadReplicaModule {
  static forRoot(prefix = 'reserve'): DynamicModule {
    return {
      module: ReadReplicaModule,
      providers: [{ provide: READ_MARK_PREFIX, useValue: prefix }, ReadReplica],
      exports: [ReadReplica],
    };
  }
}
