import { CallHandler, ExecutionContext, Injectable, Module, NestInterceptor } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { from, lastValueFrom, Observable } from 'rxjs';
import { TransactionScope } from '../database/transaction-scope';
import type { AuthedRequest } from './principal';

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * The request-transaction side of the party wall (row-level security, issue #15 item 4;
 * src/common/database/party-wall.ts; docs/access.md "Row-level security").
 *
 * A read by a bank or agency token runs in one transaction walled to that party: the services'
 * reads (all through TransactionScope's manager) join it, and PostgreSQL shows them only the
 * party's rows of the walled tables, whatever filter a query forgot. Tokens of the programme-wide
 * roles (trustee, approver, custodian, auditor), background jobs and writes are not walled: their
 * connections say `app.party_type = system`.
 *
 * Writes by party tokens stay on the service's checks alone: their rules read across parties on
 * the party's behalf (a borrower group's exposure over every bank's loans, the bank's annual cap,
 * an agency margin over every bank's claims of its loans), which a walled transaction would
 * silently narrow (docs/access.md says which).
 *
 * Registered after the audit interceptor (PartyWallModule is imported after AuditModule), so the
 * walled transaction has ended before an export's audit row is written on a connection of its own.
 */
@Injectable()
export class PartyWallInterceptor implements NestInterceptor {
  constructor(private readonly tx: TransactionScope) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const p = req.principal;
    if (!p || (p.role !== 'bank' && p.role !== 'agency') || !READ_METHODS.has(req.method)) return next.handle();
    // A party token without a code sees nothing (the policies compare codes), never everything.
    const party = { type: p.role, code: p.partyCode ?? '' };
    return from(this.tx.asParty(party, () => this.tx.run(() => lastValueFrom(next.handle(), { defaultValue: undefined }))));
  }
}

/** Registers the interceptor; AppModule imports it after AuditModule (see above). */
@Module({ providers: [PartyWallInterceptor, { provide: APP_INTERCEPTOR, useExisting: PartyWallInterceptor }] })
export class PartyWallModule {}
