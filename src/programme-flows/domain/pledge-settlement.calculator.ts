import type { BreakdownStep } from '../../common/breakdown';
import { daysBetween } from '../../common/calendar/iso-date';
import { fmtMoney, fmtRate, fmtUnrounded } from '../../common/format/figures';
import { Money } from '../../common/money/money';
import type { Rate } from '../../common/money/rate';
import { simpleInterest } from '../../common/money/simple-interest';

const RULE_ADVANCE = 'RULES §11; xinxiang 七.3 (先行按比例拨付补偿金)';
const RULE_LOSS = 'RULES §4 (loss, by analogy); xinxiang 七.3';
const RULE_SETTLE = 'RULES §11; xinxiang 七.3 (待质物处置后再行清算)';

export interface PledgeAdvanceInput {
  /** Outstanding principal at default. */
  principal: Money;
  /** The loan's contract rate (no penalty interest, as RULES §4). */
  annualRate: Rate;
  interestUnpaidSince: string;
  claimDate: string;
  advanceRatio: Rate;
  dayCountBasis: number;
}

export interface PledgeAdvanceResult {
  days: number;
  interest: Money;
  lossAmount: Money;
  advance: Money;
  breakdown: BreakdownStep[];
}

/**
 * Phase one of the IP-pledge claim: the advance at default (RULES §11; xinxiang 七.3 "在融资出现不良
 * 时，先行按比例拨付补偿金"). The loss is measured as Henan's (RULES §4, the only loss rule the
 * book states): outstanding principal plus the interest unpaid up to the claim date at the contract
 * rate, ACT/`dayCountBasis`; each shown amount is rounded half-up to the fen and the next step uses
 * the shown amount.
 *
 *     days     = claimDate − interestUnpaidSince
 *     interest = principal × days × rate / basis          (half-up, fen; simpleInterest)
 *     loss     = principal + interest
 *     advance  = loss × advanceRatio                      (half-up, fen)
 *
 * Worked example: 1,000,000.00 at 4.35% unpaid from 2025-03-21 to the claim on 2025-07-15: 116
 * days; interest 1,000,000.00 × 116 × 0.0435 / 360 = 14,016.666…→ 14,016.67; loss 1,014,016.67;
 * advance at 0.40 = 405,606.668 → 405,606.67.
 */
export function pledgeAdvance(input: PledgeAdvanceInput): PledgeAdvanceResult {
  const days = daysBetween(input.interestUnpaidSince, input.claimDate);
  if (days < 0) throw new Error(`pledgeAdvance: interest unpaid since ${input.interestUnpaidSince} is after the claim date ${input.claimDate}`);
  const unpaid = simpleInterest({ principal: input.principal, annualRate: input.annualRate, days, dayCountBasis: input.dayCountBasis });
  const interest = unpaid.interest;
  const lossAmount = input.principal.plus(interest);
  const exactAdvance = lossAmount.times(input.advanceRatio);
  const advance = Money.round(exactAdvance);
  return {
    days,
    interest,
    lossAmount,
    advance,
    breakdown: [
      { rule: RULE_LOSS, text: `Interest unpaid from ${input.interestUnpaidSince} to ${input.claimDate}: ${days} days.`, value: String(days) },
      {
        rule: RULE_LOSS,
        text: `Interest ${unpaid.text} (half-up to the fen).`,
        value: interest.toString(),
      },
      { rule: RULE_LOSS, text: `Loss at default ${fmtMoney(input.principal)} + ${fmtMoney(interest)} = ${fmtMoney(lossAmount)}.`, value: lossAmount.toString() },
      {
        rule: RULE_ADVANCE,
        text: `Advance ${fmtMoney(lossAmount)} × ${fmtRate(input.advanceRatio)} = ${fmtUnrounded(exactAdvance)} → ${fmtMoney(advance)} (half-up to the fen).`,
        value: advance.toString(),
      },
    ],
  };
}

export type SettlementDirection = 'refund' | 'top_up' | 'none';

export interface PledgeSettlementInput {
  /** The loss at default the advance was computed on. */
  lossAmount: Money;
  /** The advance paid. */
  advance: Money;
  /** What the pledged IP sold for. */
  proceeds: Money;
  /** Disposal costs all parties agreed (as RULES §5's agreed costs). */
  disposalCosts: Money;
  settlementRatio: Rate;
}

export interface PledgeSettlementResult {
  /** max(0, proceeds − disposal costs). */
  netProceeds: Money;
  /** max(0, loss − net proceeds). */
  finalLoss: Money;
  /** finalLoss × settlementRatio, half-up: what the fund bears in the end. */
  finalCompensation: Money;
  /** refund: the bank returns advance − final; top_up: the fund pays final − advance. */
  direction: SettlementDirection;
  /** |final − advance|; 0.00 when none. */
  difference: Money;
  breakdown: BreakdownStep[];
}

/**
 * Phase two: the settlement after the pledge is sold (RULES §11; xinxiang 七.3 "待质物处置后再行清算").
 * The fund's final share is `settlementRatio` of what the sale left unrecovered; the advance is
 * trued up to it — the bank refunds an advance above it, the fund tops up one below it.
 *
 *     net proceeds       = max(0, proceeds − agreed disposal costs)   (as RULES §5: a negative net recovers nothing)
 *     final loss         = max(0, loss − net proceeds)
 *     final compensation = final loss × settlementRatio                (half-up, fen)
 *     difference         = final compensation − advance               (> 0 top-up to the bank, < 0 refund to the fund)
 *
 * Worked examples, loss 1,014,016.67, advance 405,606.67 (0.40), settlementRatio 0.50:
 * - sold for 300,000.00, costs 20,000.00: net 280,000.00; final loss 734,016.67; × 0.50 =
 *   367,008.335 → 367,008.34; refund 405,606.67 − 367,008.34 = 38,598.33;
 * - sold for 120,000.00, costs 20,000.00: net 100,000.00; final loss 914,016.67; × 0.50 =
 *   457,008.335 → 457,008.34; top-up 457,008.34 − 405,606.67 = 51,401.67.
 */
export function pledgeSettlement(input: PledgeSettlementInput): PledgeSettlementResult {
  const grossNet = input.proceeds.minus(input.disposalCosts);
  const netProceeds = grossNet.isNegative() ? Money.ZERO : grossNet;
  const residual = input.lossAmount.minus(netProceeds);
  const finalLoss = residual.isNegative() ? Money.ZERO : residual;
  const exactFinal = finalLoss.times(input.settlementRatio);
  const finalCompensation = Money.round(exactFinal);
  const signed = finalCompensation.minus(input.advance);
  const direction: SettlementDirection = signed.isPositive() ? 'top_up' : signed.isNegative() ? 'refund' : 'none';
  const difference = signed.abs();
  const outcome =
    direction === 'refund'
      ? `the bank refunds ${fmtMoney(input.advance)} − ${fmtMoney(finalCompensation)} = ${fmtMoney(difference)} to the fund`
      : direction === 'top_up'
        ? `the fund tops up ${fmtMoney(finalCompensation)} − ${fmtMoney(input.advance)} = ${fmtMoney(difference)} to the bank`
        : 'the advance equals the final compensation: nothing moves';
  return {
    netProceeds,
    finalLoss,
    finalCompensation,
    direction,
    difference,
    breakdown: [
      {
        rule: RULE_SETTLE,
        text: `Net proceeds max(0, ${fmtMoney(input.proceeds)} − ${fmtMoney(input.disposalCosts)}) = ${fmtMoney(netProceeds)}.`,
        value: netProceeds.toString(),
      },
      { rule: RULE_SETTLE, text: `Final loss max(0, ${fmtMoney(input.lossAmount)} − ${fmtMoney(netProceeds)}) = ${fmtMoney(finalLoss)}.`, value: finalLoss.toString() },
      {
        rule: RULE_SETTLE,
        text: `Final compensation ${fmtMoney(finalLoss)} × ${fmtRate(input.settlementRatio)} = ${fmtUnrounded(exactFinal)} → ${fmtMoney(finalCompensation)} (half-up to the fen).`,
        value: finalCompensation.toString(),
      },
      { rule: RULE_SETTLE, text: `Against the advance of ${fmtMoney(input.advance)}: ${outcome}.`, value: difference.toString() },
    ],
  };
}
