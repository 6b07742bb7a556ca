import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
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
