import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney, formatPercent } from '../../common/format/figures';
import { D } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import { addMonths, parseIsoDate } from '../../common/calendar/iso-date';

/** Policy parameters of the business-margin requirement (RULES §7). */
export type MarginRequirementPolicy = Pick<
  PolicyVersion,
  | 'marginRequirementStandard'
  | 'marginRequirementReduced'
  | 'marginReducedMinYears'
  | 'marginReducedLossRateBelow'
>;

export interface MarginRequirementInput {
  /** Balance of the loans the agency reviewed at the end of the previous quarter. */
  reviewedBalancePreviousQuarter: Money;
  /** The agency's annual fee rate ("0.01"). */
  feeRateAnnual: Rate;
  /** Date the agency joined the programme. */
  joinedOn: string;
  /** The date the requirement applies (normally the 10th of the quarter's first month). */
  asOf: string;
  /**
   * The agency's latest published loss rate (RULES §6, 8 decimals), or null when it is undefined
   * (zero balance with a positive net compensation: counts as severe, so never "below 2%").
   */
  lossRate: Rate | null;
  /** Current margin balance, for the excess / shortfall. */
  marginBalance: Money;
}

export interface MarginRequirementResult {
  /** balance × fee rate, rounded half-up to the fen. */
  feesReceivable: Money;
  /** Whether the agency is more than N years in the programme on asOf. */
  moreThanMinYears: boolean;
  /** Whether the loss rate is strictly below the reduced-requirement threshold. */
  lossRateBelowThreshold: boolean;
  reduced: boolean;
  ratio: Rate;
  /** ratio × fees receivable, rounded half-up to the fen. */
  requirement: Money;
  /** max(0, balance − requirement): may be withdrawn after the 10th. */
  excessWithdrawable: Money;
  /** max(0, requirement − balance): must be paid in. */
  shortfall: Money;
  breakdown: BreakdownStep[];
}

/**
 * The business margin an agency must hold this quarter, and its excess or shortfall.
 *
 * RULES §7; A 第十八条(三): by the 10th of the quarter's first month the margin must reach 30% of
 * the fees receivable on the previous quarter's reviewed balance; 20% for an agency MORE than 3
 * years in the programme whose loss rate is BELOW 2%. Decision: fees receivable = balance × the
 * agency's annual fee rate.
 *
 * Readings: "more than 3 years" = asOf strictly after joinedOn + 3 years (month-end clamped), so on
 * the third anniversary itself the standard ratio still applies. "Below 2%" is strict: exactly 2%
 * gets the standard ratio. An undefined loss rate (null) is never below.
 * Rounding: fees receivable and the requirement are amounts shown to the agency, each rounded
 * half-up to the fen; the requirement uses the rounded fees receivable.
 *
 * Worked example: reviewed balance 100,000,000.00 × 1% = fees receivable 1,000,000.00; joined
 * 2020-01-01, as of 2025-01-10 (more than 3 years), loss rate 1.5% < 2% → ratio 20% →
 * requirement 200,000.00; margin 250,000.00 → excess 50,000.00, shortfall 0.00.
 */
export function computeMarginRequirement(
  input: MarginRequirementInput,
  policy: MarginRequirementPolicy,
): MarginRequirementResult {
  parseIsoDate(input.joinedOn, 'joinedOn');
  parseIsoDate(input.asOf, 'asOf');
  const rule = 'RULES §7; A 第十八条(三)';
  const breakdown: BreakdownStep[] = [];

  const feesReceivable = input.reviewedBalancePreviousQuarter.timesRounded(input.feeRateAnnual);
  breakdown.push({
    rule,
    text:
      `Fees receivable = previous quarter's reviewed balance ${fmtMoney(input.reviewedBalancePreviousQuarter)} × ` +
      `annual fee rate ${formatPercent(input.feeRateAnnual)} = ${fmtMoney(feesReceivable)} (rounded half-up to the fen)`,
    value: feesReceivable.toString(),
  });

  const anniversary = addMonths(input.joinedOn, policy.marginReducedMinYears * 12);
  const moreThanMinYears = input.asOf > anniversary;
  breakdown.push({
    rule,
    text: moreThanMinYears
      ? `Joined ${input.joinedOn}; as of ${input.asOf} is after ${anniversary}: more than ${policy.marginReducedMinYears} years in the programme`
      : `Joined ${input.joinedOn}; as of ${input.asOf} is not after ${anniversary}: not more than ${policy.marginReducedMinYears} years in the programme`,
  });

  const threshold = new D(policy.marginReducedLossRateBelow);
  const lossRateBelowThreshold =
    input.lossRate !== null && input.lossRate.value.lessThan(threshold);
  breakdown.push({
    rule,
    text:
      input.lossRate === null
        ? `Loss rate undefined (zero balance with net compensation): counts as severe, not below ${formatPercent(threshold)}`
        : `Loss rate ${formatPercent(input.lossRate)} ${lossRateBelowThreshold ? '<' : '≥'} ${formatPercent(threshold)}`,
  });

  const reduced = moreThanMinYears && lossRateBelowThreshold;
  const ratio = Rate.of(
    reduced ? policy.marginRequirementReduced : policy.marginRequirementStandard,
  );
  const requirement = feesReceivable.timesRounded(ratio);
  breakdown.push({
    rule,
    text:
      `${reduced ? 'Reduced' : 'Standard'} ratio ${formatPercent(ratio)}: requirement = ${fmtMoney(feesReceivable)} × ` +
      `${formatPercent(ratio)} = ${fmtMoney(requirement)} (rounded half-up to the fen)`,
    value: requirement.toString(),
  });

  const excessWithdrawable = input.marginBalance.minus(requirement).max(Money.ZERO);
  const shortfall = requirement.minus(input.marginBalance).max(Money.ZERO);
  breakdown.push({
    rule,
    text: shortfall.isPositive()
      ? `Margin balance ${fmtMoney(input.marginBalance)} < requirement: shortfall ${fmtMoney(requirement)} − ${fmtMoney(input.marginBalance)} = ${fmtMoney(shortfall)}`
      : `Margin balance ${fmtMoney(input.marginBalance)} ≥ requirement: excess withdrawable after the 10th ${fmtMoney(input.marginBalance)} − ${fmtMoney(requirement)} = ${fmtMoney(excessWithdrawable)}`,
    value: shortfall.isPositive() ? shortfall.toString() : excessWithdrawable.toString(),
  });

  return {
    feesReceivable,
    moreThanMinYears,
    lossRateBelowThreshold,
    reduced,
    ratio,
    requirement,
    excessWithdrawable,
    shortfall,
    breakdown,
  };
}
