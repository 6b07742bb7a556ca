import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProgrammeModule } from '../programme/programme.module';
import { AgencyFeesService } from './agency-fees.service';
import { BankReport, BankReportRow } from './bank-report.entity';
import { BankReportsService } from './bank-reports.service';
import { AgencyFee, Loan } from './loan.entity';
import { BankReportsController, LoansController, OutstandingController } from './loans.controller';
import { LoansService } from './loans.service';
import { LoanAggregatesService } from './loan-aggregates.service';
import { OutstandingService } from './outstanding.service';

/** Registration, disbursement, quarterly bank reports, agency fees, outstanding balances (issue #5). */
@Module({
  imports: [TypeOrmModule.forFeature([Loan, AgencyFee, BankReport, BankReportRow]), ProgrammeModule],
  controllers: [LoansController, BankReportsController, OutstandingController],
  providers: [LoansService, AgencyFeesService, BankReportsService, OutstandingService, LoanAggregatesService],
  exports: [LoansService, BankReportsService, OutstandingService, AgencyFeesService, LoanAggregatesService],
})
export class LoansModule {}
