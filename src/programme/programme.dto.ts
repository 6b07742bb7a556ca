import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { BoolField, CodeField, DateField, IntField, MoneyField, RateField, TextField } from '../common/http/fields';
import { PageQueryDto } from '../common/http/pagination';
import { PARTY_STATUSES, type PartyStatus } from './domain/party-status';
import { QUALIFICATION_KINDS, type QualificationKind } from './domain/qualifications';

export class CreateBankDto {
  @CodeField({ example: 'ZZBANK', description: 'Stable code of the partner bank; bank tokens carry it as partyCode.' })
  code!: string;

  @TextField({ example: '郑州银行', maxLength: 200 })
  name!: string;

  @DateField({ example: '2021-10-30', optional: true, description: 'The date the bank joined the programme; its dormancy (RULES §6, 3 years without a disbursement) is counted from it. Default: the earliest tri-party agreement it signed.' })
  joinedOn?: string;
}

export class CreateAgencyDto {
  @CodeField({ example: 'HNGUAR', description: 'Stable code of the professional agency.' })
  code!: string;

  @TextField({ example: '河南省中豫融资担保', maxLength: 200 })
  name!: string;

  @RateField({ example: '0.01', description: 'Annual service-fee rate the agency charges (decimal fraction).' })
  feeRate!: string;

  @DateField({ example: '2021-09-01', description: 'Date the agency joined the programme.' })
  joinedOn!: string;
}

export class SetStatusDto {
  @ApiProperty({ enum: PARTY_STATUSES, example: 'suspended_new' })
  @IsIn(PARTY_STATUSES as unknown as string[])
  status!: PartyStatus;

  @TextField({ example: 'Loss rate 4.8% for 2025Q2 (RULES §6)', maxLength: 500 })
  reason!: string;

  @DateField({ example: '2025-07-25', description: 'The status applies to registrations on or after this date.' })
  since!: string;
}

export class CreateAgreementDto {
  @CodeField({ example: 'ZZBANK' })
  bankCode!: string;

  @CodeField({ example: 'HNGUAR' })
  agencyCode!: string;

  @DateField({ example: '2021-10-01' })
  signedOn!: string;
}

export class AgreementQueryDto extends PageQueryDto {
  @CodeField({ optional: true })
  bankCode?: string;

  @CodeField({ optional: true })
  agencyCode?: string;
}

export class RevenueDto {
  @IntField({ min: 1900, max: 2999, example: 2024, description: 'Tax year.' })
  year!: number;

  @MoneyField({ example: '18000000.00', description: 'Tax-declared revenue of that year (CNY).' })
  amount!: string;
}

export class QualificationDto {
  @ApiProperty({ enum: QUALIFICATION_KINDS, example: 'high_tech' })
  @IsIn(QUALIFICATION_KINDS as unknown as string[])
  kind!: QualificationKind;

  @DateField({ example: '2023-12-08', description: 'Issue date of the certificate, or first day of the tech-SME registration.' })
  validFrom!: string;

  @DateField({ optional: true, example: '2026-12-07', description: 'Last valid day; default: 3 years from issue (high-tech) or 31 December of its year (tech SME).' })
  validTo?: string;

  @TextField({ optional: true, maxLength: 100, example: 'GR202341001234', description: 'Certificate or registration number.' })
  reference?: string;
}

export class ResearchCooperationDto {
  @BoolField({ example: true, description: 'Substantive industry–university–research cooperation with a high-level university or research institute.' })
  researchCooperation!: boolean;
}

export class CreateBorrowerDto {
  @CodeField({ example: '91410100MA44XXXX1K', description: 'Unified social credit code or another stable id.' })
  code!: string;

  @TextField({ example: '郑州某某科技有限公司', maxLength: 200 })
  name!: string;

  @BoolField({ example: true, description: 'Certified high-tech enterprise (高新技术企业).' })
  highTech!: boolean;

  @BoolField({ example: false, description: 'Registered tech SME (科技型中小企业).' })
  techSme!: boolean;

  @ApiProperty({ type: [RevenueDto], example: [{ year: 2024, amount: '18000000.00' }] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RevenueDto)
  revenues!: RevenueDto[];

  @CodeField({ optional: true, example: 'GRP-ZZ01', description: 'Enterprise group; related enterprises share one agency.' })
  groupCode?: string;

  @ApiPropertyOptional({
    type: [QualificationDto],
    description: 'Dated qualifications (RULES §2). When given, registration checks validity on its date; without, the flags decide as before.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => QualificationDto)
  qualifications?: QualificationDto[];

  @BoolField({ optional: true, example: false, description: 'Research cooperation (henan-2025’s 80% category, RULES §11a). Default false.' })
  researchCooperation?: boolean;
}

export class AgencyChangeDto {
  @CodeField({ example: '91410100MA44XXXX1K', description: 'A borrower of the group whose agency changes.' })
  borrowerCode!: string;

  @CodeField({ example: 'HNGUAR' })
  fromAgencyCode!: string;

  @CodeField({ example: 'HNTECH' })
  toAgencyCode!: string;

  @DateField({ example: '2025-03-01' })
  approvedOn!: string;

  @MoneyField({
    example: '5000000.00',
    description: 'The credit line under the old agency: for one year the new line may not exceed it.',
  })
  previousCreditLine!: string;

  @TextField({ example: 'Agency withdrew from the county; trustee approved the change.', maxLength: 500 })
  reason!: string;
}

export class BankView {
  @ApiProperty({ example: 'ZZBANK' }) code!: string;
  @ApiProperty({ example: '郑州银行' }) name!: string;
  @ApiProperty({ enum: PARTY_STATUSES, example: 'active' }) status!: PartyStatus;
  @ApiPropertyOptional({ nullable: true, example: null }) statusReason!: string | null;
  @ApiPropertyOptional({ nullable: true, example: null }) statusSince!: string | null;
  @ApiProperty({ nullable: true, example: null, description: 'Latest loss rate stored by a quarter close; null until one ran.' })
  lossRate!: string | null;
  @ApiPropertyOptional({ nullable: true, example: null }) lossRateQuarter!: string | null;
  @ApiPropertyOptional({ nullable: true, example: '2021-10-30', description: 'When the party joined the programme (banks: null when not given).' })
  joinedOn?: string | null;
  @ApiPropertyOptional({
    description: 'The loss rate of every quarter a close computed (RULES §6): numerator parts, balance, rate, band, status before and after.',
    example: [{ quarter: '2025Q2', asOf: '2025-06-30', approved: '1818270.00', refunded: '0.00', writtenOff: '0.00', numerator: '1818270.00', balance: '36000000.00', rate: '0.0505075', rateShown: '5.0508%', band: 'warning', statusBefore: 'active', statusAfter: 'suspended_new' }],
  })
  lossRateHistory!: unknown[];
}

export class AgencyView extends BankView {
  @ApiProperty({ example: '0.01' }) feeRate!: string;
  @ApiProperty({ example: '2021-09-01' }) declare joinedOn: string;
}
