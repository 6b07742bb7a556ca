import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { LedgerModule } from '../ledger/ledger.module';
import { LoansModule } from '../loans/loans.module';
import { ProgrammeModule } from '../programme/programme.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';
import { ReserveModule } from '../reserve/reserve.module';
import { PlacementProposal } from './placement-proposal.entity';
import { PlacementService } from './placement.service';
import { PlacementsController } from './placements.controller';

/**
 * Rebalancing the reserve across the partner banks (issue 13; RULES §8 "managed as a whole,
 * deposited separately, adjusted dynamically, rewarding the best"): proposal, approval, execution
 * through payment instructions. Above the reserve and reconciliation modules: it reads the books
 * through the ledger's services and issues instructions through reconciliation's.
 */
@Module({
  imports: [TypeOrmModule.forFeature([PlacementProposal]), AuthModule, LedgerModule, LoansModule, ProgrammeModule, ReconciliationModule, ReserveModule],
  controllers: [PlacementsController],
  providers: [PlacementService],
  exports: [PlacementService],
})
export class PlacementModule {}
