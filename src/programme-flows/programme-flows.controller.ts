import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { isValidQuarter } from '../common/calendar/quarter';
import { DomainError } from '../common/errors/domain-error';
import { REQUEST_ERRORS } from '../common/errors/common.errors';
import { Money } from '../common/money/money';
import { FlowFundsService } from './flow-funds.service';
import { InterestSubsidiesService } from './interest-subsidies.service';
import { PledgeClaimsService } from './pledge-claims.service';
import {
  ApprovePledgeClaimDto,
  ClaimSubsidyQuarterDto,
  CloseSettlementDto,
  FilePledgeClaimDto,
  FlowFundQuery,
  FlowFundingDto,
  GrantSubsidyDto,
  PayAdvanceDto,
  PaySubsidyQuarterDto,
  ReviewPledgeClaimDto,
  SettlePledgeClaimDto,
} from './programme-flows.dto';

function quarterParam(value: string): string {
  if (!isValidQuarter(value)) throw DomainError.invalid(REQUEST_ERRORS.INVALID, `"${value}" is not a quarter (YYYYQn).`, [{ code: 'INVALID_VALUE', field: 'quarter', message: 'YYYYQn, e.g. 2025Q3' }]);
  return value;
}

/**
 * The programme flows (issue 18 item 3; docs/programme-flows.md): the two-phase IP-pledge claim and
 * the start-up guarantee loan's interest subsidy, with roles as Henan's claims: the bank files, the
 * trustee reviews, the approver approves (four eyes), the custodian pays; the trustee may do what it
 * does for claims.
 */
@ApiTags('Programme flows')
@ApiBearerAuth()
@Controller('v1')
export class ProgrammeFlowsController {
  constructor(
    private readonly pledges: PledgeClaimsService,
    private readonly subsidies: InterestSubsidiesService,
    private readonly funds: FlowFundsService,
  ) {}

  // ---- the IP-pledge claim ----

  @Post('loans/:id/pledge-claims')
  @Roles('bank', 'trustee')
  @ApiOperation({ summary: 'File an IP-pledge claim at default: loss and the advance (RULES §11; xinxiang 七.3).', description: 'One open claim per loan (409). The loan’s programme must have the ip_pledge_advance flow (409 PROGRAMME.FLOW_NOT_AVAILABLE) with its figures (409 FLOW.PARAMETER_MISSING).' })
  filePledge(@Param('id') id: string, @Body() dto: FilePledgeClaimDto, @CurrentPrincipal() principal: Principal) {
    return this.pledges.file(id, { claimDate: dto.claimDate, outstandingPrincipal: Money.parse(dto.outstandingPrincipal), interestUnpaidSince: dto.interestUnpaidSince }, principal);
  }

  @Get('loans/:id/pledge-claims')
  @ApiOperation({ summary: 'The loan’s IP-pledge claims.' })
  listPledges(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.pledges.list(id, principal);
  }

  @Get('loans/:id/pledge-claims/:claimId')
  @ApiOperation({ summary: 'An IP-pledge claim with its advance, sale and settlement.' })
  getPledge(@Param('id') id: string, @Param('claimId') claimId: string, @CurrentPrincipal() principal: Principal) {
    return this.pledges.get(id, claimId, principal);
  }

  @Post('loans/:id/pledge-claims/:claimId/review')
  @HttpCode(200)
  @Roles('trustee')
  @ApiOperation({ summary: 'Review: recommend, or reject with a reason.' })
  reviewPledge(@Param('id') id: string, @Param('claimId') claimId: string, @Body() dto: ReviewPledgeClaimDto, @CurrentPrincipal() principal: Principal) {
    return this.pledges.review(id, claimId, { decision: dto.decision, reason: dto.reason ?? null, reviewedOn: dto.reviewedOn }, principal);
  }

  @Post('loans/:id/pledge-claims/:claimId/approval')
  @HttpCode(200)
  @Roles('approver', 'trustee')
  @ApiOperation({ summary: 'Approve the advance (four eyes against the reviewer): posts Dr ippledge:advance / Cr ippledge:payable.' })
  approvePledge(@Param('id') id: string, @Param('claimId') claimId: string, @Body() dto: ApprovePledgeClaimDto, @CurrentPrincipal() principal: Principal) {
    return this.pledges.approve(id, claimId, { approvedOn: dto.approvedOn }, principal);
  }

  @Post('loans/:id/pledge-claims/:claimId/advance')
  @HttpCode(200)
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'Pay the approved advance from the IP-pledge fund: Dr ippledge:payable / Cr ippledge:fund.' })
  payAdvance(@Param('id') id: string, @Param('claimId') claimId: string, @Body() dto: PayAdvanceDto, @CurrentPrincipal() principal: Principal) {
    return this.pledges.payAdvance(id, claimId, { paidOn: dto.paidOn }, principal);
  }

  @Post('loans/:id/pledge-claims/:claimId/settlement')
  @HttpCode(200)
  @Roles('bank', 'trustee')
  @ApiOperation({ summary: 'The pledge was sold: settle the advance against the final share; posts the refund due or the top-up payable.' })
  settlePledge(@Param('id') id: string, @Param('claimId') claimId: string, @Body() dto: SettlePledgeClaimDto, @CurrentPrincipal() principal: Principal) {
    return this.pledges.settle(id, claimId, { soldOn: dto.soldOn, proceeds: Money.parse(dto.proceeds), disposalCosts: Money.parse(dto.disposalCosts) }, principal);
  }

  @Post('loans/:id/pledge-claims/:claimId/settlement/close')
  @HttpCode(200)
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'The refund arrived in the fund, or the top-up was paid: posts it and closes the claim.' })
  closePledge(@Param('id') id: string, @Param('claimId') claimId: string, @Body() dto: CloseSettlementDto, @CurrentPrincipal() principal: Principal) {
    return this.pledges.closeSettlement(id, claimId, { movedOn: dto.movedOn }, principal);
  }

  // ---- the interest subsidy ----

  @Post('loans/:id/interest-subsidies')
  @Roles('approver', 'trustee')
  @ApiOperation({ summary: 'Grant the interest subsidy on a start-up guarantee loan: its band, quarterly schedule and count (RULES §11; xinxiang (四)).', description: 'At most timesMax grants per borrower (3): the next is 422 SUBSIDY.TIMES_EXHAUSTED; a loan above 3,000,000.00 is 422 SUBSIDY.LOAN_ABOVE_CAP.' })
  grantSubsidy(@Param('id') id: string, @Body() dto: GrantSubsidyDto, @CurrentPrincipal() principal: Principal) {
    return this.subsidies.grant(id, { grantedOn: dto.grantedOn, startsOn: dto.startsOn ?? null, endsOn: dto.endsOn ?? null }, principal);
  }

  @Get('loans/:id/interest-subsidies')
  @ApiOperation({ summary: 'The loan’s interest subsidy with its quarterly schedule.' })
  listSubsidies(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.subsidies.list(id, principal);
  }

  @Get('loans/:id/interest-subsidies/:subsidyId')
  @ApiOperation({ summary: 'An interest subsidy with its quarters (scheduled, claimed, paid).' })
  getSubsidy(@Param('id') id: string, @Param('subsidyId') subsidyId: string, @CurrentPrincipal() principal: Principal) {
    return this.subsidies.get(id, subsidyId, principal);
  }

  @Post('loans/:id/interest-subsidies/:subsidyId/quarters/:quarter/claim')
  @HttpCode(200)
  @Roles('bank', 'trustee')
  @ApiOperation({ summary: 'Claim an ended quarter on the principal outstanding: Dr subsidy:granted / Cr subsidy:payable.' })
  claimQuarter(@Param('id') id: string, @Param('subsidyId') subsidyId: string, @Param('quarter') quarter: string, @Body() dto: ClaimSubsidyQuarterDto, @CurrentPrincipal() principal: Principal) {
    return this.subsidies.claimQuarter(id, subsidyId, quarterParam(quarter), { claimedOn: dto.claimedOn, principalOutstanding: Money.parse(dto.principalOutstanding) }, principal);
  }

  @Post('loans/:id/interest-subsidies/:subsidyId/quarters/:quarter/payment')
  @HttpCode(200)
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'Pay a claimed quarter from the subsidy fund: Dr subsidy:payable / Cr subsidy:fund.' })
  payQuarter(@Param('id') id: string, @Param('subsidyId') subsidyId: string, @Param('quarter') quarter: string, @Body() dto: PaySubsidyQuarterDto, @CurrentPrincipal() principal: Principal) {
    return this.subsidies.payQuarter(id, subsidyId, quarterParam(quarter), { paidOn: dto.paidOn }, principal);
  }

  // ---- the funds ----

  @Post('programme-funds/:book/funding')
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'An appropriation into the IP-pledge fund (ippledge) or the subsidy fund (subsidy): Dr BOOK:fund / Cr BOOK:capital.' })
  fund(@Param('book') book: string, @Body() dto: FlowFundingDto, @CurrentPrincipal() principal: Principal) {
    return this.funds.fund(book, { amount: Money.parse(dto.amount), fundedOn: dto.fundedOn, reference: dto.reference }, principal);
  }

  @Get('programme-funds/:book')
  @Roles('trustee', 'custodian', 'approver', 'auditor')
  @ApiOperation({ summary: 'A flow fund’s account balance and its appropriations.' })
  fundBalance(@Param('book') book: string, @Query() q: FlowFundQuery) {
    return this.funds.balance(book, q.asOf ?? null);
  }
}
