import { fmtMoney, fmtRate, fmtUnrounded } from '../format/figures';
import type { D } from './decimal';
import { Money } from './money';
import type { Rate } from './rate';

export interface SimpleInterestInput {
  principal: Money;
  /** Annual rate as a decimal fraction ("0.0435"). */
  annualRate: Rate;
  /** Actual calendar days the interest runs (ACT/basis). */
  days: number;
  /** Days in the year of the day count (360 for ACT/360). */
  dayCountBasis: number;
}

export interface SimpleInterest {
  /** principal × annualRate × days / dayCountBasis, unrounded. */
  exact: D;
  /** `exact` rounded half-up to the fen: the amount shown and used by the next step. */
  interest: Money;
  /**
   * The arithmetic for a breakdown, "3,000,000.00 × 116 × 0.0435 / 360 = 42,050.00 → 42,050.00":
   * the factors in the order asked, the unrounded result, the rounded amount. The caller adds its
   * own words before and after (e.g. "(half-up to the fen)").
   */
  text: string;
}

/**
 * In which order the text writes the days and the rate: RULES §4's formula reads
 * "principal × days × rate / 360" (`days-rate`); the interest subsidy's quarters have always been
 * written "principal × rate × days / 360" (`rate-days`). The figures do not depend on it.
 */
export type SimpleInterestFactorOrder = 'days-rate' | 'rate-days';

/**
 * Simple interest at a contract rate, rounded half-up to the fen (RULES §4 "Decision (money)";
 * B 第十二条: principal × (claimDate − interestUnpaidSince) × annualRate / 360):
 *
 *     interest = principal × annualRate × days / dayCountBasis     (half-up, fen)
 *
 * No penalty or compound interest; the product is exact (decimal.js, 40 significant digits) and
 * the one rounding is the shown amount's. The claims' compensation, the IP-pledge advance and the
 * interest subsidy's quarters (RULES §11, day count as §4) all compute their interest here.
 *
 * Worked example (RULES §4 case A): 3,000,000.00 × 116 × 0.0435 / 360 = 42,050.00 exactly.
 * Half-up: 1,000,000.00 × 116 × 0.0435 / 360 = 14,016.666… → 14,016.67.
 *
 * Throws (a programmer error) when days is not a whole number ≥ 0 or the basis not a whole number
 * > 0; callers check their dates first.
 */
export function simpleInterest(input: SimpleInterestInput, order: SimpleInterestFactorOrder = 'days-rate'): SimpleInterest {
  if (!Number.isInteger(input.days) || input.days < 0) throw new Error(`simpleInterest: days ${input.days} is not a whole number ≥ 0`);
  if (!Number.isInteger(input.dayCountBasis) || input.dayCountBasis <= 0) {
    throw new Error(`simpleInterest: day-count basis ${input.dayCountBasis} is not a whole number > 0`);
  }
  const exact = input.principal.times(input.annualRate).times(input.days).dividedBy(input.dayCountBasis);
  const interest = Money.round(exact);
  const factors =
    order === 'days-rate' ? `${input.days} × ${fmtRate(input.annualRate)}` : `${fmtRate(input.annualRate)} × ${input.days}`;
  return {
    exact,
    interest,
    text: `${fmtMoney(input.principal)} × ${factors} / ${input.dayCountBasis} = ${fmtUnrounded(exact)} → ${fmtMoney(interest)}`,
  };
}
