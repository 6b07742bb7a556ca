import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiToken } from './api-token.entity';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { TokenThrottlerGuard } from '../common/http/rate-limit';
import { ProgrammeModule } from '../programme/programme.module';

@Module({
  imports: [TypeOrmModule.forFeature([ApiToken]), ProgrammeModule],
  controllers: [AuthController],
  // The throttler after the auth guard: its bucket is the authenticated token (same module, in this order).
  providers: [AuthService, { provide: APP_GUARD, useClass: AuthGuard }, { provide: APP_GUARD, useClass: TokenThrottlerGuard }],
  exports: [AuthService],
})
export class AuthModule {}
