import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { parseQuarter, quarterLastDay } from '../common/calendar/quarter';
import { Clock } from '../common/clock/clock';
import { DomainError } from '../common/errors/domain-error';
import { REQUEST_ERRORS } from '../common/errors/common.errors';
import { AgencyFeesService } from './agency-fees.service';
import { RawReportRow, parseReportCsv, readReportCsv } from './bank-report-rows';
import { BankReportsService, INSERT_CHUNK } from './bank-reports.service';
import { streamedTextOf } from '../common/http/streamed-text';
import {
  AgencyFeeDto,
  BankReportDto,
  BankReportListQueryDto,
  BankReportQueryDto,
  ConfirmationLetterDto,
  DisbursementDto,
  LoanQueryDto,
  OutstandingQueryDto,
  RegisterLoanDto,
} from './loans.dto';
import { FEE_ERRORS, LOAN_ERRORS, LOAN_RULE_ERRORS, REPORT_ERRORS, REPORT_ROW_PROBLEMS } from './loans.errors';
import { LoansService, loanOut } from './loans.service';
import { OutstandingService } from './outstanding.service';

const REGISTRATION_EXAMPLE = {
  reference: 'ZZB-2025-000123',
  bankCode: 'ZZBANK',
  agencyCode: 'HNGUAR',
  borrowerCode: '91410100MA44XXXX1K',
  amount: '3000000.00',
  annualRate: '0.0390',
  termMonths: 12,
  contractDate: '2025-03-05',
  registeredOn: '2025-03-10',
  security: 'collateral',
  collateralValue: '900000.00',
  singleAssetException: false,
};

@ApiTags('Loans')
@ApiBearerAuth()
@Controller('v1/loans')
export class LoansController {
  constructor(
    private readonly loans: LoansService,
    private readonly fees: AgencyFeesService,
  ) {}

  @Post()
  @Roles('trustee', 'bank')
  @ApiOperation({
    summary: 'Register (备案) a loan: every broken rule in one 422; the ratio, revenue year and policy version are fixed.',
    description:
      'Trustee, or a bank token for its own bank (partyCode = bankCode). Refusals (422, every one in details): ' +
      'LOAN.COLLATERAL_TOO_HIGH, LOAN.SECURITY_INCONSISTENT, LOAN.RATE_ABOVE_CAP, LOAN.BORROWER_NOT_QUALIFIED, ' +
      'LOAN.TERM_TOO_SHORT, LOAN.REVENUE_MISSING, LOAN.BANK_NOT_ACTIVE, LOAN.AGENCY_NOT_ACTIVE, LOAN.NO_AGREEMENT, ' +
      'LOAN.RENEWAL_OF_INVALID, LOAN.GROUP_SERVED_BY_OTHER_AGENCY, LOAN.CREDIT_LINE_ABOVE_PREVIOUS. The error code is the ' +
      'broken rule’s code when one rule is broken, LOAN.NOT_ELIGIBLE when several. 409 LOAN.DUPLICATE_REFERENCE; ' +
      '404 BANK.NOT_FOUND / AGENCY.NOT_FOUND / BORROWER.NOT_FOUND.',
  })
  @ApiBody({ type: RegisterLoanDto, examples: { collateral: { value: REGISTRATION_EXAMPLE } } })
  @ApiResponse({
    status: 201,
    description: 'The registered loan.',
    schema: {
      example: {
        id: '6f1c…',
        ...REGISTRATION_EXAMPLE,
        compensationRatio: '0.60',
        revenueYearUsed: 2024,
        revenueUsed: '18000000.00',
        policyVersion: 'henan-2021',
        policyVersionId: 'henan-2021',
        breakdown: [{ rule: 'RULES §3; S 二(一)3(1)a–d', text: 'Revenue bracket: 18,000,000.00 ≤ 20,000,000.00 → base ratio 0.60', value: '0.60' }],
        disbursement: null,
        confirmationLetterOn: null,
      },
    },
  })
  @ApiResponse({
    status: 422,
    description: 'Against the rules.',
    schema: {
      example: {
        statusCode: 422,
        code: LOAN_ERRORS.NOT_ELIGIBLE,
        message: 'The loan cannot be registered: 2 rules are broken.',
        details: [
          { code: LOAN_RULE_ERRORS.RATE_ABOVE_CAP, message: 'Rate 4.5% is above the cap 3.9% (benchmark 3% × 1.3)' },
          { code: LOAN_RULE_ERRORS.NO_AGREEMENT, message: 'Bank ZZBANK and agency HNGUAR have no tri-party agreement' },
        ],
      },
    },
  })
  async register(@Body() dto: RegisterLoanDto, @CurrentPrincipal() principal: Principal) {
    return loanOut(await this.loans.register(dto, principal));
  }

  @Get()
  @ApiOperation({ summary: 'List loans (paginated), by bank, agency, borrower or the bank’s reference. Bank and agency tokens see only their own.' })
  list(@Query() q: LoanQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.loans.list({ bankCode: q.bankCode, agencyCode: q.agencyCode, borrowerCode: q.borrowerCode, reference: q.reference }, principal, q.limit, q.cursor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A loan with its registration breakdown, disbursement, fees and latest reported balance.' })
  @ApiResponse({ status: 404, description: LOAN_ERRORS.NOT_FOUND })
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.loans.view(id, principal);
  }

  @Post(':id/disbursement')
  @Roles('trustee', 'bank')
  @ApiOperation({
    summary: 'Record the disbursement (≤ registered amount); flags a report received > 5 working days after it (B 第十条).',
    description:
      'The report date is the day the service receives the call (China time). 422: LOAN.DISBURSEMENT_ABOVE_REGISTERED, ' +
      'LOAN.DISBURSED_BEFORE_REGISTRATION, LOAN.DISBURSEMENT_IN_FUTURE; 409 LOAN.ALREADY_DISBURSED.',
  })
  @ApiResponse({
    status: 201,
    schema: { example: { disbursement: { disbursedOn: '2025-03-12', amount: '3000000.00', reportedOn: '2025-03-14', reportDueOn: '2025-03-19', late: false } } },
  })
  async disburse(@Param('id') id: string, @Body() dto: DisbursementDto, @CurrentPrincipal() principal: Principal) {
    return loanOut(await this.loans.disburse(id, dto, principal));
  }

  @Post(':id/confirmation-letter')
  @Roles('trustee')
  @ApiOperation({ summary: 'The trustee’s confirmation letter (确认函) for the loan; agency fees are allowed from its date.' })
  async confirm(@Param('id') id: string, @Body() dto: ConfirmationLetterDto) {
    return loanOut(await this.loans.issueConfirmationLetter(id, dto.issuedOn));
  }

  @Post(':id/agency-fees')
  @Roles('trustee', 'agency')
  @ApiOperation({
    summary: 'Record a fee the loan’s agency charged (RULES §7): ≤ 1% a year of the loan amount, only after the confirmation letter.',
    description:
      'Agency tokens only for their own loans. 422 FEE.ABOVE_CAP (this fee above amount × 1% × periodMonths / 12, or all fees ' +
      'of the loan above the cap for its whole term), FEE.BEFORE_CONFIRMATION; FEE.REFUSED when both.',
  })
  @ApiResponse({ status: 201, schema: { example: { id: '…', amount: '30000.00', chargedOn: '2025-03-15', periodMonths: 12, cap: '30000.00' } } })
  @ApiResponse({
    status: 422,
    schema: { example: { statusCode: 422, code: FEE_ERRORS.ABOVE_CAP, message: 'The fee 30000.01 exceeds the cap 30000.00 (1% a year of 3000000.00 for 12 months).', details: [] } },
  })
  charge(@Param('id') id: string, @Body() dto: AgencyFeeDto, @CurrentPrincipal() principal: Principal) {
    return this.fees.charge(id, dto, principal);
  }

  @Get(':id/agency-fees')
  @ApiOperation({ summary: 'The fees charged on a loan.' })
  listFees(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.fees.list(id, principal);
  }
}

const CSV_EXAMPLE = 'loanReference,outstandingPrincipal,repaid,assetQuality\nZZB-2025-000123,2500000.00,500000.00,normal\n';

@ApiTags('Bank reports')
@ApiBearerAuth()
@ApiExtraModels(BankReportDto)
@Controller('v1/bank-reports')
export class BankReportsController {
  constructor(private readonly reports: BankReportsService) {}

  @Post()
  @HttpCode(201)
  @Roles('trustee', 'bank')
  @ApiOperation({
    summary: 'A bank’s quarterly report (JSON or CSV), validated as a whole and applied atomically.',
    description:
      'JSON: `{bankCode, quarter, rows:[{loanReference, outstandingPrincipal, repaid, assetQuality}]}`. CSV: ' +
      '`Content-Type: text/csv`, a header line `loanReference,outstandingPrincipal,repaid,assetQuality` (any order), ' +
      'bankCode and quarter as query parameters. assetQuality: normal, special_mention, substandard, doubtful, loss. ' +
      'One bad row → nothing is applied: 422 REPORT.INVALID_ROWS with every problem as {line, field, code, message} ' +
      '(CSV: the file line, header = 1; JSON: the 1-based row position). Due by the 10th of the first month of the next ' +
      'quarter; a later report is stored with late: true. Re-sending a quarter adds a new version that supersedes the ' +
      'previous one (kept). A quarter can be reported from the day after it ends (422 REPORT.QUARTER_NOT_ENDED). Bank ' +
      'tokens only for their own bank.',
  })
  @ApiConsumes('application/json', 'text/csv')
  @ApiQuery({ name: 'bankCode', required: false, description: 'CSV uploads only.' })
  @ApiQuery({ name: 'quarter', required: false, description: 'CSV uploads only, e.g. 2025Q2.' })
  @ApiBody({
    schema: { $ref: getSchemaPath(BankReportDto) },
    examples: {
      json: {
        value: {
          bankCode: 'ZZBANK',
          quarter: '2025Q2',
          rows: [{ loanReference: 'ZZB-2025-000123', outstandingPrincipal: '2500000.00', repaid: '500000.00', assetQuality: 'normal' }],
        },
      },
      csv: { summary: 'text/csv body (with ?bankCode=ZZBANK&quarter=2025Q2)', value: CSV_EXAMPLE },
    },
  })
  @ApiResponse({
    status: 201,
    schema: {
      example: {
        id: '…',
        bankCode: 'ZZBANK',
        quarter: '2025Q2',
        version: 1,
        source: 'csv',
        rows: 1,
        receivedOn: '2025-07-08',
        dueOn: '2025-07-10',
        late: false,
        outstandingTotal: '2500000.00',
        repaidTotal: '500000.00',
        supersedes: null,
        supersededBy: null,
      },
    },
  })
  @ApiResponse({
    status: 422,
    schema: {
      example: {
        statusCode: 422,
        code: REPORT_ERRORS.INVALID_ROWS,
        message: '1 of 3 rows are invalid; nothing was applied.',
        details: [{ line: 3, field: 'assetQuality', code: REPORT_ROW_PROBLEMS.INVALID_ASSET_QUALITY, message: 'assetQuality must be one of normal, …' }],
      },
    },
  })
  submit(@Req() req: Request, @Body() body: unknown, @Query() q: BankReportQueryDto, @CurrentPrincipal() principal: Principal) {
    const contentType = String(req.headers['content-type'] ?? '');
    if (/^text\/(csv|plain)/i.test(contentType)) return this.submitCsv(req, body, q, principal);
    if (q.bankCode || q.quarter) {
      throw DomainError.invalid(REPORT_ERRORS.QUERY_WITH_JSON, 'bankCode and quarter go in the JSON body; query parameters are for CSV uploads.');
    }
    return this.reports.submit({ ...parseJsonReport(body), source: 'json' }, principal);
  }

  /** A CSV upload: bankCode and quarter in the query; the body read as it arrives (issue 10 item 5). */
  private submitCsv(req: Request, body: unknown, q: BankReportQueryDto, principal: Principal) {
    const streamed = streamedTextOf(req);
    if (!streamed && typeof body !== 'string') throw DomainError.invalid(REPORT_ERRORS.CSV_EMPTY, 'The CSV body is empty.');
    if (!q.bankCode || !q.quarter) {
      throw DomainError.invalid(REPORT_ERRORS.CSV_PARAMS, 'A CSV upload needs ?bankCode=…&quarter=… .', [
        ...(!q.bankCode ? [{ code: 'REQUIRED', field: 'bankCode', message: 'bankCode query parameter is required' }] : []),
        ...(!q.quarter ? [{ code: 'REQUIRED', field: 'quarter', message: 'quarter query parameter is required' }] : []),
      ]);
    }
    if (!streamed) return this.reports.submit({ bankCode: q.bankCode, quarter: q.quarter, rows: parseReportCsv(body as string), source: 'csv' }, principal);
    // Parsed, checked and written as it arrives, chunk by chunk (issue 10 item 5).
    const rows = readReportCsv(streamed.text(), INSERT_CHUNK);
    return this.reports.submit({ bankCode: q.bankCode, quarter: q.quarter, rows, source: 'csv' }, principal).catch((error: unknown) => {
      // Refused before the end of the upload: close the connection once answered rather than read the rest.
      if (!streamed.finished) req.res?.setHeader('Connection', 'close');
      throw error;
    });
  }

  @Get()
  @ApiOperation({ summary: 'Every version of a bank’s reports (optionally one quarter), newest first.' })
  list(@Query() q: BankReportListQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.reports.list({ bankCode: q.bankCode, quarter: q.quarter }, principal);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One report version.' })
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.reports.get(id, principal);
  }

  @Get(':id/rows')
  @ApiOperation({ summary: 'The rows of one report version, in line order.' })
  rows(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.reports.rows(id, principal);
  }
}

/** The JSON form's envelope; rows are checked by the report validator with line numbers. */
function parseJsonReport(body: unknown): { bankCode: string; quarter: string; rows: RawReportRow[] } {
  const details: { code: string; field: string; message: string }[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw DomainError.invalid(REQUEST_ERRORS.INVALID, 'The body must be a JSON object {bankCode, quarter, rows}.');
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!['bankCode', 'quarter', 'rows'].includes(key)) details.push({ code: 'UNKNOWN_FIELD', field: key, message: `property ${key} should not exist` });
  }
  if (typeof b.bankCode !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(b.bankCode)) {
    details.push({ code: 'INVALID', field: 'bankCode', message: 'bankCode must be a bank code' });
  }
  if (typeof b.quarter !== 'string' || !/^[0-9]{4}Q[1-4]$/.test(b.quarter)) {
    details.push({ code: 'INVALID', field: 'quarter', message: 'quarter must be written like 2025Q2' });
  }
  if (!Array.isArray(b.rows)) details.push({ code: 'INVALID', field: 'rows', message: 'rows must be an array' });
  if (details.length) throw DomainError.invalid(REQUEST_ERRORS.INVALID, `The request is invalid: ${details.map((d) => d.message).join('; ')}`, details);
  const rows = (b.rows as unknown[]).map((r, i) => ({
    line: i + 1,
    values: typeof r === 'object' && r !== null && !Array.isArray(r) ? (r as Record<string, unknown>) : { loanReference: undefined },
  }));
  return { bankCode: b.bankCode as string, quarter: b.quarter as string, rows };
}

@ApiTags('Loans')
@ApiBearerAuth()
@Controller('v1/outstanding')
export class OutstandingController {
  constructor(
    private readonly outstanding: OutstandingService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('trustee', 'custodian', 'approver', 'auditor')
  @ApiOperation({
    summary: 'Outstanding principal per bank, per agency (loans it reviewed) and in total, as of a date or a quarter end.',
    description:
      'Per loan: the latest current bank-report row for a quarter ended on or before the date; before any report, the ' +
      'disbursed amount; loans disbursed after the date count nothing. Default: today.',
  })
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        asOf: '2025-06-30',
        total: '2500000.00',
        loans: 1,
        banks: [{ bankCode: 'ZZBANK', outstanding: '2500000.00', loans: 1 }],
        agencies: [{ agencyCode: 'HNGUAR', outstanding: '2500000.00', loans: 1 }],
      },
    },
  })
  async get(@Query() q: OutstandingQueryDto) {
    if (q.asOf && q.quarter) throw DomainError.invalid(REQUEST_ERRORS.INVALID, 'Give asOf or quarter, not both.');
    const asOf = q.quarter ? (parseQuarter(q.quarter), quarterLastDay(q.quarter)) : (q.asOf ?? this.clock.today());
    const r = await this.outstanding.asOf(asOf);
    return {
      asOf: r.asOf,
      total: r.total.toString(),
      loans: r.loans,
      banks: r.banks.map((b) => ({ bankCode: b.bankCode, outstanding: b.outstanding.toString(), loans: b.loans })),
      agencies: r.agencies.map((a) => ({ agencyCode: a.agencyCode, outstanding: a.outstanding.toString(), loans: a.loans })),
    };
  }
}
