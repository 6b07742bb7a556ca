import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Roles } from '../common/access/principal';
import { DateField, TextField } from '../common/http/fields';
import { type PartyType, PartyStatusService, reasonOut } from './party-status.service';
import { PROGRAMME_ERRORS } from './programme.errors';

const HAND_SOURCES = ['manual', 'disqualified'] as const;
const REASON_STATUSES = ['suspended_new', 'suspended_focus', 'disqualified'] as const;

export class AddStatusReasonDto {
  @ApiProperty({ enum: HAND_SOURCES, example: 'manual', description: 'manual: a trustee’s decision; disqualified: the trustee confirms a disqualification (RULES §6).' })
  @IsIn(HAND_SOURCES as unknown as string[])
  source!: (typeof HAND_SOURCES)[number];

  @ApiProperty({ enum: REASON_STATUSES, example: 'suspended_new' })
  @IsIn(REASON_STATUSES as unknown as string[])
  status!: (typeof REASON_STATUSES)[number];

  @TextField({ example: 'Inspection found irregular registrations (trustee decision 2025-07-02).', maxLength: 1000 })
  reason!: string;

  @DateField({ example: '2025-07-02', description: 'From this date (not in the future).' })
  startedOn!: string;
}

export class LiftStatusReasonDto {
  @DateField({ example: '2025-09-01', description: 'The reason ends on this date (not in the future, not before its start).' })
  endedOn!: string;

  @TextField({ example: 'Corrective measures verified.', maxLength: 1000 })
  reason!: string;
}

const VIEW = {
  status: 201,
  description: 'The party’s status with the reasons in force, every reason and the status per quarter.',
  schema: {
    example: {
      code: 'ZZBANK',
      status: 'suspended_new',
      reasonsInForce: [{ id: '…', source: 'manual', status: 'suspended_new', reason: '…', quarter: null, lossRate: null, startedOn: '2025-07-02', endedOn: null, liftReason: null }],
      quarters: [{ quarter: '2025Q3', status: 'suspended_new', sources: ['manual'] }],
    },
  },
};

const LIFT_TEXT = `422 ${PROGRAMME_ERRORS.STATUS_REASON_NOT_LIFTABLE} for a loss_rate or margin_shortfall reason (lifted by the quarter close or a top-up); 409 when lifted already.`;

/**
 * Status reasons of banks and agencies (RULES §6, revised 2026-12): the trustee adds or lifts a
 * `manual` reason (or confirms a disqualification) with a text; loss-rate reasons come from the
 * quarter close and margin-shortfall reasons from the agencies module, and are lifted only there.
 */
@ApiTags('Parties')
@ApiBearerAuth()
@Controller('v1')
export class PartyStatusController {
  constructor(private readonly statuses: PartyStatusService) {}

  @Get('banks/:code/status-reasons')
  @ApiOperation({ summary: 'A bank’s status: the reasons in force, every reason (start, end, source) and the status per quarter.' })
  bankView(@Param('code') code: string) {
    return this.statuses.view('bank', code);
  }

  @Get('agencies/:code/status-reasons')
  @ApiOperation({ summary: 'An agency’s status: the reasons in force, every reason (start, end, source) and the status per quarter.' })
  agencyView(@Param('code') code: string) {
    return this.statuses.view('agency', code);
  }

  @Post('banks/:code/status-reasons')
  @Roles('trustee')
  @ApiOperation({ summary: 'Add a manual reason (or confirm a disqualification) to a bank with a text (trustee). Its status becomes the strongest reason in force.' })
  @ApiResponse(VIEW)
  addToBank(@Param('code') code: string, @Body() dto: AddStatusReasonDto) {
    return this.add('bank', code, dto);
  }

  @Post('agencies/:code/status-reasons')
  @Roles('trustee')
  @ApiOperation({ summary: 'Add a manual reason (or confirm a disqualification) to an agency with a text (trustee).' })
  @ApiResponse(VIEW)
  addToAgency(@Param('code') code: string, @Body() dto: AddStatusReasonDto) {
    return this.add('agency', code, dto);
  }

  @Post('banks/:code/status-reasons/:reasonId/lift')
  @HttpCode(200)
  @Roles('trustee')
  @ApiOperation({ summary: 'Lift a manual or disqualified reason of a bank with a text (trustee). A stronger reason still in force keeps the status.', description: LIFT_TEXT })
  liftBank(@Param('code') code: string, @Param('reasonId') reasonId: string, @Body() dto: LiftStatusReasonDto) {
    return this.lift('bank', code, reasonId, dto);
  }

  @Post('agencies/:code/status-reasons/:reasonId/lift')
  @HttpCode(200)
  @Roles('trustee')
  @ApiOperation({ summary: 'Lift a manual or disqualified reason of an agency with a text (trustee).', description: LIFT_TEXT })
  liftAgency(@Param('code') code: string, @Param('reasonId') reasonId: string, @Body() dto: LiftStatusReasonDto) {
    return this.lift('agency', code, reasonId, dto);
  }

  private async add(party: PartyType, code: string, dto: AddStatusReasonDto) {
    const status = dto.source === 'disqualified' ? 'disqualified' : dto.status;
    const reason = await this.statuses.addReason(party, code, { source: dto.source, status, reason: dto.reason, startedOn: dto.startedOn });
    return { added: reasonOut(reason), ...(await this.statuses.view(party, code)) };
  }

  private async lift(party: PartyType, code: string, reasonId: string, dto: LiftStatusReasonDto) {
    const reason = await this.statuses.liftReason(party, code, reasonId, dto, HAND_SOURCES);
    return { lifted: reasonOut(reason), ...(await this.statuses.view(party, code)) };
  }
}
