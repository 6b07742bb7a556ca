import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BorrowersService } from './borrowers.service';
import { PartiesService } from './parties.service';
import { PartyLossRatesService } from './party-loss-rates.service';
import { PartyStatusService } from './party-status.service';
import { PartyStatusController } from './party-status.controller';
import { PoliciesController } from './policies.controller';
import { PolicyService } from './policy.service';
import { ReferenceRatesService } from './reference-rates.service';
import { ProgrammeController } from './programme.controller';
import { BorrowerHeadcount, BorrowerHire, ProgrammeLoan, ProgrammeVersionRow } from './programme-data.entities';
import { ProgrammesService } from './programmes.service';
import { ProgrammesController } from './programmes.controller';
import { ProgrammeLoansService } from './programme-loans.service';
import { BorrowerProfilesService } from './borrower-profiles.service';
import {
  Agency,
  AgencyChange,
  Agreement,
  Bank,
  Borrower,
  BorrowerQualification,
  BorrowerRevenue,
  PartyStatusChange,
  PartyLossRate,
  PartyStatusReason,
  LprRateRow,
  PbocBenchmarkRateRow,
  PolicyVersionRow,
  ProgrammeRow,
} from './programme.entities';

/** Banks, agencies, agreements, borrowers, agency changes and policy versions (issue #5). */
@Module({
  imports: [
    TypeOrmModule.forFeature([Bank, Agency, PartyStatusChange, Agreement, Borrower, BorrowerRevenue, BorrowerQualification, PartyStatusReason, PartyLossRate, AgencyChange, PolicyVersionRow, ProgrammeRow, LprRateRow, PbocBenchmarkRateRow, ProgrammeVersionRow, BorrowerHeadcount, BorrowerHire, ProgrammeLoan]),
  ],
  controllers: [ProgrammeController, PoliciesController, PartyStatusController, ProgrammesController],
  providers: [PartiesService, BorrowersService, PartyStatusService, PartyLossRatesService, PolicyService, ReferenceRatesService, ProgrammesService, ProgrammeLoansService, BorrowerProfilesService],
  exports: [PartiesService, BorrowersService, PartyStatusService, PartyLossRatesService, PolicyService, ReferenceRatesService, ProgrammesService, ProgrammeLoansService, BorrowerProfilesService],
})
export class ProgrammeModule {}
