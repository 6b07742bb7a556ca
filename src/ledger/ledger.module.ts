import { Module } from '@nestjs/common';
import { LedgerController } from './ledger.controller';
import { LedgerAccountsService } from './ledger-accounts.service';
import { LedgerAuditService } from './ledger-audit.service';
import { LedgerExportService } from './ledger-export.service';
import { LedgerPostingService } from './ledger-posting.service';
import { LedgerQueryService } from './ledger-query.service';

/**
 * The double-entry ledger (issue #4, docs/ledger.md). Domain modules import it and call
 * LedgerPostingService inside their own transactions.
 *
 * The ledger reads and writes its tables with SQL, not TypeORM entities: its hot path is one
 * statement that locks, moves, numbers, hashes and inserts (src/ledger/posting/fast-path.ts), which
 * docs/benchmarks.md "Ledger posting" measured at 2.1× the entries/s of the multi-statement design
 * for one writer and 1.7× for batches with 4 writers; the database's triggers, not an ORM, guard
 * its invariants. It therefore registers no entities (issue #9 item 5: raw SQL only where a
 * benchmark justifies it). Other modules use its services, never its tables.
 */
@Module({
  controllers: [LedgerController],
  providers: [LedgerAccountsService, LedgerPostingService, LedgerQueryService, LedgerAuditService, LedgerExportService],
  exports: [LedgerAccountsService, LedgerPostingService, LedgerQueryService, LedgerAuditService],
})
export class LedgerModule {}
