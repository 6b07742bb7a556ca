import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module';
import { LoansModule } from '../loans/loans.module';
import { ProgrammeModule } from '../programme/programme.module';
import { PlacementsController, ReserveController } from './reserve.controller';
import { ReserveFunding } from './reserve-funding.entity';
import { ReserveService } from './reserve.service';
import { PlacementProposal } from './placement-proposal.entity';
import { PlacementService } from './placement.service';

/** The reserve deposit accounts: funding, interest, size against the band (RULES §8). */
@Module({
  imports: [TypeOrmModule.forFeature([ReserveFunding, PlacementProposal]), LedgerModule, LoansModule, ProgrammeModule],
  controllers: [ReserveController, PlacementsController],
  providers: [ReserveService, PlacementService],
  exports: [ReserveService, PlacementService],
})
export class ReserveModule {}
