import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogEntry, AuditLogHead } from './audit-log.entity';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditSealer } from './audit-sealer';
import { AuditService } from './audit.service';
import { GuardRefusalRecorder } from './guard-refusals';

/**
 * The audit trail (issue #15 item 1): owns `audit_log` and `audit_log_head`; records every write
 * and export through its interceptor, registered after the idempotency interceptor (AppModule
 * imports this module last) so that it runs inside the request's transaction. Rows are chained
 * after commit by the AuditSealer (issue 16).
 */
@Module({
  imports: [TypeOrmModule.forFeature([AuditLogEntry, AuditLogHead])],
  controllers: [AuditController],
  providers: [AuditService, AuditSealer, AuditInterceptor, { provide: APP_INTERCEPTOR, useExisting: AuditInterceptor }, GuardRefusalRecorder],
  exports: [AuditService, GuardRefusalRecorder],
})
export class AuditModule {}
