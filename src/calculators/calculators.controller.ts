import { NotAWrite } from '../common/http/audit-export';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { toMarginDeductionResponse, computeMarginDeduction } from '../agencies/domain/margin-deduction.calculator';
import { compensationCalculator } from '../claims/domain/compensation.calculator';
import { recoveryRefund } from '../claims/domain/recovery-refund.calculator';
import { Clock } from '../common/clock/clock';
import { Money } from '../common/money/money';
import { Rate } from '../common/money/rate';
import { PolicyService } from '../programme/policy.service';
import { CompensationCalculatorDto, MarginDeductionCalculatorDto, RecoveryRefundCalculatorDto } from './calculators.dto';

/**
 * How stale the calculator's policy versions may be when another instance loaded one (issue 16:
 * the per-request count of policy_versions was the calculator's only database statement).
 */
const POLICY_RECHECK_MS = 1_000;

/**
 * The pure calculators of API.md: nothing is read or written but the policy in force. Banks use
 * them to see what a claim would bring before filing it.
 */
@ApiTags('Calculators')
@ApiBearerAuth()
@NotAWrite()
@Controller('v1/calculators')
export class CalculatorsController {
  constructor(
    private readonly policies: PolicyService,
    private readonly clock: Clock,
  ) {}

  @Post('compensation')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Loss and compensation of a would-be claim (RULES §3, §4).',
    description:
      'Ratio from revenue, security, term and research cooperation; the claim trigger (two calendar months overdue, or a lawsuit accepted); loss = principal × (1 + days × rate / 360), rounded to the fen; compensation = loss × ratio, capped at 5,000,000.00. Uses the policy version in force on registeredOn (the loan’s registration date; default claimDate) and names it in policyVersion (RULES §11a).',
  })
  @ApiOkResponse({
    schema: {
      example: {
        eligible: true,
        eligibleFrom: '2025-07-10',
        ratio: '0.60',
        policyVersion: 'henan-2025',
        lossAmount: '3042050.00',
        compensation: '1825230.00',
        capped: false,
        days: 116,
        breakdown: [{ rule: 'RULES §4; B 第十二条', text: '…', value: '3042050.00' }],
      },
    },
  })
  async compensation(@Body() dto: CompensationCalculatorDto) {
    // A what-if calculation: the versions are re-checked at most once a second (PolicyService.ensureFreshWithin).
    await this.policies.ensureFreshWithin(POLICY_RECHECK_MS);
    return compensationCalculator(
      {
        principal: Money.parse(dto.principal),
        annualRate: Rate.parse(dto.annualRate),
        interestUnpaidSince: dto.interestUnpaidSince,
        claimDate: dto.claimDate,
        revenue: Money.parse(dto.revenue),
        security: dto.security,
        termMonths: dto.termMonths,
        principalOverdueSince: dto.principalOverdueSince ?? null,
        lawsuitAcceptedOn: dto.lawsuitAcceptedOn ?? null,
        researchCooperation: dto.researchCooperation ?? false,
      },
      this.policies.versionFor(dto.registeredOn ?? dto.claimDate),
    );
  }

  @Post('margin-deduction')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Progressive agency margin deduction for an approved compensation (RULES §7, marginal reading).',
  })
  @ApiOkResponse({
    schema: {
      example: {
        deduction: '300000.00',
        lossRateBefore: '0.015',
        lossRateAfter: '0.035',
        bands: [{ from: '0.02', to: '0.04', amount: '1500000.00', share: '0.20', deduction: '300000.00' }],
      },
    },
  })
  marginDeduction(@Body() dto: MarginDeductionCalculatorDto) {
    const result = computeMarginDeduction(
      {
        reviewedBalance: Money.parse(dto.reviewedBalance),
        priorNetCompensation: Money.parse(dto.priorNetCompensation),
        compensation: Money.parse(dto.compensation),
      },
      this.policies.versionFor(this.clock.today()),
    );
    return { ...toMarginDeductionResponse(result), breakdown: result.breakdown };
  }

  @Post('recovery-refund')
  @HttpCode(200)
  @ApiOperation({ summary: 'Refund to the reserve after a recovery (RULES §5), with the cumulative cap.' })
  @ApiOkResponse({ schema: { example: { refund: '570000.00', net: '950000.00', capped: false } } })
  recoveryRefund(@Body() dto: RecoveryRefundCalculatorDto) {
    const result = recoveryRefund({
      recovered: Money.parse(dto.recovered),
      agreedCosts: Money.parse(dto.agreedCosts),
      compensationPaid: Money.parse(dto.compensationPaid),
      lossAmount: Money.parse(dto.lossAmount),
      refundedSoFar: Money.parse(dto.refundedSoFar ?? '0.00'),
      ...(dto.netRecoveredSoFar != null ? { netRecoveredSoFar: Money.parse(dto.netRecoveredSoFar) } : {}),
    });
    return {
      refund: result.refund.toString(),
      net: result.net.toString(),
      uncappedRefund: result.uncappedRefund.toString(),
      refundableRemaining: result.refundableRemaining.toString(),
      capped: result.capped,
      breakdown: result.breakdown,
    };
  }
}
