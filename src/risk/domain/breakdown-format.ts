import { D } from '../../common/money/decimal';
import type { Rate } from '../../common/money/rate';

/**
 * Percentages for breakdown texts (never for API fields), accepting a bare Decimal as well as a
 * Rate; money in breakdowns goes through `fmtMoney` (programme/domain/figures).
 */
/** A rate or ratio as a percentage with its exact digits: 0.035 → "3.5%". */
export function formatPercent(rate: Rate | D): string {
  const value = rate instanceof D ? rate : rate.value;
  return `${value.times(100).toFixed()}%`;
}
