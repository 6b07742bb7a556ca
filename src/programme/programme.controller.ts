import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/access/principal';
import { CodeField } from '../common/http/fields';
import { PageQueryDto } from '../common/http/pagination';
import {
  AgencyChangeDto,
  AgencyView,
  AgreementQueryDto,
  BankView,
  CreateAgencyDto,
  CreateAgreementDto,
  CreateBankDto,
  CreateBorrowerDto,
  RevenueDto,
  SetStatusDto,
} from './programme.dto';
import { PartiesService, agencyChangeOut, agencyOut, agreementOut, bankOut } from './parties.service';
import { PROGRAMME_ERRORS } from './programme.errors';

class BorrowerQueryDto extends PageQueryDto {
  @CodeField({ optional: true, description: 'Only borrowers of this enterprise group.' })
  groupCode?: string;
}

const CONFLICT = { status: 409, description: 'The code is taken.' };
const INVALID = { status: 400, description: 'Malformed input (REQUEST.INVALID with every bad field).' };

@ApiTags('Parties')
@ApiBearerAuth()
@Controller('v1')
export class ProgrammeController {
  constructor(private readonly parties: PartiesService) {}

  // ---- banks ----

  @Post('banks')
  @Roles('trustee')
  @ApiOperation({ summary: 'Register a partner bank (trustee). It starts active.' })
  @ApiResponse({ status: 201, type: BankView })
  @ApiResponse(CONFLICT)
  @ApiResponse(INVALID)
  async createBank(@Body() dto: CreateBankDto) {
    return bankOut(await this.parties.createBank(dto));
  }

  @Get('banks')
  @ApiOperation({ summary: 'List partner banks by code (paginated).' })
  listBanks(@Query() q: PageQueryDto) {
    return this.parties.listBanks(q.limit, q.cursor);
  }

  @Get('banks/:code')
  @ApiOperation({ summary: 'A partner bank with its status and latest loss rate (null until a quarter close stored one).' })
  @ApiOkResponse({ type: BankView })
  @ApiResponse({ status: 404, description: PROGRAMME_ERRORS.BANK_NOT_FOUND })
  async getBank(@Param('code') code: string) {
    return bankOut(await this.parties.getBank(code));
  }

  @Post('banks/:code/status')
  @Roles('trustee')
  @ApiOperation({
    summary: 'Change a bank’s status from a date (trustee): active, suspended_new, suspended_focus, disqualified (RULES §6).',
    description: 'Kept as history; registrations use the status in force on their registration date.',
  })
  @ApiResponse({ status: 201, type: BankView })
  setBankStatus(@Param('code') code: string, @Body() dto: SetStatusDto) {
    return this.parties.setStatus('bank', code, dto);
  }

  @Get('banks/:code/status-history')
  @ApiOperation({ summary: 'Every status change of a bank, oldest first.' })
  bankStatusHistory(@Param('code') code: string) {
    return this.parties.statusHistory('bank', code);
  }

  // ---- agencies ----

  @Post('agencies')
  @Roles('trustee')
  @ApiOperation({ summary: 'Register a professional agency (trustee). It starts active.' })
  @ApiResponse({ status: 201, type: AgencyView })
  @ApiResponse(CONFLICT)
  @ApiResponse(INVALID)
  async createAgency(@Body() dto: CreateAgencyDto) {
    return agencyOut(await this.parties.createAgency(dto));
  }

  @Get('agencies')
  @ApiOperation({ summary: 'List agencies by code (paginated).' })
  listAgencies(@Query() q: PageQueryDto) {
    return this.parties.listAgencies(q.limit, q.cursor);
  }

  @Get('agencies/:code')
  @ApiOperation({ summary: 'An agency with its fee rate, join date, status and latest loss rate.' })
  @ApiOkResponse({ type: AgencyView })
  @ApiResponse({ status: 404, description: PROGRAMME_ERRORS.AGENCY_NOT_FOUND })
  async getAgency(@Param('code') code: string) {
    return agencyOut(await this.parties.getAgency(code));
  }

  @Post('agencies/:code/status')
  @Roles('trustee')
  @ApiOperation({ summary: 'Change an agency’s status from a date (trustee).' })
  @ApiResponse({ status: 201, type: AgencyView })
  setAgencyStatus(@Param('code') code: string, @Body() dto: SetStatusDto) {
    return this.parties.setStatus('agency', code, dto);
  }

  @Get('agencies/:code/status-history')
  @ApiOperation({ summary: 'Every status change of an agency, oldest first.' })
  agencyStatusHistory(@Param('code') code: string) {
    return this.parties.statusHistory('agency', code);
  }

  // ---- agreements ----

  @Post('agreements')
  @Roles('trustee')
  @ApiOperation({ summary: 'Record the tri-party agreement bank × agency × trustee (S 二(二)3, A 第五条).' })
  @ApiResponse({ status: 201, description: '{ id, bankCode, agencyCode, signedOn }' })
  @ApiResponse({ status: 404, description: 'BANK.NOT_FOUND / AGENCY.NOT_FOUND' })
  @ApiResponse({ status: 409, description: PROGRAMME_ERRORS.AGREEMENT_DUPLICATE })
  async createAgreement(@Body() dto: CreateAgreementDto) {
    return agreementOut(await this.parties.createAgreement(dto));
  }

  @Get('agreements')
  @ApiOperation({ summary: 'List tri-party agreements, optionally for one bank or agency.' })
  listAgreements(@Query() q: AgreementQueryDto) {
    return this.parties.listAgreements({ bankCode: q.bankCode, agencyCode: q.agencyCode }, q.limit, q.cursor);
  }

  // ---- borrowers ----

  @Post('borrowers')
  @Roles('trustee', 'bank')
  @ApiOperation({
    summary: 'Register a borrower with its qualification flags, revenue by year and enterprise group (trustee or a bank).',
  })
  @ApiResponse({ status: 201, description: 'The borrower with its revenues.' })
  @ApiResponse({ status: 409, description: PROGRAMME_ERRORS.BORROWER_DUPLICATE_CODE })
  createBorrower(@Body() dto: CreateBorrowerDto) {
    return this.parties.createBorrower(dto);
  }

  @Get('borrowers')
  @ApiOperation({ summary: 'List borrowers by code (paginated), optionally one enterprise group.' })
  listBorrowers(@Query() q: BorrowerQueryDto) {
    return this.parties.listBorrowers({ groupCode: q.groupCode }, q.limit, q.cursor);
  }

  @Get('borrowers/:code')
  @ApiOperation({ summary: 'A borrower with its revenues.' })
  @ApiResponse({ status: 404, description: PROGRAMME_ERRORS.BORROWER_NOT_FOUND })
  getBorrower(@Param('code') code: string) {
    return this.parties.getBorrowerOut(code);
  }

  @Put('borrowers/:code/revenues')
  @Roles('trustee', 'bank')
  @ApiOperation({ summary: 'Record or correct one year’s tax-declared revenue (registered loans keep theirs).' })
  putRevenue(@Param('code') code: string, @Body() dto: RevenueDto) {
    return this.parties.putRevenue(code, dto);
  }

  // ---- agency changes ----

  @Post('agency-changes')
  @Roles('trustee')
  @ApiOperation({
    summary: 'Record an approved change of agency for a borrower’s enterprise group (A 第七条).',
    description:
      'After it, loans of the group may be registered with the new agency; for one year after approvedOn the group’s ' +
      'new credit line with that agency may not exceed previousCreditLine.',
  })
  @ApiResponse({ status: 201, description: 'The change record.' })
  async recordAgencyChange(@Body() dto: AgencyChangeDto) {
    return agencyChangeOut(await this.parties.recordAgencyChange(dto));
  }

  @Get('borrowers/:code/agency-changes')
  @ApiParam({ name: 'code', description: 'Any borrower of the group.' })
  @ApiOperation({ summary: 'The agency changes recorded for a borrower’s group.' })
  agencyChanges(@Param('code') code: string) {
    return this.parties.agencyChangesOf(code);
  }
}
