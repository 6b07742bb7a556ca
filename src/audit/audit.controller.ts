import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { BomField, CSV_BOM, csvSafeField, ExportLangField, exportOptions, headersOf } from '../common/format/export-format';
import { Roles } from '../common/access/principal';
import { REQUEST_ERRORS } from '../common/errors/common.errors';
import { DomainError } from '../common/errors/domain-error';
import { deterministicWorkbook, XLSX_CONTENT_TYPE, XLSX_ROWS_PER_TURN } from '../common/format/xlsx-stream';
import { AuditExport } from '../common/http/audit-export';
import { untilWritable } from '../common/http/until-writable';
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
  @ApiPropertyOptional({ enum: ['csv', 'xlsx'], default: 'csv' })
  @IsOptional()
  @IsIn(['csv', 'xlsx'])
  format?: 'csv' | 'xlsx';

  @ExportLangField()
  lang?: string;

  @BomField()
  bom?: boolean;
}

const CSV_COLUMNS = ['seq', 'occurredAt', 'requestId', 'actorTokenId', 'actorRole', 'actorParty', 'action', 'targetIds', 'status', 'errorCode', 'hash'];

/** RFC 4180 quoting; a cell that a spreadsheet would read as a formula gets a leading apostrophe (csvSafeField). */
const cell = csvSafeField;

function csvLine(r: AuditOut): string {
  return [r.seq, r.occurredAt, r.requestId, r.actor.tokenId, r.actor.role, r.actor.partyCode, r.action, r.targetIds.join(' '), r.outcome.status, r.outcome.code, r.hash].map(cell).join(',');
}

/** `occurredAt` in the workbook: a date cell, shown to the millisecond (UTC). */
const XLSX_DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss.000';
const XLSX_WIDTHS = [8, 24, 38, 38, 10, 12, 44, 44, 8, 24, 66];

/**
 * One workbook row: `seq` and `status` as numbers, `occurredAt` as a date (UTC), everything else —
 * request, token and target ids, codes, the hash — as text cells exactly as stored (never a
 * formula: exceljs writes a string as a string, so nothing needs the CSV's apostrophe).
 */
function xlsxValues(r: AuditOut): (string | number | Date | null)[] {
  return [r.seq, new Date(r.occurredAt), r.requestId, r.actor.tokenId, r.actor.role, r.actor.partyCode, r.action, r.targetIds.join(' '), r.outcome.status, r.outcome.code, r.hash];
}

function clientGone(): DomainError {
  return DomainError.invalid(REQUEST_ERRORS.ABORTED, 'The client went away; the audit-log export was stopped.');
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
  @ApiProduces('text/csv', XLSX_CONTENT_TYPE)
  @ApiOperation({
    summary:
      'The audit trail as CSV or XLSX (`format`), oldest first, with the same filters (streamed; the export itself is recorded). XLSX: the same columns, `occurredAt` a date cell, ids and hashes text; the same rows give the same bytes.',
  })
  async export(@Query() q: AuditExportQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const options = exportOptions(q, req.headers['accept-language']);
    res.status(200);
    if (q.format === 'xlsx') return this.exportXlsx(filterOf(q), headersOf(CSV_COLUMNS, options.lang), res);
    // The first page before the first byte: a refusal there (AUDIT.RANGE) still answers as an error.
    const pages = this.audit.all(filterOf(q));
    const first = await pages.next();
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="audit-log.csv"');
    res.write(`${options.bom ? CSV_BOM : ''}${headersOf(CSV_COLUMNS, options.lang).join(',')}\r\n`);
    // A page at a time, waiting for a slow client between pages, so memory stays bounded.
    const writePage = async (page: AuditOut[]) => {
      res.write(page.map((r) => `${csvLine(r)}\r\n`).join(''));
      await untilWritable(res, clientGone);
    };
    try {
      if (!first.done) await writePage(first.value);
      for await (const page of pages) await writePage(page);
      res.end();
    } catch (error) {
      // Mid-stream the status line is gone and the error filter can answer nothing: cut the
      // connection (as the XLSX path does) rather than leave the client waiting for ever.
      res.destroy();
      throw error;
    }
  }

  /** Streamed like the ledger's export (common/format/xlsx-stream.ts): constant memory, byte-identical for the same rows. */
  private async exportXlsx(filter: AuditFilter, headers: readonly string[], res: Response): Promise<void> {
    res.setHeader('Content-Type', XLSX_CONTENT_TYPE);
    res.setHeader('Content-Disposition', 'attachment; filename="audit-log.xlsx"');
    const workbook = deterministicWorkbook(res, 'reserve-fund audit trail', { useStyles: true });
    const sheet = workbook.addWorksheet('Audit log');
    sheet.columns = CSV_COLUMNS.map((header, i) => ({ key: header, width: XLSX_WIDTHS[i] }));
    const head = sheet.addRow([...headers]);
    head.font = { bold: true };
    head.commit();
    try {
      // Every XLSX_ROWS_PER_TURN rows the loop gets a turn (other requests go on, the zip stream
      // flushes) and a slow client is waited for, so memory stays bounded. Counted in rows, not
      // time, so the same rows give the same bytes.
      let pending = 0;
      for await (const page of this.audit.all(filter)) {
        for (const r of page) {
          const row = sheet.addRow(xlsxValues(r));
          row.getCell(2).numFmt = XLSX_DATE_FORMAT;
          row.commit();
          if (++pending >= XLSX_ROWS_PER_TURN) {
            pending = 0;
            await new Promise<void>((resolve) => setImmediate(resolve));
            await untilWritable(res, clientGone);
          }
        }
      }
      sheet.commit();
      await workbook.commit();
    } catch (error) {
      // Mid-stream: the status line is gone; cut the connection rather than end a truncated file
      // that looks complete (the ledger's export does the same). The failure is still recorded.
      res.destroy();
      throw error;
    }
  }

  @Get('verify')
  @ApiOperation({
    summary:
      'Walk the audit hash chain: { ok, entries, head, broken: { seq, reason } | null, headMatches, unsealed, sealError }. `ok` is false when committed rows cannot be sealed (`sealError` says why).',
  })
  verify() {
    return this.audit.verify();
  }
}
