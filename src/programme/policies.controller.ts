import { Matches } from 'class-validator';
import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/access/principal';
import { CodeField, TextField } from '../common/http/fields';
import { HENAN_2025 } from './domain/henan-versions';
import type { PolicyInput } from './domain/policy-input';
import { parametersOf } from './domain/policy-input';
import { POLICY_PARAMETERS } from './domain/policy-parameters';
import type { PolicyVersion } from './domain/policy-version';
import { POLICY_RULE_ERRORS } from './domain/programme-rules.errors';
import { PolicyService } from './policy.service';
import { ReferenceRatesService } from './reference-rates.service';

export class CreateProgrammeDto {
  @CodeField({ example: 'zhejiang-employment-loan', description: 'Lower-case letters, digits and dashes.' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: '$property may contain only lower-case letters, digits and "-"' })
  code!: string;

  @TextField({ example: '浙江稳岗扩岗专项贷款', maxLength: 200 })
  name!: string;
}

/** A version as `GET /v1/policies` shows it: identity, parameters, provisional names and sources. */
export function policyOut(v: PolicyVersion) {
  const parameters = parametersOf(v);
  return {
    id: v.id,
    programme: v.programme,
    name: v.name,
    effectiveFrom: v.effectiveFrom,
    parameters,
    provisional: v.provisional,
    sources: Object.fromEntries(Object.keys(parameters).map((k) => [k, POLICY_PARAMETERS[k as keyof typeof POLICY_PARAMETERS].source])),
  };
}

const LOAD_EXAMPLE = {
  id: 'henan-2027',
  programme: 'henan-tech-loan',
  name: 'Henan 科技贷 (official 2025 text confirmed)',
  effectiveFrom: '2027-01-01',
  basedOn: 'henan-2025',
  parameters: { compensationCapPerLoan: '5000000.00' },
  provisional: [],
};

@ApiTags('Policies')
@ApiBearerAuth()
@Controller('v1')
export class PoliciesController {
  constructor(
    private readonly policies: PolicyService,
    private readonly rates: ReferenceRatesService,
  ) {}

  @Get('policies')
  @ApiOperation({
    summary: 'The policy versions (RULES §11a): programme, effective from, every parameter, which are provisional, and where each comes from.',
  })
  @ApiQuery({ name: 'programme', required: false, example: 'henan-tech-loan' })
  @ApiResponse({ status: 200, schema: { example: { items: [policyOut(HENAN_2025)], nextCursor: null } } })
  async list(@Query('programme') programme?: string) {
    await this.policies.ensureFresh();
    return { items: this.policies.all(programme).map(policyOut), nextCursor: null };
  }

  @Post('policies')
  @Roles('approver', 'trustee')
  @ApiOperation({
    summary: 'Load a new policy version (approver or trustee). Stored versions never change; a loan keeps the version of its registration date.',
    description:
      'Body: { id, programme, name, effectiveFrom, parameters, provisional?, basedOn? }. Give every parameter, or basedOn a stored version of the ' +
      'same programme and only the changed ones. effectiveFrom must be after every stored version of the programme. Every problem is ' +
      `listed in details: 400 ${POLICY_RULE_ERRORS.INVALID} when one is of shape or type (missing, unknown or wrongly typed parameter), ` +
      `else 422 ${POLICY_RULE_ERRORS.REFUSED} (unknown programme, duplicate id, taken or overlapping effective date, a value out of range). Nothing is stored then.`,
  })
  @ApiBody({ schema: { example: LOAD_EXAMPLE } })
  @ApiResponse({ status: 201, description: 'The stored version, as GET /v1/policies shows it.' })
  async load(@Body() body: unknown) {
    const input = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as PolicyInput;
    return policyOut(await this.policies.load(input));
  }

  @Post('programmes')
  @Roles('trustee')
  @ApiOperation({ summary: 'Add a programme (trustee); then load its policy versions with POST /v1/policies.' })
  async createProgramme(@Body() dto: CreateProgrammeDto) {
    const p = await this.policies.createProgramme(dto);
    return { code: p.code, name: p.name, createdAt: p.createdAt.toISOString() };
  }

  @Get('reference-rates')
  @ApiOperation({
    summary: 'The reference rates of the rate cap (RULES §2): PBoC benchmark lending rates and the LPR, by effective date (decimal fractions).',
  })
  referenceRates() {
    return this.rates.current();
  }
}
