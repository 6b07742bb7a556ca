import type { BreakdownStep } from '../../common/breakdown';
import { addDays, daysBetween, nextQuarter, quarterFirstDay, quarterOf } from '../../common/calendar';
import { fmtMoney, fmtPercent } from '../../common/format/figures';
import { D } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { simpleInterest } from '../../common/money/simple-interest';

const RULE_BAND = 'RULES §11; xinxiang (四) (对 LPR-150BP 至 LPR+150BP 的部分予以贴息支持)';
const RULE_QUARTER = 'RULES §11; xinxiang (四); day count as RULES §4 (ACT/360)';
const RULE_TIMES = 'RULES §11; xinxiang (四) (可继续提供创业担保贷款贴息，但累计不超过 3 次)';

export interface SubsidisedRateInput {
  /** The loan's contract rate. */
  loanRate: Rate;
  /** The LPR the band is set on (the loan's term's LPR in force on its contract date). */
  lpr: Rate;
  /** Signed offsets of the band from the LPR, in basis points (Xinxiang: −150 and +150). */
  lprOffsetLowBp: number;
  lprOffsetHighBp: number;
}

export interface SubsidisedRateResult {
  bandFloor: Rate;
  bandCeiling: Rate;
  /** The part of the loan rate inside the band: max(0, min(rate, ceiling) − floor). */
  subsidisedRate: Rate;
  breakdown: BreakdownStep[];
}

const BP = new D('0.0001');
const bp = (n: number) => `${n < 0 ? '−' : '+'} ${Math.abs(n)} bp`;

/**
 * The subsidised part of a start-up guarantee loan's rate (RULES §11; xinxiang (四) "对 LPR-150BP 至
 * LPR+150BP 的部分予以贴息支持"): the fund pays the interest on the slice of the contract rate that
 * lies between LPR − 150 bp and LPR + 150 bp. The borrower pays the rate up to the band's floor, and
 * any rate above its ceiling; a rate at or below the floor earns no subsidy. Exact decimals, no
 * rounding (rates carry 8 decimals).
 *
 * Worked example: 1-year LPR 3.00% (2025-05-20), loan at 3.95%: band 1.50%…4.50%; subsidised
 * min(3.95%, 4.50%) − 1.50% = 2.45%. A loan at 5.00%: 4.50% − 1.50% = 3.00% (the band's width).
 */
export function subsidisedRate(input: SubsidisedRateInput): SubsidisedRateResult {
  const bandFloor = Rate.of(input.lpr.value.plus(BP.times(input.lprOffsetLowBp)));
  const bandCeiling = Rate.of(input.lpr.value.plus(BP.times(input.lprOffsetHighBp)));
  const top = input.loanRate.min(bandCeiling);
  const slice = top.value.minus(bandFloor.value);
  const subsidised = Rate.of(slice.isNegative() ? 0 : slice);
  return {
    bandFloor,
    bandCeiling,
    subsidisedRate: subsidised,
    breakdown: [
      {
        rule: RULE_BAND,
        text: `Band LPR ${fmtPercent(input.lpr)} ${bp(input.lprOffsetLowBp)} … ${bp(input.lprOffsetHighBp)} = ${fmtPercent(bandFloor)} … ${fmtPercent(bandCeiling)}.`,
      },
      {
        rule: RULE_BAND,
        text: `Subsidised rate max(0, min(${fmtPercent(input.loanRate)}, ${fmtPercent(bandCeiling)}) − ${fmtPercent(bandFloor)}) = ${fmtPercent(subsidised)}.`,
        value: subsidised.toString(),
      },
    ],
  };
}

export interface SubsidyQuarter {
  /** '2025Q3'. */
  quarter: string;
  /** First subsidised day in the quarter. */
  from: string;
  /** The day after the last subsidised day (exclusive), so days = to − from. */
  to: string;
  days: number;
  /** principal × rate × days / basis, half-up to the fen, on the subsidised principal. */
  amount: Money;
}

/**
 * One quarter's subsidy: principal × rate × days / basis, half-up to the fen, and how (RULES §11;
 * xinxiang (四); simple interest as RULES §4, `simpleInterest`). The text keeps the quarters' own
 * order of factors, rate before days, as the stored breakdowns have it.
 */
export function quarterSubsidy(principal: Money, rate: Rate, days: number, basis: number): { amount: Money; text: string } {
  const { interest, text } = simpleInterest({ principal, annualRate: rate, days, dayCountBasis: basis }, 'rate-days');
  return { amount: interest, text: `${text} (half-up to the fen)` };
}

/**
 * The quarterly schedule of a subsidy (RULES §11; xinxiang (四)): the subsidised period
 * [startsOn, endsOn) — interest accrues from the start day up to the day before the end day, as a
 * loan's interest does from disbursement to maturity — cut at calendar quarters; each quarter's
 * amount is computed and rounded on its own (half-up, fen), so the quarters add up to the total
 * paid, which may differ by a fen or so from the whole period computed at once.
 *
 * Worked example: 2,000,000.00 at a subsidised 2.45% from 2025-06-15 to 2026-06-15, ACT/360:
 * 2025Q2 16 days 2,177.78; 2025Q3 92 days 12,522.22; 2025Q4 92 days 12,522.22; 2026Q1 90 days
 * 12,250.00; 2026Q2 75 days 10,208.33; total 49,680.55 (the whole year at once would be
 * 49,680.555… → 49,680.56).
 */
export function subsidySchedule(input: { principal: Money; rate: Rate; startsOn: string; endsOn: string; dayCountBasis: number }): {
  quarters: SubsidyQuarter[];
  total: Money;
  breakdown: BreakdownStep[];
} {
  if (input.endsOn <= input.startsOn) throw new Error(`subsidySchedule: the period ${input.startsOn}…${input.endsOn} is empty`);
  const quarters: SubsidyQuarter[] = [];
  const breakdown: BreakdownStep[] = [];
  let from = input.startsOn;
  while (from < input.endsOn) {
    const quarter = quarterOf(from);
    const quarterEnd = quarterFirstDay(nextQuarter(quarter));
    const to = quarterEnd < input.endsOn ? quarterEnd : input.endsOn;
    const days = daysBetween(from, to);
    const { amount, text } = quarterSubsidy(input.principal, input.rate, days, input.dayCountBasis);
    quarters.push({ quarter, from, to, days, amount });
    breakdown.push({ rule: RULE_QUARTER, text: `${quarter}: ${from} to ${addDays(to, -1)}, ${days} days: ${text}.`, value: amount.toString() });
    from = to;
  }
  const total = Money.sum(quarters.map((q) => q.amount));
  breakdown.push({ rule: RULE_QUARTER, text: `Total of the ${quarters.length} quarters: ${fmtMoney(total)}.`, value: total.toString() });
  return { quarters, total, breakdown };
}

/**
 * Which time this grant is for the borrower, or null when the programme's limit is reached
 * (RULES §11; xinxiang (四) "可继续提供创业担保贷款贴息，但累计不超过 3 次"). Decision: "累计" counts every
 * subsidised grant to the borrower, the first included, so with timesMax 3 the first grant and two
 * renewals are subsidised and a third renewal (the 4th time) is refused; renewals = ordinal − 1.
 *
 * Example: 2 earlier grants, timesMax 3 → { ordinal: 3, renewals: 2 }; 3 earlier → null.
 */
export function subsidyTimes(earlierGrants: number, timesMax: number): { ordinal: number; renewals: number; step: BreakdownStep } | null {
  const ordinal = earlierGrants + 1;
  if (ordinal > timesMax) return null;
  return { ordinal, renewals: ordinal - 1, step: { rule: RULE_TIMES, text: `Subsidy ${ordinal} of at most ${timesMax} for this borrower (${ordinal - 1} renewal(s)).`, value: String(ordinal) } };
}
