import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyKey } from './idempotency-key.entity';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/** Registers the Idempotency-Key interceptor for every route of the application; owns `idempotency_keys`. */
@Module({
  imports: [TypeOrmModule.forFeature([IdempotencyKey])],
  providers: [IdempotencyInterceptor, { provide: APP_INTERCEPTOR, useExisting: IdempotencyInterceptor }],
  exports: [IdempotencyInterceptor],
})
export class IdempotencyModule {}
