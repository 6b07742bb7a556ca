import type { BreakdownStep } from '../../common/breakdown';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { fmtMoney } from '../../common/format/figures';
import { RESERVE_ERRORS } from '../../reserve/domain/reserve.errors';

export interface ReserveBalance {
  bankCode: string;
  balance: Money;
}

export interface PayoutLeg {
  bankCode: string;
  amount: Money;
}

export interface PayoutPlan {
  legs: PayoutLeg[];
  breakdown: BreakdownStep[];
}

const RULE = 'RULES §4; R 第十五、十八条';

/**
 * Which reserve deposit accounts pay a compensation (RULES §4 "Payout"; R 第十五、十八条): first
 * the claiming bank's own account, as far as its balance goes; the rest from the other partner
 * banks' accounts in descending order of balance, ties by bank code (Decision). Accounts with no
 * balance pay nothing. Refuses (422 RESERVE.INSUFFICIENT) when all accounts together cannot pay.
 *
 * Example: claim 1,825,230.00 by BANK01 holding 1,000,000.00; BANK02 500,000.00, BANK03
 * 2,000,000.00 → BANK01 1,000,000.00, then BANK03 (the larger) 825,230.00.
 */
export function planPayout(claimingBank: string, amount: Money, balances: readonly ReserveBalance[]): PayoutPlan {
  const total = Money.sum(balances.map((b) => (b.balance.isPositive() ? b.balance : Money.ZERO)));
  if (total.lt(amount)) {
    throw DomainError.rule(RESERVE_ERRORS.INSUFFICIENT, `The reserve holds ${fmtMoney(total)} in all, less than the ${fmtMoney(amount)} to pay.`, [
      { code: RESERVE_ERRORS.INSUFFICIENT, message: 'not enough money in the reserve accounts', available: total.toString(), required: amount.toString() },
    ]);
  }
  const own = balances.find((b) => b.bankCode === claimingBank);
  const others = balances
    .filter((b) => b.bankCode !== claimingBank)
    .sort((a, b) => b.balance.compare(a.balance) || (a.bankCode < b.bankCode ? -1 : a.bankCode > b.bankCode ? 1 : 0));
  const order = own ? [own, ...others] : others;

  const legs: PayoutLeg[] = [];
  const breakdown: BreakdownStep[] = [];
  let remaining = amount;
  for (const account of order) {
    if (!remaining.isPositive()) break;
    if (!account.balance.isPositive()) continue;
    const take = account.balance.min(remaining);
    legs.push({ bankCode: account.bankCode, amount: take });
    breakdown.push({
      rule: RULE,
      text:
        account.bankCode === claimingBank
          ? `From the claiming bank's own reserve account ${account.bankCode} (balance ${fmtMoney(account.balance)}): ${fmtMoney(take)}.`
          : `From ${account.bankCode} (balance ${fmtMoney(account.balance)}, next by descending balance): ${fmtMoney(take)}.`,
      value: take.toString(),
    });
    remaining = remaining.minus(take);
  }
  return { legs, breakdown };
}
