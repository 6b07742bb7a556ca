import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { CodeField, DateField, MoneyField, TextField } from '../common/http/fields';

export class FilePledgeClaimDto {
  @DateField({ example: '2025-07-15', description: 'The claim date (default of the loan): interest is counted up to it.' })
  claimDate!: string;

  @MoneyField({ example: '1000000.00', description: 'Outstanding principal at default.' })
  outstandingPrincipal!: string;

  @DateField({ example: '2025-03-21' })
  interestUnpaidSince!: string;
}

export class ReviewPledgeClaimDto {
  @ApiProperty({ enum: ['recommend', 'reject'], example: 'recommend' })
  @IsIn(['recommend', 'reject'])
  decision!: 'recommend' | 'reject';

  @TextField({ optional: true, nullable: true, maxLength: 2000, description: 'Required for a rejection.' })
  reason?: string | null;

  @DateField({ example: '2025-07-20' })
  reviewedOn!: string;
}

export class ApprovePledgeClaimDto {
  @DateField({ example: '2025-07-25' })
  approvedOn!: string;
}

export class PayAdvanceDto {
  @DateField({ example: '2025-07-28' })
  paidOn!: string;
}

export class SettlePledgeClaimDto {
  @DateField({ example: '2025-11-20', description: 'The day the pledged IP was sold.' })
  soldOn!: string;

  @MoneyField({ example: '300000.00', description: 'What the pledge sold for.' })
  proceeds!: string;

  @MoneyField({ example: '20000.00', description: 'Disposal costs all parties agreed.' })
  disposalCosts!: string;
}

export class CloseSettlementDto {
  @DateField({ example: '2025-12-05', description: 'The day the refund arrived in the fund, or the top-up was paid.' })
  movedOn!: string;
}

export class GrantSubsidyDto {
  @DateField({ example: '2025-06-20' })
  grantedOn!: string;

  @DateField({ optional: true, nullable: true, example: '2025-06-15', description: 'First subsidised day; default the disbursement date.' })
  startsOn?: string | null;

  @DateField({ optional: true, nullable: true, example: '2026-06-15', description: 'The day after the last subsidised day; default the maturity (disbursement + term).' })
  endsOn?: string | null;
}

export class ClaimSubsidyQuarterDto {
  @DateField({ example: '2025-10-08', description: 'On or after the day after the quarter’s last subsidised day.' })
  claimedOn!: string;

  @MoneyField({ example: '2000000.00', description: 'Principal outstanding during the quarter (at most the subsidised principal).' })
  principalOutstanding!: string;
}

export class PaySubsidyQuarterDto {
  @DateField({ example: '2025-10-15' })
  paidOn!: string;
}

export class FlowFundingDto {
  @MoneyField({ example: '5000000.00' })
  amount!: string;

  @DateField({ example: '2025-01-15' })
  fundedOn!: string;

  @CodeField({ example: 'XX-2025-01', description: 'The appropriation’s reference; once per fund.' })
  reference!: string;
}

export class FlowFundQuery {
  @DateField({ optional: true, example: '2025-12-31' })
  asOf?: string;
}
