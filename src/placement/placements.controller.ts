import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { DateField, TextField } from '../common/http/fields';
import { PLACEMENT_ERRORS } from './placement.errors';
import { PlacementService, PlacementView } from './placement.service';

export class RecomputeDto {
  @TextField({ maxLength: 6, example: '2025Q4', description: 'The quarter (ended) whose placement is recomputed.' })
  quarter!: string;
}

export class ApproveDto {
  @DateField({ example: '2026-01-28', description: 'The day the approver confirmed it (not in the future, not before the quarter end).' })
  approvedOn!: string;
}

export class RejectDto {
  @TextField({ maxLength: 1000, example: 'BANK03’s collateral figures are being corrected; propose again after the Q4 report.' })
  reason!: string;
}

export class ExecutedDto {
  @DateField({ example: '2026-02-03', description: 'The day the transfer was made at the banks (not in the future, not before the approval).' })
  executedOn!: string;
}

export class PlacementsQuery {
  @TextField({ optional: true, maxLength: 6, example: '2025Q4' })
  quarter?: string;
}

/** Programme-wide readers see every bank; a bank token sees its own row and its own transfers (issue 13 item 1, issue 15). */
const READERS = ['trustee', 'approver', 'custodian', 'auditor', 'bank'] as const;

/** The placement cycle (issue 13; API.md "Placement"; RULES §8 Decision 2026-12). */
@ApiTags('Placement')
@ApiBearerAuth()
@Controller('v1/placements')
export class PlacementsController {
  constructor(private readonly placements: PlacementService) {}

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: 'Placement proposals, newest first, optionally of one quarter; a stale one says which balances moved.' })
  async list(@Query() q: PlacementsQuery, @CurrentPrincipal() principal: Principal) {
    return { items: (await this.placements.list(q.quarter)).map((v) => scoped(v, principal)) };
  }

  @Post()
  @Roles('trustee')
  @ApiOperation({
    summary: 'Recompute the placement of an ended quarter (trustee): a new proposal from the books as they are; earlier proposed ones are superseded (stale).',
    description: `409 ${PLACEMENT_ERRORS.ALREADY_APPROVED} once the quarter has an approved placement; 409 ${PLACEMENT_ERRORS.QUARTER_NOT_ENDED}; 409 ${PLACEMENT_ERRORS.NOT_IN_CYCLE} (yearly cycle: Q4 only).`,
  })
  recompute(@Body() dto: RecomputeDto, @CurrentPrincipal() principal: Principal) {
    return this.placements.recompute(dto.quarter, principal);
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'A placement proposal: per bank its inputs, balance, locked money, score and target; the transfers with their references and status.' })
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return scoped(await this.placements.get(id), principal);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('approver', 'trustee')
  @ApiOperation({
    summary: 'The approver confirms the placement (a trustee only where no approver exists yet; never the token that proposed it). Its transfers become payment instructions.',
    description: `409 ${PLACEMENT_ERRORS.STALE} when a reserve balance moved since it was proposed; 409 ${PLACEMENT_ERRORS.NOT_PROPOSED}; 409 ${PLACEMENT_ERRORS.ALREADY_APPROVED}; 403 ${PLACEMENT_ERRORS.APPROVER_EXISTS}; 403 AUTH.FOUR_EYES.`,
  })
  @ApiResponse({ status: 409, description: PLACEMENT_ERRORS.STALE })
  approve(@Param('id') id: string, @Body() dto: ApproveDto, @CurrentPrincipal() principal: Principal) {
    return this.placements.approve(id, dto.approvedOn, principal);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('approver', 'trustee')
  @ApiOperation({ summary: 'Reject a proposed placement, with the reason.' })
  reject(@Param('id') id: string, @Body() dto: RejectDto, @CurrentPrincipal() principal: Principal) {
    return this.placements.reject(id, dto.reason, principal);
  }

  @Post(':id/transfers/:transferId/executed')
  @HttpCode(200)
  @Roles('custodian')
  @ApiOperation({
    summary: 'The custodian confirms a transfer was made: posts Dr reserve:deposit:TO / Cr reserve:deposit:FROM once; twice → the first answer.',
    description: `409 ${PLACEMENT_ERRORS.TRANSFER_BREACHES_FLOOR} (with the figures) when the paying account would go below its floor or its locked money; 409 ${PLACEMENT_ERRORS.NOT_APPROVED}.`,
  })
  executed(@Param('id') id: string, @Param('transferId') transferId: string, @Body() dto: ExecutedDto, @CurrentPrincipal() principal: Principal) {
    return this.placements.executeTransfer(id, transferId, dto.executedOn, principal);
  }
}

/** A bank token's view: its own row and the transfers it pays or receives; no other bank's figures. */
function scoped(view: PlacementView, principal: Principal): PlacementView {
  if (principal.role !== 'bank') return view;
  const own = principal.partyCode;
  return {
    ...view,
    banks: view.banks.filter((b) => b.bankCode === own),
    transfers: view.transfers.filter((t) => t.fromBankCode === own || t.toBankCode === own),
    breakdown: [],
    staleBalances: view.staleBalances.filter((s) => s.bankCode === own),
  };
}
