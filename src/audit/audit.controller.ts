import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { BomField, CSV_BOM, ExportLangField, exportOptions, headersOf } from '../common/format/export-format';
import { Roles } from '../common/access/principal';
import { AuditExport } from '../common/http/audit-export';
import { DateField } from '../common/http/fields';
import { DEFAULT_PAGE_LIMIT, PageQueryDto } from '../common/http/pagination';
import { AuditFilter, AuditOut, AuditService } from './audit.service';

export class AuditQuery extends PageQueryDto {
  @DateField({ optional: true, description: 'From this UTC day (inclusive).', example: '2026-12-01' })
  from?: string;

  @DateField({ optional: true, description: 'To this UTC day (inclusive).', example: '2026-12-31' })
  to?: string;

  @ApiPropertyOptional({ description: 'A token id, or a bank or agency code (every token of that party).' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor?: string;

  @ApiPropertyOptional({ description: 'An action (`POST /v1/claims/:id/review`) or the start of one (`POST /v1/claims`).', example: 'POST /v1/claims' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  action?: string;

  @ApiPropertyOptional({ description: 'An id or code the request acted on: claim, loan, batch, bank, …' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  target?: string;

  @ApiPropertyOptional({ enum: ['ok', 'refused'] })
  @IsOptional()
  @IsIn(['ok', 'refused'])
  outcome?: 'ok' | 'refused';
}

export class AuditExportQuery extends AuditQuery {
  @ApiPropertyOptional({ enum: ['csv'], default: 'csv' })
  @IsOptional()
  @IsIn(['csv'])
  format?: 'csv';

  @ExportLangField()
  lang?: string;

  @BomField()
  bom?: boolean;
}

const CSV_COLUMNS = ['seq', 'occurredAt', 'requestId', 'actorTokenId', 'actorRole', 'actorParty', 'action', 'targetIds', 'status', 'errorCode', 'hash'];

/** RFC 4180 quoting; a cell that a spreadsheet would read as a formula gets a leading apostrophe. */
function cell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(r: AuditOut): string {
  return [r.seq, r.occurredAt, r.requestId, r.actor.tokenId, r.actor.role, r.actor.partyCode, r.action, r.targetIds.join(' '), r.outcome.status, r.outcome.code, r.hash].map(cell).join(',');
}

function filterOf(q: AuditQuery): AuditFilter {
  return { from: q.from, to: q.to, actor: q.actor, action: q.action, target: q.target, outcome: q.outcome };
}

@ApiTags('Audit')
@ApiBearerAuth()
@Controller('v1/audit-log')
@Roles('auditor', 'trustee')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: 'The audit trail, newest first: every write and export — who (token, role, party), what (action, targets), when, request id, outcome.',
  })
  list(@Query() q: AuditQuery) {
    return this.audit.list(filterOf(q), q.limit ?? DEFAULT_PAGE_LIMIT, q.cursor);
  }

  @Get('export')
  @AuditExport()
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The audit trail as CSV, oldest first, with the same filters (streamed; the export itself is recorded).' })
  async export(@Query() q: AuditExportQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const options = exportOptions(q, req.headers['accept-language']);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="audit-log.csv"');
    res.write(`${options.bom ? CSV_BOM : ''}${headersOf(CSV_COLUMNS, options.lang).join(',')}\r\n`);
    for await (const page of this.audit.all(filterOf(q))) res.write(page.map((r) => `${csvLine(r)}\r\n`).join(''));
    res.end();
  }

  @Get('verify')
  @ApiOperation({ summary: 'Walk the audit hash chain: { ok, entries, head, broken: { seq, reason } | null, headMatches }.' })
  verify() {
    return this.audit.verify();
  }
}
