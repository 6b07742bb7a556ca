import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsIn, IsNotEmpty, IsOptional, IsUUID } from 'class-validator';
import { BoolField, CodeField, DateField, IntField, MoneyField, RateField, TextField } from '../common/http/fields';
import { PageQueryDto } from '../common/http/pagination';
import { ASSET_QUALITIES } from './bank-report-rows';
import { LOAN_SECURITIES, LoanSecurity } from './domain/loan-security';

export class RegisterLoanDto {
  @TextField({ example: 'ZZB-2025-000123', maxLength: 100, description: 'The bank’s own loan reference; unique per bank.' })
  @IsNotEmpty()
  reference!: string;

  @CodeField({ example: 'ZZBANK' })
  bankCode!: string;

  @CodeField({ example: 'HNGUAR' })
  agencyCode!: string;

  @CodeField({ example: '91410100MA44XXXX1K' })
  borrowerCode!: string;

  @MoneyField({ example: '3000000.00', description: 'Registered loan amount (CNY).' })
  amount!: string;

  @RateField({ example: '0.0435', description: 'Contract annual rate; at most the LPR benchmark × 1.3 (RULES §2).' })
  annualRate!: string;

  @IntField({ min: 1, max: 600, example: 12, description: 'Term in months; ≥ 12 unless a renewal.' })
  termMonths!: number;

  @DateField({ example: '2025-03-05', description: 'Contract date: fixes the LPR used for the rate cap.' })
  contractDate!: string;

  @DateField({ example: '2025-03-10', description: 'Registration (备案) date: fixes the policy version and the revenue year.' })
  registeredOn!: string;

  @ApiProperty({ enum: LOAN_SECURITIES, example: 'collateral' })
  @IsIn(LOAN_SECURITIES as unknown as string[])
  security!: LoanSecurity;

  @MoneyField({ example: '900000.00', description: 'Appraised value of the physical collateral; "0.00" when none.' })
  collateralValue!: string;

  @BoolField({ example: false, description: 'A single indivisible asset whose own value exceeds the 30% limit.' })
  singleAssetException!: boolean;

  @BoolField({ optional: true, example: false, description: 'A renewal (续贷) of a registered loan: may be shorter than 12 months.' })
  isRenewal?: boolean;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The registered loan this one renews (续贷): makes the registration a renewal (required with isRenewal: true).',
  })
  @IsOptional()
  @IsUUID()
  renewalOf?: string;

  @BoolField({
    optional: true,
    example: false,
    description: 'A renewal registered after the risk review (RULES §6): lets a bank or agency in the 4–6% band (suspended_new) register it.',
  })
  riskReviewed?: boolean;
}

export class LoanQueryDto extends PageQueryDto {
  @CodeField({ optional: true })
  bankCode?: string;

  @TextField({ optional: true, maxLength: 100, description: 'The bank’s own loan reference (with bankCode: one loan).' })
  reference?: string;

  @CodeField({ optional: true })
  agencyCode?: string;

  @CodeField({ optional: true })
  borrowerCode?: string;
}

export class DisbursementDto {
  @DateField({ example: '2025-03-12' })
  disbursedOn!: string;

  @MoneyField({ example: '3000000.00', description: 'At most the registered amount.' })
  amount!: string;
}

export class ConfirmationLetterDto {
  @DateField({ example: '2025-03-11', description: 'Date of the trustee’s confirmation letter (确认函).' })
  issuedOn!: string;
}

export class AgencyFeeDto {
  @MoneyField({ example: '30000.00', description: 'The fee charged (CNY).' })
  amount!: string;

  @DateField({ example: '2025-03-15' })
  chargedOn!: string;

  @IntField({ optional: true, min: 1, max: 600, example: 12, description: 'Months of service the fee pays for (default 12).' })
  periodMonths?: number;
}

export class ReportRowDto {
  @ApiProperty({ example: 'ZZB-2025-000123' }) loanReference!: string;
  @ApiProperty({ example: '2500000.00' }) outstandingPrincipal!: string;
  @ApiProperty({ example: '500000.00', description: 'Principal repaid in the quarter.' }) repaid!: string;
  @ApiProperty({ enum: ASSET_QUALITIES, example: 'normal' }) assetQuality!: string;
}

/** Documentation of the JSON form; the body is checked by the report validator (every bad row listed). */
export class BankReportDto {
  @ApiProperty({ example: 'ZZBANK' }) bankCode!: string;
  @ApiProperty({ example: '2025Q2' }) quarter!: string;
  @ApiProperty({ type: [ReportRowDto] })
  @IsArray()
  rows!: ReportRowDto[];
}

export class BankReportQueryDto {
  @CodeField({ optional: true, description: 'CSV uploads: the reporting bank.' })
  bankCode?: string;

  @ApiPropertyOptional({ example: '2025Q2', description: 'CSV uploads: the quarter reported.' })
  @IsOptional()
  quarter?: string;
}

export class BankReportListQueryDto {
  @CodeField({ description: 'The reporting bank.' })
  bankCode!: string;

  @ApiPropertyOptional({ example: '2025Q2' })
  @IsOptional()
  quarter?: string;
}

export class OutstandingQueryDto {
  @DateField({ optional: true, example: '2025-06-30', description: 'Balances as of this date.' })
  asOf?: string;

  @ApiPropertyOptional({ example: '2025Q2', description: 'Or as of this quarter’s last day.' })
  @IsOptional()
  quarter?: string;
}
