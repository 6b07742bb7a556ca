import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module';
import { LoansModule } from '../loans/loans.module';
import { ProgrammeModule } from '../programme/programme.module';
import { AgencyMarginEvent } from './agency-margin-event.entity';
import { AgencyMarginController } from './agency-margin.controller';
import { AgencyMarginRequirement } from './agency-margin-requirement.entity';
import { AgencyMarginService } from './agency-margin.service';
import { MarginRequirementsService } from './margin-requirements.service';

/** Agency margins in the margin book: deposits, withdrawals, deductions, shortfalls (RULES §7). */
@Module({
  imports: [TypeOrmModule.forFeature([AgencyMarginEvent, AgencyMarginRequirement]), LedgerModule, LoansModule, ProgrammeModule],
  controllers: [AgencyMarginController],
  providers: [AgencyMarginService, MarginRequirementsService],
  exports: [AgencyMarginService, MarginRequirementsService],
})
export class AgenciesModule {}
