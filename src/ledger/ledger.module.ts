import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerController } from './ledger.controller';
import { LEDGER_ENTITIES } from './ledger.entities';
import { LedgerAccountsService } from './ledger-accounts.service';
import { LedgerExportService } from './ledger-export.service';
import { LedgerPostingService } from './ledger-posting.service';
import { LedgerQueryService } from './ledger-query.service';

/**
 * The double-entry ledger (issue #4, docs/ledger.md). Domain modules import it and call
 * LedgerPostingService inside their own transactions.
 */
@Module({
  imports: [TypeOrmModule.forFeature(LEDGER_ENTITIES)],
  controllers: [LedgerController],
  providers: [LedgerAccountsService, LedgerPostingService, LedgerQueryService, LedgerExportService],
  exports: [LedgerAccountsService, LedgerPostingService, LedgerQueryService],
})
export class LedgerModule {}
