import { Module } from '@nestjs/common';
import { ClaimsModule } from '../claims/claims.module';
import { LedgerModule } from '../ledger/ledger.module';
import { PaymentInstructionsController } from './payment-instructions.controller';
import { PaymentInstructionsService } from './payment-instructions.service';
import { ReconciliationController, StatementMappingsController } from './reconciliation.controller';
import { ReconciliationCorrectionsService } from './reconciliation-corrections.service';
import { ReconciliationMatchesService } from './reconciliation-matches.service';
import { ReconciliationReportService } from './reconciliation-report.service';
import { ReconciliationStore } from './reconciliation-store';
import { ReconciliationService } from './reconciliation.service';
import { ReconciliationWorkspaceService } from './reconciliation-workspace';
import { StatementMappingsService } from './statement-mappings.service';
import { ProgrammeModule } from '../programme/programme.module';
import { ReserveModule } from '../reserve/reserve.module';

export { STATEMENT_UPLOAD_PATHS } from './reconciliation.controller';

/**
 * Reconciliation (issue 14; RULES §8 "Reconciliation"; docs/reconciliation.md): payment
 * instructions derived from the ledger's reserve-account movements, bank statement import,
 * matching, manual matches, corrections on four eyes, close and the 余额调节表. Uses the ledger
 * through its services only.
 */
@Module({
  imports: [LedgerModule, ClaimsModule, ProgrammeModule, ReserveModule],
  controllers: [ReconciliationController, StatementMappingsController, PaymentInstructionsController],
  providers: [
    PaymentInstructionsService,
    ReconciliationStore,
    ReconciliationWorkspaceService,
    ReconciliationService,
    ReconciliationMatchesService,
    ReconciliationCorrectionsService,
    ReconciliationReportService,
    StatementMappingsService,
  ],
  exports: [PaymentInstructionsService, ReconciliationService],
})
export class ReconciliationModule {}
