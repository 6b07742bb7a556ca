import type { AccountDraft } from '../../ledger/domain/entry-draft';

/**
 * The agencies' margin book (RULES §7, §10; A 第十三、十八、十九条): a book of its own, apart from
 * the reserve's, because margins are not the reserve's money ("Money taken from margins funds
 * agency performance rewards, not the reserve"). Pure: codes and definitions only; the margin
 * service opens the accounts through the ledger's `ensureAccount`.
 *
 * Worked example: agency AG01 deposits 500,000.00 → margin:cash 500,000.00 (asset) against
 * margin:held:AG01 500,000.00 (liability); a deduction of 300,000.00 on a claim moves
 * margin:held:AG01 down to 200,000.00 and margin:reward-pool up to 300,000.00.
 */
export const MARGIN_BOOK = 'margin';

export const marginAccounts = {
  /** Margin money held in the margin bank account (asset). */
  cash: (): AccountDraft => ({
    book: MARGIN_BOOK,
    code: 'margin:cash',
    name: 'Agency margin cash',
    type: 'asset',
    floor: '0.00',
  }),
  /** What the programme holds for one agency (liability; never below zero). */
  held: (agencyCode: string): AccountDraft => ({
    book: MARGIN_BOOK,
    code: `margin:held:${agencyCode}`,
    name: `Margin held for agency ${agencyCode}`,
    type: 'liability',
    floor: '0.00',
  }),
  /** Deductions and penalties, funding agency performance rewards (liability). */
  rewardPool: (): AccountDraft => ({
    book: MARGIN_BOOK,
    code: 'margin:reward-pool',
    name: 'Agency performance reward pool',
    type: 'liability',
    floor: null,
  }),
};

/**
 * The accounts every margin move opens before it posts, in this order: the cash account, the
 * agency's held account and the reward pool (so an agency's held account exists, at 0.00, from its
 * first deposit or its first approved claim on).
 */
export function marginBookAccounts(agencyCode: string): AccountDraft[] {
  return [marginAccounts.cash(), marginAccounts.held(agencyCode), marginAccounts.rewardPool()];
}
