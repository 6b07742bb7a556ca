import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, finalize } from 'rxjs';
import { DomainError } from '../errors/domain-error';
import { REQUEST_ERRORS, SERVICE_ERRORS } from '../errors/common.errors';

/**
 * Reads that walk a whole book (`GET /v1/ledger/verify`, `GET /v1/ledger/export`) each hold a
 * pooled connection for as long as they run. Without a bound, a few dozen concurrent calls take
 * every connection of the pool and the rest of the service — writes, `/health` — waits behind
 * them (issue 10 item 5). This gate lets at most `maxRunning` of them run at once; up to
 * `maxWaiting` more wait in arrival order, at most `maxWaitMs` each; anything beyond is answered
 * 503 `SERVICE.BUSY` with `Retry-After`. A waiting request whose client has gone is dropped from
 * the queue without running. The slot is held until the handler has finished (not merely until
 * the client disconnected), so the bound holds on the database too.
 */
export interface HeavyReadLimits {
  maxRunning: number;
  maxWaiting: number;
  maxWaitMs: number;
  /**
   * After the client has gone, how long a still-running handler keeps its slot. The ledger's
   * verify and export stop between batches when their client leaves; this is the safety net for
   * a handler that would not notice, which would otherwise hold its slot for ever and, once
   * `maxRunning` of them pile up, no whole-book read could run again.
   */
  abandonedGraceMs: number;
}

/** Routes whose handler reads a whole book: method and path, without the query string. */
export const HEAVY_READ_ROUTES: readonly { method: string; path: RegExp }[] = [
  { method: 'GET', path: /^\/v1\/ledger\/verify\/?$/ },
  { method: 'GET', path: /^\/v1\/ledger\/export\/?$/ },
];

interface Waiter {
  grant: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

export class HeavyReadGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly limits: HeavyReadLimits) {}

  get stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Resolves with a release function once a slot is free; rejects with SERVICE.BUSY. */
  acquire(gone: AbortSignal): Promise<() => void> {
    const release = once(() => {
      this.running -= 1;
      this.next();
    });
    if (this.running < this.limits.maxRunning && this.waiting.length === 0) {
      this.running += 1;
      return Promise.resolve(release);
    }
    if (this.waiting.length >= this.limits.maxWaiting) return Promise.reject(busy());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          gone.removeEventListener('abort', onGone);
          clearTimeout(waiter.timer);
          this.running += 1;
          resolve(release);
        },
        reject: (error) => {
          gone.removeEventListener('abort', onGone);
          clearTimeout(waiter.timer);
          reject(error);
        },
        timer: setTimeout(() => this.drop(waiter, busy()), this.limits.maxWaitMs),
      };
      const onGone = () => this.drop(waiter, DomainError.invalid(REQUEST_ERRORS.ABORTED, 'The client went away before the read started.'));
      gone.addEventListener('abort', onGone, { once: true });
      this.waiting.push(waiter);
    });
  }

  private drop(waiter: Waiter, error: unknown): void {
    const i = this.waiting.indexOf(waiter);
    if (i < 0) return;
    this.waiting.splice(i, 1);
    waiter.reject(error);
  }

  private next(): void {
    while (this.running < this.limits.maxRunning && this.waiting.length) {
      (this.waiting.shift() as Waiter).grant();
    }
  }
}

function busy(): DomainError {
  return DomainError.unavailable(SERVICE_ERRORS.BUSY, 'Too many whole-book reads (verify, export) are running; retry shortly.');
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    f();
  };
}

const SIGNAL = Symbol('requestAbortSignal');

/**
 * An AbortSignal that fires when the client of `req` goes away before its answer was sent, so a
 * long read can stop between batches (`if (signal.aborted) …`) instead of running to the end for
 * nobody. Created once per request.
 */
export function requestAbortSignal(req: Request, res: Response): AbortSignal {
  const holder = req as Request & { [SIGNAL]?: AbortSignal };
  if (holder[SIGNAL]) return holder[SIGNAL];
  const controller = new AbortController();
  holder[SIGNAL] = controller.signal;
  // The client may have gone before anyone asked (the 'close' event is then past).
  if (!req.socket || req.socket.destroyed) {
    if (!res.writableFinished) controller.abort();
    return controller.signal;
  }
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * Middleware that starts watching for the client's departure as soon as a request arrives (a
 * signal created later could miss a 'close' that already happened).
 */
export function trackClientDeparture(): (req: Request, res: Response, next: () => void) => void {
  return (req, res, next) => {
    requestAbortSignal(req, res);
    next();
  };
}

/** Applies a {@link HeavyReadGate} to the {@link HEAVY_READ_ROUTES}. */
@Injectable()
export class HeavyReadInterceptor implements NestInterceptor {
  private readonly logger = new Logger('HeavyReads');

  constructor(readonly gate: HeavyReadGate) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const route = req.path;
    if (!HEAVY_READ_ROUTES.some((r) => r.method === req.method && r.path.test(route))) return next.handle();
    const gone = requestAbortSignal(req, http.getResponse<Response>());
    if (gone.aborted) throw DomainError.invalid(REQUEST_ERRORS.ABORTED, 'The client went away before the read started.');
    const release = await this.gate.acquire(gone);
    let timer: NodeJS.Timeout | undefined;
    const onGone = () => {
      timer = setTimeout(() => {
        this.logger.warn(`${req.method} ${route}: still running ${this.gate.limits.abandonedGraceMs} ms after its client left; its slot is freed`);
        release();
      }, this.gate.limits.abandonedGraceMs);
      timer.unref();
    };
    if (gone.aborted) onGone();
    else gone.addEventListener('abort', onGone, { once: true });
    return next.handle().pipe(
      finalize(() => {
        gone.removeEventListener('abort', onGone);
        clearTimeout(timer);
        release();
      }),
    );
  }
}
