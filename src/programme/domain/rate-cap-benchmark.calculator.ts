import type { BreakdownStep } from '../../common/breakdown';
import { parseIsoDate } from '../../common/calendar/iso-date';
import { DomainError } from '../../common/errors/domain-error';
import { Rate } from '../../common/money/rate';
import { fmtPercent } from '../../common/format/figures';
import type { PolicyVersion } from './policy-version';
import { type PbocBenchmarkRow, type ReferenceRates, rowInForce } from './reference-rates';
import { PROGRAMME_RULE_ERRORS } from './programme-rules.errors';

export type BenchmarkTenor = 'lpr_1y' | 'lpr_5y' | 'pboc_up_to_1y' | 'pboc_1y_to_5y' | 'pboc_over_5y';

export interface RateCapBenchmarkResult {
  /** The benchmark rate as a decimal fraction. */
  rate: Rate;
  tenor: BenchmarkTenor;
  /** The effective date of the reference row used (LPR or PBoC benchmark). */
  rowEffectiveFrom: string;
  breakdown: BreakdownStep[];
}

const RULE = 'RULES §2; S 二(一)';

type BenchmarkPolicy = Pick<PolicyVersion, 'id' | 'rateCapBasis' | 'lprOneYearTermMonthsMax'>;

/**
 * The benchmark rate the rate cap multiplies (RULES §2, revised 2026-12; S 二(一) "不超过人民银行
 * 公布的同期同档次的贷款基准利率上浮30%（可按同期同档次LPR换算）"), chosen by the policy's
 * `rateCapBasis`:
 * - `pboc_benchmark` (default): the PBoC benchmark lending rate for the term in force on the
 *   contract date — ≤ 12 months "up to one year" (4.35%), ≤ 60 "one to five years" (4.75%), else
 *   "over five years" (4.90%), unchanged since 2015-10-24;
 * - `lpr`: the LPR in force on the contract date, 1-year for terms ≤ lprOneYearTermMonthsMax (60)
 *   months, 5-year above; before the first LPR row (2019-08-20) the PBoC benchmark.
 * The tables are reference data with effective dates (reference-rates.ts): a row applies from its
 * own date. A contract dated before the first PBoC row uses the first row (the earliest rate the
 * data holds).
 *
 * Example: 36 months contracted 2025-06-03 → PBoC one-to-five-years 4.75%; with the LPR basis
 * the 1-year LPR in force since 2025-05-20, 3.00%.
 */
export function rateCapBenchmark(
  rates: ReferenceRates,
  policy: BenchmarkPolicy,
  termMonths: number,
  contractDate: string,
): RateCapBenchmarkResult {
  parseIsoDate(contractDate, 'contractDate');
  if (!Number.isInteger(termMonths) || termMonths < 1) {
    throw DomainError.invalid(PROGRAMME_RULE_ERRORS.LOAN_TERM_INVALID, 'termMonths must be a whole number of months ≥ 1');
  }
  if (policy.rateCapBasis === 'lpr') {
    const row = rowInForce(rates.lpr, contractDate);
    if (row) {
      const oneYear = termMonths <= policy.lprOneYearTermMonthsMax;
      const rate = Rate.of(oneYear ? row.oneYear : row.fiveYear);
      const text =
        `Rate cap basis lpr (policy ${policy.id}): term ${termMonths} months ${oneYear ? '≤' : '>'} ${policy.lprOneYearTermMonthsMax} → ` +
        `${oneYear ? '1-year' : '5-year'} LPR in force on ${contractDate} (since ${row.effectiveFrom}) = ${fmtPercent(rate)}`;
      return { rate, tenor: oneYear ? 'lpr_1y' : 'lpr_5y', rowEffectiveFrom: row.effectiveFrom, breakdown: [{ rule: RULE, text, value: rate.toString() }] };
    }
  }
  return pbocBenchmark(rates, policy, termMonths, contractDate);
}

function pbocBenchmark(rates: ReferenceRates, policy: BenchmarkPolicy, termMonths: number, contractDate: string): RateCapBenchmarkResult {
  if (rates.pboc.length === 0) throw new Error('reference rates: the PBoC benchmark table is empty');
  const row: PbocBenchmarkRow = rowInForce(rates.pboc, contractDate) ?? rates.pboc[0];
  const [tenor, value, label]: [BenchmarkTenor, string, string] =
    termMonths <= 12
      ? ['pboc_up_to_1y', row.upToOneYear, 'up to one year']
      : termMonths <= 60
        ? ['pboc_1y_to_5y', row.oneToFiveYears, 'one to five years']
        : ['pboc_over_5y', row.overFiveYears, 'over five years'];
  const rate = Rate.of(value);
  const why =
    policy.rateCapBasis === 'lpr'
      ? `Rate cap basis lpr (policy ${policy.id}), but contract date ${contractDate} is before the first LPR: `
      : `Rate cap basis pboc_benchmark (policy ${policy.id}): `;
  const text = `${why}PBoC benchmark lending rate for a ${termMonths}-month term (${label}) in force on ${contractDate} (since ${row.effectiveFrom}) = ${fmtPercent(rate)}`;
  return { rate, tenor, rowEffectiveFrom: row.effectiveFrom, breakdown: [{ rule: RULE, text, value: rate.toString() }] };
}
