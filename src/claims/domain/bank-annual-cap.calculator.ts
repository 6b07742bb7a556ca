import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney, fmtPercent } from '../../common/format/figures';
import { D } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import type { PolicyVersion } from '../../programme/domain/policy-version';

export type BankAnnualCapPolicy = Pick<PolicyVersion, 'id' | 'bankAnnualCapBalanceShare' | 'bankAnnualCapAmount'>;

export interface BankAnnualRoomInput {
  bankCode: string;
  /** The calendar year of the approval. */
  year: number;
  /** The bank's tech-loan outstanding balance at the end of the previous year (31 December). */
  balancePreviousYearEnd: Money;
  /** Compensation already approved for the bank in `year` (claims of every version). */
  approvedThisYear: Money;
}

export interface BankAnnualRoom {
  year: number;
  /** balance × share, half-up to the fen. */
  capByBalance: Money;
  capAmount: Money | null;
  /** min(capByBalance, capAmount). */
  cap: Money;
  approved: Money;
  /** max(cap − approved, 0). */
  room: Money;
  breakdown: BreakdownStep[];
}

const RULE = 'RULES §11a (henan-2025: 年度补偿额不超过上年末科技贷余额的2%且不超过1000万元)';

/** Whether the version has a per-bank annual cap (henan-2025 does, henan-2021 does not). */
export function hasBankAnnualCap(policy: BankAnnualCapPolicy): boolean {
  return policy.bankAnnualCapBalanceShare !== null || policy.bankAnnualCapAmount !== null;
}

/**
 * A bank's room under the per-bank annual cap (RULES §11a, henan-2025): compensation approved for
 * one bank in one calendar year ≤ bankAnnualCapBalanceShare (2%) of its outstanding balance at the
 * end of the previous year, and ≤ bankAnnualCapAmount (10,000,000.00). The room is the cap less
 * what was approved that year. Decision: "approved" counts every claim of the bank approved in the
 * year, whatever its loan's version (the cap is on the bank's year), while only claims under a
 * version with the cap are cut by it (henan-2021 loans keep their rules).
 *
 * Example: balance 31 December 2025 of 300,000,000.00 → 2% = 6,000,000.00 ≤ 10,000,000.00 → cap
 * 6,000,000.00; 3,000,000.00 approved in 2026 → room 3,000,000.00.
 */
export function bankAnnualRoom(input: BankAnnualRoomInput, policy: BankAnnualCapPolicy): BankAnnualRoom {
  const share = policy.bankAnnualCapBalanceShare;
  const capByBalance = share === null ? null : Money.round(input.balancePreviousYearEnd.times(new D(share)));
  const capAmount = policy.bankAnnualCapAmount === null ? null : Money.of(policy.bankAnnualCapAmount);
  if (!capByBalance && !capAmount) throw new Error(`policy ${policy.id} has no per-bank annual cap`);
  const cap = capByBalance && capAmount ? capByBalance.min(capAmount) : ((capByBalance ?? capAmount) as Money);
  const room = cap.minus(input.approvedThisYear).max(Money.ZERO);
  const byBalanceText = capByBalance ? `${fmtMoney(input.balancePreviousYearEnd)} × ${fmtPercent(new D(share as string))} = ${fmtMoney(capByBalance)}` : 'no share cap';
  const breakdown: BreakdownStep[] = [
    {
      rule: RULE,
      text:
        `Bank ${input.bankCode}'s annual cap for ${input.year}: balance at ${input.year - 1}-12-31 ${byBalanceText}` +
        `${capAmount ? `, at most ${fmtMoney(capAmount)}` : ''} → cap ${fmtMoney(cap)}`,
      value: cap.toString(),
      policyVersion: policy.id,
    },
    {
      rule: RULE,
      text: `Approved for bank ${input.bankCode} in ${input.year} so far ${fmtMoney(input.approvedThisYear)}: room ${fmtMoney(cap)} − ${fmtMoney(input.approvedThisYear)} = ${fmtMoney(room)}`,
      value: room.toString(),
      policyVersion: policy.id,
    },
  ];
  return { year: input.year, capByBalance: capByBalance ?? cap, capAmount, cap, approved: input.approvedThisYear, room, breakdown };
}

export interface BankAnnualCapOutcome {
  /** What may be approved: min(compensation, room). */
  approved: Money;
  /** Approved for less than the claim computed (the room left). */
  cut: boolean;
  /** No room left: the claim cannot be approved this year. */
  refused: boolean;
  breakdown: BreakdownStep[];
}

/**
 * A claim's compensation against the bank's room (RULES §11a Decision): within the room it is
 * approved in full; above it, for the room left (the breakdown says so); with no room left it is
 * refused, the room shown. Example: room 1,000,000.00, claim 2,500,000.00 → approved 1,000,000.00
 * (cut); room 0.00 → refused.
 */
export function applyBankAnnualCap(compensation: Money, room: BankAnnualRoom, policy: BankAnnualCapPolicy): BankAnnualCapOutcome {
  const steps = [...room.breakdown];
  if (!room.room.isPositive()) {
    steps.push({ rule: RULE, text: `No room left in ${room.year} (room ${fmtMoney(room.room)}): the claim of ${fmtMoney(compensation)} cannot be approved this year`, value: '0.00', policyVersion: policy.id });
    return { approved: Money.ZERO, cut: false, refused: true, breakdown: steps };
  }
  if (compensation.lte(room.room)) {
    steps.push({ rule: RULE, text: `Compensation ${fmtMoney(compensation)} ≤ room ${fmtMoney(room.room)}: approved in full`, value: compensation.toString(), policyVersion: policy.id });
    return { approved: compensation, cut: false, refused: false, breakdown: steps };
  }
  steps.push({
    rule: RULE,
    text: `Compensation ${fmtMoney(compensation)} > room ${fmtMoney(room.room)}: approved for the room left, ${fmtMoney(room.room)} (${fmtMoney(compensation.minus(room.room))} not approved)`,
    value: room.room.toString(),
    policyVersion: policy.id,
  });
  return { approved: room.room, cut: true, refused: false, breakdown: steps };
}
