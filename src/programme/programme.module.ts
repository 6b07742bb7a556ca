import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PartiesService } from './parties.service';
import { PolicyService } from './policy.service';
import { ProgrammeController } from './programme.controller';
import {
  Agency,
  AgencyChange,
  Agreement,
  Bank,
  Borrower,
  BorrowerRevenue,
  PartyStatusChange,
  PolicyVersionRow,
} from './programme.entities';

/** Banks, agencies, agreements, borrowers, agency changes and policy versions (issue #5). */
@Module({
  imports: [
    TypeOrmModule.forFeature([Bank, Agency, PartyStatusChange, Agreement, Borrower, BorrowerRevenue, AgencyChange, PolicyVersionRow]),
  ],
  controllers: [ProgrammeController],
  providers: [PartiesService, PolicyService],
  exports: [PartiesService, PolicyService],
})
export class ProgrammeModule {}
