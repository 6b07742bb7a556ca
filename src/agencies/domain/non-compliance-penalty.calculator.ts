import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney } from '../../common/format/figures';
import { DomainError } from '../../common/errors/domain-error';
import { D } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import { AGENCY_ERRORS } from './margin.errors';

export type NonCompliancePenaltyPolicy = Pick<PolicyVersion, 'nonCompliancePenaltyMultiple'>;

export interface NonCompliancePenaltyResult {
  penalty: Money;
  breakdown: BreakdownStep[];
}

/**
 * The penalty taken from an agency's margin when the expert review of a compensated loan finds it
 * did not do its due diligence.
 *
 * RULES §7; A 第十三条: 5 × the service fee charged on that loan (policy
 * `nonCompliancePenaltyMultiple`). "The fee charged" is every fee the agency collected on that
 * loan, all years together (the caller sums them). Rounded half-up to the fen (exact for a whole
 * multiple). Take it with `takeFromMargin`, which records any shortfall.
 *
 * Worked example: fee charged 30,000.00 → penalty 5 × 30,000.00 = 150,000.00.
 */
export function computeNonCompliancePenalty(
  input: { feeCharged: Money },
  policy: NonCompliancePenaltyPolicy,
): NonCompliancePenaltyResult {
  if (input.feeCharged.isNegative()) {
    throw DomainError.invalid(AGENCY_ERRORS.NEGATIVE_AMOUNT, 'The fee charged must not be negative.');
  }
  const multiple = new D(policy.nonCompliancePenaltyMultiple);
  const penalty = input.feeCharged.timesRounded(multiple);
  return {
    penalty,
    breakdown: [
      {
        rule: 'RULES §7; A 第十三条',
        text: `Penalty = ${multiple.toFixed()} × fee charged ${fmtMoney(input.feeCharged)} = ${fmtMoney(penalty)}`,
        value: penalty.toString(),
      },
    ],
  };
}
