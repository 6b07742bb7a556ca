import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { Clock } from './common/clock/clock';
import { DatabaseModule } from './common/database/database.module';
import { TransactionScopeModule } from './common/database/transaction-scope';
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
import { ClaimPortsModule, ClaimsModule } from './claims/claims.module';
import { ReserveModule } from './reserve/reserve.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { HolidaysModule } from './holidays/holidays.module';

export interface AppModuleOptions {
  config?: Partial<AppConfig>;
  jobsPrefix?: string;
}

/** Feature modules of the programme; each adds itself here. */
const FEATURE_MODULES: DynamicModule['imports'] = [CalculatorsModule, ProgrammeModule, LoansModule, IdempotencyModule, LedgerModule, ReserveModule, AgenciesModule, ClaimPortsModule, ClaimsModule, HolidaysModule, QuartersModule, ReconciliationModule];

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    const config = { ...loadConfig(), ...options.config };
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config),
        LoggerModule.forRoot({ pinoHttp: requestLoggingOptions(config.logLevel) }),
        ClockModule,
        DatabaseModule,
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
