import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { AuthedRequest } from '../access/principal';

/**
 * Rate limiting per token (issue #15 item 5) with @nestjs/throttler: the bucket is the calling
 * token's id (the auth guard runs first and sets the principal), or the client address for the
 * routes that take none (/health is exempt). Above the limit: 429 `REQUEST.TOO_MANY` with
 * `Retry-After` (seconds) and the `X-RateLimit-*` headers the library sets.
 */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = (req as unknown as AuthedRequest).principal;
    return Promise.resolve(principal ? `token:${principal.tokenId}` : `ip:${String(req.ip ?? 'unknown')}`);
  }
}

/**
 * The rate limiter's counters (issue #15 item 5): in Redis when REDIS_URL is set, so every
 * instance of the service counts a token's requests against one limit; in memory (per process,
 * the library's default) otherwise.
 *
 * Redis storage is `@nest-lab/throttler-storage-redis` (the storage the @nestjs/throttler docs
 * point to: one Lua script per request, INCR + PEXPIRE + the block key, atomic on the server), not
 * a script of ours. Keys are `<prefix>:throttle:{token:<id>:default}:hits` (and `:blocked`), the
 * prefix being the one the job queue uses, so instances that share a queue share the limits.
 *
 * A rate limiter must not take the API down with it: a Redis command that fails or takes more than
 * `commandTimeoutMs` (no offline queue, no retries) is counted in this process's memory instead,
 * and a warning is logged at most once a minute. During a Redis outage the limit is then per
 * instance, as without Redis.
 */
export class SharedThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: ThrottlerStorageRedisService;
  private readonly memory = new ThrottlerStorageService();
  private lastWarning = 0;

  constructor(redisUrl: string, prefix: string, commandTimeoutMs = 500) {
    this.redis = new ThrottlerStorageRedisService(redisUrl, {
      keyPrefix: `${prefix}:throttle:`,
      commandTimeout: commandTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: false,
    });
    // An unreachable Redis is reported by the commands that fail; the client keeps reconnecting.
    this.redis.redis.on('error', () => undefined);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      return await this.redis.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      if (Date.now() - this.lastWarning > 60_000) {
        this.lastWarning = Date.now();
        this.logger.warn(`rate limit counted in this process's memory: Redis did not answer (${error instanceof Error ? error.message : String(error)})`);
      }
      return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onModuleDestroy(): void {
    this.redis.onModuleDestroy();
    this.memory.onApplicationShutdown();
  }
}
