import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { lastValueFrom, Observable, of } from 'rxjs';
import type { AuthedRequest } from '../common/access/principal';
import { TransactionScope } from '../common/database/transaction-scope';
import { CONFLICT_ERRORS } from '../common/errors/common.errors';
import { errorBodyFor } from '../common/errors/http-error.filter';
import { AUDIT_EXPORT, AUDIT_SKIP, COMMITS_ITS_OWN_WRITE } from '../common/http/audit-export';
import { IDEMPOTENT_BY_ITSELF } from '../common/idempotency/idempotent-by-itself.decorator';
import { AuditDraft, AuditService } from './audit.service';
import { REACHED_HANDLER } from './guard-refusals';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** A request whose transaction PostgreSQL aborted as a conflict is run again, as with an Idempotency-Key. */
const CONFLICT_ATTEMPTS = 3;
/** Request body fields whose values name what the request acts on. */
const TARGET_FIELD = /^(id|code|reference)$|(Id|Ids|Code|Codes)$/;

type AuditedRequest = AuthedRequest & { id?: string; route?: { path?: unknown } };

/**
 * Records every write and every export in the audit trail (issue #15 item 1), registered after
 * the idempotency interceptor, so it runs inside the request's transaction when there is one.
 *
 * - A write with an `Idempotency-Key` already runs in the request's transaction (the idempotency
 *   interceptor opens it): the audit row joins it and commits or rolls back with the change.
 * - A write without one: this interceptor opens the request's transaction itself (the services
 *   join it through TransactionScope), so the row is again written with the change; a transaction
 *   PostgreSQL aborts as a conflict (409 CONFLICT.RETRY) is run again as a whole, up to 3 times.
 * - A refused or failed write (4xx, 5xx): its change was rolled back; the refusal is recorded in
 *   a transaction of its own, with its status and error code (under an Idempotency-Key, once the
 *   request's transaction has ended, before the answer is sent).
 * - An export (`@AuditExport()` routes): recorded in a transaction of its own once the handler has
 *   answered (nothing changed).
 * - A write marked `@IdempotentByItself()` (the quarter close): no request transaction is opened
 *   around it — it commits each of its steps in a transaction of its own, which a surrounding
 *   transaction would make wait (on the embedded database, which serves one transaction at a time,
 *   for ever). Its row is written in a transaction of its own once the handler has answered, like
 *   an export or a refusal: what the route committed stays committed even should the row fail.
 *
 * Actor: the token id, role and party of the principal (none for a 401: the guard stopped it
 * before this interceptor). Action: method and route pattern (`POST /v1/claims/:id/review`).
 * Targets: the path parameters, the ids, codes and references named in the body (`loanId`,
 * `claimIds`, `bankCode`, `code`, `reference`, …) and the `id` or `code` of what the answer created.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly audit: AuditService,
    private readonly tx: TransactionScope,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<AuditedRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    // Past the guards: a refusal from here on is the handler's (GuardRefusalRecorder leaves it).
    (req as unknown as Record<symbol, unknown>)[REACHED_HANDLER] = true;
    const isExport = this.reflector.get<boolean>(AUDIT_EXPORT, context.getHandler()) === true;
    const notAWrite = this.reflector.getAllAndOverride<boolean>(AUDIT_SKIP, [context.getHandler(), context.getClass()]) === true;
    if ((!WRITE_METHODS.has(req.method) || notAWrite) && !isExport) return next.handle();
    // Recorded on its own after the handler, as an export is; see the class comment.
    const afterwards = isExport || this.reflector.get<boolean>(IDEMPOTENT_BY_ITSELF, context.getHandler()) === true;

    let recordFailed = false;
    const run = async (): Promise<unknown> => {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      if (!afterwards) {
        try {
          await this.audit.record(draftOf(req, res.statusCode, null, body));
        } catch (error) {
          recordFailed = true;
          throw error;
        }
      }
      return body;
    };
    // A write whose service commits it itself (the ledger's group commit) takes the row into its transaction.
    const handsOff = !afterwards && !this.tx.current() && this.reflector.get<boolean>(COMMITS_ITS_OWN_WRITE, context.getHandler()) === true;
    try {
      const body = handsOff ? await this.handedOff(req, res, next) : afterwards || this.tx.current() ? await run() : await this.inRequestTransaction(run);
      if (afterwards) {
        try {
          await this.audit.recordDetached(draftOf(req, res.statusCode, null, body));
        } catch (error) {
          recordFailed = true;
          throw error;
        }
      }
      return of(body);
    } catch (error) {
      // The refusal changed nothing (its transaction rolled back); record that it was seen. Not
      // when writing the audit row itself failed inside a transaction still open (it may hold the
      // head's lock): that failure is the request's answer and is logged.
      if (!recordFailed) {
        const answer = errorBodyFor(error);
        const write = () =>
          this.audit.recordDetached(draftOf(req, answer.statusCode, answer.code, null)).catch((e: unknown) => this.logger.error(`audit row for a refused ${req.method} ${req.originalUrl} not written: ${String(e)}`));
        // Inside the idempotency interceptor's transaction (still open: it rolls back to its
        // savepoint and stores the refusal after this throws), the row is written once that
        // transaction has ended — before the answer is sent — not on a second connection while it
        // holds the first (the embedded database serves one transaction at a time).
        if (this.tx.current()) await this.tx.whenSettled(write);
        else await write();
      }
      throw error;
    }
  }

  /**
   * Runs the handler with no request transaction, offering the audit row to the service call that
   * commits the write (TransactionScope.withHandOff): the row is inserted in that transaction, with
   * what the write produced as the answer's targets, and commits with it. Should no service take
   * it (a handler that wrote nothing that way), the row is written on its own afterwards.
   */
  private async handedOff(req: AuditedRequest, res: Response, next: CallHandler): Promise<unknown> {
    const { result, taken } = await this.tx.withHandOff(
      (m, produced) => this.audit.recordIn(m, draftOf(req, res.statusCode, null, produced)),
      () => lastValueFrom(next.handle(), { defaultValue: undefined }),
    );
    if (taken) this.audit.sealSoon();
    else await this.audit.recordDetached(draftOf(req, res.statusCode, null, result));
    return result;
  }

  private async inRequestTransaction(run: () => Promise<unknown>): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tx.run(run);
      } catch (error) {
        if (attempt >= CONFLICT_ATTEMPTS || errorBodyFor(error).code !== CONFLICT_ERRORS.RETRY) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 20 * attempt)));
      }
    }
  }
}

function routeOf(req: AuditedRequest): string {
  const pattern = req.route?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : req.path;
}

function draftOf(req: AuditedRequest, status: number, errorCode: string | null, answer: unknown): AuditDraft {
  const p = req.principal;
  return {
    requestId: req.id ?? null,
    actorTokenId: p?.tokenId ?? null,
    actorRole: p?.role ?? null,
    actorParty: p?.partyCode ?? null,
    action: `${req.method} ${routeOf(req)}`,
    targetIds: targetsOf(req, answer),
    status,
    errorCode,
  };
}

/** Path parameters, ids, codes and references named in the body, and the id or code of what the answer created. */
function targetsOf(req: Request, answer: unknown): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.length > 0 && v.length <= 200) out.add(v);
  };
  for (const v of Object.values(req.params ?? {})) add(v);
  const body: unknown = req.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (!TARGET_FIELD.test(k)) continue;
      if (Array.isArray(v)) v.slice(0, 1000).forEach(add);
      else add(v);
    }
  }
  if (answer && typeof answer === 'object' && !Array.isArray(answer)) {
    add((answer as Record<string, unknown>).id);
    add((answer as Record<string, unknown>).code);
  }
  return [...out];
}
