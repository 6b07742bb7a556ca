import { BomField, ExportLangField } from '../common/format/export-format';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { DateField, MoneyField, SignedMoneyField, TextField } from '../common/http/fields';
import { PageQueryDto } from '../common/http/pagination';
import { ACCOUNT_TYPES, AccountType, SIDES, Side } from './domain/accounts';
import { MAX_LINES } from './domain/entry';

const BOOK_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

function BookField(optional = false) {
  return applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ example: 'reserve', pattern: BOOK_PATTERN.source, description: 'Book code.' }),
    ...(optional ? [IsOptional()] : []),
    IsString(),
    Matches(BOOK_PATTERN, { message: '$property must be a book code such as "reserve"' }),
  );
}

function AccountCodeField() {
  return applyDecorators(
    ApiProperty({ example: 'reserve:deposit:BANK01', description: 'Hierarchical account code, starting with its book.' }),
    IsString(),
    MaxLength(300),
  );
}

export class CreateBookDto {
  @BookField()
  code!: string;

  @TextField({ optional: true, maxLength: 200, example: 'Agency margins' })
  name?: string;
}

export class CreateAccountDto {
  @BookField()
  book!: string;

  @AccountCodeField()
  code!: string;

  @TextField({ maxLength: 200, example: 'Reserve deposit at BANK01' })
  name!: string;

  @ApiProperty({ enum: ACCOUNT_TYPES, example: 'asset' })
  @IsIn(ACCOUNT_TYPES as unknown as string[])
  type!: AccountType;

  @ApiPropertyOptional({ enum: SIDES, description: 'Defaults to the type’s normal side (asset, expense: debit; others: credit).' })
  @IsOptional()
  @IsIn(SIDES as unknown as string[])
  normalSide?: Side;

  @SignedMoneyField({ optional: true, example: '0.00', description: 'The balance, on the normal side, may never go below it.' })
  floor?: string;
}

export class LinkDto {
  @TextField({ maxLength: 100, example: 'claim' })
  type!: string;

  @TextField({ maxLength: 200, example: '5f0c6a1e-1b2c-4d3e-8f9a-0b1c2d3e4f5a' })
  id!: string;
}

export class LineDto {
  @AccountCodeField()
  account!: string;

  @MoneyField({ optional: true, example: '100.00' })
  debit?: string;

  @MoneyField({ optional: true, example: undefined })
  credit?: string;
}

export class CreateEntryDto {
  @BookField()
  book!: string;

  @DateField({ example: '2025-07-15', description: 'Business (effective) date.' })
  effectiveDate!: string;

  @TextField({ maxLength: 2000, example: 'Appropriation deposited at BANK01' })
  memo!: string;

  @ApiProperty({
    type: [LineDto],
    example: [
      { account: 'reserve:deposit:BANK01', debit: '100.00' },
      { account: 'reserve:capital', credit: '100.00' },
    ],
  })
  @IsArray()
  @ArrayMaxSize(MAX_LINES)
  @ValidateNested({ each: true })
  @Type(() => LineDto)
  lines!: LineDto[];

  @ApiPropertyOptional({ type: LinkDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => LinkDto)
  link?: LinkDto;
}

export class CreateEntriesBatchDto {
  @ApiProperty({ type: [CreateEntryDto], description: 'Posted in order, all or nothing (at most 1000).' })
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => CreateEntryDto)
  entries!: CreateEntryDto[];
}

export class ReverseEntryDto {
  @DateField({ example: '2025-07-20' })
  effectiveDate!: string;

  @TextField({ maxLength: 2000, example: 'Reversal: posted to the wrong bank' })
  memo!: string;
}

export class ClosePeriodDto {
  @BookField()
  book!: string;
}

export class BalanceQueryDto {
  @BookField(true)
  book?: string;

  @DateField({ optional: true, description: 'Balance as of the end of this business date; omitted: current.' })
  asOf?: string;
}

export class StatementQueryDto extends PageQueryDto {
  @BookField(true)
  book?: string;

  @DateField({ optional: true })
  from?: string;

  @DateField({ optional: true })
  to?: string;
}

export class AccountsQueryDto extends PageQueryDto {
  @BookField()
  book!: string;

  @ApiPropertyOptional({ example: 'reserve:deposit', description: 'Only codes starting with this.' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  prefix?: string;
}

export class EntriesQueryDto extends PageQueryDto {
  @BookField()
  book!: string;

  @DateField({ optional: true })
  from?: string;

  @DateField({ optional: true })
  to?: string;
}

/** `full=true|false` in a query string (text) as a boolean; anything else is left for IsBoolean to refuse. */
function queryBoolean({ value }: { value: unknown }): unknown {
  return value === 'true' ? true : value === 'false' ? false : value;
}

export class VerifyQueryDto {
  @BookField()
  book!: string;

  @ApiPropertyOptional({
    type: Boolean,
    example: false,
    description: 'true: walk the whole chain; default: only the entries posted since the last verified head (balance rows are always all checked).',
  })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  full?: boolean;
}

export class TrialBalanceQueryDto {
  @BookField()
  book!: string;

  @DateField({ optional: true, description: 'As of the end of this business date; omitted: current.' })
  asOf?: string;
}

export class ExportQueryDto {
  @BookField()
  book!: string;

  @ApiProperty({ enum: ['csv', 'xlsx'], example: 'csv' })
  @IsIn(['csv', 'xlsx'])
  format!: 'csv' | 'xlsx';

  @ApiPropertyOptional({ enum: ['journal', 'trial-balance'], example: 'journal', description: 'Default: journal.' })
  @IsOptional()
  @IsIn(['journal', 'trial-balance'])
  report?: 'journal' | 'trial-balance';

  @DateField({ optional: true, description: 'Trial balance only: as of this business date.' })
  asOf?: string;

  @ExportLangField()
  lang?: string;

  @BomField()
  bom?: boolean;
}
