import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthedRequest } from '../common/access/principal';
import { AuditDraft, AuditService } from './audit.service';

/** Statuses of a request stopped before its handler: the edge or the auth guard (401, 403), the rate limiter (429). */
const GUARD_STATUSES = new Set([401, 403, 429]);
/** The window a source's or token's repeated refusals are counted in. */
export const REFUSAL_WINDOW_MS = 60_000;
/** Distinct sources and tokens followed per window; beyond it they share one counter. */
export const REFUSAL_KEYS_PER_WINDOW = 1_000;
/** The action of the row that counts a window's repeated refusals. */
export const REPEATED_REFUSALS = 'REPEATED REFUSALS';
/** Set on a request the audit interceptor saw: its guards let it through. */
export const REACHED_HANDLER = Symbol('audit:reachedHandler');

interface Counter {
  status: number;
  code: string | null;
  actor: Pick<AuditDraft, 'actorTokenId' | 'actorRole' | 'actorParty'>;
  who: string;
  count: number;
}

/**
 * The audit trail's record of requests the guards refused (issue #15; docs/audit.md "Refused
 * before the handler"): a 401 (no, unknown, expired or revoked token — at the edge or in the auth
 * guard), a 403 of the role check, a 429 of the rate limiter. Such a request never reaches the
 * audit interceptor, and an unauthenticated flood must not write a row per request, so:
 *
 * - the first refusal of a source (no valid token: the client address) or of a token, per status
 *   and code, in each minute is recorded at once, as any refusal is: request id, actor (for a
 *   token), action (method and route, or the path when no route was matched, cut to 200
 *   characters), status, code, and `source:<address>` among its targets;
 * - the others of that minute are counted, and one row per source or token, status and code says
 *   how many when the minute is over: action `REPEATED REFUSALS`, targets `source:<address>` (or
 *   the token in the actor), `count:<n>`, `window:<minute, UTC>`;
 * - at most 1,000 sources and tokens are followed per minute; the rest share one counter
 *   (`source:*`). So refusals add at most about two rows per source or token per minute and
 *   2,002 rows a minute in all, whatever arrives.
 *
 * Counters are per process (each instance records its own); those of a minute not yet over are
 * written at shutdown.
 */
@Injectable()
export class GuardRefusalRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private window = -1;
  private counters = new Map<string, Counter>();
  private readonly pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly audit: AuditService) {}

  /** Express middleware: watches every response and notes the ones the guards refused. */
  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      res.once('finish', () => {
        if (!GUARD_STATUSES.has(res.statusCode) || (req as unknown as Record<symbol, unknown>)[REACHED_HANDLER]) return;
        this.note(req as AuthedRequest & { id?: string }, res.statusCode, typeof res.locals.errorCode === 'string' ? res.locals.errorCode : null);
      });
      next();
    };
  }

  /** Records or counts one refusal (see the class comment). */
  note(req: AuthedRequest & { id?: string }, status: number, code: string | null, now = Date.now()): void {
    const window = Math.floor(now / REFUSAL_WINDOW_MS);
    if (window !== this.window) {
      this.track(this.writeCounters());
      this.window = window;
    }
    const p = req.principal;
    const who = p ? `token:${p.tokenId}` : `source:${String(req.ip ?? req.socket?.remoteAddress ?? 'unknown')}`;
    const key = `${who} ${status} ${code ?? ''}`;
    const counter = this.counters.get(key);
    if (counter) {
      counter.count++;
      return;
    }
    if (this.counters.size >= REFUSAL_KEYS_PER_WINDOW) {
      const overflow = `source:* ${status} ${code ?? ''}`;
      const shared = this.counters.get(overflow);
      if (shared) shared.count++;
      else this.counters.set(overflow, { status, code, actor: { actorTokenId: null, actorRole: null, actorParty: null }, who: 'source:*', count: 1 });
      return;
    }
    const actor = { actorTokenId: p?.tokenId ?? null, actorRole: p?.role ?? null, actorParty: p?.partyCode ?? null };
    this.counters.set(key, { status, code, actor, who, count: 0 });
    this.track(
      this.write({
        requestId: req.id ?? null,
        ...actor,
        action: actionOf(req),
        targetIds: p ? [] : [who],
        status,
        errorCode: code,
      }),
    );
    this.timer ??= setInterval(() => this.track(this.rollOver()), REFUSAL_WINDOW_MS).unref();
  }

  /** Writes the counts of the minute so far and waits for every row under way (tests, shutdown). */
  async flush(): Promise<void> {
    this.track(this.writeCounters());
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** Before the pool closes (DatabaseModule closes it in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** The minute is over when nothing arrived to roll it over. */
  private async rollOver(): Promise<void> {
    if (Math.floor(Date.now() / REFUSAL_WINDOW_MS) === this.window) return;
    await this.writeCounters();
    if (!this.counters.size && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private async writeCounters(): Promise<void> {
    const counters = [...this.counters.values()].filter((c) => c.count > 0);
    const from = new Date(this.window * REFUSAL_WINDOW_MS).toISOString().slice(0, 16) + 'Z';
    this.counters = new Map();
    for (const c of counters) {
      await this.write({
        requestId: null,
        ...c.actor,
        action: REPEATED_REFUSALS,
        targetIds: [...(c.actor.actorTokenId ? [] : [c.who]), `count:${c.count}`, `window:${from}`],
        status: c.status,
        errorCode: c.code,
      });
    }
  }

  private async write(draft: AuditDraft): Promise<void> {
    try {
      await this.audit.recordDetached(draft);
    } catch (error) {
      this.logger.error(`audit row for a refused request not written: ${String(error)}`);
    }
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }
}

function actionOf(req: Request & { route?: { path?: unknown } }): string {
  const pattern = req.route?.path;
  const path = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : req.path;
  return `${req.method} ${path}`.slice(0, 200);
}
