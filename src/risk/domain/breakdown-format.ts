import { D } from '../../common/money/decimal';
import type { Money } from '../../common/money/money';
import type { Rate } from '../../common/money/rate';

/**
 * Formatting for breakdown texts only (never for API fields): amounts with thousands separators
 * ("1,500,000.00") and rates as percentages ("4.35%"), so a person can follow the arithmetic.
 * String operations only; no number arithmetic touches the figures.
 */
export function formatCny(money: Money): string {
  const text = money.toString();
  const negative = text.startsWith('-');
  const [integerPart, fraction] = (negative ? text.slice(1) : text).split('.');
  const grouped = integerPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}.${fraction}`;
}

/** A rate or ratio as a percentage with its exact digits: 0.035 → "3.5%". */
export function formatPercent(rate: Rate | D): string {
  const value = rate instanceof D ? rate : rate.value;
  return `${value.times(100).toFixed()}%`;
}
