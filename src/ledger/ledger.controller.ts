import { Body, Controller, Get, HttpCode, Logger, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { exportOptions } from '../common/format/export-format';
import { DomainError } from '../common/errors/domain-error';
import { REQUEST_ERRORS } from '../common/errors/common.errors';
import { Money } from '../common/money/money';
import { parseQuarter, formatQuarter } from '../common/calendar/quarter';
import { DEFAULT_PAGE_LIMIT } from '../common/http/pagination';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { assertAccountScope } from '../common/access/party-scope';
import { AuditExport, CommitsItsOwnWrite } from '../common/http/audit-export';
import { requestAbortSignal } from '../common/http/heavy-reads';
import { bankOfReserveAccount } from '../reserve/domain/books';
import { LedgerAccountsService } from './ledger-accounts.service';
import { LedgerAuditService } from './ledger-audit.service';
import { LedgerExportService } from './ledger-export.service';
import { LedgerPostingService, PostingInput } from './ledger-posting.service';
import { LedgerQueryService } from './ledger-query.service';
import {
  AccountsQueryDto,
  BalanceQueryDto,
  ClosePeriodDto,
  CreateAccountDto,
  CreateBookDto,
  CreateEntriesBatchDto,
  CreateEntryDto,
  EntriesQueryDto,
  ExportQueryDto,
  ReverseEntryDto,
  StatementQueryDto,
  TrialBalanceQueryDto,
  VerifyQueryDto,
} from './ledger.dto';

const IDEMPOTENCY_DOC = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Same key and body → the first answer; same key, other body → 409 IDEMPOTENCY.KEY_REUSED.',
};

function toPostingInput(dto: CreateEntryDto): PostingInput {
  return {
    book: dto.book,
    effectiveDate: dto.effectiveDate,
    memo: dto.memo,
    link: dto.link ? { type: dto.link.type, id: dto.link.id } : null,
    lines: dto.lines.map((l) => ({
      account: l.account,
      debit: l.debit === undefined || l.debit === null ? null : Money.parse(l.debit),
      credit: l.credit === undefined || l.credit === null ? null : Money.parse(l.credit),
    })),
  };
}

/** A code's book is its first segment (`reserve:deposit:BANK01` → `reserve`). */
function bookOf(code: string, book?: string): string {
  return book ?? code.split(':')[0];
}

@ApiTags('Ledger')
@ApiBearerAuth()
@Controller('v1/ledger')
export class LedgerController {
  private readonly logger = new Logger('LedgerExport');

  constructor(
    private readonly posting: LedgerPostingService,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly queries: LedgerQueryService,
    private readonly audit: LedgerAuditService,
    private readonly exports: LedgerExportService,
  ) {}

  @Post('books')
  @Roles('trustee', 'custodian')
  @ApiHeader(IDEMPOTENCY_DOC)
  @ApiOperation({ summary: 'Open a book (reserve and margin exist from the start); idempotent.' })
  async createBook(@Body() dto: CreateBookDto) {
    await this.ledgerAccounts.ensureBook(dto.code, dto.name ?? '');
    return this.queries.book(dto.code);
  }

  @Get('books/:code')
  @Roles('trustee', 'custodian', 'auditor')
  @ApiOperation({ summary: 'A book and its head: last sequence, last hash, closed-through date.' })
  book(@Param('code') code: string) {
    return this.queries.book(code);
  }

  @Post('accounts')
  @Roles('trustee', 'custodian')
  @ApiHeader(IDEMPOTENCY_DOC)
  @ApiOperation({
    summary: 'Open an account in the chart of accounts (idempotent for the same definition; another definition → 409).',
  })
  async createAccount(@Body() dto: CreateAccountDto) {
    return this.ledgerAccounts.ensureAccount({
      book: dto.book,
      code: dto.code,
      name: dto.name,
      type: dto.type,
      normalSide: dto.normalSide,
      floor: dto.floor === undefined || dto.floor === null ? null : Money.parseSigned(dto.floor),
    });
  }

  @Get('accounts')
  @Roles('trustee', 'custodian', 'auditor')
  @ApiOperation({ summary: 'The chart of accounts of a book with current balances (paginated by code).' })
  accounts(@Query() q: AccountsQueryDto) {
    return this.queries.accounts(q.book, q.prefix, q.limit ?? DEFAULT_PAGE_LIMIT, q.cursor);
  }

  @Get('accounts/:code/balance')
  @Roles('trustee', 'custodian', 'auditor', 'bank')
  @ApiOperation({
    summary: 'Debit and credit totals and the balance on the normal side, now or as of a date.',
    description: 'A bank token reads its own reserve accounts only (reserve:deposit:{BANK}, reserve:payable:{BANK}); any other account → 403 AUTH.PARTY_SCOPE.',
  })
  balance(@Param('code') code: string, @Query() q: BalanceQueryDto, @CurrentPrincipal() principal: Principal) {
    const book = bookOf(code, q.book);
    assertAccountScope(principal, bankOfReserveAccount(book, code), code);
    return this.ledgerAccounts.balance(book, code, q.asOf ?? null);
  }

  @Get('accounts/:code/statement')
  @Roles('trustee', 'custodian', 'auditor', 'bank')
  @ApiOperation({
    summary: 'Opening balance, the lines between from and to (with running balance), closing balance.',
    description: 'A bank token reads its own reserve accounts only (reserve:deposit:{BANK}, reserve:payable:{BANK}); any other account → 403 AUTH.PARTY_SCOPE.',
  })
  statement(@Param('code') code: string, @Query() q: StatementQueryDto, @CurrentPrincipal() principal: Principal) {
    const book = bookOf(code, q.book);
    assertAccountScope(principal, bankOfReserveAccount(book, code), code);
    return this.queries.statement(book, code, q.from, q.to, q.limit ?? DEFAULT_PAGE_LIMIT, q.cursor);
  }

  @Post('entries')
  @Roles('trustee', 'custodian')
  @ApiHeader(IDEMPOTENCY_DOC)
  @ApiOperation({
    summary: 'Post a balanced journal entry.',
    description:
      'Unbalanced, unknown account, a line with both or neither side, a zero line, a floor breach → 422 (nothing written); an effective date inside a closed period → 409.',
  })
  // Group-committed with concurrent posts, the audit row in the same transaction (docs/ledger.md "From HTTP").
  @CommitsItsOwnWrite()
  post(@Body() dto: CreateEntryDto) {
    return this.posting.post(null, toPostingInput(dto));
  }

  @Post('entries/batch')
  @Roles('trustee', 'custodian')
  @ApiHeader(IDEMPOTENCY_DOC)
  @ApiOperation({ summary: 'Post many entries in order, all or nothing; a refusal names the entry (details[].entry).' })
  @CommitsItsOwnWrite()
  async postBatch(@Body() dto: CreateEntriesBatchDto) {
    return { entries: await this.posting.postMany(null, dto.entries.map(toPostingInput)) };
  }

  @Get('entries')
  @Roles('trustee', 'custodian', 'auditor')
  @ApiOperation({ summary: 'Entries of a book in sequence order, optionally within effective dates.' })
  entries(@Query() q: EntriesQueryDto) {
    return this.queries.entries(q.book, q.from, q.to, q.limit ?? DEFAULT_PAGE_LIMIT, q.cursor);
  }

  @Get('entries/:id')
  @Roles('trustee', 'custodian', 'auditor')
  @ApiOperation({ summary: 'One entry with its lines, sequence and hashes.' })
  entry(@Param('id') id: string) {
    return this.queries.entry(id);
  }

  @Post('entries/:id/reverse')
  @Roles('trustee', 'custodian')
  @ApiHeader(IDEMPOTENCY_DOC)
  @ApiOperation({ summary: 'Reverse an entry with a new linked entry (sides swapped); a second reversal → 409.' })
  reverse(@Param('id') id: string, @Body() dto: ReverseEntryDto) {
    return this.posting.reverse(null, id, { effectiveDate: dto.effectiveDate, memo: dto.memo });
  }

  @Post('periods/:quarter/close')
  @Roles('trustee', 'custodian')
  @ApiHeader(IDEMPOTENCY_DOC)
  @ApiOperation({ summary: 'Close a quarter of a book: no entry dated in it or before is accepted afterwards (409).' })
  closePeriod(@Param('quarter') quarter: string, @Body() dto: ClosePeriodDto) {
    return this.audit.closePeriod(dto.book, formatQuarter(parseQuarter(quarter)));
  }

  @Get('trial-balance')
  @Roles('trustee', 'custodian', 'auditor')
  @ApiOperation({ summary: 'Trial balance of a book as of a date: rows per account, totals.debit == totals.credit.' })
  trialBalance(@Query() q: TrialBalanceQueryDto) {
    return this.queries.trialBalance(q.book, q.asOf ?? null);
  }

  @Get('verify')
  @Roles('trustee', 'custodian', 'auditor')
  @ApiOperation({
    summary: 'Walk the hash chain of a book and check balance rows against lines; reports the first broken link.',
    description:
      'Incremental: walks the entries posted since the last verified head (full=true: the whole chain); concurrent calls for a book share one run; the walk stops when its last client has gone.',
  })
  verify(@Query() q: VerifyQueryDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.audit.verify(q.book, { full: q.full === true, signal: requestAbortSignal(req, res) });
  }

  @Get('export')
  @AuditExport()
  @HttpCode(200)
  @Roles('trustee', 'custodian', 'auditor')
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOperation({
    summary: 'Streamed auditor export: the journal (one row per line, with hashes) or the trial balance, as CSV or XLSX.',
    description: 'The same request on an unchanged book gives byte-identical files.',
  })
  async export(@Query() q: ExportQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const report = q.report ?? 'journal';
    try {
      await this.exports.export(q.book, report, q.format, report === 'trial-balance' ? (q.asOf ?? null) : null, res, requestAbortSignal(req, res), (filename) => {
        res.status(200);
        res.setHeader('Content-Type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
      }, exportOptions(q, req.headers['accept-language']));
    } catch (error) {
      if (!res.headersSent) throw error;
      if (error instanceof DomainError && error.code === REQUEST_ERRORS.ABORTED) {
        // The client hung up: the export stopped and its transaction is rolled back; nothing to tell.
        res.destroy();
        return;
      }
      // Mid-stream failure: the status line is gone, so cut the connection rather than end a
      // truncated file that looks complete.
      this.logger.error(`export of ${q.book} failed mid-stream: ${String(error)}`);
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
