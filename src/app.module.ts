import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Principal } from './common/access/principal';
import { MetricsModule } from './common/metrics/metrics.module';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { Clock } from './common/clock/clock';
import { DatabaseModule } from './common/database/database.module';
import { TransactionScopeModule } from './common/database/transaction-scope';
import { ReadReplicaModule } from './common/database/read-replica';
import { HttpErrorFilter } from './common/errors/http-error.filter';
import { requestLoggingOptions } from './common/http/request-logging';
import { AppConfig, loadConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthController } from './health/health.controller';
import { JobsModule } from './jobs/jobs.module';
import { ClockModule } from './common/clock/clock.module';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { LedgerModule } from './ledger/ledger.module';
import { LoansModule } from './loans/loans.module';
import { ProgrammeModule } from './programme/programme.module';
import { CalculatorsModule } from './calculators/calculators.module';
import { AgenciesModule } from './agencies/agencies.module';
import { QuartersModule } from './quarters/quarters.module';
import { ConsoleModule } from './console/console.module';
import { ClaimPortsModule, ClaimsModule } from './claims/claims.module';
import { PlacementModule } from './placement/placement.module';
import { ReserveModule } from './reserve/reserve.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { ProgrammeFlowsModule } from './programme-flows/programme-flows.module';
import { HolidaysModule } from './holidays/holidays.module';
import { AuditModule } from './audit/audit.module';
import { PartyWallModule } from './common/access/party-wall.interceptor';
import { SharedThrottlerStorage } from './common/http/rate-limit';

export interface AppModuleOptions {
  config?: Partial<AppConfig>;
  jobsPrefix?: string;
  /** Where log lines go (default stdout); tests read them. */
  logDestination?: NodeJS.WritableStream;
}

type LoggedRequest = IncomingMessage & { id?: string; principal?: Principal };

/**
 * Every request log line carries the request id (`req.id`, set first by requestContext) and,
 * once the auth guard has run, the actor: token id, role and party (issue #15 item 5). Nothing
 * without a principal (the line's start, public routes), so no child logger is made per request
 * (the cost requestLoggingOptions avoids, docs/benchmarks.md "HTTP").
 */
function actorOf(req: LoggedRequest): Record<string, unknown> | undefined {
  const p = req.principal;
  return p ? { actor: { tokenId: p.tokenId, role: p.role, partyCode: p.partyCode } } : undefined;
}

/**
 * Feature modules of the programme; each adds itself here. AuditModule comes after them: its
 * interceptor runs inside the idempotency interceptor's transaction. PartyWallModule is last: a
 * party's read runs in its walled transaction inside the audit interceptor (party-wall.interceptor.ts).
 */
const FEATURE_MODULES: DynamicModule['imports'] = [
  CalculatorsModule,
  ProgrammeModule,
  LoansModule,
  IdempotencyModule,
  LedgerModule,
  ReserveModule,
  PlacementModule,
  AgenciesModule,
  ClaimPortsModule,
  ClaimsModule,
  ProgrammeFlowsModule,
  HolidaysModule,
  QuartersModule,
  ReconciliationModule,
  ConsoleModule,
  AuditModule,
  PartyWallModule,
];

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    const config = { ...loadConfig(), ...options.config };
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config),
        LoggerModule.forRoot({
          pinoHttp: [
            {
              ...requestLoggingOptions(config.logLevel),
              genReqId: (req) => (req as LoggedRequest).id ?? randomUUID(),
              customProps: (req) => actorOf(req as LoggedRequest) as object,
            },
            options.logDestination ?? process.stdout,
          ],
        }),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(config.rateLimitPerMinute, 1) }],
          skipIf: () => config.rateLimitPerMinute === 0,
          // Shared by every instance through Redis when there is one (rate-limit.ts).
          storage: config.redisUrl && config.rateLimitPerMinute > 0 ? new SharedThrottlerStorage(config.redisUrl, options.jobsPrefix ?? 'reserve') : undefined,
        }),
        MetricsModule,
        ClockModule,
        DatabaseModule,
        ReadReplicaModule.forRoot(options.jobsPrefix),
        TransactionScopeModule,
        JobsModule.forRoot({ redisUrl: config.redisUrl, prefix: options.jobsPrefix }),
        AuthModule,
        ...(FEATURE_MODULES ?? []),
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}

export { Clock };
