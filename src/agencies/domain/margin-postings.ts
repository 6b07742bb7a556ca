import type { Money } from '../../common/money/money';
import { type PostingRecipe, transferDraft } from '../../ledger/domain/entry-draft';
import { MARGIN_BOOK, marginAccounts, marginBookAccounts } from './margin-book';

/**
 * The posting recipes of the margin book (RULES §7, §10; A 第十三、十八、十九条): pure functions
 * from a margin event to a balanced entry plus the accounts the service opens before posting.
 * Every margin move opens the same three accounts (`marginBookAccounts`: cash, the agency's held
 * account, the reward pool), as the margin service always has. The caller decides whether there is
 * anything to post (a deduction that finds an empty margin posts nothing).
 *
 * | event                | entry                                            |
 * |----------------------|--------------------------------------------------|
 * | deposit              | Dr margin:cash / Cr margin:held:AGENCY           |
 * | withdrawal           | Dr margin:held:AGENCY / Cr margin:cash           |
 * | deduction on a claim | Dr margin:held:AGENCY / Cr margin:reward-pool    |
 * | shortfall settlement | Dr margin:held:AGENCY / Cr margin:reward-pool    |
 *
 * Money taken from a margin goes to the reward pool, never to the reserve (RULES §7 "Money taken
 * from margins funds agency performance rewards, not the reserve").
 */

/** A margin deposit by an agency (RULES §7; A 第十八条). */
export interface MarginDepositEvent {
  agencyCode: string;
  amount: Money;
  depositedOn: string;
}

/** A withdrawal of the excess over the requirement (RULES §7; A 第十八条). */
export interface MarginWithdrawalEvent {
  agencyCode: string;
  amount: Money;
  withdrawnOn: string;
}

/** What the margin actually gives of the deduction on an approved claim (RULES §7; A 第十八条). */
export interface MarginDeductionEvent {
  agencyCode: string;
  claimId: string;
  /** What was taken: the deduction, or what the margin held when that was less. */
  taken: Money;
  approvedOn: string;
}

/** An open deduction shortfall made good from a later deposit (RULES §7; A 第十九条(三)). */
export interface ShortfallSettlementEvent {
  agencyCode: string;
  /** min(open shortfall, the deposit). */
  amount: Money;
  depositedOn: string;
}

/**
 * Deposit (RULES §7; A 第十八条): Dr margin:cash / Cr margin:held:AGENCY, the amount.
 *
 * Worked example: AG01 deposits 500,000.00 on 2025-01-08 → Dr margin:cash 500,000.00 / Cr
 * margin:held:AG01 500,000.00, memo "Margin deposit by agency AG01", link agency AG01.
 */
export function marginDepositPosting(event: MarginDepositEvent): PostingRecipe {
  return {
    entry: transferDraft({
      book: MARGIN_BOOK,
      effectiveDate: event.depositedOn,
      memo: `Margin deposit by agency ${event.agencyCode}`,
      debit: marginAccounts.cash().code,
      credit: marginAccounts.held(event.agencyCode).code,
      amount: event.amount,
      link: { type: 'agency', id: event.agencyCode },
    }),
    accounts: marginBookAccounts(event.agencyCode),
  };
}

/**
 * Withdrawal of the excess (RULES §7; A 第十八条): Dr margin:held:AGENCY / Cr margin:cash, the
 * amount.
 *
 * Worked example: AG01 withdraws 120,000.00 on 2025-04-14 → Dr margin:held:AG01 120,000.00 / Cr
 * margin:cash 120,000.00, memo "Margin withdrawal by agency AG01", link agency AG01.
 */
export function marginWithdrawalPosting(event: MarginWithdrawalEvent): PostingRecipe {
  return {
    entry: transferDraft({
      book: MARGIN_BOOK,
      effectiveDate: event.withdrawnOn,
      memo: `Margin withdrawal by agency ${event.agencyCode}`,
      debit: marginAccounts.held(event.agencyCode).code,
      credit: marginAccounts.cash().code,
      amount: event.amount,
      link: { type: 'agency', id: event.agencyCode },
    }),
    accounts: marginBookAccounts(event.agencyCode),
  };
}

/**
 * Deduction on an approved claim (RULES §7; A 第十八条): Dr margin:held:AGENCY / Cr
 * margin:reward-pool, what was taken.
 *
 * Worked example (RULES §7): reviewed balance 100,000,000, prior net compensation 1,500,000, claim
 * C of 2,000,000 → deduction 300,000.00; the margin holds 200,000.00, so 200,000.00 is taken on
 * 2025-09-30 (shortfall 100,000.00): Dr margin:held:AG01 200,000.00 / Cr margin:reward-pool
 * 200,000.00, memo "Margin deduction of agency AG01 on claim C (RULES §7; A 第十八条)", link claim C.
 */
export function marginDeductionPosting(event: MarginDeductionEvent): PostingRecipe {
  return {
    entry: transferDraft({
      book: MARGIN_BOOK,
      effectiveDate: event.approvedOn,
      memo: `Margin deduction of agency ${event.agencyCode} on claim ${event.claimId} (RULES §7; A 第十八条)`,
      debit: marginAccounts.held(event.agencyCode).code,
      credit: marginAccounts.rewardPool().code,
      amount: event.taken,
      link: { type: 'claim', id: event.claimId },
    }),
    accounts: marginBookAccounts(event.agencyCode),
  };
}

/**
 * Shortfall settlement (RULES §7; A 第十九条(三)): a deposit first makes good the open deduction
 * shortfall: Dr margin:held:AGENCY / Cr margin:reward-pool, min(shortfall, deposit).
 *
 * Worked example: AG01 owes 100,000.00 and deposits 150,000.00 on 2025-10-09 → 100,000.00 settled:
 * Dr margin:held:AG01 100,000.00 / Cr margin:reward-pool 100,000.00, memo "Margin shortfall of
 * agency AG01 made good from its deposit (RULES §7; A 第十九条(三))", link agency AG01.
 */
export function shortfallSettlementPosting(event: ShortfallSettlementEvent): PostingRecipe {
  return {
    entry: transferDraft({
      book: MARGIN_BOOK,
      effectiveDate: event.depositedOn,
      memo: `Margin shortfall of agency ${event.agencyCode} made good from its deposit (RULES §7; A 第十九条(三))`,
      debit: marginAccounts.held(event.agencyCode).code,
      credit: marginAccounts.rewardPool().code,
      amount: event.amount,
      link: { type: 'agency', id: event.agencyCode },
    }),
    accounts: marginBookAccounts(event.agencyCode),
  };
}
