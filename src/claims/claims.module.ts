import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AGENCY_COMPENSATION } from '../agencies/agency-compensation.port';
import { AgenciesModule } from '../agencies/agencies.module';
import { LedgerModule } from '../ledger/ledger.module';
import { LoansModule } from '../loans/loans.module';
import { ProgrammeModule } from '../programme/programme.module';
import { ReserveModule } from '../reserve/reserve.module';
import { BANK_ANNUAL_ROOM } from '../programme/bank-annual-room.port';
import { ApprovalBatchesService } from './approval-batches.service';
import { BankAnnualCapService } from './bank-annual-cap.service';
import { ApprovalBatch, Claim, ClaimPayoutLeg, ClaimRecovery } from './claim.entity';
import { ClaimSettlementService } from './claim-settlement.service';
import { ClaimTotalsService } from './claim-totals.service';
import { ClaimsController } from './claims.controller';
import { ClaimsService } from './claims.service';

const CLAIM_ENTITIES = [Claim, ClaimPayoutLeg, ClaimRecovery, ApprovalBatch];

/**
 * What claims provide to modules below them through ports those modules declare (agencies asks
 * for an agency's net compensation, the programme for a bank's room under the annual cap): global, so that the agencies module need not import the
 * claims module, which imports it.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature(CLAIM_ENTITIES), LoansModule, ProgrammeModule],
  providers: [
    ClaimTotalsService,
    { provide: AGENCY_COMPENSATION, useExisting: ClaimTotalsService },
    BankAnnualCapService,
    { provide: BANK_ANNUAL_ROOM, useExisting: BankAnnualCapService },
  ],
  exports: [ClaimTotalsService, AGENCY_COMPENSATION, BankAnnualCapService, BANK_ANNUAL_ROOM],
})
export class ClaimPortsModule {}

/** Loss-compensation claims from filing to write-off, on the ledger (issue #6). */
@Module({
  imports: [TypeOrmModule.forFeature(CLAIM_ENTITIES), LedgerModule, LoansModule, ProgrammeModule, AgenciesModule, ReserveModule],
  controllers: [ClaimsController],
  providers: [ClaimsService, ApprovalBatchesService, ClaimSettlementService],
  exports: [ClaimsService],
})
export class ClaimsModule {}
