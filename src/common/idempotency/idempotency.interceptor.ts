import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { EMPTY, Observable, lastValueFrom, of } from 'rxjs';
import { EntityManager } from 'typeorm';
import type { AuthedRequest } from '../access/principal';
import { TransactionScope } from '../database/transaction-scope';
import { CONFLICT_ERRORS, IDEMPOTENCY_ERRORS } from '../errors/common.errors';
import { DomainError, DomainErrorKind } from '../errors/domain-error';
import { ErrorBody, errorBodyFor } from '../errors/http-error.filter';
import { streamedTextOf } from '../http/streamed-text';
import { requestHash } from './canonical-json';
import { IDEMPOTENT_BY_ITSELF } from './idempotent-by-itself.decorator';
import { IdempotencyKey } from './idempotency-key.entity';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** The savepoint that separates the key row from the handler's work in the request transaction. */
const HANDLER_SAVEPOINT = 'idempotent_request';

const KIND_BY_STATUS: Record<number, DomainErrorKind> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported',
  422: 'rule',
};

/**
 * How often a request whose transaction PostgreSQL aborted for a serialization failure, a
 * deadlock or a lock timeout (409 CONFLICT.RETRY) is run again as a whole, and when a key left
 * `pending` by the former scheme is considered lost.
 */
export interface IdempotencyTimings {
  conflictAttempts: number;
  staleAfterSeconds: number;
}

interface KeyId {
  scope: string;
  method: string;
  path: string;
  key: string;
}

/** What the request transaction ended with. */
type Outcome =
  | { kind: 'answered'; body: unknown }
  | { kind: 'refused'; error: unknown }
  | { kind: 'stored'; row: IdempotencyKey };

/**
 * `Idempotency-Key` on every write route (API.md "Conventions"; issue 10 item 4;
 * docs/reliability.md "Idempotency").
 *
 * A key is scoped to the calling token, the method and the path. A write with a key runs in one
 * transaction (TransactionScope), opened here, that the services join:
 *
 * 1. the key row is inserted FIRST (`ON CONFLICT DO NOTHING`), with the SHA-256 of the canonical
 *    JSON of the query and body. A concurrent request with the same key waits on the primary key
 *    until this transaction ends; then it finds the stored answer (committed) or nothing (rolled
 *    back), and in the latter case it inserts the key and runs itself;
 * 2. the handler runs inside the transaction, after a savepoint;
 * 3. its answer is stored in the key row — a success's body, or a 4xx's error body after rolling
 *    back to the savepoint (the refusal wrote nothing, its answer is kept) — and the transaction
 *    commits; only then is the answer sent.
 *
 * So a committed effect always has its answer stored with it, and a request that failed in any way
 * (5xx, 503, a lost connection, a killed process, a failed COMMIT) left nothing: its retry either
 * finds the committed answer or applies the request once. Never stored: 5xx and 503 answers, and
 * 409 CONFLICT.RETRY (PostgreSQL aborted the transaction; the whole request is first run again
 * here, up to `conflictAttempts` times, in a new transaction).
 *
 * The same key with another body or query → 409 IDEMPOTENCY.KEY_REUSED. A replayed answer
 * carries `Idempotent-Replayed: true`. Rows written by the former two-step scheme are still read
 * (migration 1733100000000): a `pending` one was left by a request that died before finishing,
 * and is answered 409 IDEMPOTENCY.OUTCOME_UNKNOWN once stale (IN_PROGRESS before).
 *
 * Write routes answer with JSON returned from the handler; none streams its answer (`@Res()`
 * without passthrough), which could reach the client before the commit
 * (test/architecture/idempotent-writes.spec.ts keeps it so). A body the route reads as a stream
 * (a bank-report CSV) counts by the SHA-256 of its bytes, known once it is read (RequestHash).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');
  readonly timings: IdempotencyTimings = { conflictAttempts: 3, staleAfterSeconds: 300 };

  constructor(
    private readonly tx: TransactionScope,
    private readonly reflector: Reflector,
  ) {}

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
    // The route makes itself idempotent and commits on its own (see IdempotentByItself).
    if (this.reflector.get<boolean>(IDEMPOTENT_BY_ITSELF, context.getHandler())) return next.handle();
    const id: KeyId = {
      scope: req.principal?.tokenId ?? 'anonymous',
      method: req.method,
      path: req.originalUrl.split('?')[0],
      key,
    };
    const hash = requestHashOf(req);

    const outcome = await this.runWithConflictRetries(id, hash, res, next);
    if (outcome.kind === 'refused') throw outcome.error;
    if (outcome.kind === 'answered') return of(outcome.body);
    return this.replay(res, outcome.row, await hash.final());
  }

  /** The request transaction, run again as a whole while PostgreSQL aborts it as a conflict. */
  private async runWithConflictRetries(id: KeyId, hash: RequestHash, res: Response, next: CallHandler): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tx.runDetached((m) => this.inRequestTransaction(m, id, hash, res, next));
      } catch (error) {
        if (attempt >= this.timings.conflictAttempts || errorBodyFor(error).code !== CONFLICT_ERRORS.RETRY) throw error;
        this.logger.debug(`${id.method} ${id.path}: transaction aborted as a conflict (attempt ${attempt}); running it again`);
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 20 * attempt)));
      }
    }
  }

  /**
   * Inside the request transaction: key row first, then the handler after a savepoint, then its
   * answer. Throws (rolling everything back, storing nothing) for answers that must not be kept.
   */
  private async inRequestTransaction(m: EntityManager, id: KeyId, hash: RequestHash, res: Response, next: CallHandler): Promise<Outcome> {
    const keys = m.getRepository(IdempotencyKey);
    const inserted = await keys
      .createQueryBuilder()
      .insert()
      .values({ ...id, requestHash: hash.known, state: 'pending', recordedInRequestTransaction: true })
      .orIgnore()
      .returning(['key'])
      .execute();
    if (!(inserted.raw as unknown[]).length) {
      // Another request holds or held this key; the INSERT waited for its transaction, so the row
      // read now (a new snapshot) is committed.
      const row = await keys.findOne({ where: { ...id } });
      if (row) return { kind: 'stored', row };
      // The row went away between the two statements (not done by this service): insert again.
      return this.inRequestTransaction(m, id, hash, res, next);
    }

    await m.query(`SAVEPOINT ${HANDLER_SAVEPOINT}`);
    let status: number;
    let body: unknown;
    try {
      // handle() is subscribed here, inside the transaction's async context, so the services
      // join this transaction (TransactionScope.run); each subscription runs pipes and handler.
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      status = res.statusCode;
    } catch (error) {
      const answer = errorBodyFor(error);
      if (!storable(answer)) throw error;
      // A streamed body refused before its end is read on to hash it; one that breaks the
      // edge's rules (too large, not UTF-8) cannot be: its refusal is answered, not stored.
      const final = await hash.final().catch(() => null);
      if (final === null) throw error;
      await m.query(`ROLLBACK TO SAVEPOINT ${HANDLER_SAVEPOINT}`);
      await this.complete(m, id, final, answer.statusCode, answer);
      return { kind: 'refused', error };
    }
    if (res.headersSent) {
      // A handler answered by itself before the commit (test/architecture/idempotent-writes.spec.ts
      // keeps write routes from doing so): its effect must not commit unanswered-for.
      throw new Error(`${id.method} ${id.path} sent its answer inside the idempotent transaction; write routes must return their answer`);
    }
    await this.complete(m, id, await hash.final(), status, body === undefined ? null : (JSON.parse(JSON.stringify(body)) as unknown));
    return { kind: 'answered', body };
  }

  private async complete(m: EntityManager, id: KeyId, requestHash: string, status: number, response: unknown): Promise<void> {
    await m
      .getRepository(IdempotencyKey)
      .update({ ...id }, { requestHash, state: 'done', statusCode: status, response: response as object, completedAt: () => 'now()' });
  }

  /** Answers a stored key: a different request → KEY_REUSED; the stored answer; or a legacy pending row. */
  private replay(res: Response, row: IdempotencyKey, hash: string): Observable<unknown> {
    if (row.requestHash !== hash) {
      throw DomainError.conflict(IDEMPOTENCY_ERRORS.KEY_REUSED, 'This Idempotency-Key was already used with a different request.', [
        { code: IDEMPOTENCY_ERRORS.KEY_REUSED, field: 'Idempotency-Key', message: 'same key, different body' },
      ]);
    }
    if (row.state !== 'done' || row.statusCode === null) return this.legacyPending(row);
    const status = row.statusCode;
    res.setHeader(REPLAYED_HEADER, 'true');
    if (status >= 400) {
      const e = row.response as ErrorBody;
      throw new DomainError(e.code, KIND_BY_STATUS[status] ?? 'conflict', e.message, e.details);
    }
    if (status === res.statusCode) return of(row.response);
    // A handler that chose its own status: answer here; the router then has nothing to send.
    res.status(status).json(row.response);
    return EMPTY;
  }

  /** A key left pending by the former two-step scheme (before migration 1733100000000). */
  private legacyPending(row: IdempotencyKey): never {
    const ageSeconds = (Date.now() - new Date(row.createdAt).getTime()) / 1000;
    if (ageSeconds >= this.timings.staleAfterSeconds) {
      throw DomainError.conflict(
        IDEMPOTENCY_ERRORS.OUTCOME_UNKNOWN,
        'The first request with this Idempotency-Key never finished; check whether it took effect, then use a new key.',
      );
    }
    throw DomainError.conflict(IDEMPOTENCY_ERRORS.IN_PROGRESS, 'The first request with this Idempotency-Key is still running; retry shortly.');
  }
}

/**
 * The SHA-256 of a request's canonical query and body. A body the route reads as a stream (a
 * bank-report CSV, streamed-text.ts) is known only once read: it counts by the SHA-256 of its
 * bytes, `final()` reads what is left of it when the route stopped early; `known` (query only)
 * stands in the key row until the answer is stored — a row is never seen before then.
 */
interface RequestHash {
  known: string;
  final(): Promise<string>;
}

function requestHashOf(req: AuthedRequest): RequestHash {
  const streamed = streamedTextOf(req);
  // An uploaded file (a raw-body route: bank statements) is hashed as bytes, with its media type.
  const body: unknown = streamed
    ? null
    : Buffer.isBuffer(req.body)
      ? { bytesSha256: createHash('sha256').update(req.body).digest('hex'), contentType: req.headers['content-type'] ?? null }
      : (req.body ?? null);
  const known = requestHash({ query: req.query ?? {}, body });
  if (!streamed) return { known, final: () => Promise.resolve(known) };
  return { known, final: async () => requestHash({ query: req.query ?? {}, body: { streamedSha256: await streamed.digest() } }) };
}

/** 2xx and 4xx answers are kept, except 409 CONFLICT.RETRY (the request may simply be run again); never 5xx. */
export function storable(answer: ErrorBody): boolean {
  return answer.statusCode < 500 && answer.code !== CONFLICT_ERRORS.RETRY;
}
