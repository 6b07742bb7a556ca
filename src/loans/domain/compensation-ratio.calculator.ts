import type { BreakdownStep } from '../../common/breakdown';
import { monthDayOf, parseIsoDate } from '../../common/calendar/iso-date';
import { DomainError, ErrorDetail } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { fmtMoney, fmtRatio } from '../../common/format/figures';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import {
  LoanSecurity,
  assertLoanSecurity,
  assertTermMonths,
  isUncollateralisedSecurity,
} from './loan-security';
import { LOAN_RULE_ERRORS } from './loan-rules.errors';

/** Months in a year: the term bonus counts whole years beyond the first (RULES §3 Decision). */
const MONTHS_PER_YEAR = 12;

export interface CompensationRatioInput {
  /** The revenue that decides the bracket (already chosen: see `chooseRevenueYear`). */
  revenue: Money;
  security: LoanSecurity;
  termMonths: number;
  /** The borrower's research cooperation (henan-2025's 80% category, RULES §11a). */
  researchCooperation?: boolean;
}

export interface CompensationRatioResult {
  /** The ratio fixed at registration: min(base + bonus, cap). */
  ratio: Rate;
  baseRatio: Rate;
  basis: 'revenue_bracket' | 'credit_or_shareholder_guarantee' | 'research_cooperation';
  /** floor((termMonths − 12) / 12), never below 0. */
  additionalYears: number;
  /** additionalYears × termBonusPerYear. */
  termBonus: Rate;
  /** True when the cap cut the ratio down. */
  capped: boolean;
  breakdown: BreakdownStep[];
}

const RULE_BRACKET = 'RULES §3; S 二(一)3(1)a–d';
const RULE_CREDIT = 'RULES §3; S 二(一)3(1)e';
const RULE_TERM = 'RULES §3; S 二(一)3(1)f';

/**
 * The compensation ratio of a loan (RULES §3; S 二(一)3(1), B 第九条):
 * - `credit` and `shareholder_guarantee_only` loans: policy.creditLoanRatio (60%) whatever the
 *   revenue;
 * - otherwise the revenue bracket, upper bounds inclusive: ≤ 20,000,000.00 → 60%,
 *   ≤ 50,000,000.00 → 50%, ≤ 100,000,000.00 → 40%, above → 30%;
 * - plus termBonusPerYear (5 points) per whole additional year, floor((termMonths − 12) / 12)
 *   (18 months adds nothing, 24 adds 5 points, 36 adds 10), never above ratioCap (60%).
 *
 * Example (RULES §4 case B): revenue 80,000,000.00, guarantee, 36 months → bracket ≤
 * 100,000,000.00 gives 0.40; floor((36 − 12) / 12) = 2 years × 0.05 = 0.10; 0.40 + 0.10 = 0.50.
 */
export function compensationRatio(
  input: CompensationRatioInput,
  policy: PolicyVersion,
): CompensationRatioResult {
  assertTermMonths(input.termMonths);
  assertLoanSecurity(input.security);
  const research = researchCooperationRatio(input, policy);
  if (research.ratio) {
    const ratio = research.ratio;
    return { ratio, baseRatio: ratio, basis: 'research_cooperation', additionalYears: 0, termBonus: Rate.of(0), capped: false, breakdown: research.breakdown };
  }
  const breakdown: BreakdownStep[] = [...research.breakdown];

  let baseRatio: Rate;
  let basis: CompensationRatioResult['basis'];
  if (isUncollateralisedSecurity(input.security)) {
    baseRatio = Rate.of(policy.creditLoanRatio);
    basis = 'credit_or_shareholder_guarantee';
    const what =
      input.security === 'credit'
        ? 'a pure credit loan (no collateral, no guarantee)'
        : "a loan whose only guarantee is shareholders' joint liability (no collateral)";
    breakdown.push({
      rule: RULE_CREDIT,
      text: `Security: ${what} → ${fmtRatio(baseRatio)} regardless of revenue (${fmtMoney(input.revenue)})`,
      value: fmtRatio(baseRatio),
    });
  } else {
    const brackets = policy.revenueBrackets;
    let lower: string | null = null;
    let chosen: { revenueMax: string | null; ratio: string } | undefined;
    for (const b of brackets) {
      if (b.revenueMax === null || input.revenue.amount.lessThanOrEqualTo(b.revenueMax)) {
        chosen = b;
        break;
      }
      lower = b.revenueMax;
    }
    if (!chosen) throw new Error(`policy ${policy.id}: revenue brackets have no open top bracket`);
    baseRatio = Rate.of(chosen.ratio);
    basis = 'revenue_bracket';
    const lowerText = lower === null ? '' : `${fmtMoney(Money.of(lower))} < `;
    const upperText =
      chosen.revenueMax === null ? '' : ` ≤ ${fmtMoney(Money.of(chosen.revenueMax))}`;
    breakdown.push({
      rule: RULE_BRACKET,
      text: `Revenue bracket: ${lowerText}${fmtMoney(input.revenue)}${upperText} → base ratio ${fmtRatio(baseRatio)}`,
      value: fmtRatio(baseRatio),
    });
  }

  const additionalYears = Math.max(
    0,
    Math.floor((input.termMonths - MONTHS_PER_YEAR) / MONTHS_PER_YEAR),
  );
  const bonusPerYear = Rate.of(policy.termBonusPerYear);
  const termBonus = bonusPerYear.times(additionalYears);
  breakdown.push({
    rule: RULE_TERM,
    text:
      input.termMonths > MONTHS_PER_YEAR
        ? `Term ${input.termMonths} months: floor((${input.termMonths} − 12) / 12) = ${additionalYears} whole additional year(s) × ${fmtRatio(bonusPerYear)} = ${fmtRatio(termBonus)}`
        : `Term ${input.termMonths} months: not longer than one year, no bonus`,
    value: fmtRatio(termBonus),
  });

  const cap = Rate.of(policy.ratioCap);
  const uncapped = baseRatio.plus(termBonus);
  const capped = uncapped.gt(cap);
  const ratio = capped ? cap : uncapped;
  breakdown.push({
    rule: RULE_TERM,
    text: capped
      ? `${fmtRatio(baseRatio)} + ${fmtRatio(termBonus)} = ${fmtRatio(uncapped)} > cap ${fmtRatio(cap)} → ratio ${fmtRatio(ratio)}`
      : `${fmtRatio(baseRatio)} + ${fmtRatio(termBonus)} = ${fmtRatio(uncapped)} ≤ cap ${fmtRatio(cap)} → ratio ${fmtRatio(ratio)}`,
    value: fmtRatio(ratio),
  });

  return { ratio, baseRatio, basis, additionalYears, termBonus, capped, breakdown };
}

const RULE_RESEARCH = 'RULES §11a (henan-2025: 实质性产学研合作, 最高80%)';

/**
 * The 80% category of henan-2025 (RULES §11a): a borrower with substantive industry–university–
 * research cooperation and prior-year revenue strictly below researchCooperationRevenueBelow
 * (10,000,000.00) gets researchCooperationRatio (80%), whatever the security. Decision: the term
 * bonus does not add to it and ratioCap (60%, the cap of base + bonus) does not cut it — 80% is the
 * scheme's maximum ("最高80%"). A version without the category (henan-2021) says so in the
 * breakdown and the usual rules apply.
 * Example: revenue 9,999,999.99, research cooperation → 0.80; 10,000,000.00 → the bracket (60%).
 */
function researchCooperationRatio(input: CompensationRatioInput, policy: PolicyVersion): { ratio: Rate | null; breakdown: BreakdownStep[] } {
  if (!input.researchCooperation) return { ratio: null, breakdown: [] };
  const ratio = policy.researchCooperationRatio;
  const below = policy.researchCooperationRevenueBelow;
  if (ratio === null || below === null) {
    return { ratio: null, breakdown: [{ rule: RULE_RESEARCH, text: `Research cooperation: policy ${policy.id} has no research-cooperation category; the usual ratio rules apply`, policyVersion: policy.id }] };
  }
  const limit = Money.of(below);
  if (!input.revenue.lt(limit)) {
    return {
      ratio: null,
      breakdown: [{ rule: RULE_RESEARCH, text: `Research cooperation, but revenue ${fmtMoney(input.revenue)} is not below ${fmtMoney(limit)}: the usual ratio rules apply`, policyVersion: policy.id }],
    };
  }
  const r = Rate.of(ratio);
  const text = `Research cooperation and revenue ${fmtMoney(input.revenue)} < ${fmtMoney(limit)} → ratio ${fmtRatio(r)} (no term bonus; the ${fmtRatio(Rate.of(policy.ratioCap))} cap of base + bonus does not apply)`;
  return { ratio: r, breakdown: [{ rule: RULE_RESEARCH, text, value: fmtRatio(r), policyVersion: policy.id }] };
}

/** A borrower's recorded tax-declared revenue for one year. */
export interface RevenueRecord {
  year: number;
  amount: Money;
}

export interface RevenueMissingViolation extends ErrorDetail {
  code: typeof LOAN_RULE_ERRORS.REVENUE_MISSING;
  registrationYear: number;
  /** The years that would have been accepted, in order of preference. */
  yearsAccepted: number[];
}

export type RevenueYearChoice =
  | { found: true; year: number; revenue: Money; breakdown: BreakdownStep[] }
  | { found: false; violation: RevenueMissingViolation; breakdown: BreakdownStep[] };

const RULE_REVENUE_YEAR = 'RULES §3 Decision; B 第九条';

/**
 * Which year's revenue decides the ratio (RULES §3 Decision; B 第九条): the prior year
 * (registration year − 1) when recorded; otherwise, only for a registration before
 * policy.revenueYearCutoffMonthDay (1 June, i.e. month-day < "06-01"), the year before that;
 * otherwise LOAN.REVENUE_MISSING (the registration is refused). Returned as a value, not thrown,
 * so the registration can list it with the eligibility violations.
 *
 * Example: registered 2025-05-31 with revenues {2023} → 2023 (before 1 June, 2024 missing);
 * registered 2025-06-01 with revenues {2023} → LOAN.REVENUE_MISSING.
 */
export function chooseRevenueYear(
  input: { registeredOn: string; revenues: readonly RevenueRecord[] },
  policy: PolicyVersion,
): RevenueYearChoice {
  const { year: registrationYear } = parseIsoDate(input.registeredOn, 'registeredOn');
  const byYear = new Map<number, Money>();
  for (const r of input.revenues) {
    if (byYear.has(r.year)) {
      throw DomainError.invalid(
        LOAN_RULE_ERRORS.REVENUE_DUPLICATE_YEAR,
        `revenue for ${r.year} is given twice`,
        [
          {
            code: LOAN_RULE_ERRORS.REVENUE_DUPLICATE_YEAR,
            field: 'revenues',
            message: `revenue for ${r.year} is given twice`,
            year: r.year,
          },
        ],
      );
    }
    byYear.set(r.year, r.amount);
  }

  const prior = registrationYear - 1;
  const priorRevenue = byYear.get(prior);
  if (priorRevenue) {
    return {
      found: true,
      year: prior,
      revenue: priorRevenue,
      breakdown: [
        {
          rule: RULE_REVENUE_YEAR,
          text: `Registered ${input.registeredOn}: prior-year (${prior}) revenue is recorded: ${fmtMoney(priorRevenue)}`,
          value: String(prior),
        },
      ],
    };
  }

  const cutoff = policy.revenueYearCutoffMonthDay;
  const beforeCutoff = monthDayOf(input.registeredOn) < cutoff;
  const yearBefore = prior - 1;
  const yearBeforeRevenue = beforeCutoff ? byYear.get(yearBefore) : undefined;
  if (yearBeforeRevenue) {
    return {
      found: true,
      year: yearBefore,
      revenue: yearBeforeRevenue,
      breakdown: [
        {
          rule: RULE_REVENUE_YEAR,
          text:
            `Registered ${input.registeredOn}, before ${cutoff} (month-day): ${prior} revenue not recorded, ` +
            `so ${yearBefore} revenue is used: ${fmtMoney(yearBeforeRevenue)}`,
          value: String(yearBefore),
        },
      ],
    };
  }

  const yearsAccepted = beforeCutoff ? [prior, yearBefore] : [prior];
  const message = beforeCutoff
    ? `No revenue recorded for ${prior} or ${yearBefore}; a registration on ${input.registeredOn} needs one of them`
    : `No revenue recorded for ${prior}; a registration on or after ${cutoff} (month-day) needs the prior year's revenue`;
  return {
    found: false,
    violation: {
      code: LOAN_RULE_ERRORS.REVENUE_MISSING,
      message,
      field: 'revenues',
      registrationYear,
      yearsAccepted,
    },
    breakdown: [{ rule: RULE_REVENUE_YEAR, text: message }],
  };
}

export interface RegistrationRatioInput {
  registeredOn: string;
  revenues: readonly RevenueRecord[];
  security: LoanSecurity;
  termMonths: number;
}

export interface RegistrationRatioResult extends CompensationRatioResult {
  /** The revenue year used, stored with the loan (RULES §3). */
  revenueYearUsed: number;
  revenue: Money;
}

/**
 * The ratio fixed at registration (RULES §3; B 第九条): `chooseRevenueYear` then
 * `compensationRatio`. Throws DomainError rule `LOAN.REVENUE_MISSING` (422) when no acceptable
 * revenue year is recorded, even for a credit loan whose ratio does not depend on it, because
 * RULES §3 refuses such a registration and stores the revenue year with every loan.
 *
 * Example: registered 2025-03-10, revenues {2024: 18,000,000.00}, collateral, 12 months →
 * revenueYearUsed 2024, ratio 0.60 (RULES §4 case A).
 */
export function registrationCompensationRatio(
  input: RegistrationRatioInput,
  policy: PolicyVersion,
): RegistrationRatioResult {
  const choice = chooseRevenueYear(input, policy);
  if (!choice.found) {
    throw DomainError.rule(LOAN_RULE_ERRORS.REVENUE_MISSING, choice.violation.message, [choice.violation]);
  }
  const result = compensationRatio(
    { revenue: choice.revenue, security: input.security, termMonths: input.termMonths },
    policy,
  );
  return {
    ...result,
    breakdown: [...choice.breakdown, ...result.breakdown],
    revenueYearUsed: choice.year,
    revenue: choice.revenue,
  };
}
