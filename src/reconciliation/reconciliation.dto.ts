import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { CodeField, DateField, IntQuery, SignedMoneyField, TextField } from '../common/http/fields';
import { PageQueryDto } from '../common/http/pagination';

/** Query parameters of a statement upload (CSV and multipart; a JSON body carries them itself, except windowDays and dryRun). */
export class StatementQueryDto {
  @CodeField({ optional: true, description: 'CSV: the bank whose reserve account the statement is of.' })
  bankCode?: string;

  @TextField({ optional: true, maxLength: 64, description: 'CSV: the number of the reserve account the statement is of (default: the bank’s current account).' })
  accountNumber?: string;

  @DateField({ optional: true, description: 'CSV: first day of the statement period.' })
  from?: string;

  @DateField({ optional: true, description: 'CSV: last day of the statement period.' })
  to?: string;

  @SignedMoneyField({ optional: true, description: 'CSV: opening balance (default: implied by the 余额/balance column).' })
  openingBalance?: string;

  @SignedMoneyField({ optional: true, description: 'CSV: closing balance (default: the last 余额/balance).' })
  closingBalance?: string;

  @IntQuery({ min: 0, max: 30, description: 'Matching date window in working days (default 3).' })
  windowDays?: number;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: show what would match; nothing is stored.' })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: string;
}

export class ManualMatchDto {
  @ApiPropertyOptional({ type: [Number], description: 'Statement line ids (their position in the statement).', example: [3] })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  statementLines!: number[];

  @ApiPropertyOptional({ type: [String], description: 'Ledger entries (their line on the account), or `entryId#lineNo`.' })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(#[0-9]{1,4})?$/i, { each: true, message: 'each entry must be an entry id or entryId#lineNo' })
  entries!: string[];

  @TextField({ maxLength: 500, description: 'Why these lines are the same movement.' })
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

export class ReasonDto {
  @TextField({ maxLength: 500 })
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

export class ProposeCorrectionDto {
  @ApiPropertyOptional({ description: 'An unmatched statement line to book.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  statementLine?: number;

  @ApiPropertyOptional({ description: 'A match whose sides differ: book the difference.' })
  @IsOptional()
  @IsUUID()
  matchId?: string;

  @ApiPropertyOptional({ description: 'Counter account in the reserve book (default reserve:bank-charges for money out, reserve:interest for money in).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^reserve:[A-Za-z0-9:_-]+$/, { message: 'counterAccount must be an account code of the reserve book' })
  counterAccount?: string;

  @TextField({ maxLength: 400 })
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

export class ReportQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'] })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx'])
  format?: string;
}

export class InstructionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'done', 'matched'] })
  @IsOptional()
  @IsIn(['pending', 'done', 'matched'])
  status?: string;

  @CodeField({ optional: true })
  bankCode?: string;

  @ApiPropertyOptional({ description: 'payout, placement, custody-fee, refund, appropriation, interest, correction, reversal, other' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  kind?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'] })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx'])
  format?: string;
}

export class DoneDto {
  @DateField({ description: 'The day the transfer was made at the bank.' })
  doneOn!: string;
}

export class ReconciliationsQueryDto extends PageQueryDto {
  @CodeField({ optional: true })
  bankCode?: string;

  @ApiPropertyOptional({ enum: ['open', 'closed'] })
  @IsOptional()
  @IsIn(['open', 'closed'])
  status?: string;
}

export class ReconciliationViewQueryDto {
  @ApiPropertyOptional({ enum: ['all', 'unmatched', 'none'], description: 'Which lines to list (default all; a 100,000-line statement is a large answer): unmatched lists only the unmatched lines of both sides and no matches; none only the figures.' })
  @IsOptional()
  @IsIn(['all', 'unmatched', 'none'])
  lines?: 'all' | 'unmatched' | 'none';
}
