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
  /**
   * The earlier recoveries' net amounts added up (each negative one counted as 0). When given,
   * the refund is the cumulative one of RULES §5 (2026-12); when absent, this recovery's own share.
   */
  netRecoveredSoFar?: Money;
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
 * The cumulative refund (RULES §5 "Decision (rounding, 2026-12)"): the k-th refund is
 * round(Σ net recoveries so far × compensationPaid / lossAmount) − Σ earlier refunds, so that
 * splitting one recovery into several never changes the total. Decision: a negative net counts as
 * 0 in the sum (a loss on one disposal does not claw back an earlier refund), and the k-th refund
 * is never negative. Example, share 50%: 100,000.01 then 100,000.01 → round(50,000.005) =
 * 50,000.01, then round(100,000.01) − 50,000.01 = 50,000.00.
 */
function cumulativeShare(input: Required<RecoveryRefundInput>, net: Money, breakdown: BreakdownStep[]): Money {
  if (input.netRecoveredSoFar.isNegative()) throw invalid(RECOVERY_ERRORS.NEGATIVE_AMOUNT, 'netRecoveredSoFar', 'netRecoveredSoFar must not be negative');
  const counted = net.max(Money.ZERO);
  const totalNet = input.netRecoveredSoFar.plus(counted);
  const exact = totalNet.times(input.compensationPaid.amount).dividedBy(input.lossAmount.amount);
  const cumulative = Money.round(exact);
  const refund = cumulative.minus(input.refundedSoFar).max(Money.ZERO);
  breakdown.push(
    {
      rule: `${RULE} (Decision, cumulative)`,
      text:
        `Net recoveries so far: ${fmtMoney(input.netRecoveredSoFar)} + ${fmtMoney(counted)} = ${fmtMoney(totalNet)}; ` +
        `their share: ${fmtMoney(totalNet)} × ${fmtMoney(input.compensationPaid)} / ${fmtMoney(input.lossAmount)} = ${fmtUnrounded(exact)} → ${fmtMoney(cumulative)} (half-up to the fen)`,
      value: cumulative.toString(),
    },
    {
      rule: `${RULE} (Decision, cumulative)`,
      text: `This refund = ${fmtMoney(cumulative)} − refunded so far ${fmtMoney(input.refundedSoFar)} = ${fmtMoney(refund)}`,
      value: refund.toString(),
    },
  );
  return refund;
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
  if (input.netRecoveredSoFar) {
    uncappedRefund = cumulativeShare(input as Required<RecoveryRefundInput>, net, breakdown);
  } else if (net.isPositive()) {
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
  // The cap below keeps the cumulative refunds within the compensation paid.
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
