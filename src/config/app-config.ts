/**
 * Environment → typed configuration, validated once at boot. Every problem is listed in one
 * message so an operator fixes them all in one go (issue #2 item 8/9).
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  port: number;
  /** Real PostgreSQL when set; else the embedded database under `dataDir`. The service's own (application) role. */
  databaseUrl: string | null;
  /**
   * The owner role's URL (DATABASE_OWNER_URL, or MIGRATIONS_DATABASE_URL): migrations run as this
   * role, which then grants the role of DATABASE_URL only what the service needs (journals:
   * INSERT and SELECT). Unset: migrations and service run as the DATABASE_URL role, as before
   * (docs/operations.md "Database roles").
   */
  databaseOwnerUrl: string | null;
  /**
   * A streaming replica of DATABASE_URL's server (DATABASE_READ_URL): the heavy reads (verify,
   * exports, statements, the trial balance, the console's aggregates) go there when it is fresh
   * enough and the caller has not written lately (docs/scaling.md "Read replicas"). Unset: every
   * read goes to DATABASE_URL, as before.
   */
  databaseReadUrl: string | null;
  /**
   * The replica's staleness bound (READ_REPLICA_MAX_LAG_MS, default 5000): a read is sent to the
   * replica only while it has replayed every commit acknowledged more than this long ago; and a
   * caller's reads go to the primary for this long after each of its writes.
   */
  readReplicaMaxLagMs: number;
  /** BullMQ on this Redis when set; else jobs run in-process through the same processors. */
  redisUrl: string | null;
  /** Where the embedded database keeps its files; ':memory:' keeps nothing (tests). */
  dataDir: string;
  bootstrapAdminToken: string | null;
  logLevel: LogLevel;
  /** Seconds between heartbeat jobs; 0 disables the schedule (tests enqueue by hand). */
  heartbeatSeconds: number;
  /** Largest JSON request body in bytes (MAX_JSON_BODY_MB, default 8 MiB); above it → 413. */
  maxJsonBodyBytes: number;
  /**
   * Largest text/csv or text/plain body in bytes for a route that reads it as a stream (the
   * bank-report upload; MAX_TEXT_BODY_MB, default 64 MiB); above it → 413. A text body read whole
   * by any other route is held to the JSON limit.
   */
  maxTextBodyBytes: number;
  /**
   * Real PostgreSQL only: `statement_timeout` of every pooled connection (DB_STATEMENT_TIMEOUT_MS,
   * default 30 s; 0 = none). A backstop: no statement of this service should take that long.
   */
  dbStatementTimeoutMs: number;
  /**
   * Real PostgreSQL only: `idle_in_transaction_session_timeout` (DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
   * default 60 s; 0 = none): the server ends a session whose transaction sat idle that long, so a
   * request that stopped half-way cannot hold a connection and its locks for ever.
   */
  dbIdleInTransactionTimeoutMs: number;
  /**
   * How long a request waits for a new connection or a free pooled one before it is answered 503
   * (DB_CONNECT_TIMEOUT_MS, default 15 s). A refused or terminated connection fails at once; this
   * bounds a server that does not answer and a pool that stays exhausted.
   */
  dbConnectTimeoutMs: number;
  /** Whole-book reads (verify, export) that may run at once (HEAVY_READS_MAX, default 4). */
  heavyReadsMax: number;
  /** Seconds between checks that the queue's repeatable schedules still exist (default 30). */
  jobScheduleCheckSeconds: number;
  /** Days a newly issued token is valid unless the request says otherwise (TOKEN_TTL_DAYS, default 90). */
  tokenTtlDays: number;
  /**
   * How long a process may keep a token lookup in memory (TOKEN_CACHE_SECONDS, default 5; 0 = no
   * cache): the bound within which a revocation in another process takes effect (docs/access.md).
   */
  tokenCacheSeconds: number;
  /** Requests per minute per token (per address without one) before 429 (RATE_LIMIT_PER_MINUTE, default 600; 0 = off). */
  rateLimitPerMinute: number;
  /**
   * Seconds between the quarter schedule's passes (QUARTER_CHECK_SECONDS, default 3600): each pass
   * runs the quarter-close duties whose day has come; one pass also runs at start-up (the catch-up).
   * 0 = neither (tests start closes by hand).
   */
  quarterCheckSeconds: number;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function blankToNull(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value.trim();
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];

  const portRaw = blankToNull(env.PORT) ?? '3000';
  const port = /^[0-9]{1,5}$/.test(portRaw) ? Number(portRaw) : NaN;
  if (!(port >= 0 && port <= 65535)) problems.push(`PORT must be an integer 0–65535, got "${portRaw}"`);

  const databaseUrl = blankToNull(env.DATABASE_URL);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }

  const ownerUrls = [blankToNull(env.DATABASE_OWNER_URL), blankToNull(env.MIGRATIONS_DATABASE_URL)].filter((u): u is string => u !== null);
  const databaseOwnerUrl = ownerUrls[0] ?? null;
  if (ownerUrls.length === 2 && ownerUrls[0] !== ownerUrls[1]) problems.push('DATABASE_OWNER_URL and MIGRATIONS_DATABASE_URL differ; set one of them');
  if (databaseOwnerUrl && !/^postgres(ql)?:\/\//.test(databaseOwnerUrl)) problems.push('DATABASE_OWNER_URL must start with postgres:// or postgresql://');
  if (databaseOwnerUrl && !databaseUrl) problems.push('DATABASE_OWNER_URL needs DATABASE_URL (the application role) too');

  const databaseReadUrl = blankToNull(env.DATABASE_READ_URL);
  if (databaseReadUrl && !/^postgres(ql)?:\/\//.test(databaseReadUrl)) problems.push('DATABASE_READ_URL must start with postgres:// or postgresql://');
  if (databaseReadUrl && !databaseUrl) problems.push('DATABASE_READ_URL needs DATABASE_URL (the primary it replicates) too; the embedded database has no replicas');

  const redisUrl = blankToNull(env.REDIS_URL);
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must start with redis:// or rediss://');

  const dataDir = blankToNull(env.DATA_DIR) ?? './data/db';

  const bootstrapAdminToken = blankToNull(env.BOOTSTRAP_ADMIN_TOKEN);
  if (bootstrapAdminToken && bootstrapAdminToken.length < 16) {
    problems.push('BOOTSTRAP_ADMIN_TOKEN must be at least 16 characters');
  }

  const logLevel = (blankToNull(env.LOG_LEVEL) ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const hbRaw = blankToNull(env.HEARTBEAT_SECONDS) ?? '60';
  const heartbeatSeconds = /^[0-9]{1,6}$/.test(hbRaw) ? Number(hbRaw) : NaN;
  if (Number.isNaN(heartbeatSeconds)) problems.push('HEARTBEAT_SECONDS must be a whole number of seconds');

  const whole = (name: string, fallback: string, min: number, max: number): number => {
    const raw = blankToNull(env[name]) ?? fallback;
    const value = /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max)) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return NaN;
    }
    return value;
  };
  const MIB = 1024 * 1024;
  const maxJsonBodyBytes = whole('MAX_JSON_BODY_MB', '8', 1, 1024) * MIB;
  const maxTextBodyBytes = whole('MAX_TEXT_BODY_MB', '64', 1, 1024) * MIB;
  const dbStatementTimeoutMs = whole('DB_STATEMENT_TIMEOUT_MS', '30000', 0, 86_400_000);
  const dbIdleInTransactionTimeoutMs = whole('DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', '60000', 0, 86_400_000);
  const dbConnectTimeoutMs = whole('DB_CONNECT_TIMEOUT_MS', '15000', 100, 600_000);
  const heavyReadsMax = whole('HEAVY_READS_MAX', '4', 1, 1000);
  const jobScheduleCheckSeconds = whole('JOB_SCHEDULE_CHECK_SECONDS', '30', 1, 86_400);
  const tokenTtlDays = whole('TOKEN_TTL_DAYS', '90', 1, 3650);
  const tokenCacheSeconds = whole('TOKEN_CACHE_SECONDS', '5', 0, 60);
  const rateLimitPerMinute = whole('RATE_LIMIT_PER_MINUTE', '600', 0, 1_000_000);
  const quarterCheckSeconds = whole('QUARTER_CHECK_SECONDS', '3600', 0, 86_400);
  const readReplicaMaxLagMs = whole('READ_REPLICA_MAX_LAG_MS', '5000', 100, 600_000);

  if (problems.length) throw new ConfigError(problems);
  return {
    port,
    databaseUrl,
    databaseOwnerUrl,
    databaseReadUrl,
    readReplicaMaxLagMs,
    redisUrl,
    dataDir,
    bootstrapAdminToken,
    logLevel,
    heartbeatSeconds,
    maxJsonBodyBytes,
    maxTextBodyBytes,
    dbStatementTimeoutMs,
    dbIdleInTransactionTimeoutMs,
    dbConnectTimeoutMs,
    heavyReadsMax,
    jobScheduleCheckSeconds,
    tokenTtlDays,
    tokenCacheSeconds,
    rateLimitPerMinute,
    quarterCheckSeconds,
  };
}

/** Injection token for AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
