import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import type { Request } from 'express';
import { ExportLangField, exportOptions } from '../common/format/export-format';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/access/principal';
import { AuditExport } from '../common/http/audit-export';
import { DateField, TextField } from '../common/http/fields';
import { QuarterCloseService } from './quarter-close.service';
import { quarterReportXlsx } from './quarter-report.xlsx';
import { QuarterViewService } from './quarter-view.service';
import { QUARTER_ERRORS } from './quarters.errors';

/** The quarter report's language (docs/exports.md). */
export class ReportLangQuery {
  @ExportLangField()
  lang?: string;
}
import { IdempotentByItself } from '../common/idempotency/idempotent-by-itself.decorator';

export class ConfirmDormancyDto {
  @TextField({ example: 'No tech loan disbursed since 2022-03-15; the bank confirmed it has left the programme.', maxLength: 1000 })
  reason!: string;

  @DateField({ optional: true, example: '2025-07-28', description: 'The disqualification starts on this date (default today; not in the future).' })
  effectiveOn?: string;
}

const CLOSE_DESCRIPTION =
  'Runs the duties of the quarter that are due (custody fee and reserve band after the quarter end; bank reports, loss rates and statuses, ' +
  'dormancy proposals and next quarter’s margin requirements after the report deadline; margin shortfalls, the placement proposal and ' +
  'the ledger period close on the 25th), each once. A second call returns the run as it stands (the first result once completed). ' +
  `409 ${QUARTER_ERRORS.NOT_ENDED} before the quarter has ended; 409 ${QUARTER_ERRORS.PREVIOUS_MISSING} / ${QUARTER_ERRORS.PREVIOUS_OPEN} / ` +
  `${QUARTER_ERRORS.OUT_OF_ORDER} when quarters would close out of order.`;

/**
 * Who may read a quarter's results: they name every bank's and agency's loss rate and margin, so
 * not a bank or an agency token (Decision; API.md is silent).
 */
const READERS = ['trustee', 'approver', 'custodian', 'auditor'] as const;

/** The quarter close (issue 12; API.md "Reserve, quarters, ledger"). */
@ApiTags('Quarters')
@ApiBearerAuth()
@Controller('v1/quarters')
export class QuartersController {
  constructor(
    private readonly close: QuarterCloseService,
    private readonly views: QuarterViewService,
  ) {}

  @Post(':quarter/close')
  @HttpCode(200)
  @Roles('trustee')
  @IdempotentByItself()
  @ApiOperation({ summary: 'Close a quarter: run its duties once (trustee).', description: CLOSE_DESCRIPTION })
  @ApiResponse({ status: 200, description: 'The run with each duty’s status and the results.' })
  @ApiResponse({ status: 409, description: `${QUARTER_ERRORS.NOT_ENDED}, ${QUARTER_ERRORS.PREVIOUS_MISSING}, ${QUARTER_ERRORS.PREVIOUS_OPEN}, ${QUARTER_ERRORS.OUT_OF_ORDER}` })
  async closeQuarter(@Param('quarter') quarter: string) {
    await this.close.close(quarter, 'hand');
    return this.views.view(quarter);
  }

  @Get(':quarter')
  @Roles(...READERS)
  @ApiOperation({ summary: 'A quarter’s close: what ran, when, and the results (loss rates, custody fee, margin requirements, placement, bank reports, band, dormancy).' })
  @ApiResponse({ status: 404, description: QUARTER_ERRORS.NOT_FOUND })
  async get(@Param('quarter') quarter: string) {
    this.close.assertQuarter(quarter);
    return this.views.view(quarter);
  }

  @Get(':quarter/report.xlsx')
  @AuditExport()
  @Roles(...READERS)
  @Header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOperation({ summary: 'The quarter’s report for the approver as XLSX: summary, loss rates of banks and agencies with status changes, margin requirements and shortfalls, dormancy.' })
  @ApiResponse({ status: 404, description: QUARTER_ERRORS.NOT_FOUND })
  async report(@Param('quarter') quarter: string, @Query() q: ReportLangQuery, @Req() req: Request): Promise<StreamableFile> {
    this.close.assertQuarter(quarter);
    const body = await quarterReportXlsx(await this.views.view(quarter), exportOptions(q, req.headers['accept-language']).lang);
    return new StreamableFile(body, { disposition: `attachment; filename="quarter-${quarter}.xlsx"` });
  }

  @Post(':quarter/dormancy/:id/confirm')
  @HttpCode(200)
  @Roles('approver')
  @ApiOperation({ summary: 'Confirm a dormancy proposal with a reason (approver, issue #15): the bank or agency is disqualified from effectiveOn (RULES §6).' })
  @ApiResponse({ status: 409, description: QUARTER_ERRORS.PROPOSAL_CONFIRMED })
  async confirm(@Param('quarter') quarter: string, @Param('id') id: string, @Body() dto: ConfirmDormancyDto) {
    this.close.assertQuarter(quarter);
    return this.views.confirmDormancy(quarter, id, dto);
  }
}
