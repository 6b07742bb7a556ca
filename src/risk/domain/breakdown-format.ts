import { D } from '../../common/money/decimal';
import type { Money } from '../../common/money/money';
import { fmtMoney } from '../../programme/domain/figures';
import type { Rate } from '../../common/money/rate';

/**
 * Formatting for breakdown texts only (never for API fields): amounts with thousands separators
 * ("1,500,000.00") and rates as percentages ("4.35%"), so a person can follow the arithmetic.
 * Money goes through the shared `fmtMoney` (programme/domain/figures); percentages accept a bare
 * Decimal too. String operations only; no number arithmetic touches the figures.
 */
export function formatCny(money: Money): string {
  return fmtMoney(money);
}

/** A rate or ratio as a percentage with its exact digits: 0.035 → "3.5%". */
export function formatPercent(rate: Rate | D): string {
  const value = rate instanceof D ? rate : rate.value;
  return `${value.times(100).toFixed()}%`;
}
