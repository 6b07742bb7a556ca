import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney, formatPercent } from '../../common/format/figures';
import { DomainError, type ErrorDetail } from '../../common/errors/domain-error';
import { D, ROUND_DOWN } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import { parseIsoDate } from '../../common/calendar/iso-date';
import { AGENCY_FEE_RULE_ERRORS } from './loan-rules.errors';

export type AgencyFeePolicy = Pick<PolicyVersion, 'agencyFeeCapAnnual'>;

export interface AgencyFeeInput {
  /** The loan amount the fee is charged on (当年贷款额: the amount lent in the fee's year). */
  loanAmount: Money;
  /** The fee the agency charges. */
  fee: Money;
  /**
   * Months of service the fee pays for: 12 for a yearly fee; the loan's termMonths for a single
   * fee covering the whole term; fewer for a final part year.
   */
  periodMonths: number;
  /** The date the fee is charged. */
  chargedOn: string;
  /** The date of the trustee's confirmation letter (确认函) for that loan; null if none yet. */
  confirmationLetterOn: string | null;
}

export interface AgencyFeeCheckResult {
  allowed: boolean;
  /** loanAmount × cap rate × periodMonths / 12, rounded DOWN to the fen. */
  cap: Money;
  /** Every broken rule (empty when allowed), codes AGENCY.FEE_ABOVE_CAP / AGENCY.FEE_BEFORE_CONFIRMATION. */
  violations: ErrorDetail[];
  breakdown: BreakdownStep[];
}

/**
 * Checks an agency service fee against the cap and the confirmation-letter rule.
 *
 * RULES §7; A 第六条(一): at most 1% of the loan amount per year (policy `agencyFeeCapAnnual`), and
 * only after the trustee's confirmation letter for that loan.
 * Decision (pro-rating): a fee paying for `periodMonths` of service is capped at
 * `loanAmount × 1% × periodMonths / 12`; a yearly fee uses 12, a single up-front fee for an
 * 18-month loan uses 18 (cap 1.5%), a last 6-month period uses 6. The division by 12 is not
 * rounded for the comparison (fee ≤ exact cap); the cap is shown rounded DOWN to the fen, which
 * for fees in whole fen is the same test, and never shows a cap the agency may not actually reach.
 * Decision (timing): a fee charged on the letter's date is allowed; before it, or with no letter,
 * it is refused.
 *
 * Worked example: loan 3,000,000.00, fee 45,000.00 for a whole 18-month term, charged 2025-03-10,
 * letter 2025-03-05 → cap 3,000,000.00 × 1% × 18 / 12 = 45,000.00 → allowed. Fee 45,000.01 → refused
 * with AGENCY.FEE_ABOVE_CAP.
 */
export function checkAgencyFee(
  input: AgencyFeeInput,
  policy: AgencyFeePolicy,
): AgencyFeeCheckResult {
  parseIsoDate(input.chargedOn, 'chargedOn');
  if (input.confirmationLetterOn !== null)
    parseIsoDate(input.confirmationLetterOn, 'confirmationLetterOn');
  if (!Number.isInteger(input.periodMonths) || input.periodMonths < 1) {
    throw DomainError.invalid(
      AGENCY_FEE_RULE_ERRORS.INVALID_FEE_PERIOD,
      'periodMonths must be a whole number of months, at least 1.',
      [
        {
          code: AGENCY_FEE_RULE_ERRORS.INVALID_FEE_PERIOD,
          message: 'periodMonths must be an integer ≥ 1',
          field: 'periodMonths',
        },
      ],
    );
  }
  if (input.loanAmount.isNegative() || input.fee.isNegative()) {
    throw DomainError.invalid(
      AGENCY_FEE_RULE_ERRORS.NEGATIVE_AMOUNT,
      'Loan amount and fee must not be negative.',
    );
  }
  const rule = 'RULES §7; A 第六条(一)';
  const capRate = new D(policy.agencyFeeCapAnnual);
  const exactCap = input.loanAmount.times(capRate).times(input.periodMonths).dividedBy(12);
  const cap = Money.of(exactCap.toDecimalPlaces(2, ROUND_DOWN));
  const violations: ErrorDetail[] = [];
  const breakdown: BreakdownStep[] = [
    {
      rule,
      text:
        `Cap = loan ${fmtMoney(input.loanAmount)} × ${formatPercent(capRate)} × ${input.periodMonths} / 12 months = ` +
        `${fmtMoney(cap)} (division by 12 exact; shown rounded down to the fen)`,
      value: cap.toString(),
    },
  ];

  const aboveCap = input.fee.amount.greaterThan(exactCap);
  breakdown.push({
    rule,
    text: `Fee ${fmtMoney(input.fee)} ${aboveCap ? '>' : '≤'} cap ${fmtMoney(cap)}${aboveCap ? ': refused' : ''}`,
  });
  if (aboveCap) {
    violations.push({
      code: AGENCY_FEE_RULE_ERRORS.ABOVE_CAP,
      message: `The fee ${input.fee.toString()} exceeds the cap ${cap.toString()} (${formatPercent(capRate)} a year of ${input.loanAmount.toString()} for ${input.periodMonths} months).`,
      field: 'fee',
      cap: cap.toString(),
    });
  }

  const letter = input.confirmationLetterOn;
  const beforeLetter = letter === null || input.chargedOn < letter;
  breakdown.push({
    rule,
    text:
      letter === null
        ? `Charged ${input.chargedOn} with no confirmation letter yet: refused`
        : `Charged ${input.chargedOn} ${beforeLetter ? 'before' : 'on or after'} the confirmation letter of ${letter}${beforeLetter ? ': refused' : ''}`,
  });
  if (beforeLetter) {
    violations.push({
      code: AGENCY_FEE_RULE_ERRORS.BEFORE_CONFIRMATION,
      message:
        letter === null
          ? 'A fee may only be charged after the trustee has issued the confirmation letter for the loan; none has been issued.'
          : `A fee may only be charged after the confirmation letter of ${letter}; it was charged on ${input.chargedOn}.`,
      field: 'chargedOn',
    });
  }
  return { allowed: violations.length === 0, cap, violations, breakdown };
}

/**
 * Throws a 422 DomainError AGENCY.FEE_REFUSED listing every violation when the fee is not allowed
 * (RULES §7; A 第六条(一)). Example: a fee above the cap and before the letter → one error whose
 * details hold AGENCY.FEE_ABOVE_CAP and AGENCY.FEE_BEFORE_CONFIRMATION.
 */
export function assertAgencyFeeAllowed(result: AgencyFeeCheckResult): void {
  if (!result.allowed) {
    throw DomainError.rule(AGENCY_FEE_RULE_ERRORS.REFUSED, 'The agency fee is refused.', result.violations);
  }
}
