import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgenciesModule } from '../agencies/agencies.module';
import { LedgerModule } from '../ledger/ledger.module';
import { LoansModule } from '../loans/loans.module';
import { PlacementModule } from '../placement/placement.module';
import { ProgrammeModule } from '../programme/programme.module';
import { ReserveModule } from '../reserve/reserve.module';
import { QuarterCloseService } from './quarter-close.service';
import { QuarterDutiesService } from './quarter-duties.service';
import { DormancyProposal, QuarterDutyRow, QuarterRun } from './quarter-run.entity';
import { QuarterScheduleProcessor } from './quarter-schedule.processor';
import { QuarterViewService } from './quarter-view.service';
import { QuartersController } from './quarters.controller';

/** The quarter close: one idempotent run per quarter, its duties, its schedule (issue 12). */
@Module({
  imports: [TypeOrmModule.forFeature([QuarterRun, QuarterDutyRow, DormancyProposal]), AgenciesModule, LedgerModule, LoansModule, PlacementModule, ProgrammeModule, ReserveModule],
  controllers: [QuartersController],
  providers: [QuarterCloseService, QuarterDutiesService, QuarterViewService, QuarterScheduleProcessor],
  exports: [QuarterCloseService],
})
export class QuartersModule {}
