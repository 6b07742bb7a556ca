import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { exportOptions } from '../common/format/export-format';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { DEFAULT_PAGE_LIMIT } from '../common/http/pagination';
import { AuditExport } from '../common/http/audit-export';
import { Money } from '../common/money/money';
import { ApprovalBatchesService } from './approval-batches.service';
import { ClaimSettlementService } from './claim-settlement.service';
import { ClaimsService } from './claims.service';
import { ApprovalBatchDto, FileClaimDto, ListClaimsQuery, PayoutDto, ReceiptDto, RecoveryDto, RefundedDto, ReviewClaimDto, StatementQuery, WriteOffDto } from './claims.dto';
import { claimStatementCsv } from './claim-statement.csv';

@ApiTags('Claims')
@ApiBearerAuth()
@Controller('v1')
export class ClaimsController {
  constructor(
    private readonly claims: ClaimsService,
    private readonly batches: ApprovalBatchesService,
    private readonly settlement: ClaimSettlementService,
  ) {}

  @Post('claims')
  @Roles('bank', 'trustee')
  @ApiOperation({
    summary: 'File a loss-compensation claim (RULES §4).',
    description:
      'Checks the trigger (two calendar months overdue or a lawsuit accepted; not yet eligible → 422 with eligibleFrom in details), computes loss and compensation with the loan’s own ratio and policy version, and sets the review due date (10 working days). One claim per loan that is not rejected (409).',
  })
  file(@Body() dto: FileClaimDto, @CurrentPrincipal() principal: Principal) {
    return this.claims.file(
      {
        loanId: dto.loanId,
        claimDate: dto.claimDate,
        outstandingPrincipal: Money.parse(dto.outstandingPrincipal),
        interestUnpaidSince: dto.interestUnpaidSince,
        principalOverdueSince: dto.principalOverdueSince ?? null,
        lawsuitAcceptedOn: dto.lawsuitAcceptedOn ?? null,
      },
      principal,
    );
  }

  @Get('claims')
  @ApiOperation({ summary: 'Claims, filterable by status, bank, agency and overdue review; paginated.' })
  list(@Query() q: ListClaimsQuery, @CurrentPrincipal() principal: Principal) {
    return this.claims.list(
      { status: q.status, bankCode: q.bankCode, agencyCode: q.agencyCode, reviewOverdue: q.reviewOverdue },
      q.limit ?? DEFAULT_PAGE_LIMIT,
      q.cursor,
      principal,
    );
  }

  @Get('claims/statement')
  @AuditExport()
  @ApiOperation({ summary: 'A bank’s claim statement: every claim with figures, status and dates (JSON or CSV).' })
  async statement(@Query() q: StatementQuery, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const statement = await this.claims.statement(q.bankCode, principal);
    if (q.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="claims-${q.bankCode}-${statement.asOf}.csv"`);
      return claimStatementCsv(statement.items, exportOptions(q, req.headers['accept-language']));
    }
    return statement;
  }

  @Get('claims/:id')
  @ApiOperation({ summary: 'A claim with its status, figures, payout legs, recoveries and dates.' })
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.claims.get(id, principal);
  }

  @Post('claims/:id/start-review')
  @HttpCode(200)
  @Roles('trustee')
  @ApiOperation({ summary: 'Start the expert review (filed → under_review).' })
  startReview(@Param('id') id: string) {
    return this.claims.startReview(id);
  }

  @Post('claims/:id/review')
  @HttpCode(200)
  @Roles('trustee')
  @ApiOperation({ summary: 'Expert review: recommend, or reject with a reason (RULES §4; R 第十三条).' })
  review(@Param('id') id: string, @Body() dto: ReviewClaimDto, @CurrentPrincipal() principal: Principal) {
    return this.claims.review(id, { decision: dto.decision, reason: dto.reason ?? null, reviewedOn: dto.reviewedOn ?? null }, principal);
  }

  @Post('approval-batches')
  @Roles('approver', 'trustee')
  @ApiOperation({
    summary: 'Approve recommended claims together on one date (RULES §4; R 第十四条).',
    description:
      'All or nothing. Posts each compensation payable and the agency margin deduction in the same transaction. Four eyes: a claim recommended with the calling token refuses the batch (403 AUTH.FOUR_EYES, each such claim in details).',
  })
  approve(@Body() dto: ApprovalBatchDto, @CurrentPrincipal() principal: Principal) {
    return this.batches.approve({ claimIds: dto.claimIds, approvedOn: dto.approvedOn }, principal);
  }

  @Get('approval-batches/:id')
  @ApiOperation({ summary: 'An approval batch and its claims; a bank or agency token sees only its own claims of it (and their count and total), else 404.' })
  batch(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.batches.view(id, principal);
  }

  @Post('claims/:id/payout')
  @HttpCode(200)
  @Roles('custodian', 'trustee')
  @ApiOperation({
    summary: 'Pay an approved claim from the reserve (RULES §4; R 第十五、十八条).',
    description: 'The claiming bank’s own reserve account first, then the others by descending balance (ties by code). Response lists the legs.',
  })
  payout(@Param('id') id: string, @Body() dto: PayoutDto, @CurrentPrincipal() principal: Principal) {
    return this.settlement.payout(id, { paidOn: dto.paidOn }, principal);
  }

  @Post('claims/:id/receipt')
  @HttpCode(200)
  @Roles('bank', 'trustee')
  @ApiOperation({ summary: 'The bank acknowledges receipt of the compensation (回执, R 第十六条).' })
  receipt(@Param('id') id: string, @Body() dto: ReceiptDto, @CurrentPrincipal() principal: Principal) {
    return this.settlement.receipt(id, { receivedOn: dto.receivedOn }, principal);
  }

  @Post('claims/:id/recoveries')
  @Roles('bank', 'trustee')
  @ApiOperation({ summary: 'Record a recovery; returns the refund due to the reserve and its due date (RULES §5).' })
  recovery(@Param('id') id: string, @Body() dto: RecoveryDto, @CurrentPrincipal() principal: Principal) {
    return this.settlement.addRecovery(
      id,
      { recoveredOn: dto.recoveredOn, recovered: Money.parse(dto.recovered), agreedCosts: Money.parse(dto.agreedCosts) },
      principal,
    );
  }

  @Post('claims/:id/recoveries/:recoveryId/refunded')
  @HttpCode(200)
  @Roles('bank', 'custodian', 'trustee')
  @ApiOperation({ summary: 'The refund has arrived in the claiming bank’s reserve account: posts it.' })
  refunded(@Param('id') id: string, @Param('recoveryId') recoveryId: string, @Body() dto: RefundedDto, @CurrentPrincipal() principal: Principal) {
    return this.settlement.markRefunded(id, recoveryId, { refundedOn: dto.refundedOn }, principal);
  }

  @Post('claims/:id/write-off')
  @HttpCode(200)
  @Roles('approver', 'trustee')
  @ApiOperation({ summary: 'Write off the compensation net of refunds against the reserve; the claim closes (RULES §5).' })
  writeOff(@Param('id') id: string, @Body() dto: WriteOffDto, @CurrentPrincipal() principal: Principal) {
    return this.settlement.writeOff(id, { writtenOffOn: dto.writtenOffOn }, principal);
  }
}
