import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module';
import { AuthModule } from '../auth/auth.module';
import { ClaimsModule } from '../claims/claims.module';
import { ProgrammeModule } from '../programme/programme.module';
import { QuartersModule } from '../quarters/quarters.module';
import { ReserveModule } from '../reserve/reserve.module';
import { ConsoleController } from './console.controller';
import { ConsoleService } from './console.service';

/** The console's aggregate routes (issue 17); the page itself is served by `serveConsole` (console-static.ts). */
@Module({
  imports: [AgenciesModule, AuthModule, ClaimsModule, ProgrammeModule, QuartersModule, ReserveModule],
  controllers: [ConsoleController],
  providers: [ConsoleService],
})
export class ConsoleModule {}
