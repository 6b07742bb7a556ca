import { BomField, ExportLangField } from '../common/format/export-format';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../common/http/pagination';
import { BoolField, CodeField, DateField, MoneyField, TextField } from '../common/http/fields';
import { Transform } from 'class-transformer';
import { CLAIM_STATUSES, ClaimStatus } from './claim.entity';

export class FileClaimDto {
  @ApiProperty({ format: 'uuid', example: '5b0c7a52-52d8-4f62-9d53-0b6b2a1f7c11' })
  @IsUUID()
  loanId!: string;

  @DateField({ example: '2025-07-15', description: 'The claim date: interest is counted up to it.' })
  claimDate!: string;

  @MoneyField({ example: '3000000.00', description: 'Outstanding principal on the claim date.' })
  outstandingPrincipal!: string;

  @DateField({ example: '2025-03-21' })
  interestUnpaidSince!: string;

  @DateField({ optional: true, nullable: true, example: '2025-05-10', description: 'Trigger: two calendar months overdue (RULES §4).' })
  principalOverdueSince?: string | null;

  @DateField({ optional: true, nullable: true, example: null, description: 'Trigger: a court accepted the bank’s lawsuit.' })
  lawsuitAcceptedOn?: string | null;
}

export class ReviewClaimDto {
  @ApiProperty({ enum: ['recommend', 'reject'], example: 'recommend' })
  @IsIn(['recommend', 'reject'])
  decision!: 'recommend' | 'reject';

  @TextField({ optional: true, nullable: true, maxLength: 2000, description: 'Required for a rejection.' })
  reason?: string | null;

  @DateField({ optional: true, description: 'Defaults to today.', example: '2025-07-25' })
  reviewedOn?: string;
}

export class ApprovalBatchDto {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  claimIds!: string[];

  @DateField({ example: '2025-09-30' })
  approvedOn!: string;
}

export class PayoutDto {
  @DateField({ example: '2025-10-10' })
  paidOn!: string;
}

export class ReceiptDto {
  @DateField({ example: '2025-10-12' })
  receivedOn!: string;
}

export class RecoveryDto {
  @DateField({ example: '2026-03-01', description: 'The day the disposal closed.' })
  recoveredOn!: string;

  @MoneyField({ example: '1000000.00' })
  recovered!: string;

  @MoneyField({ example: '50000.00', description: 'Costs all parties agreed to deduct.' })
  agreedCosts!: string;
}

export class RefundedDto {
  @DateField({ example: '2026-03-15' })
  refundedOn!: string;
}

export class WriteOffDto {
  @DateField({ example: '2026-12-31' })
  writtenOffOn!: string;
}

export class ListClaimsQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: CLAIM_STATUSES })
  @IsOptional()
  @IsIn(CLAIM_STATUSES as unknown as string[])
  status?: ClaimStatus;

  @CodeField({ optional: true })
  bankCode?: string;

  @CodeField({ optional: true })
  agencyCode?: string;

  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @BoolField({ optional: true, description: 'Only claims whose expert review is past its due date.' })
  reviewOverdue?: boolean;
}

export class StatementQuery {
  @CodeField({ example: 'BANK01' })
  bankCode!: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'] })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';

  @ExportLangField()
  lang?: string;

  @BomField()
  bom?: boolean;
}
