import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { BoolField, DateField, IntField, MoneyField, RateField } from '../common/http/fields';
import { LOAN_SECURITIES, LoanSecurity } from '../loans/domain/loan-security';

export class CompensationCalculatorDto {
  @MoneyField({ description: 'Outstanding principal of the loan (CNY).', example: '3000000.00' })
  principal!: string;

  @RateField({ description: 'Contract annual rate as a decimal fraction.', example: '0.0435' })
  annualRate!: string;

  @DateField({ description: 'Interest unpaid since this date.', example: '2025-03-21' })
  interestUnpaidSince!: string;

  @DateField({ description: 'The date of the (would-be) claim.', example: '2025-07-15' })
  claimDate!: string;

  @MoneyField({ description: 'Prior-year tax-declared revenue of the borrower (CNY).', example: '18000000.00' })
  revenue!: string;

  @ApiProperty({ enum: LOAN_SECURITIES, example: 'collateral' })
  @IsIn(LOAN_SECURITIES as unknown as string[])
  security!: LoanSecurity;

  @IntField({ min: 1, max: 600, description: 'Loan term in months.', example: 12 })
  termMonths!: number;

  @DateField({ optional: true, nullable: true, description: 'Principal overdue since (trigger: + 2 months).', example: '2025-05-10' })
  principalOverdueSince?: string | null;

  @DateField({ optional: true, nullable: true, description: 'Date a court accepted the bank’s lawsuit.', example: null })
  lawsuitAcceptedOn?: string | null;

  @DateField({
    optional: true,
    example: '2024-06-10',
    description: 'The loan’s registration date: the policy version in force then applies (RULES §11a). Default: the claim date.',
  })
  registeredOn?: string;

  @BoolField({ optional: true, example: false, description: 'Research cooperation (henan-2025’s 80% category). Default false.' })
  researchCooperation?: boolean;
}

export class MarginDeductionCalculatorDto {
  @MoneyField({ description: 'Outstanding balance of the loans the agency reviewed.', example: '100000000.00' })
  reviewedBalance!: string;

  @MoneyField({ description: 'Agency net compensation before this claim (approved − refunded − written off).', example: '1500000.00' })
  priorNetCompensation!: string;

  @MoneyField({ description: 'The newly approved compensation.', example: '2000000.00' })
  compensation!: string;
}

export class RecoveryRefundCalculatorDto {
  @MoneyField({ example: '1000000.00' })
  recovered!: string;

  @MoneyField({ example: '50000.00' })
  agreedCosts!: string;

  @MoneyField({ example: '1860000.00' })
  compensationPaid!: string;

  @MoneyField({ example: '3100000.00' })
  lossAmount!: string;

  @MoneyField({ optional: true, example: '0.00', description: 'Refunds already made on this claim (default 0.00).' })
  refundedSoFar?: string;

  @MoneyField({
    optional: true,
    example: '0.00',
    description: 'Net recoveries before this one (negative ones as 0). When given, the refund is the cumulative one of RULES §5.',
  })
  netRecoveredSoFar?: string;
}
