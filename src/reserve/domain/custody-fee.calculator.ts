import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney, formatPercent } from '../../common/format/figures';
import { DomainError } from '../../common/errors/domain-error';
import { D } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import { apportionByLargestRemainder } from './apportion';
import { RESERVE_ERRORS } from './reserve.errors';

export type CustodyFeePolicy = Pick<PolicyVersion, 'custodyFeeRate'>;

export interface CustodyFeeInput {
  /**
   * The reserve's total at quarter end BEFORE this quarter's interest is added: the principal of
   * all reserve accounts (准备金总额), excluding the quarter's interest (准备金利息).
   */
  reserveTotal: Money;
  /** Deposit interest credited for the quarter, across all reserve accounts. */
  quarterInterest: Money;
}

export interface CustodyFeeResult {
  /** rate × reserve total, rounded half-up to the fen. */
  fee: Money;
  /** min(fee, interest). */
  fromInterest: Money;
  /** fee − fromInterest: the part the interest did not cover. */
  fromPrincipal: Money;
  /** interest − fromInterest: interest left over, added to principal. */
  interestToPrincipal: Money;
  /** interestToPrincipal − fromPrincipal: the net change of principal (may be negative). */
  principalChange: Money;
  breakdown: BreakdownStep[];
}

/**
 * The custodian's quarterly fee and where it comes from.
 *
 * RULES §8; R 第二十二条: at each quarter end the custodian may take 0.1% (policy `custodyFeeRate`)
 * of the reserve's total, first from that quarter's deposit interest, the shortfall from
 * principal; interest left over is added to principal.
 * Decision (which total): the principal total at quarter end before the quarter's interest is
 * added (R 第二十二条 "当期信贷准备金总额" read as the fund itself, the interest being the separate
 * "准备金利息" the fee is drawn from); this is what RULES' example uses. Rounded half-up to the fen.
 * Invariants: fromInterest + fromPrincipal = fee; fromInterest + interestToPrincipal = interest.
 *
 * Worked example: reserve 320,000,000.00, interest 920,000.00 → fee 320,000,000.00 × 0.1% =
 * 320,000.00, all from interest; 920,000.00 − 320,000.00 = 600,000.00 added to principal.
 */
export function computeCustodyFee(
  input: CustodyFeeInput,
  policy: CustodyFeePolicy,
): CustodyFeeResult {
  if (input.reserveTotal.isNegative() || input.quarterInterest.isNegative()) {
    throw DomainError.invalid(
      RESERVE_ERRORS.NEGATIVE_AMOUNT,
      'Reserve total and interest must not be negative.',
    );
  }
  const rule = 'RULES §8; R 第二十二条';
  const rate = new D(policy.custodyFeeRate);
  const fee = input.reserveTotal.timesRounded(rate);
  const fromInterest = fee.min(input.quarterInterest);
  const fromPrincipal = fee.minus(fromInterest);
  const interestToPrincipal = input.quarterInterest.minus(fromInterest);
  const principalChange = interestToPrincipal.minus(fromPrincipal);
  const breakdown: BreakdownStep[] = [
    {
      rule,
      text: `Fee = reserve total ${fmtMoney(input.reserveTotal)} (before the quarter's interest) × ${formatPercent(rate)} = ${fmtMoney(fee)} (rounded half-up to the fen)`,
      value: fee.toString(),
    },
    {
      rule,
      text: `From interest = min(fee ${fmtMoney(fee)}, interest ${fmtMoney(input.quarterInterest)}) = ${fmtMoney(fromInterest)}`,
      value: fromInterest.toString(),
    },
    {
      rule,
      text: `From principal = ${fmtMoney(fee)} − ${fmtMoney(fromInterest)} = ${fmtMoney(fromPrincipal)}`,
      value: fromPrincipal.toString(),
    },
    {
      rule,
      text: `Interest added to principal = ${fmtMoney(input.quarterInterest)} − ${fmtMoney(fromInterest)} = ${fmtMoney(interestToPrincipal)}`,
      value: interestToPrincipal.toString(),
    },
  ];
  return { fee, fromInterest, fromPrincipal, interestToPrincipal, principalChange, breakdown };
}

export interface CustodyFeeAccountInput {
  bankCode: string;
  /** The account's principal at quarter end, before the quarter's interest. */
  principal: Money;
  /** The quarter's deposit interest credited to this account. */
  interest: Money;
}

export interface CustodyFeeAccountLeg {
  bankCode: string;
  /** This account's part of the fee taken from its interest. */
  feeFromInterest: Money;
  /** This account's part of the fee taken from its principal. */
  feeFromPrincipal: Money;
  /** interest − feeFromInterest: this account's interest kept and added to principal. */
  interestToPrincipal: Money;
}

export interface CustodyFeeAllocation extends CustodyFeeResult {
  legs: CustodyFeeAccountLeg[];
}

/**
 * The quarterly custody fee split over the reserve accounts, for the ledger postings.
 *
 * RULES §8; R 第二十二条, as `computeCustodyFee` on the totals (Σ principal, Σ interest); then
 * (Decision) the part from interest is split over the accounts in proportion to their interest,
 * and the part from principal in proportion to their principal, each by the largest-remainder
 * method to the fen (ties by bank code), so the legs add up exactly to the totals and no account
 * gives more interest or principal than it has. The fee is drawn from interest anywhere before any
 * principal is touched, as the rule applies to the reserve as a whole.
 *
 * Worked example: A principal 200,000,000.00 interest 600,000.00; B principal 120,000,000.00
 * interest 320,000.00 → fee 320,000.00 all from interest: A 320,000 × 600,000 / 920,000 =
 * 208,695.652… → 208,695.65, B 111,304.347… → 111,304.35; A adds 391,304.35 and B 208,695.65 to
 * principal (together 600,000.00).
 */
export function allocateCustodyFee(
  input: { accounts: CustodyFeeAccountInput[] },
  policy: CustodyFeePolicy,
): CustodyFeeAllocation {
  const accounts = [...input.accounts].sort((a, b) =>
    a.bankCode < b.bankCode ? -1 : a.bankCode > b.bankCode ? 1 : 0,
  );
  const seen = new Set<string>();
  for (const a of accounts) {
    if (seen.has(a.bankCode)) {
      throw DomainError.invalid(RESERVE_ERRORS.DUPLICATE_BANK, `Bank ${a.bankCode} appears twice.`);
    }
    seen.add(a.bankCode);
  }
  const totals = computeCustodyFee(
    {
      reserveTotal: Money.sum(accounts.map((a) => a.principal)),
      quarterInterest: Money.sum(accounts.map((a) => a.interest)),
    },
    policy,
  );
  const fromInterest = apportionByLargestRemainder(
    totals.fromInterest,
    accounts.map((a) => ({ key: a.bankCode, weight: a.interest.amount })),
  );
  const fromPrincipal = apportionByLargestRemainder(
    totals.fromPrincipal,
    accounts.map((a) => ({ key: a.bankCode, weight: a.principal.amount })),
  );
  const legs: CustodyFeeAccountLeg[] = accounts.map((a) => {
    const feeFromInterest = fromInterest.get(a.bankCode) ?? Money.ZERO;
    const feeFromPrincipal = fromPrincipal.get(a.bankCode) ?? Money.ZERO;
    return {
      bankCode: a.bankCode,
      feeFromInterest,
      feeFromPrincipal,
      interestToPrincipal: a.interest.minus(feeFromInterest),
    };
  });
  const rule = 'RULES §8; R 第二十二条';
  const breakdown: BreakdownStep[] = [
    ...totals.breakdown,
    ...legs.map((l) => ({
      rule,
      text:
        `${l.bankCode}: fee from interest ${fmtMoney(l.feeFromInterest)} (∝ its interest), from principal ` +
        `${fmtMoney(l.feeFromPrincipal)} (∝ its principal), interest added to principal ${fmtMoney(l.interestToPrincipal)} ` +
        '(largest remainder to the fen, ties by bank code)',
    })),
  ];
  return { ...totals, legs, breakdown };
}
