import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsObject, IsOptional, Matches, ValidateBy } from 'class-validator';
import { CodeField, DateField, IntField, MoneyField, RateField, TextField } from '../common/http/fields';
import { PageQueryDto } from '../common/http/pagination';
import { BORROWER_TYPES, HIRE_GROUPS, SIZE_CLASSES, type BorrowerType, type HireGroup, type SizeClass } from './domain/programme-document';

const DIVISION_CODE = /^[1-9][0-9]{5}$/;

/** The attributes the employment programmes test (issue 18); each may be set or cleared (null). */
export class BorrowerProfileDto {
  @ApiPropertyOptional({ enum: BORROWER_TYPES, nullable: true, example: 'enterprise', description: 'enterprise (小微企业) or individual business (小微企业主/个体工商户).' })
  @IsOptional()
  @IsIn(BORROWER_TYPES as unknown as string[])
  borrowerType?: BorrowerType | null;

  @ApiPropertyOptional({ enum: SIZE_CLASSES, nullable: true, example: 'small', description: 'The national size classification (微型 / 小型 / 中型 / 大型).' })
  @IsOptional()
  @IsIn(SIZE_CLASSES as unknown as string[])
  sizeClass?: SizeClass | null;

  @DateField({ optional: true, nullable: true, example: '2020-05-18', description: 'Established (成立) or, for an individual business, began operating.' })
  establishedOn?: string | null;

  @ApiPropertyOptional({ nullable: true, example: '222401', description: 'Administrative division code (GB/T 2260) of the borrower’s location.' })
  @IsOptional()
  @Matches(DIVISION_CODE, { message: '$property must be a six-digit division code (GB/T 2260)' })
  region?: string | null;
}

export class HeadcountDto {
  @DateField({ example: '2025-03-01' })
  asOf!: string;

  @IntField({ min: 0, max: 10_000_000, example: 120 })
  headcount!: number;
}

export class HireDto {
  @DateField({ example: '2025-06-01' })
  hiredOn!: string;

  @IntField({ min: 1, max: 1_000_000, example: 5 })
  persons!: number;

  @ApiPropertyOptional({ example: '222401', description: 'Where the persons come from: a division code (GB/T 2260).' })
  @IsOptional()
  @Matches(DIVISION_CODE, { message: '$property must be a six-digit division code (GB/T 2260)' })
  originRegion?: string;

  @ApiPropertyOptional({ enum: HIRE_GROUPS, isArray: true, example: ['registered-unemployed'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(HIRE_GROUPS.length)
  @IsIn(HIRE_GROUPS as unknown as string[], { each: true })
  groups?: HireGroup[];

  @IntField({ optional: true, min: 1, max: 600, example: 12, description: 'Length of their labour contracts in months.' })
  contractMonths?: number;
}

export class RegisterProgrammeLoanDto {
  @TextField({ example: 'JL-2026-0001', maxLength: 100, description: 'The bank’s own loan reference; unique per programme and bank.' })
  @IsNotEmpty()
  reference!: string;

  @CodeField({ example: 'CDBJL' })
  bankCode!: string;

  @CodeField({ example: '91220100MA0000000X' })
  borrowerCode!: string;

  @ApiProperty({ example: 'labour-cooperation-loan', description: 'The programme’s product (GET /v1/programmes/{code}).' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: '$property must be a product code' })
  product!: string;

  @MoneyField({ example: '5000000.00' })
  amount!: string;

  @RateField({ example: '0.03' })
  annualRate!: string;

  @IntField({ min: 1, max: 600, example: 36 })
  termMonths!: number;

  @DateField({ example: '2026-03-02' })
  contractDate!: string;

  @DateField({ example: '2026-03-02' })
  registeredOn!: string;

  @IntField({ optional: true, min: 0, max: 600, example: 36, description: 'The preferential-rate period in months (Jilin: at most 36).' })
  preferentialMonths?: number;

  @ApiPropertyOptional({
    example: { goodCredit: true },
    description: 'The bank’s statements the product asks for (its declarations), name → true/false.',
  })
  @IsOptional()
  @IsObject()
  @ValidateBy({
    name: 'isDeclarations',
    validator: {
      validate: (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length <= 50 && Object.values(v).every((x) => typeof x === 'boolean'),
      defaultMessage: () => 'declarations must be an object of name → true/false',
    },
  })
  declarations?: Record<string, boolean>;
}

export class ProgrammeQueryDto {
  @DateField({ optional: true, example: '2026-03-02', description: 'Show the version in force on this date (default: the latest).' })
  on?: string;
}

export class ProgrammeLoanQueryDto extends PageQueryDto {
  @CodeField({ optional: true })
  bankCode?: string;

  @CodeField({ optional: true })
  borrowerCode?: string;
}

export class GrantInputDto {
  @DateField({ optional: true, example: '2025-06-30', description: 'The date the grant is for (the measure’s period is checked).' })
  on?: string;

  @ApiPropertyOptional({ example: '123456.78', description: 'The base amount (share calculators).' })
  @IsOptional()
  amount?: unknown;

  @ApiPropertyOptional({ example: 7, description: 'Persons (per-person calculators).' })
  @IsOptional()
  persons?: unknown;

  @ApiPropertyOptional({ enum: SIZE_CLASSES, example: 'small' })
  @IsOptional()
  sizeClass?: unknown;
}
