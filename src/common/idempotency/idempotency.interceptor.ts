import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { EMPTY, Observable, from, mergeMap, of, catchError } from 'rxjs';
import { DataSource } from 'typeorm';
import type { AuthedRequest } from '../access/principal';
import { IDEMPOTENCY_ERRORS } from '../errors/common.errors';
import { DomainError, DomainErrorKind } from '../errors/domain-error';
import { ErrorBody, errorBodyFor } from '../errors/http-error.filter';
import { requestHash } from './canonical-json';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

const KIND_BY_STATUS: Record<number, DomainErrorKind> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'rule',
};

/** How long a duplicate waits for the first request, and when a pending key is considered lost. */
export interface IdempotencyTimings {
  waitMs: number;
  staleAfterSeconds: number;
}

interface KeyRow {
  request_hash: string;
  state: 'pending' | 'done';
  status_code: number | null;
  response: unknown;
  stale: boolean;
}

type Claim = { kind: 'owner' } | { kind: 'replay'; status: number; body: unknown };

/**
 * `Idempotency-Key` on every write route (API.md "Conventions", issue #4 item 4).
 *
 * A key is scoped to the calling token, the method and the path. The first request inserts the
 * key row (its own autocommitted statement, ON CONFLICT DO NOTHING) with the SHA-256 of the
 * canonical JSON of its query and body, runs, then stores its answer (status and body). A later
 * request with the same key: a different hash → 409 IDEMPOTENCY.KEY_REUSED; the same hash → the
 * stored answer, or, while the first is still running, it waits for it (polling with backoff),
 * so a duplicate never runs twice. 5xx answers are not stored: the key row is deleted and the
 * request may be retried. A key left pending by a crash is reported as 409
 * IDEMPOTENCY.OUTCOME_UNKNOWN after `staleAfterSeconds` rather than run again (it may have
 * committed).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  readonly timings: IdempotencyTimings = { waitMs: 30_000, staleAfterSeconds: 300 };

  constructor(private readonly dataSource: DataSource) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<AuthedRequest>();
    const res = http.getResponse<Response>();
    const header = req.headers[IDEMPOTENCY_HEADER];
    if (!WRITE_METHODS.has(req.method) || header === undefined) return next.handle();
    const key = Array.isArray(header) ? header.join(',') : header;
    if (!KEY_FORMAT.test(key)) {
      throw DomainError.invalid(IDEMPOTENCY_ERRORS.INVALID_KEY, 'Idempotency-Key must be 1 to 255 visible ASCII characters.', [
        { code: IDEMPOTENCY_ERRORS.INVALID_KEY, field: 'Idempotency-Key', message: 'visible ASCII, 1–255 characters' },
      ]);
    }
    const id = {
      scope: req.principal?.tokenId ?? 'anonymous',
      method: req.method,
      path: req.originalUrl.split('?')[0],
      key,
    };
    // An uploaded file (a raw-body route: bank statements) is hashed as bytes, with its media type.
    const body: unknown = Buffer.isBuffer(req.body)
      ? { bytesSha256: createHash('sha256').update(req.body).digest('hex'), contentType: req.headers['content-type'] ?? null }
      : (req.body ?? null);
    const hash = requestHash({ query: req.query ?? {}, body });
    const claim = await this.claim(id, hash);
    if (claim.kind === 'replay') return this.replay(res, claim.status, claim.body);

    return next.handle().pipe(
      mergeMap((body) =>
        from(
          (async () => {
            await this.complete(id, res.statusCode, body === undefined ? null : (JSON.parse(JSON.stringify(body)) as unknown));
            return body;
          })(),
        ),
      ),
      catchError((error: unknown) =>
        from(
          (async () => {
            const answer = errorBodyFor(error);
            if (answer.statusCode >= 500) await this.release(id);
            else await this.complete(id, answer.statusCode, answer);
            throw error;
          })(),
        ),
      ),
    );
  }

  private async claim(id: KeyId, hash: string): Promise<Claim> {
    const deadline = Date.now() + this.timings.waitMs;
    let pause = 10;
    for (;;) {
      const inserted = (await this.dataSource.query(
        `INSERT INTO idempotency_keys (scope, method, path, key, request_hash, state) VALUES ($1, $2, $3, $4, $5, 'pending')
         ON CONFLICT DO NOTHING RETURNING 1`,
        [id.scope, id.method, id.path, id.key, hash],
      )) as unknown[];
      if (inserted.length) return { kind: 'owner' };
      const rows = (await this.dataSource.query(
        `SELECT request_hash, state, status_code, response, created_at < now() - make_interval(secs => $5) AS stale
           FROM idempotency_keys WHERE scope = $1 AND method = $2 AND path = $3 AND key = $4`,
        [id.scope, id.method, id.path, id.key, this.timings.staleAfterSeconds],
      )) as KeyRow[];
      if (!rows.length) continue; // the first request failed with a 5xx and released the key
      const row = rows[0];
      if (row.request_hash !== hash) {
        throw DomainError.conflict(IDEMPOTENCY_ERRORS.KEY_REUSED, 'This Idempotency-Key was already used with a different request.', [
          { code: IDEMPOTENCY_ERRORS.KEY_REUSED, field: 'Idempotency-Key', message: 'same key, different body' },
        ]);
      }
      if (row.state === 'done') return { kind: 'replay', status: Number(row.status_code), body: row.response };
      if (row.stale) {
        throw DomainError.conflict(
          IDEMPOTENCY_ERRORS.OUTCOME_UNKNOWN,
          'The first request with this Idempotency-Key never finished; check whether it took effect, then use a new key.',
        );
      }
      if (Date.now() + pause > deadline) {
        throw DomainError.conflict(IDEMPOTENCY_ERRORS.IN_PROGRESS, 'The first request with this Idempotency-Key is still running; retry shortly.');
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(250, Math.ceil(pause * 1.5));
    }
  }

  /** Replays a stored answer: an error through the one filter (same body), a success as data. */
  private replay(res: Response, status: number, body: unknown): Observable<unknown> {
    res.setHeader(REPLAYED_HEADER, 'true');
    if (status >= 400) {
      const e = body as ErrorBody;
      throw new DomainError(e.code, KIND_BY_STATUS[status] ?? 'conflict', e.message, e.details);
    }
    if (status === res.statusCode) return of(body);
    // A handler that chose its own status: answer here; the router then has nothing to send.
    res.status(status).json(body);
    return EMPTY;
  }

  private async complete(id: KeyId, status: number, body: unknown): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET state = 'done', status_code = $5, response = $6::jsonb, completed_at = now()
        WHERE scope = $1 AND method = $2 AND path = $3 AND key = $4`,
      [id.scope, id.method, id.path, id.key, status, JSON.stringify(body)],
    );
  }

  private async release(id: KeyId): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND method = $2 AND path = $3 AND key = $4`, [
      id.scope,
      id.method,
      id.path,
      id.key,
    ]);
  }
}

interface KeyId {
  scope: string;
  method: string;
  path: string;
  key: string;
}
