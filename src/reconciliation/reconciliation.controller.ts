import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { DomainError } from '../common/errors/domain-error';
import { AuditExport } from '../common/http/audit-export';
import { checkParams, csvLines, jsonLines } from './domain/statement-file';
import { ManualMatchDto, ProposeCorrectionDto, ReasonDto, ReconciliationsQueryDto, ReconciliationViewQueryDto, ReportQueryDto, StatementQueryDto } from './reconciliation.dto';
import { STATEMENT_ERRORS } from './reconciliation.errors';
import { ReconciliationCorrectionsService } from './reconciliation-corrections.service';
import { ReconciliationMatchesService } from './reconciliation-matches.service';
import { ReconciliationReportService } from './reconciliation-report.service';
import { ReconciliationService, StatementUpload } from './reconciliation.service';
import { charsetOf, decodeStatement, readMultipart } from './statement-decoding';
import { StatementMappingsService } from './statement-mappings.service';

const JSON_KEYS: ReadonlySet<string> = new Set(['bankCode', 'accountNumber', 'from', 'to', 'openingBalance', 'closingBalance', 'lines']);
const FORM_KEYS: ReadonlySet<string> = new Set(['bankCode', 'accountNumber', 'from', 'to', 'openingBalance', 'closingBalance']);

/** The statement upload route: its bodies are read raw by the edge (any charset; src/bootstrap.ts). */
export const STATEMENT_UPLOAD_PATHS: readonly RegExp[] = [/^\/v1\/reconciliations\/?$/];

@ApiTags('Reconciliation')
@ApiBearerAuth()
@Controller('v1/reconciliations')
export class ReconciliationController {
  constructor(
    private readonly reconciliations: ReconciliationService,
    private readonly matches: ReconciliationMatchesService,
    private readonly corrections: ReconciliationCorrectionsService,
    private readonly reports: ReconciliationReportService,
    private readonly mappings: StatementMappingsService,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('custodian', 'trustee')
  @ApiConsumes('application/json', 'text/csv', 'multipart/form-data')
  @ApiOperation({
    summary: 'Imports a bank statement of one reserve account and matches it with the books (RULES §8).',
    description:
      'JSON `{bankCode, from, to, openingBalance, closingBalance, lines:[{date, amount (signed), reference, counterparty, memo, valueDate?, balance?}]}`, ' +
      'or CSV (`text/csv` body, or a multipart file part) with Chinese or English headers (交易日期, 起息日, 借方发生额/贷方发生额 or 金额, 余额, 对方户名, 摘要, 附言 / date, value date, debit/credit or amount, balance, counterparty, memo, reference) ' +
      'in UTF-8 (BOM or not), GBK/GB18030 or UTF-16 with BOM; CSV takes bankCode, from, to (and optional balances) as query parameters or form fields. ' +
      'Every bad line is listed (400 STATEMENT.INVALID_LINES), nothing stored; the same statement twice → 409 STATEMENT.DUPLICATE; an overlapping period → 409 STATEMENT.PERIOD_OVERLAP. ' +
      '?dryRun=true shows what would match and stores nothing. The statement is of the bank’s current reserve account unless `accountNumber` names an older (moved) one.',
  })
  async create(@Req() req: Request, @Body() body: unknown, @Query() q: StatementQueryDto, @CurrentPrincipal() principal: Principal) {
    const { windowDays, dryRun, ...query } = q;
    const upload = Buffer.isBuffer(body) ? await this.fromFile(body, String(req.headers['content-type'] ?? ''), query) : this.fromJson(body, query);
    if (windowDays !== undefined) upload.params.windowDays = windowDays;
    return this.reconciliations.import(upload, principal, dryRun === 'true');
  }

  private async fromFile(body: Buffer, contentType: string, query: Record<string, unknown>): Promise<StatementUpload> {
    let bytes = body;
    let fields: Record<string, unknown> = {};
    let charset = charsetOf(contentType);
    if (/^multipart\/form-data/i.test(contentType)) {
      const up = await readMultipart(body, contentType);
      bytes = up.file;
      fields = up.fields;
      // A form carries the statement's own fields only; windowDays and dryRun are query parameters.
      const unknown = Object.keys(fields).filter((k) => !FORM_KEYS.has(k));
      if (unknown.length) {
        throw DomainError.invalid(STATEMENT_ERRORS.INVALID_PARAMS, `Unknown form fields: ${unknown.slice(0, 10).join(', ')}.`, unknown.slice(0, 20).map((k) => ({ field: k.slice(0, 64), code: 'UNKNOWN_FIELD', message: `form field ${k.slice(0, 64)} should not exist` })));
      }
      charset = charsetOf(up.fileContentType);
    }
    const decoded = decodeStatement(bytes, charset);
    const params = checkParams({ ...fields, ...stripUndefined(query) });
    const mapping = await this.mappings.get(params.bankCode);
    return { params, lines: csvLines(decoded.text, mapping), source: 'csv', encoding: decoded.encoding };
  }

  private fromJson(body: unknown, query: Record<string, unknown>): StatementUpload {
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body) || !Object.keys(body).length) {
      throw DomainError.invalid(STATEMENT_ERRORS.EMPTY, 'Send the statement as a JSON object, a text/csv body or a multipart file.');
    }
    if (Object.values(stripUndefined(query)).length) {
      throw DomainError.invalid(STATEMENT_ERRORS.INVALID_PARAMS, 'bankCode, from, to and the balances go in the JSON body; query parameters are for CSV uploads.');
    }
    const o = body as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !JSON_KEYS.has(k));
    if (unknown.length) {
      throw DomainError.invalid(STATEMENT_ERRORS.INVALID_PARAMS, `Unknown fields: ${unknown.slice(0, 10).join(', ')}.`, unknown.slice(0, 20).map((k) => ({ field: k.slice(0, 64), code: 'UNKNOWN_FIELD', message: `property ${k.slice(0, 64)} should not exist` })));
    }
    const { lines, ...rest } = o;
    return { params: checkParams(rest), lines: jsonLines(lines), source: 'json', encoding: null };
  }

  @Get()
  @Roles('custodian', 'trustee', 'auditor', 'approver')
  @ApiOperation({ summary: 'The imported statements (reconciliations), newest period first; ?bankCode=&status=open|closed.' })
  list(@Query() q: ReconciliationsQueryDto) {
    return this.reconciliations.list({ bankCode: q.bankCode, status: q.status }, q.limit ?? 100, q.cursor);
  }

  @Get(':id')
  @Roles('custodian', 'trustee', 'auditor', 'approver')
  @ApiOperation({ summary: 'A reconciliation: figures, the statement and ledger lines with their match status, the matches.' })
  view(@Param('id') id: string, @Query() q: ReconciliationViewQueryDto) {
    return this.reconciliations.view(id, q.lines ?? 'all');
  }

  @Post(':id/matches')
  @HttpCode(201)
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'Matches statement lines with ledger lines by hand, with a reason (who and when are recorded).' })
  match(@Param('id') id: string, @Body() dto: ManualMatchDto, @CurrentPrincipal() principal: Principal) {
    return this.matches.match(id, dto, principal);
  }

  @Post(':id/rematch')
  @HttpCode(200)
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'Runs the matching rules again over the lines still unmatched on both sides (after late bookings or an undo).' })
  rematch(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.matches.rematch(id, principal);
  }

  @Post(':id/matches/:matchId/undo')
  @HttpCode(200)
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'Undoes a match, with a reason; its lines are unmatched again.' })
  undo(@Param('id') id: string, @Param('matchId') matchId: string, @Body() dto: ReasonDto, @CurrentPrincipal() principal: Principal) {
    return this.matches.undo(id, matchId, dto.reason, principal);
  }

  @Post(':id/corrections')
  @HttpCode(201)
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'Proposes a correcting entry for an unmatched statement line or a match whose sides differ; nothing is posted.' })
  propose(@Param('id') id: string, @Body() dto: ProposeCorrectionDto, @CurrentPrincipal() principal: Principal) {
    return this.corrections.propose(id, dto, principal);
  }

  @Get(':id/corrections')
  @Roles('custodian', 'trustee', 'auditor', 'approver')
  listCorrections(@Param('id') id: string) {
    return this.corrections.list(id);
  }

  @Post(':id/corrections/:correctionId/post')
  @HttpCode(200)
  @Roles('custodian', 'trustee', 'approver')
  @ApiOperation({ summary: 'Posts a proposed correction through the ledger; by another token than the proposer’s (403 otherwise).' })
  postCorrection(@Param('id') id: string, @Param('correctionId') correctionId: string, @CurrentPrincipal() principal: Principal) {
    return this.corrections.post(id, correctionId, principal);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'Closes the reconciliation; 409 while a difference is unexplained. A closed reconciliation is immutable.' })
  close(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.reconciliations.close(id, principal);
  }

  @Get(':id/report')
  @AuditExport()
  @Roles('custodian', 'trustee', 'auditor', 'approver')
  @ApiOperation({ summary: 'The reconciliation statement (余额调节表) as JSON, CSV or XLSX.' })
  async report(@Param('id') id: string, @Query() q: ReportQueryDto, @Res({ passthrough: true }) res: Response) {
    const out = await this.reports.report(id, q.format ?? 'json');
    if ('csv' in out) {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="reconciliation-${id}.csv"`);
      return out.csv;
    }
    if ('xlsx' in out) {
      res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.setHeader('Content-Disposition', `attachment; filename="reconciliation-${id}.xlsx"`);
      return out.xlsx;
    }
    return out.json;
  }
}

@ApiTags('Reconciliation')
@ApiBearerAuth()
@Controller('v1/statement-mappings')
export class StatementMappingsController {
  constructor(private readonly mappings: StatementMappingsService) {}

  @Get(':bankCode')
  @Roles('custodian', 'trustee', 'auditor')
  async get(@Param('bankCode') bankCode: string) {
    return { bankCode, columns: await this.mappings.get(bankCode) };
  }

  @Put(':bankCode')
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'Stores which header of a bank’s statement export holds each field (date, valueDate, debit, credit, amount, balance, counterparty, reference, memo).' })
  put(@Param('bankCode') bankCode: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const columns = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).columns : undefined;
    return this.mappings.put(bankCode, columns, principal);
  }
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
