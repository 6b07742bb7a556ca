import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module';
import { LoansModule } from '../loans/loans.module';
import { ProgrammeModule } from '../programme/programme.module';
import { ReserveController } from './reserve.controller';
import { ReserveFunding } from './reserve-funding.entity';
import { ReserveAccount } from './reserve-account.entity';
import { ReserveAccountsController } from './reserve-accounts.controller';
import { ReserveAccountsService } from './reserve-accounts.service';
import { ReserveService } from './reserve.service';

/** The reserve deposit accounts: funding, interest, size against the band (RULES §8). */
@Module({
  imports: [TypeOrmModule.forFeature([ReserveFunding, ReserveAccount]), LedgerModule, LoansModule, ProgrammeModule],
  controllers: [ReserveController, ReserveAccountsController],
  providers: [ReserveService, ReserveAccountsService],
  exports: [ReserveService, ReserveAccountsService],
})
export class ReserveModule {}
