import Decimal from 'decimal.js';

/**
 * The one decimal.js configuration of the service. 40 significant digits is far more than any
 * amount (15 integer digits + 2 decimals) or product of an amount and a rate needs, so no
 * intermediate result is ever rounded by the library itself; every rounding in the code is an
 * explicit `toDecimalPlaces(n, ROUND_HALF_UP)` (RULES.md §4 "Decision (money)").
 */
export const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type D = Decimal;
export { Decimal };
export const ROUND_HALF_UP = Decimal.ROUND_HALF_UP;
export const ROUND_DOWN = Decimal.ROUND_DOWN;
