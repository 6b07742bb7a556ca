import type { PostingRecipe } from '../../ledger/domain/entry-draft';
import { Money } from '../../common/money/money';
import { RESERVE_BOOK, reserveAccounts } from './books';
import type { CustodyFeeAllocation } from './custody-fee.calculator';

/**
 * The custody fee of a quarter in the reserve book (RULES §8, §10; R 第二十二条), three balanced
 * entries dated the quarter's last day, from `allocateCustodyFee`:
 *
 * 1. the fee:              Dr reserve:custody-fee / Cr reserve:custody-fee-payable, the fee;
 * 2. taken per account:    Dr reserve:custody-fee-payable, the fee / Cr reserve:deposit:BANK, each
 *                          account's part (from its interest plus from its principal);
 * 3. the quarter's interest and fee into capital: Dr reserve:interest, the quarter's interest /
 *                          Cr reserve:custody-fee, the fee / Cr reserve:capital, the interest left
 *                          over (added to principal) — or Dr reserve:capital, the part of the fee
 *                          the interest did not cover (taken from principal).
 *
 * Zero lines are left out and an entry with nothing to post is not made.
 *
 * `interestNotHeld` is interest of the quarter that its account no longer held at the quarter end
 * (paid out or moved with the account's money): it does not pay the fee there (docs/quarters.md
 * "Custody fee") but it is still closed from reserve:interest into capital in entry 3, so that
 * reserve:interest ends every quarter at 0.00. Capital appears once in entry 3, net.
 *
 * `ordinals`: each bank's current deposit account (docs/reserve-accounts.md), where its part of
 * the fee is taken; a bank not in it: its first account.
 *
 * Worked example (RULES §8): reserve 320,000,000.00, the quarter's interest 920,000.00 → fee
 * 320,000.00: (1) Dr custody-fee 320,000.00 / Cr custody-fee-payable 320,000.00; (2) Dr
 * custody-fee-payable 320,000.00 / Cr deposit:BANK 320,000.00; (3) Dr interest 920,000.00 /
 * Cr custody-fee 320,000.00 / Cr capital 600,000.00. The deposit ends at 320,600,000.00, capital
 * at 320,600,000.00.
 */
export function custodyFeePostings(
  quarter: string,
  quarterEnd: string,
  fee: CustodyFeeAllocation,
  interestNotHeld: Money = Money.ZERO,
  ordinals: ReadonlyMap<string, number> = new Map(),
): PostingRecipe[] {
  const expense = reserveAccounts.custodyFee();
  const payable = reserveAccounts.custodyFeePayable();
  const interest = reserveAccounts.interest();
  const capital = reserveAccounts.capital();
  const link = { type: 'quarter', id: quarter };
  const recipes: PostingRecipe[] = [];
  if (fee.fee.isPositive()) {
    recipes.push({
      entry: {
        book: RESERVE_BOOK,
        effectiveDate: quarterEnd,
        memo: `Custody fee for ${quarter}: 0.1% of the reserve (RULES §8)`,
        lines: [
          { account: expense.code, debit: fee.fee },
          { account: payable.code, credit: fee.fee },
        ],
        link,
      },
      accounts: [expense, payable],
    });
    recipes.push({
      entry: {
        book: RESERVE_BOOK,
        effectiveDate: quarterEnd,
        memo: `Custody fee for ${quarter} taken from the reserve accounts`,
        lines: [
          { account: payable.code, debit: fee.fee },
          ...fee.legs
            .map((l) => ({ account: reserveAccounts.deposit(l.bankCode, ordinals.get(l.bankCode)).code, credit: l.feeFromInterest.plus(l.feeFromPrincipal) }))
            .filter((l) => l.credit.isPositive()),
        ],
        link,
      },
      accounts: [],
    });
  }
  const quarterInterest = fee.fromInterest.plus(fee.interestToPrincipal).plus(interestNotHeld);
  if (quarterInterest.isPositive() || fee.fee.isPositive()) {
    // Into capital: the interest left over and the interest held elsewhere, less the fee's part taken from principal.
    const toCapital = fee.interestToPrincipal.plus(interestNotHeld).minus(fee.fromPrincipal);
    const lines = [
      { account: interest.code, debit: quarterInterest },
      { account: capital.code, debit: toCapital.isNegative() ? toCapital.negated() : Money.ZERO },
      { account: expense.code, credit: fee.fee },
      { account: capital.code, credit: toCapital.isPositive() ? toCapital : Money.ZERO },
    ].filter((l) => (l.debit ?? l.credit ?? Money.ZERO).isPositive());
    recipes.push({
      entry: {
        book: RESERVE_BOOK,
        effectiveDate: quarterEnd,
        memo: `${quarter}: interest ${quarterInterest.toString()} pays the custody fee first (${fee.fromInterest.toString()}); ${fee.interestToPrincipal.toString()} added to principal, ${fee.fromPrincipal.toString()} taken from principal`,
        lines: lines as PostingRecipe['entry']['lines'],
        link,
      },
      accounts: [interest, capital],
    });
  }
  return recipes;
}
