import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { DomainError } from '../common/errors/domain-error';
import { BorrowerProfilesService } from './borrower-profiles.service';
import { missingFlowFigures } from './domain/programme-document';
import { runGrant } from './domain/programme-grants';
import { renderRule } from './domain/programme-render';
import { PROGRAMME_DATA_ERRORS as E } from './domain/programme-rules.errors';
import { DERIVED_CALCULATORS } from './domain/programme-vocabulary';
import { PolicyService } from './policy.service';
import { ProgrammeLoansService, programmeLoanOut } from './programme-loans.service';
import type { ProgrammeVersionRow } from './programme-data.entities';
import type { ProgrammeRow } from './programme.entities';
import {
  BorrowerProfileDto,
  GrantInputDto,
  HeadcountDto,
  HireDto,
  ProgrammeLoanQueryDto,
  ProgrammeQueryDto,
  RegisterProgrammeLoanDto,
} from './programmes.dto';
import { ProgrammesService, versionInForce } from './programmes.service';

function versionSummary(v: ProgrammeVersionRow) {
  return { id: v.id, effectiveFrom: v.effectiveFrom, effectiveTo: v.effectiveTo, missing: v.missing.map((m) => m.figure) };
}

/** A programme version in full, its rules written out in Chinese and English with their sources. */
function versionOut(v: ProgrammeVersionRow) {
  const doc = v.body;
  return {
    ...versionSummary(v),
    missing: v.missing,
    products: doc.products.map((p) => ({
      code: p.code,
      names: p.names,
      borrowerTypes: p.borrowerTypes,
      source: p.source,
      parameters: p.parameters,
      derived: Object.entries(p.derived).map(([name, d]) => ({ name, calculator: d.calculator, how: DERIVED_CALCULATORS[d.calculator as keyof typeof DERIVED_CALCULATORS] ?? null, params: d.params, text: d.text ?? null, source: d.source ?? null })),
      declarations: p.declarations,
      rules: p.rules.map((r) => renderRule(r, doc, p)),
    })),
    flows: doc.flows.map((f) => ({ ...f, missingFigures: missingFlowFigures(doc, f) })),
    calculators: doc.calculators,
    tables: doc.tables,
    reporting: doc.reporting,
    decisions: doc.decisions,
  };
}

@ApiTags('Programmes')
@ApiBearerAuth()
@Controller('v1')
export class ProgrammesController {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly loans: ProgrammeLoansService,
    private readonly profiles: BorrowerProfilesService,
    private readonly policies: PolicyService,
  ) {}

  private async summary(p: ProgrammeRow, totals: Map<string, { loans: number; amount: string }>) {
    const versions = await this.programmes.versionsOf(p.code);
    const latest = versions[versions.length - 1];
    return {
      code: p.code,
      name: p.name,
      names: p.nameZh && p.nameEn ? { zh: p.nameZh, en: p.nameEn } : null,
      sourceSeed: p.sourceSeed,
      moneyFlows: p.moneyFlows,
      registersHere: versions.length > 0,
      currentVersion: latest ? versionSummary(latest) : null,
      policyVersions: this.policies.all(p.code).map((v) => ({ id: v.id, effectiveFrom: v.effectiveFrom })),
      products: latest ? latest.body.products.map((x) => ({ code: x.code, names: x.names })) : [],
      loans: versions.length ? (totals.get(p.code) ?? { loans: 0, amount: '0.00' }) : null,
      createdAt: p.createdAt.toISOString(),
    };
  }

  @Get('programmes')
  @ApiOperation({
    summary: 'The programmes (issue 18): names, seed, money flows, current version, products and each programme’s own loan count and amount.',
    description: 'Henan’s tech loans register through POST /v1/loans (registersHere false, loans null); their versions are listed in policyVersions.',
  })
  async list(@CurrentPrincipal() principal: Principal) {
    const totals = await this.loans.totalsByProgramme(principal);
    const rows = await this.programmes.programmes();
    return { items: await Promise.all(rows.map((p) => this.summary(p, totals))), nextCursor: null };
  }

  @Get('programmes/:code')
  @ApiOperation({
    summary: 'One programme with its version in force (?on=YYYY-MM-DD, default the latest): products, rules written out in Chinese and English with their source articles, flows, calculators, missing figures, decisions.',
  })
  @ApiResponse({ status: 404, description: E.NOT_FOUND })
  async get(@Param('code') code: string, @Query() q: ProgrammeQueryDto, @CurrentPrincipal() principal: Principal) {
    const p = await this.programmes.programme(code);
    const versions = await this.programmes.versionsOf(code);
    const version = q.on ? versionInForce(versions, q.on) : versions[versions.length - 1];
    if (q.on && versions.length && !version) throw DomainError.notFound(E.NOT_IN_FORCE, `No version of ${code} is in force on ${q.on}.`);
    return {
      ...(await this.summary(p, await this.loans.totalsByProgramme(principal))),
      versions: versions.map(versionSummary),
      version: version ? versionOut(version) : null,
      registration: versions.length ? `POST /v1/programmes/${code}/loans` : code === 'henan-tech-loan' ? 'POST /v1/loans' : null,
    };
  }

  @Post('programmes/documents')
  @Roles('trustee')
  @ApiOperation({
    summary: 'Load a programme document (data only): a new programme, or a new version of one (trustee).',
    description: `Every problem of the document is listed at once (400 ${E.DOCUMENT_INVALID}); a stored version id or effective date is a 409. docs/programmes.md describes the format.`,
  })
  @ApiBody({ schema: { type: 'object' } })
  async loadDocument(@Body() body: unknown) {
    return versionOut(await this.programmes.load(body));
  }

  @Post('programmes/:code/loans')
  @Roles('trustee', 'bank')
  @ApiOperation({
    summary: 'Register a loan against a programme (trustee or the lending bank): every broken rule, hard and soft, with its text and source.',
    description: `422 ${E.NOT_ELIGIBLE} (or the one problem’s code) lists them; soft rules alone only warn (201 with warnings). A rule that needs a figure the seed does not give, or a borrower fact not recorded, is ${E.FIGURE_MISSING} / ${E.FACT_MISSING} and refuses.`,
  })
  async register(@Param('code') code: string, @Body() dto: RegisterProgrammeLoanDto, @CurrentPrincipal() principal: Principal) {
    return programmeLoanOut(await this.loans.register(code, dto, principal));
  }

  @Get('programmes/:code/loans')
  @ApiOperation({ summary: 'The loans registered against a programme (a bank token sees its own).' })
  listLoans(@Param('code') code: string, @Query() q: ProgrammeLoanQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.loans.list(code, { bankCode: q.bankCode, borrowerCode: q.borrowerCode }, principal, q.limit, q.cursor);
  }

  @Get('programme-loans/:id')
  @ApiOperation({ summary: 'A programme loan with the facts its rules saw, its warnings and breakdown.' })
  @ApiResponse({ status: 404, description: E.LOAN_NOT_FOUND })
  async getLoan(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return programmeLoanOut(await this.loans.view(id, principal));
  }

  @Post('programmes/:code/calculators/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a grant calculator of a programme (Guangxi’s job-retention refund, hiring subsidies); computes, stores nothing.' })
  @ApiResponse({ status: 404, description: E.CALCULATOR_NOT_FOUND })
  async runCalculator(@Param('code') code: string, @Param('id') id: string, @Body() dto: GrantInputDto) {
    await this.programmes.programme(code);
    const versions = await this.programmes.versionsOf(code);
    const version = typeof dto.on === 'string' ? versionInForce(versions, dto.on) : versions[versions.length - 1];
    const spec = version?.body.calculators.find((c) => c.id === id);
    if (!spec || !version) throw DomainError.notFound(E.CALCULATOR_NOT_FOUND, `Programme ${code} has no calculator ${id}${dto.on ? ` in force on ${dto.on}` : ''}.`);
    return { programmeCode: code, programmeVersionId: version.id, ...runGrant(spec, dto) };
  }

  // ---- borrower attributes (the employment programmes' facts) ----

  @Get('borrowers/:code/profile')
  @ApiOperation({ summary: 'A borrower’s type, size class, establishment date, region, headcount history and hires.' })
  profile(@Param('code') code: string, @CurrentPrincipal() principal: Principal) {
    return this.profiles.visibleProfile(code, principal);
  }

  @Put('borrowers/:code/profile')
  @Roles('trustee', 'bank')
  @ApiOperation({ summary: 'Set a borrower’s type, size class, establishment date or region (null clears; registered loans keep their facts).' })
  setProfile(@Param('code') code: string, @Body() dto: BorrowerProfileDto, @CurrentPrincipal() principal: Principal) {
    return this.profiles.setProfile(code, dto, principal);
  }

  @Put('borrowers/:code/headcounts')
  @Roles('trustee', 'bank')
  @ApiOperation({ summary: 'Record or correct the headcount on a date.' })
  putHeadcount(@Param('code') code: string, @Body() dto: HeadcountDto, @CurrentPrincipal() principal: Principal) {
    return this.profiles.putHeadcount(code, dto, principal);
  }

  @Post('borrowers/:code/hires')
  @Roles('trustee', 'bank')
  @ApiOperation({ summary: 'Record persons hired on a date, with their origin region, groups and contract length.' })
  addHire(@Param('code') code: string, @Body() dto: HireDto, @CurrentPrincipal() principal: Principal) {
    return this.profiles.addHire(code, dto, principal);
  }
}
