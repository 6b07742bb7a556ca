import { Body, Controller, Get, Inject, Optional, Param, Post, Put, Query } from '@nestjs/common';
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
  QualificationDto,
  ResearchCooperationDto,
  RevenueDto,
  SetStatusDto,
} from './programme.dto';
import { BANK_ANNUAL_ROOM, type BankAnnualRoomPort } from './bank-annual-room.port';
import { BorrowersService } from './borrowers.service';
import { PartyLossRatesService, lossRateOut } from './party-loss-rates.service';
import { PartiesService, agencyChangeOut, agencyOut, agreementOut, bankOut } from './parties.service';
import { PartyStatusService } from './party-status.service';
import { Clock } from '../common/clock/clock';
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
  constructor(
    private readonly parties: PartiesService,
    private readonly borrowers: BorrowersService,
    private readonly statuses: PartyStatusService,
    private readonly lossRates: PartyLossRatesService,
    private readonly clock: Clock,
    @Optional() @Inject(BANK_ANNUAL_ROOM) private readonly annualRoom?: BankAnnualRoomPort,
  ) {}

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
  @ApiOperation({
    summary: 'A partner bank with its status, the reasons in force, its latest loss rate and its room under the annual cap.',
    description:
      'status is the strongest reason in force (RULES §6); reasonsInForce lists them with start, end and source. annualCap (RULES §11a, ' +
      'henan-2025): the cap for this calendar year (2% of the bank’s balance at the previous year end, at most 10,000,000.00), what was ' +
      'approved so far and the room left; null when the version in force has no annual cap.',
  })
  @ApiOkResponse({ type: BankView })
  @ApiResponse({ status: 404, description: PROGRAMME_ERRORS.BANK_NOT_FOUND })
  async getBank(@Param('code') code: string) {
    const bank = bankOut(await this.parties.getBank(code));
    const annualCap = this.annualRoom ? await this.annualRoom.roomOn(code, this.clock.today()) : null;
    const lossRateHistory = (await this.lossRates.history('bank', code)).map(lossRateOut);
    return { ...bank, reasonsInForce: await this.statuses.reasonsInForce('bank', code), lossRateHistory, annualCap };
  }

  @Post('banks/:code/status')
  @Roles('trustee')
  @ApiOperation({
    summary: 'Change a bank’s status from a date (trustee): active, suspended_new, suspended_focus, disqualified (RULES §6).',
    description:
      'Kept for older clients: a non-active status adds a manual reason (disqualified: a disqualified one), active lifts the manual ' +
      'reasons in force. The status is the strongest reason in force (see /status-reasons); registrations use the status on their date.',
  })
  @ApiResponse({ status: 201, type: BankView })
  async setBankStatus(@Param('code') code: string, @Body() dto: SetStatusDto) {
    await this.statuses.setStatusByHand('bank', code, dto);
    return { ...bankOut(await this.parties.getBank(code)), reasonsInForce: await this.statuses.reasonsInForce('bank', code) };
  }

  @Get('banks/:code/status-history')
  @ApiOperation({ summary: 'Every status change of a bank, oldest first.' })
  bankStatusHistory(@Param('code') code: string) {
    return this.statuses.statusHistory('bank', code);
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
  @ApiOperation({ summary: 'An agency with its fee rate, join date, status, the reasons in force and its loss rate per quarter (lossRateHistory).' })
  @ApiOkResponse({ type: AgencyView })
  @ApiResponse({ status: 404, description: PROGRAMME_ERRORS.AGENCY_NOT_FOUND })
  async getAgency(@Param('code') code: string) {
    const agency = agencyOut(await this.parties.getAgency(code));
    const lossRateHistory = (await this.lossRates.history('agency', code)).map(lossRateOut);
    return { ...agency, reasonsInForce: await this.statuses.reasonsInForce('agency', code), lossRateHistory };
  }

  @Post('agencies/:code/status')
  @Roles('trustee')
  @ApiOperation({ summary: 'Change an agency’s status from a date (trustee).' })
  @ApiResponse({ status: 201, type: AgencyView })
  async setAgencyStatus(@Param('code') code: string, @Body() dto: SetStatusDto) {
    await this.statuses.setStatusByHand('agency', code, dto);
    return { ...agencyOut(await this.parties.getAgency(code)), reasonsInForce: await this.statuses.reasonsInForce('agency', code) };
  }

  @Get('agencies/:code/status-history')
  @ApiOperation({ summary: 'Every status change of an agency, oldest first.' })
  agencyStatusHistory(@Param('code') code: string) {
    return this.statuses.statusHistory('agency', code);
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
    return this.borrowers.createBorrower(dto);
  }

  @Get('borrowers')
  @ApiOperation({ summary: 'List borrowers by code (paginated), optionally one enterprise group.' })
  listBorrowers(@Query() q: BorrowerQueryDto) {
    return this.borrowers.listBorrowers({ groupCode: q.groupCode }, q.limit, q.cursor);
  }

  @Get('borrowers/:code')
  @ApiOperation({ summary: 'A borrower with its revenues.' })
  @ApiResponse({ status: 404, description: PROGRAMME_ERRORS.BORROWER_NOT_FOUND })
  getBorrower(@Param('code') code: string) {
    return this.borrowers.getBorrowerOut(code);
  }

  @Put('borrowers/:code/revenues')
  @Roles('trustee', 'bank')
  @ApiOperation({ summary: 'Record or correct one year’s tax-declared revenue (registered loans keep theirs).' })
  putRevenue(@Param('code') code: string, @Body() dto: RevenueDto) {
    return this.borrowers.putRevenue(code, dto);
  }

  @Post('borrowers/:code/qualifications')
  @Roles('trustee', 'bank')
  @ApiOperation({
    summary: 'Add a dated qualification (RULES §2): a high-tech certificate (valid 3 years from issue) or a tech-SME registration (its calendar year).',
    description: 'validTo defaults to the longest validity the rule allows; a later validTo, or one before validFrom, is a 400. Registrations check validity on their date.',
  })
  addQualification(@Param('code') code: string, @Body() dto: QualificationDto) {
    return this.borrowers.addQualification(code, dto);
  }

  @Put('borrowers/:code/qualifications/:id')
  @Roles('trustee', 'bank')
  @ApiOperation({ summary: 'Correct a qualification’s dates or reference (registered loans keep their registration).' })
  updateQualification(@Param('code') code: string, @Param('id') id: string, @Body() dto: QualificationDto) {
    return this.borrowers.updateQualification(code, id, dto);
  }

  @Put('borrowers/:code/research-cooperation')
  @Roles('trustee', 'bank')
  @ApiOperation({ summary: 'Set the research-cooperation attribute (henan-2025’s 80% category, RULES §11a); registered loans keep their ratio.' })
  setResearchCooperation(@Param('code') code: string, @Body() dto: ResearchCooperationDto) {
    return this.borrowers.setResearchCooperation(code, dto.researchCooperation);
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
