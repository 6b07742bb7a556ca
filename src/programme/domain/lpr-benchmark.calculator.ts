import type { BreakdownStep } from '../../common/breakdown';
import { parseIsoDate } from '../../common/calendar/iso-date';
import { DomainError } from '../../common/errors/domain-error';
import { Rate } from '../../common/money/rate';
import { fmtPercent } from '../../common/format/figures';
import type { LprRow, PolicyVersion } from './policy-version';
import { PROGRAMME_RULE_ERRORS } from './programme-rules.errors';

export type BenchmarkTenor =
  'lpr_1y' | 'lpr_5y' | 'pboc_up_to_1y' | 'pboc_1y_to_5y' | 'pboc_over_5y';

export interface LprBenchmarkResult {
  /** The benchmark rate as a decimal fraction. */
  rate: Rate;
  tenor: BenchmarkTenor;
  /** The LPR row used (its effectiveFrom), or null for the pre-LPR PBoC benchmark. */
  lprEffectiveFrom: string | null;
  breakdown: BreakdownStep[];
}

const RULE = 'RULES §2; S 二(一)';

/**
 * The benchmark rate for the rate cap: the LPR for the loan's term in force on the contract date
 * — the 1-year LPR for terms ≤ policy.lprOneYearTermMonthsMax (60) months, the 5-year LPR above —
 * and, for contracts before the first LPR row (2019-08-20), the PBoC benchmark lending rate of
 * the policy (≤ 12 months "up to one year", ≤ 60 months "one to five years", else "over five").
 * RULES §2; S 二(一) (同期同档次贷款基准利率，可按同期同档次LPR换算).
 *
 * Example: 36-month loan contracted 2025-06-03 → the 1-year LPR in force since 2025-05-20,
 * 3.00% ("0.03"); 84-month loan contracted 2019-01-10 → PBoC over-five-years 4.90%.
 */
export function lprBenchmark(
  policy: PolicyVersion,
  termMonths: number,
  contractDate: string,
): LprBenchmarkResult {
  parseIsoDate(contractDate, 'contractDate');
  if (!Number.isInteger(termMonths) || termMonths < 1) {
    throw DomainError.invalid(
      PROGRAMME_RULE_ERRORS.LOAN_TERM_INVALID,
      'termMonths must be a whole number of months ≥ 1',
    );
  }
  if (policy.lpr.length === 0) throw new Error(`policy ${policy.id} has no LPR table`);

  let row: LprRow | undefined;
  for (const r of policy.lpr) {
    if (r.effectiveFrom <= contractDate && (!row || r.effectiveFrom > row.effectiveFrom)) row = r;
  }

  if (!row) {
    const first = policy.lpr.reduce((a, b) => (b.effectiveFrom < a.effectiveFrom ? b : a));
    const pre = policy.preLprBenchmark;
    const [tenor, value, label]: [BenchmarkTenor, string, string] =
      termMonths <= 12
        ? ['pboc_up_to_1y', pre.upToOneYear, 'up to one year']
        : termMonths <= 60
          ? ['pboc_1y_to_5y', pre.oneToFiveYears, 'one to five years']
          : ['pboc_over_5y', pre.overFiveYears, 'over five years'];
    const rate = Rate.of(value);
    return {
      rate,
      tenor,
      lprEffectiveFrom: null,
      breakdown: [
        {
          rule: RULE,
          text:
            `Contract date ${contractDate} is before the first LPR (${first.effectiveFrom}): ` +
            `PBoC benchmark lending rate for a ${termMonths}-month term (${label}) = ${fmtPercent(rate)}`,
          value: rate.toString(),
        },
      ],
    };
  }

  const oneYear = termMonths <= policy.lprOneYearTermMonthsMax;
  const rate = Rate.of(oneYear ? row.oneYear : row.fiveYear);
  return {
    rate,
    tenor: oneYear ? 'lpr_1y' : 'lpr_5y',
    lprEffectiveFrom: row.effectiveFrom,
    breakdown: [
      {
        rule: RULE,
        text:
          `Term ${termMonths} months ${oneYear ? '≤' : '>'} ${policy.lprOneYearTermMonthsMax} → ` +
          `${oneYear ? '1-year' : '5-year'} LPR in force on ${contractDate} (since ${row.effectiveFrom}) = ${fmtPercent(rate)}`,
        value: rate.toString(),
      },
    ],
  };
}
