import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/** Registers the Idempotency-Key interceptor for every route of the application. */
@Module({
  providers: [IdempotencyInterceptor, { provide: APP_INTERCEPTOR, useExisting: IdempotencyInterceptor }],
  exports: [IdempotencyInterceptor],
})
export class IdempotencyModule {}
