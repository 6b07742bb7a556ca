import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module';
import { LoansModule } from '../loans/loans.module';
import { ProgrammeModule } from '../programme/programme.module';
import { ReserveController } from './reserve.controller';
import { ReserveFunding } from './reserve-funding.entity';
import { ReserveService } from './reserve.service';

/** The reserve deposit accounts: funding, interest, size against the band (RULES §8). */
@Module({
  imports: [TypeOrmModule.forFeature([ReserveFunding]), LedgerModule, LoansModule, ProgrammeModule],
  controllers: [ReserveController],
  providers: [ReserveService],
  exports: [ReserveService],
})
export class ReserveModule {}
