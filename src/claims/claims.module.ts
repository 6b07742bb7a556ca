import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgenciesModule } from '../agencies/agencies.module';
import { LedgerModule } from '../ledger/ledger.module';
import { LoansModule } from '../loans/loans.module';
import { ProgrammeModule } from '../programme/programme.module';
import { ApprovalBatch, Claim, ClaimPayoutLeg, ClaimRecovery } from './claim.entity';
import { ClaimsController } from './claims.controller';
import { ClaimsService } from './claims.service';

/** Loss-compensation claims from filing to write-off, on the ledger (issue #6). */
@Module({
  imports: [TypeOrmModule.forFeature([Claim, ClaimPayoutLeg, ClaimRecovery, ApprovalBatch]), LedgerModule, LoansModule, ProgrammeModule, AgenciesModule],
  controllers: [ClaimsController],
  providers: [ClaimsService],
  exports: [ClaimsService],
})
export class ClaimsModule {}
