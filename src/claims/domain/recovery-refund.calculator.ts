import type { BreakdownStep } from '../../common/breakdown';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { fmtMoney, fmtUnrounded } from '../../common/format/figures';
import { RECOVERY_ERRORS } from './claims.errors';

export interface RecoveryRefundInput {
  /** Money recovered by this disposal (debt collected, asset sold, repayments resumed). */
  recovered: Money;
  /** Costs all parties agreed to deduct. */
  agreedCosts: Money;
  /** Compensation the reserve paid on this claim. */
  compensationPaid: Money;
  /** The claim's loss amount (principal + interest). */
  lossAmount: Money;
  /** Refunds already made on this claim for earlier recoveries. */
  refundedSoFar: Money;
}

export interface RecoveryRefundResult {
  /** What the bank returns to the reserve for this recovery. */
  refund: Money;
  /** recovered − agreedCosts (may be negative). */
  net: Money;
  /** max(net, 0) × compensationPaid / lossAmount, half-up to the fen, before the cumulative cap. */
  uncappedRefund: Money;
  /** compensationPaid − refundedSoFar: the most any refund may still be. */
  refundableRemaining: Money;
  capped: boolean;
  breakdown: BreakdownStep[];
}

const RULE = 'RULES §5; S 三(六), R 第十七条, B 第十三条';

function invalid(code: string, field: string, message: string): DomainError {
  return DomainError.invalid(code, message, [{ code, field, message }]);
}

/**
 * The refund to the reserve after a recovery (RULES §5; S 三(六), R 第十七条, B 第十三条): the
 * net recovery shared in proportion to the part of the loss the government carried,
 *
 *     refund = (recovered − agreedCosts) × compensationPaid / lossAmount, half-up to the fen,
 *
 * with two Decisions: a negative net recovery refunds nothing, and the cumulative refunds never
 * exceed the compensation paid (refund ≤ compensationPaid − refundedSoFar).
 *
 * Example (API.md): recovered 1,000,000.00, costs 50,000.00, compensation paid 1,860,000.00,
 * loss 3,100,000.00, nothing refunded yet → 950,000.00 × 1,860,000.00 / 3,100,000.00 =
 * 570,000.00.
 *
 * Throws DomainError invalid (400): RECOVERY.NEGATIVE_AMOUNT, RECOVERY.LOSS_INVALID (loss ≤ 0),
 * RECOVERY.COMPENSATION_ABOVE_LOSS, RECOVERY.REFUNDED_ABOVE_COMPENSATION.
 */
export function recoveryRefund(input: RecoveryRefundInput): RecoveryRefundResult {
  const { recovered, agreedCosts, compensationPaid, lossAmount, refundedSoFar } = input;
  for (const [field, m] of Object.entries({
    recovered,
    agreedCosts,
    compensationPaid,
    refundedSoFar,
  })) {
    if (m.isNegative())
      throw invalid(RECOVERY_ERRORS.NEGATIVE_AMOUNT, field, `${field} must not be negative`);
  }
  if (!lossAmount.isPositive())
    throw invalid(RECOVERY_ERRORS.LOSS_INVALID, 'lossAmount', 'lossAmount must be greater than 0.00');
  if (compensationPaid.gt(lossAmount)) {
    throw invalid(
      RECOVERY_ERRORS.COMPENSATION_ABOVE_LOSS,
      'compensationPaid',
      'compensationPaid must not exceed lossAmount',
    );
  }
  if (refundedSoFar.gt(compensationPaid)) {
    throw invalid(
      RECOVERY_ERRORS.REFUNDED_ABOVE_COMPENSATION,
      'refundedSoFar',
      'refundedSoFar must not exceed compensationPaid',
    );
  }

  const breakdown: BreakdownStep[] = [];
  const net = recovered.minus(agreedCosts);
  breakdown.push({
    rule: RULE,
    text: `Net recovery = recovered − agreed costs: ${fmtMoney(recovered)} − ${fmtMoney(agreedCosts)} = ${fmtMoney(net)}`,
    value: net.toString(),
  });

  let uncappedRefund: Money;
  if (net.isPositive()) {
    const exact = net.times(compensationPaid.amount).dividedBy(lossAmount.amount);
    uncappedRefund = Money.round(exact);
    breakdown.push({
      rule: RULE,
      text:
        `Government's share: ${fmtMoney(net)} × ${fmtMoney(compensationPaid)} / ${fmtMoney(lossAmount)} = ` +
        `${fmtUnrounded(exact)} → ${fmtMoney(uncappedRefund)} (half-up to the fen)`,
      value: uncappedRefund.toString(),
    });
  } else {
    uncappedRefund = Money.ZERO;
    breakdown.push({
      rule: `${RULE} (Decision)`,
      text: 'Net recovery is not positive: nothing to refund',
      value: '0.00',
    });
  }

  const refundableRemaining = compensationPaid.minus(refundedSoFar);
  const capped = uncappedRefund.gt(refundableRemaining);
  const refund = capped ? refundableRemaining : uncappedRefund;
  breakdown.push({
    rule: `${RULE} (Decision)`,
    text: capped
      ? `${fmtMoney(uncappedRefund)} > still refundable ${fmtMoney(compensationPaid)} − ${fmtMoney(refundedSoFar)} = ${fmtMoney(refundableRemaining)}: refund capped at ${fmtMoney(refund)}`
      : `${fmtMoney(uncappedRefund)} ≤ still refundable ${fmtMoney(compensationPaid)} − ${fmtMoney(refundedSoFar)} = ${fmtMoney(refundableRemaining)}: refund ${fmtMoney(refund)}`,
    value: refund.toString(),
  });

  return { refund, net, uncappedRefund, refundableRemaining, capped, breakdown };
}
