import type { BreakdownStep } from '../../common/breakdown';
import { parseIsoDate } from '../../common/calendar/iso-date';
import { DomainError, ErrorDetail } from '../../common/errors/domain-error';
import { ROUND_HALF_UP } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import {
  fmtAmountExact,
  fmtMoney,
  fmtPercent,
  fmtRate,
  fmtRatio,
} from '../../common/format/figures';
import { rateCapBenchmark, RateCapBenchmarkResult } from '../../programme/domain/rate-cap-benchmark.calculator';
import type { ReferenceRates } from '../../programme/domain/reference-rates';
import { judgeQualification, type QualificationRecord } from '../../programme/domain/qualifications';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import {
  LoanSecurity,
  assertLoanSecurity,
  assertTermMonths,
  isUncollateralisedSecurity,
} from './loan-security';
import { LOAN_RULE_ERRORS } from './loan-rules.errors';

export interface EligibilityInput {
  amount: Money;
  annualRate: Rate;
  termMonths: number;
  /** YYYY-MM-DD; fixes the LPR used for the rate cap. */
  contractDate: string;
  security: LoanSecurity;
  /** Appraised value of the physical collateral (0.00 when none). */
  collateralValue: Money;
  /** A single indivisible physical asset whose own value exceeds the 30% limit. */
  singleAssetException: boolean;
  /** A renewal (续贷) of an existing registered loan: exempt from the minimum term. */
  isRenewal: boolean;
  /**
   * The borrower's flags and dated qualification records (RULES §2 revised 2026-12): with records,
   * one must be valid on `registeredOn` (a renewal: or on a day of the previous year); without,
   * the flags decide.
   */
  borrower: { highTech: boolean; techSme: boolean; qualifications?: readonly QualificationRecord[] };
  /** The registration date the qualification must be valid on (default: the contract date). */
  registeredOn?: string;
}

/** One broken rule, with the figures that break it (an ErrorDetail for the 422 `details`). */
export interface EligibilityViolation extends ErrorDetail {
  code: (typeof LOAN_RULE_ERRORS)[
    'COLLATERAL_TOO_HIGH' | 'SECURITY_INCONSISTENT' | 'RATE_ABOVE_CAP' | 'BORROWER_NOT_QUALIFIED' | 'TERM_TOO_SHORT'
  ];
  message: string;
}

export interface EligibilityResult {
  eligible: boolean;
  /** Every broken rule, not just the first (API.md: 422 "with every reason in details"). */
  violations: EligibilityViolation[];
  benchmark: RateCapBenchmarkResult;
  /** benchmark × rateCapMultiplier, exact. */
  rateCap: Rate;
  /** collateralValue / amount rounded half-up to 6 decimals, for display only. */
  collateralRatio: Rate;
  breakdown: BreakdownStep[];
}

const RULE_COLLATERAL = 'RULES §2; S 二(一)';
const RULE_RATE = 'RULES §2; S 二(一)';
const RULE_TERM = 'RULES §2; B 第七条';
const RULE_SECURITY = 'RULES §3; S 二(一)3(1)e';

/**
 * Whether a loan counts as a tech loan (RULES §2; S 二(一), S 三(一), B 第七条). Every broken
 * rule is listed, with its figures:
 * - collateral ≤ collateralRatioMax (30%) of the amount, inclusive, unless `singleAssetException`
 *   (LOAN.COLLATERAL_TOO_HIGH); compared exactly as collateral ≤ amount × 0.30, no division;
 * - a `credit` or `shareholder_guarantee_only` loan carries no collateral at all
 *   (LOAN.SECURITY_INCONSISTENT; its 60% ratio depends on "无抵质押");
 * - annual rate ≤ benchmark × rateCapMultiplier (1.3), inclusive, benchmark from `rateCapBenchmark`
 *   (PBoC benchmark by term by default, or the LPR; RULES §2 revised 2026-12) (LOAN.RATE_ABOVE_CAP);
 * - borrower is a high-tech enterprise or a tech SME (LOAN.BORROWER_NOT_QUALIFIED);
 * - term ≥ termMonthsMin (12) unless a renewal (LOAN.TERM_TOO_SHORT; RULES §2 Decision).
 *
 * Example: 5,000,000.00 at 5.655% for 12 months contracted 2025-06-03, collateral 1,500,000.00 →
 * cap PBoC 4.35% × 1.3 = 5.655% (rate allowed, inclusive), collateral 1,500,000.00 ≤
 * 5,000,000.00 × 0.30 = 1,500,000.00 (allowed, inclusive) → eligible. At 5.656% →
 * LOAN.RATE_ABOVE_CAP. With the `lpr` basis the cap is 3.00% × 1.3 = 3.90%.
 *
 * Malformed input (amount ≤ 0, bad date, term not a whole number ≥ 1, unknown security) throws
 * DomainError invalid (400) instead: those are not rule violations but bad requests.
 */
export function checkEligibility(
  input: EligibilityInput,
  policy: PolicyVersion,
  rates: ReferenceRates,
): EligibilityResult {
  assertWellFormed(input);
  const found: Findings = { violations: [], breakdown: [] };
  const collateralRatio = checkCollateral(input, policy, found);
  checkSecurity(input, found);
  const { benchmark, rateCap } = checkRate(input, policy, rates, found);
  checkBorrower(input, found);
  checkTerm(input, policy, found);
  const { violations, breakdown } = found;
  breakdown.push({
    rule: 'RULES §2',
    text:
      violations.length === 0
        ? 'All tech-loan conditions hold: eligible'
        : `${violations.length} condition(s) broken: not eligible`,
    value: violations.length === 0 ? 'eligible' : 'not eligible',
  });

  return {
    eligible: violations.length === 0,
    violations,
    benchmark,
    rateCap,
    collateralRatio,
    breakdown,
  };
}

/** What the checks below add to, in rule order: the broken rules and the breakdown steps. */
interface Findings {
  violations: EligibilityViolation[];
  breakdown: BreakdownStep[];
}

/** Bad requests rather than broken rules: 400 for a bad date, term, security or amount. */
function assertWellFormed(input: EligibilityInput): void {
  parseIsoDate(input.contractDate, 'contractDate');
  assertTermMonths(input.termMonths);
  assertLoanSecurity(input.security);
  if (!input.amount.isPositive()) {
    throw DomainError.invalid(LOAN_RULE_ERRORS.AMOUNT_INVALID, 'amount must be greater than 0.00', [
      {
        code: LOAN_RULE_ERRORS.AMOUNT_INVALID,
        field: 'amount',
        message: `amount ${input.amount.toString()} is not positive`,
      },
    ]);
  }
}

/**
 * Collateral (RULES §2): exact comparison against amount × max, inclusive, unless a single
 * indivisible asset; returns the ratio, which is only for display.
 */
function checkCollateral(input: EligibilityInput, policy: PolicyVersion, found: Findings): Rate {
  const collateralRatioMax = Rate.of(policy.collateralRatioMax);
  const collateralMax = input.amount.times(collateralRatioMax);
  const collateralRatio = Rate.of(
    input.collateralValue.dividedBy(input.amount).toDecimalPlaces(6, ROUND_HALF_UP),
  );
  const collateralOk = input.collateralValue.amount.lessThanOrEqualTo(collateralMax);
  const maxText = `${fmtMoney(input.amount)} × ${fmtRatio(collateralRatioMax)} = ${fmtAmountExact(collateralMax)}`;
  if (collateralOk) {
    found.breakdown.push({
      rule: RULE_COLLATERAL,
      text: `Collateral ${fmtMoney(input.collateralValue)} ≤ ${maxText}: within the limit (ratio ${fmtPercent(collateralRatio)})`,
      value: collateralRatio.toString(),
    });
  } else if (input.singleAssetException) {
    found.breakdown.push({
      rule: RULE_COLLATERAL,
      text: `Collateral ${fmtMoney(input.collateralValue)} > ${maxText}, allowed: a single indivisible asset (single-asset exception)`,
      value: collateralRatio.toString(),
    });
  } else {
    found.breakdown.push({
      rule: RULE_COLLATERAL,
      text: `Collateral ${fmtMoney(input.collateralValue)} > ${maxText}: above the ${fmtPercent(collateralRatioMax)} limit`,
      value: collateralRatio.toString(),
    });
    found.violations.push({
      code: LOAN_RULE_ERRORS.COLLATERAL_TOO_HIGH,
      message: `Collateral ${fmtMoney(input.collateralValue)} is above ${maxText} (${fmtPercent(collateralRatioMax)} of the loan)`,
      collateralValue: input.collateralValue.toString(),
      amount: input.amount.toString(),
      collateralMax: collateralMax.toFixed(Math.max(2, collateralMax.decimalPlaces())),
      collateralRatio: collateralRatio.toString(),
      collateralRatioMax: collateralRatioMax.toString(),
    });
  }
  return collateralRatio;
}

/** A credit or shareholder-guarantee-only loan carries no collateral (RULES §3; S 二(一)3(1)e). */
function checkSecurity(input: EligibilityInput, found: Findings): void {
  if (!isUncollateralisedSecurity(input.security) || !input.collateralValue.isPositive()) return;
  found.breakdown.push({
    rule: RULE_SECURITY,
    text: `Security "${input.security}" means no collateral, but collateral ${fmtMoney(input.collateralValue)} is recorded`,
  });
  found.violations.push({
    code: LOAN_RULE_ERRORS.SECURITY_INCONSISTENT,
    message: `A ${input.security} loan carries no collateral, but collateral ${fmtMoney(input.collateralValue)} is recorded`,
    security: input.security,
    collateralValue: input.collateralValue.toString(),
  });
}

/** Rate cap (RULES §2): benchmark × 1.3, exact, inclusive; the benchmark's own steps come first. */
function checkRate(
  input: EligibilityInput,
  policy: PolicyVersion,
  rates: ReferenceRates,
  found: Findings,
): { benchmark: RateCapBenchmarkResult; rateCap: Rate } {
  const benchmark = rateCapBenchmark(rates, policy, input.termMonths, input.contractDate);
  found.breakdown.push(...benchmark.breakdown);
  const multiplier = Rate.of(policy.rateCapMultiplier);
  const rateCap = benchmark.rate.times(multiplier.value);
  const capText = `${fmtRate(benchmark.rate)} × ${fmtRate(multiplier)} = ${fmtRate(rateCap)}`;
  if (input.annualRate.lte(rateCap)) {
    found.breakdown.push({
      rule: RULE_RATE,
      text: `Rate ${fmtRate(input.annualRate)} ≤ cap ${capText}: allowed`,
      value: rateCap.toString(),
    });
    return { benchmark, rateCap };
  }
  found.breakdown.push({
    rule: RULE_RATE,
    text: `Rate ${fmtRate(input.annualRate)} > cap ${capText}: above the cap`,
    value: rateCap.toString(),
  });
  found.violations.push({
    code: LOAN_RULE_ERRORS.RATE_ABOVE_CAP,
    message: `Rate ${fmtPercent(input.annualRate)} is above the cap ${fmtPercent(rateCap)} (benchmark ${fmtPercent(benchmark.rate)} × ${multiplier.toString()})`,
    annualRate: input.annualRate.toString(),
    benchmark: benchmark.rate.toString(),
    rateCapMultiplier: multiplier.toString(),
    rateCap: rateCap.toString(),
  });
  return { benchmark, rateCap };
}

/**
 * Borrower (RULES §2): a high-tech enterprise or a registered tech SME, judged on its dated
 * qualification records when it has any (`judgeQualification`), else on its flags.
 */
function checkBorrower(input: EligibilityInput, found: Findings): void {
  const { highTech, techSme, qualifications = [] } = input.borrower;
  const judgement = judgeQualification({
    highTech,
    techSme,
    records: qualifications,
    registeredOn: input.registeredOn ?? input.contractDate,
    renewal: input.isRenewal,
  });
  found.breakdown.push(...judgement.breakdown);
  if (judgement.qualified) return;
  found.violations.push({
    code: LOAN_RULE_ERRORS.BORROWER_NOT_QUALIFIED,
    message:
      qualifications.length === 0
        ? 'The borrower is neither a high-tech enterprise nor a registered tech SME'
        : judgement.breakdown[judgement.breakdown.length - 1].text,
    highTech,
    techSme,
    ...(qualifications.length ? { qualifications: qualifications.map((q) => ({ ...q })) } : {}),
  });
}

/** Term (RULES §2 Decision; B 第七条): at least termMonthsMin unless a renewal. */
function checkTerm(input: EligibilityInput, policy: PolicyVersion, found: Findings): void {
  if (input.termMonths >= policy.termMonthsMin) {
    found.breakdown.push({
      rule: RULE_TERM,
      text: `Term ${input.termMonths} months ≥ ${policy.termMonthsMin}: allowed`,
    });
  } else if (input.isRenewal) {
    found.breakdown.push({
      rule: RULE_TERM,
      text: `Term ${input.termMonths} months < ${policy.termMonthsMin}, allowed: a renewal (续贷) of a registered loan`,
    });
  } else {
    found.breakdown.push({
      rule: RULE_TERM,
      text: `Term ${input.termMonths} months < ${policy.termMonthsMin} and not a renewal`,
    });
    found.violations.push({
      code: LOAN_RULE_ERRORS.TERM_TOO_SHORT,
      message: `Term ${input.termMonths} months is shorter than ${policy.termMonthsMin} months and the loan is not a renewal`,
      termMonths: input.termMonths,
      termMonthsMin: policy.termMonthsMin,
    });
  }
}
