import { type BreakdownStep, stampVersion } from '../../common/breakdown';
import { daysBetween, parseIsoDate } from '../../common/calendar/iso-date';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { simpleInterest } from '../../common/money/simple-interest';
import { compensationRatio } from '../../loans/domain/compensation-ratio.calculator';
import {
  LoanSecurity,
  assertLoanSecurity,
  assertTermMonths,
} from '../../loans/domain/loan-security';
import { fmtMoney, fmtRatio, fmtUnrounded } from '../../common/format/figures';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import { IneligibleReason, claimTrigger } from './claim-trigger.calculator';
import { CLAIM_ERRORS } from './claims.errors';

export interface CompensationInput {
  /** Outstanding principal claimed. */
  principal: Money;
  /** Contract rate during the loan term (not penalty or post-maturity rates). */
  annualRate: Rate;
  /** First day of unpaid interest (欠息日). */
  interestUnpaidSince: string;
  /** Claim (application) date (申请日). */
  claimDate: string;
  /** The loan's compensation ratio, fixed at registration. */
  ratio: Rate;
}

export interface CompensationResult {
  /** Actual calendar days claimDate − interestUnpaidSince. */
  days: number;
  /** principal × days × rate / 360, rounded half-up to the fen. */
  interest: Money;
  /** principal + interest. */
  lossAmount: Money;
  /** lossAmount × ratio, rounded half-up to the fen, before the per-loan cap. */
  uncappedCompensation: Money;
  /** min(uncappedCompensation, cap). */
  compensation: Money;
  cap: Money;
  capped: boolean;
  breakdown: BreakdownStep[];
}

const RULE_LOSS = 'RULES §4; B 第十二条';
const RULE_CAP = 'RULES §3; S 二(一)3(1)';

/**
 * Loss and compensation of a claim (RULES §4; B 第十二条, S 三(五), R 第十二条):
 *
 *     days         = claimDate − interestUnpaidSince (actual calendar days)
 *     interest     = principal × days × annualRate / dayCountBasis (360), half-up to the fen (simpleInterest)
 *     loss         = principal + interest                       (shown)
 *     compensation = loss × ratio, half-up to the fen           (shown)
 *     then the cap compensationCapPerLoan (5,000,000.00)        (RULES §3; S 二(一)3(1))
 *
 * Each step uses the shown, rounded amount of the one before (RULES §4 Decision (money)).
 * Example (RULES §4 case A): 3,000,000.00 at 0.0435 from 2025-03-21 to 2025-07-15 = 116 days;
 * interest 3,000,000.00 × 116 × 0.0435 / 360 = 42,050.00; loss 3,042,050.00; × 0.60 =
 * 1,825,230.00 ≤ 5,000,000.00, not capped.
 *
 * Throws DomainError invalid: CLAIM.DATES_OUT_OF_ORDER when claimDate is before
 * interestUnpaidSince, CLAIM.PRINCIPAL_INVALID when principal ≤ 0, DATE.INVALID for bad dates.
 */
export function computeCompensation(
  input: CompensationInput,
  policy: PolicyVersion,
): CompensationResult {
  parseIsoDate(input.interestUnpaidSince, 'interestUnpaidSince');
  parseIsoDate(input.claimDate, 'claimDate');
  if (!input.principal.isPositive()) {
    throw DomainError.invalid(CLAIM_ERRORS.PRINCIPAL_INVALID, 'principal must be greater than 0.00', [
      {
        code: CLAIM_ERRORS.PRINCIPAL_INVALID,
        field: 'principal',
        message: `principal ${input.principal.toString()} is not positive`,
      },
    ]);
  }
  const days = daysBetween(input.interestUnpaidSince, input.claimDate);
  if (days < 0) {
    throw DomainError.invalid(
      CLAIM_ERRORS.DATES_OUT_OF_ORDER,
      'claimDate must not be before interestUnpaidSince',
      [
        {
          code: CLAIM_ERRORS.DATES_OUT_OF_ORDER,
          field: 'claimDate',
          message: `claimDate ${input.claimDate} is before interestUnpaidSince ${input.interestUnpaidSince}`,
        },
      ],
    );
  }
  if (input.ratio.value.isNegative() || input.ratio.value.greaterThan(1)) {
    throw new Error(`computeCompensation: ratio ${input.ratio.toString()} outside [0, 1]`);
  }

  const basis = policy.dayCountBasis;
  const unpaid = simpleInterest({ principal: input.principal, annualRate: input.annualRate, days, dayCountBasis: basis });
  const interest = unpaid.interest;
  const lossAmount = input.principal.plus(interest);
  const uncappedExact = lossAmount.times(input.ratio);
  const uncappedCompensation = Money.round(uncappedExact);
  const cap = Money.of(policy.compensationCapPerLoan);
  const capped = uncappedCompensation.gt(cap);
  const compensation = capped ? cap : uncappedCompensation;

  const breakdown: BreakdownStep[] = [
    {
      rule: RULE_LOSS,
      text: `Days of unpaid interest: ${input.interestUnpaidSince} → ${input.claimDate} = ${days} actual calendar days (ACT/${basis})`,
      value: String(days),
    },
    {
      rule: RULE_LOSS,
      text: `Unpaid interest at the contract rate: ${unpaid.text} (half-up to the fen; no penalty or compound interest)`,
      value: interest.toString(),
    },
    {
      rule: RULE_LOSS,
      text: `Loss = principal + interest: ${fmtMoney(input.principal)} + ${fmtMoney(interest)} = ${fmtMoney(lossAmount)}`,
      value: lossAmount.toString(),
    },
    {
      rule: RULE_LOSS,
      text: `Compensation = loss × ratio: ${fmtMoney(lossAmount)} × ${fmtRatio(input.ratio)} = ${fmtUnrounded(uncappedExact)} → ${fmtMoney(uncappedCompensation)} (half-up to the fen)`,
      value: uncappedCompensation.toString(),
    },
    {
      rule: RULE_CAP,
      text: capped
        ? `${fmtMoney(uncappedCompensation)} > cap ${fmtMoney(cap)} per loan: compensation capped at ${fmtMoney(compensation)}`
        : `${fmtMoney(uncappedCompensation)} ≤ cap ${fmtMoney(cap)} per loan: not capped`,
      value: compensation.toString(),
    },
  ];

  return { days, interest, lossAmount, uncappedCompensation, compensation, cap, capped, breakdown };
}

/** The request of `POST /v1/calculators/compensation` (API.md), already parsed. */
export interface CompensationCalculatorRequest {
  principal: Money;
  annualRate: Rate;
  interestUnpaidSince: string;
  claimDate: string;
  /** Revenue used directly for the bracket (no revenue-year choice in the calculator). */
  revenue: Money;
  security: LoanSecurity;
  termMonths: number;
  principalOverdueSince?: string | null;
  lawsuitAcceptedOn?: string | null;
  /** Research cooperation (henan-2025's 80% category). */
  researchCooperation?: boolean;
}

/** The response of `POST /v1/calculators/compensation` (API.md), ready to serialise. */
export interface CompensationCalculatorResponse {
  eligible: boolean;
  eligibleFrom: string | null;
  /** Two decimals at least: "0.60". */
  ratio: string;
  /** The policy version whose rules gave these figures (RULES §11a). */
  policyVersion: string;
  lossAmount: string;
  compensation: string;
  capped: boolean;
  days: number;
  breakdown: BreakdownStep[];
  /** Present only when not eligible. */
  ineligibleReason?: IneligibleReason;
}

/**
 * `POST /v1/calculators/compensation` (API.md; RULES §3, §4): the ratio from revenue, security
 * and term (`compensationRatio`), the trigger (`claimTrigger`) and the amounts
 * (`computeCompensation`). Amounts are computed even when the claim is not eligible, so a bank
 * sees what it would get. Pure: no state changes.
 *
 * Example (API.md): principal 3,000,000.00, 0.0435, unpaid since 2025-03-21, claim 2025-07-15,
 * revenue 18,000,000.00, collateral, 12 months, overdue since 2025-05-10 → eligible from
 * 2025-07-10, ratio "0.60", days 116, loss "3042050.00", compensation "1825230.00", not capped.
 *
 * Throws DomainError invalid (400): LOAN.TERM_INVALID (termMonths not a whole number ≥ 1),
 * LOAN.SECURITY_INVALID, CLAIM.DATES_OUT_OF_ORDER, CLAIM.PRINCIPAL_INVALID, DATE.INVALID.
 */
export function compensationCalculator(
  request: CompensationCalculatorRequest,
  policy: PolicyVersion,
): CompensationCalculatorResponse {
  assertTermMonths(request.termMonths);
  assertLoanSecurity(request.security);
  const ratio = compensationRatio(
    { revenue: request.revenue, security: request.security, termMonths: request.termMonths, researchCooperation: request.researchCooperation },
    policy,
  );
  const amounts = computeCompensation(
    {
      principal: request.principal,
      annualRate: request.annualRate,
      interestUnpaidSince: request.interestUnpaidSince,
      claimDate: request.claimDate,
      ratio: ratio.ratio,
    },
    policy,
  );
  const trigger = claimTrigger(
    {
      principalOverdueSince: request.principalOverdueSince ?? null,
      lawsuitAcceptedOn: request.lawsuitAcceptedOn ?? null,
      claimDate: request.claimDate,
    },
    policy,
  );

  return {
    eligible: trigger.eligible,
    eligibleFrom: trigger.eligibleFrom,
    ratio: fmtRatio(ratio.ratio),
    policyVersion: policy.id,
    lossAmount: amounts.lossAmount.toString(),
    compensation: amounts.compensation.toString(),
    capped: amounts.capped,
    days: amounts.days,
    breakdown: stampVersion(
      [
        { rule: 'RULES §11a', text: `Policy version ${policy.id} of ${policy.programme} (effective from ${policy.effectiveFrom})`, value: policy.id },
        ...ratio.breakdown,
        ...trigger.breakdown,
        ...amounts.breakdown,
      ],
      policy.id,
    ),
    ...(trigger.ineligibleReason ? { ineligibleReason: trigger.ineligibleReason } : {}),
  };
}
