import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module';
import { ProgrammeModule } from '../programme/programme.module';
import { FlowFundsService } from './flow-funds.service';
import { FlowSourceService } from './flow-source.service';
import { InterestSubsidiesService } from './interest-subsidies.service';
import { PledgeClaimsService } from './pledge-claims.service';
import { ProgrammeFlowsController } from './programme-flows.controller';
import { FlowFunding, InterestSubsidy, InterestSubsidyQuarter, PledgeClaim } from './programme-flows.entities';

/** The programme flows: the two-phase IP-pledge claim and the interest subsidy, on books of their own (issue 18 item 3). */
@Module({
  imports: [TypeOrmModule.forFeature([FlowFunding, PledgeClaim, InterestSubsidy, InterestSubsidyQuarter]), LedgerModule, ProgrammeModule],
  controllers: [ProgrammeFlowsController],
  providers: [FlowSourceService, PledgeClaimsService, InterestSubsidiesService, FlowFundsService],
})
export class ProgrammeFlowsModule {}
