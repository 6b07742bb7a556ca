import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney, formatPercent } from '../../common/format/figures';
import { DomainError } from '../../common/errors/domain-error';
import { D } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import { RESERVE_ERRORS } from './reserve.errors';

export type ReserveBandPolicy = Pick<PolicyVersion, 'reserveBandMin' | 'reserveBandMax'>;

export interface ReserveBandInput {
  /** The tech-loan outstanding balance across all partner banks. */
  outstandingBalance: Money;
  /** The reserve's current size (sum of all reserve accounts). */
  currentTotal: Money;
}

export interface ReserveBandResult {
  /** min rate × balance, rounded half-up to the fen. */
  min: Money;
  /** max rate × balance, rounded half-up to the fen. */
  max: Money;
  /** max(0, min − current): to budget for. */
  topUp: Money;
  /** max(0, current − max): above the band. */
  excess: Money;
  withinBand: boolean;
  breakdown: BreakdownStep[];
}

/**
 * The reserve's target band and the top-up or excess, for the annual budget.
 *
 * RULES §8; R 第七条, S 二(一)1: the reserve is between 10% and 15% of the outstanding tech-loan
 * balance (policy `reserveBandMin` / `reserveBandMax`). Both edges are rounded half-up to the fen;
 * topUp = max(0, min − current), excess = max(0, current − max). At most one is positive.
 *
 * Worked example: balance 3,000,000,000.00, reserve 280,000,000.00 → min 300,000,000.00,
 * max 450,000,000.00, top-up 20,000,000.00, excess 0.00.
 */
export function computeReserveBand(
  input: ReserveBandInput,
  policy: ReserveBandPolicy,
): ReserveBandResult {
  if (input.outstandingBalance.isNegative() || input.currentTotal.isNegative()) {
    throw DomainError.invalid(RESERVE_ERRORS.NEGATIVE_AMOUNT, 'Balances must not be negative.');
  }
  const rule = 'RULES §8; R 第七条';
  const minRate = new D(policy.reserveBandMin);
  const maxRate = new D(policy.reserveBandMax);
  const min = input.outstandingBalance.timesRounded(minRate);
  const max = input.outstandingBalance.timesRounded(maxRate);
  const topUp = min.minus(input.currentTotal).max(Money.ZERO);
  const excess = input.currentTotal.minus(max).max(Money.ZERO);
  const breakdown: BreakdownStep[] = [
    {
      rule,
      text: `Band min = ${fmtMoney(input.outstandingBalance)} × ${formatPercent(minRate)} = ${fmtMoney(min)} (rounded half-up to the fen)`,
      value: min.toString(),
    },
    {
      rule,
      text: `Band max = ${fmtMoney(input.outstandingBalance)} × ${formatPercent(maxRate)} = ${fmtMoney(max)} (rounded half-up to the fen)`,
      value: max.toString(),
    },
    {
      rule,
      text: topUp.isPositive()
        ? `Reserve ${fmtMoney(input.currentTotal)} < min: top-up ${fmtMoney(min)} − ${fmtMoney(input.currentTotal)} = ${fmtMoney(topUp)}`
        : excess.isPositive()
          ? `Reserve ${fmtMoney(input.currentTotal)} > max: excess ${fmtMoney(input.currentTotal)} − ${fmtMoney(max)} = ${fmtMoney(excess)}`
          : `Reserve ${fmtMoney(input.currentTotal)} is within the band: no top-up, no excess`,
      value: topUp.isPositive() ? topUp.toString() : excess.toString(),
    },
  ];
  return { min, max, topUp, excess, withinBand: topUp.isZero() && excess.isZero(), breakdown };
}
