import { D } from '../money/decimal';
import type { Money } from '../money/money';
import type { Rate } from '../money/rate';

/**
 * How figures are written in breakdowns, so a bank or an auditor can redo the arithmetic by hand:
 * money with thousands separators and exactly 2 decimals ("3,042,050.00"), rates as exact decimal
 * fractions ("0.0435") or percentages ("4.35%"). Pure formatting, never used for arithmetic; every
 * module's rules (domain/) and services write their figures through these, so one figure reads the
 * same in every breakdown.
 */
export function groupThousands(fixed: string): string {
  const negative = fixed.startsWith('-');
  const body = negative ? fixed.slice(1) : fixed;
  const [int, frac] = body.split('.');
  const grouped = int.replace(/\B(?=([0-9]{3})+(?![0-9]))/g, ',');
  return `${negative ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

/** "3,042,050.00" */
export function fmtMoney(m: Money): string {
  return groupThousands(m.toString());
}

/** A decimal written exactly, grouped: "1,825,230" or "0.0435". */
export function fmtDecimal(d: D): string {
  return groupThousands(d.toFixed());
}

/** "0.0435" */
export function fmtRate(r: Rate): string {
  return r.toString();
}

/**
 * A rate or ratio as a percentage with its exact digits, from a Rate or a bare Decimal:
 * 0.0435 → "4.35%", 0.035 → "3.5%". For breakdown texts, never for API fields.
 */
export function fmtPercent(rate: Rate | D): string {
  const value = rate instanceof D ? rate : rate.value;
  return `${value.times(100).toFixed()}%`;
}

/** The same as `fmtPercent`, under the name the margin, reserve and risk rules use. */
export const formatPercent = fmtPercent;

/** A ratio with at least 2 decimals, as the API shows it: 0.6 → "0.60", 0.575 → "0.575". */
export function fmtRatio(r: Rate): string {
  return r.value.toFixed(Math.max(2, r.value.decimalPlaces()));
}

/** An unrounded amount written exactly with at least 2 decimals: 1500000 → "1,500,000.00". */
export function fmtAmountExact(d: D): string {
  return groupThousands(d.toFixed(Math.max(2, d.decimalPlaces())));
}

/**
 * An unrounded intermediate result for a breakdown: exact when it has at most `places` decimals,
 * else cut to `places` decimals and marked with "…" ("111,222.222222…"), so the reader sees
 * which way the rounding went.
 */
export function fmtUnrounded(d: D, places = 6): string {
  if (d.decimalPlaces() <= places) return fmtAmountExact(d);
  return `${groupThousands(d.toDecimalPlaces(places, D.ROUND_DOWN).toFixed(places))}…`;
}
