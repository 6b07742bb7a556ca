import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney } from '../../common/format/figures';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { AGENCY_ERRORS } from './margin.errors';

export interface MarginTakeInput {
  /** The agency's margin balance before the deduction. */
  marginBalance: Money;
  /** What should be taken: a deduction (RULES §7 bands) or a non-compliance penalty. */
  amountDue: Money;
}

export interface MarginTakeResult {
  /** min(balance, amount due): moved from the margin now. */
  taken: Money;
  /** amount due − taken: the agency must pay it in within 5 working days. */
  shortfall: Money;
  balanceAfter: Money;
  /** True when there is a shortfall: no new business until it is paid (A 第十九条(三)). */
  suspendNewBusiness: boolean;
  breakdown: BreakdownStep[];
}

/**
 * Takes a deduction or penalty from an agency's margin, recording any shortfall.
 *
 * RULES §7; A 第十八条(四), 第十九条(三): take what is there, record the shortfall; the agency
 * must top up within 5 working days (the due date is the service's, with the calendar) and is
 * suspended for new business until it does. No rounding: both inputs are already in fen.
 *
 * Worked example: margin 250,000.00, deduction 300,000.00 → taken 250,000.00, shortfall 50,000.00,
 * balance after 0.00, suspended for new business.
 */
export function takeFromMargin(input: MarginTakeInput): MarginTakeResult {
  const { marginBalance, amountDue } = input;
  if (marginBalance.isNegative() || amountDue.isNegative()) {
    throw DomainError.invalid(
      AGENCY_ERRORS.NEGATIVE_AMOUNT,
      'Margin balance and amount due must not be negative.',
    );
  }
  const rule = 'RULES §7; A 第十八条(四), 第十九条(三)';
  const taken = marginBalance.min(amountDue);
  const shortfall = amountDue.minus(taken);
  const balanceAfter = marginBalance.minus(taken);
  const breakdown: BreakdownStep[] = [
    {
      rule,
      text: `Taken = min(margin ${fmtMoney(marginBalance)}, due ${fmtMoney(amountDue)}) = ${fmtMoney(taken)}; balance after ${fmtMoney(balanceAfter)}`,
      value: taken.toString(),
    },
    {
      rule,
      text: shortfall.isPositive()
        ? `Shortfall = ${fmtMoney(amountDue)} − ${fmtMoney(taken)} = ${fmtMoney(shortfall)}: to be paid in within 5 working days; no new business until then`
        : 'No shortfall',
      value: shortfall.toString(),
    },
  ];
  return { taken, shortfall, balanceAfter, suspendNewBusiness: shortfall.isPositive(), breakdown };
}
