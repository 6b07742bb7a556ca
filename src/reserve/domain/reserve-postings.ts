import type { Money } from '../../common/money/money';
import { type PostingRecipe, transferDraft } from '../../ledger/domain/entry-draft';
import { RESERVE_BOOK, reserveAccounts } from './books';

/**
 * The posting recipes of the reserve book (RULES §10 "A sketch of the books"; docs/claims.md
 * "Postings"): for each event, which accounts it debits and credits, by how much, with which memo
 * and link. Pure functions from a domain event to a balanced entry plus the accounts the service
 * opens (`ensureAccount`) before posting it; the ledger checks the lines again when it posts, and
 * the caller decides whether there is anything to post (a refund or write-off of 0.00 posts
 * nothing).
 *
 * | event      | entry                                                        | opens                          |
 * |------------|--------------------------------------------------------------|--------------------------------|
 * | funding    | Dr reserve:deposit:BANK / Cr reserve:capital                 | deposit:BANK, capital          |
 * | interest   | Dr reserve:deposit:BANK / Cr reserve:interest                | deposit:BANK, interest         |
 * | approval   | Dr reserve:awaiting-recovery:CLAIM / Cr reserve:payable:BANK | awaiting-recovery:CLAIM, payable:BANK |
 * | payout     | Dr reserve:payable:BANK / Cr reserve:deposit:X for each leg  | nothing                        |
 * | refund     | Dr reserve:deposit:BANK / Cr reserve:awaiting-recovery:CLAIM | deposit:BANK                   |
 * | write-off  | Dr reserve:written-off / Cr reserve:awaiting-recovery:CLAIM  | written-off                    |
 */

/** An appropriation paid into a bank's reserve account (RULES §8; R 第七条). */
export interface FundingEvent {
  bankCode: string;
  amount: Money;
  fundedOn: string;
  /** The appropriation's reference; unique, it is also the entry's link id. */
  reference: string;
  /** Which of the bank's deposit accounts (1, 2, …, docs/reserve-accounts.md): its current one, as the reserve service says; default 1. */
  depositOrdinal?: number;
}

/** Deposit interest a bank credited to its reserve account (RULES §8; R 第二十二条). */
export interface InterestEvent {
  bankCode: string;
  amount: Money;
  creditedOn: string;
  /** Which of the bank's deposit accounts (1, 2, …, docs/reserve-accounts.md): its current one, as the reserve service says; default 1. */
  depositOrdinal?: number;
}

/** One claim of an approval batch (RULES §4; R 第十四条). */
export interface ApprovalEvent {
  claimId: string;
  /** The claiming bank: the compensation is payable to it. */
  bankCode: string;
  compensation: Money;
  approvedOn: string;
  batchId: string;
}

/** One leg of a payout: what one bank's reserve account pays. */
export interface PayoutLegEvent {
  bankCode: string;
  amount: Money;
  /** Which of the bank's deposit accounts (1, 2, …, docs/reserve-accounts.md): its current one, as the reserve service says; default 1. */
  depositOrdinal?: number;
}

/** The payout of an approved claim through the waterfall (RULES §4 "Payout"; R 第十五、十八条). */
export interface PayoutEvent {
  claimId: string;
  bankCode: string;
  compensation: Money;
  paidOn: string;
  /** The waterfall's legs (`planPayout`), in order; together they pay the compensation. */
  legs: readonly PayoutLegEvent[];
}

/** A recovery's refund arrived in the claiming bank's reserve account (RULES §5; R 第十七条). */
export interface RefundEvent {
  claimId: string;
  bankCode: string;
  recoveryId: string;
  refund: Money;
  refundedOn: string;
  /** Which of the bank's deposit accounts (1, 2, …, docs/reserve-accounts.md): its current one, as the reserve service says; default 1. */
  depositOrdinal?: number;
}

/** The write-off of a claim's compensation net of refunds (RULES §5; S 三(七), R 第十九条). */
export interface WriteOffEvent {
  claimId: string;
  /** Compensation − refunds received. */
  amount: Money;
  writtenOffOn: string;
}

/**
 * Funding (RULES §8, §10; R 第七条): Dr reserve:deposit:BANK / Cr reserve:capital, the amount.
 *
 * Worked example: appropriation F-2025-01 of 10,000,000.00 into BANK01 on 2025-01-06 → Dr
 * reserve:deposit:BANK01 10,000,000.00 / Cr reserve:capital 10,000,000.00, memo "Appropriation
 * F-2025-01 into BANK01's reserve account", link reserve-funding F-2025-01.
 */
export function fundingPosting(event: FundingEvent): PostingRecipe {
  const deposit = reserveAccounts.deposit(event.bankCode, event.depositOrdinal);
  const capital = reserveAccounts.capital();
  return {
    entry: transferDraft({
      book: RESERVE_BOOK,
      effectiveDate: event.fundedOn,
      memo: `Appropriation ${event.reference} into ${event.bankCode}'s reserve account`,
      debit: deposit.code,
      credit: capital.code,
      amount: event.amount,
      link: { type: 'reserve-funding', id: event.reference },
    }),
    accounts: [deposit, capital],
  };
}

/**
 * Deposit interest (RULES §8, §10; R 第二十二条): Dr reserve:deposit:BANK / Cr reserve:interest.
 *
 * Worked example: BANK01 credits 920,000.00 of interest on 2025-03-21 → Dr reserve:deposit:BANK01
 * 920,000.00 / Cr reserve:interest 920,000.00, memo "Deposit interest credited by BANK01", link
 * bank BANK01.
 */
export function interestPosting(event: InterestEvent): PostingRecipe {
  const deposit = reserveAccounts.deposit(event.bankCode, event.depositOrdinal);
  const income = reserveAccounts.interest();
  return {
    entry: transferDraft({
      book: RESERVE_BOOK,
      effectiveDate: event.creditedOn,
      memo: `Deposit interest credited by ${event.bankCode}`,
      debit: deposit.code,
      credit: income.code,
      amount: event.amount,
      link: { type: 'bank', id: event.bankCode },
    }),
    accounts: [deposit, income],
  };
}

/**
 * Approval of one claim (RULES §4, §10; R 第十四条): the compensation becomes payable to the
 * claiming bank and is carried as awaiting recovery on the claim. Dr
 * reserve:awaiting-recovery:CLAIM / Cr reserve:payable:BANK, the compensation.
 *
 * Worked example (RULES §4 case A): compensation 1,825,230.00 on claim C of BANK01, batch B,
 * approved 2025-09-30 → Dr reserve:awaiting-recovery:C 1,825,230.00 / Cr reserve:payable:BANK01
 * 1,825,230.00, memo "Compensation approved for claim C (batch B)", link claim C.
 */
export function approvalPosting(event: ApprovalEvent): PostingRecipe {
  const awaiting = reserveAccounts.awaitingRecovery(event.claimId);
  const payable = reserveAccounts.payable(event.bankCode);
  return {
    entry: transferDraft({
      book: RESERVE_BOOK,
      effectiveDate: event.approvedOn,
      memo: `Compensation approved for claim ${event.claimId} (batch ${event.batchId})`,
      debit: awaiting.code,
      credit: payable.code,
      amount: event.compensation,
      link: { type: 'claim', id: event.claimId },
    }),
    accounts: [awaiting, payable],
  };
}

/**
 * Payout (RULES §4 "Payout", §10; R 第十五、十八条): Dr reserve:payable:BANK, the compensation /
 * Cr reserve:deposit:X for each leg of the waterfall, in the waterfall's order. Opens nothing: the
 * payable account was opened at approval, and a leg is drawn only from an account with a balance.
 *
 * Worked example: 1,825,230.00 to BANK01, drawn 1,000,000.00 from BANK01's own account and
 * 825,230.00 from BANK03's → Dr reserve:payable:BANK01 1,825,230.00 / Cr reserve:deposit:BANK01
 * 1,000,000.00 / Cr reserve:deposit:BANK03 825,230.00 (1,000,000.00 + 825,230.00 = 1,825,230.00),
 * memo "Compensation paid on claim C to BANK01", link claim C.
 */
export function payoutPosting(event: PayoutEvent): PostingRecipe {
  return {
    entry: {
      book: RESERVE_BOOK,
      effectiveDate: event.paidOn,
      memo: `Compensation paid on claim ${event.claimId} to ${event.bankCode}`,
      lines: [
        { account: reserveAccounts.payable(event.bankCode).code, debit: event.compensation },
        ...event.legs.map((leg) => ({ account: reserveAccounts.deposit(leg.bankCode, leg.depositOrdinal).code, credit: leg.amount })),
      ],
      link: { type: 'claim', id: event.claimId },
    },
    accounts: [],
  };
}

/**
 * A recovery's refund (RULES §5, §10; R 第十七条): it arrives in the claiming bank's reserve account
 * and reduces what awaits recovery on the claim. Dr reserve:deposit:BANK / Cr
 * reserve:awaiting-recovery:CLAIM, the refund; opens the claiming bank's deposit account (it may
 * have had none: the payout can come wholly from other banks).
 *
 * Worked example (RULES §5, share 50%): a recovery R of 200,000.02 refunds 100,000.01 on
 * 2025-11-20 → Dr reserve:deposit:BANK01 100,000.01 / Cr reserve:awaiting-recovery:C 100,000.01,
 * memo "Recovery refund on claim C into BANK01's reserve account", link claim-recovery R.
 */
export function refundPosting(event: RefundEvent): PostingRecipe {
  const deposit = reserveAccounts.deposit(event.bankCode, event.depositOrdinal);
  return {
    entry: transferDraft({
      book: RESERVE_BOOK,
      effectiveDate: event.refundedOn,
      memo: `Recovery refund on claim ${event.claimId} into ${event.bankCode}'s reserve account`,
      debit: deposit.code,
      credit: reserveAccounts.awaitingRecovery(event.claimId).code,
      amount: event.refund,
      link: { type: 'claim-recovery', id: event.recoveryId },
    }),
    accounts: [deposit],
  };
}

/**
 * Write-off (RULES §5, §10; S 三(七), R 第十九条): the compensation net of refunds is written off
 * against the reserve. Dr reserve:written-off / Cr reserve:awaiting-recovery:CLAIM, the amount.
 *
 * Worked example: compensation 1,825,230.00, refunds 100,000.01 → 1,725,229.99 written off on
 * 2026-03-31: Dr reserve:written-off 1,725,229.99 / Cr reserve:awaiting-recovery:C 1,725,229.99,
 * memo "Compensation on claim C written off net of refunds", link claim C.
 */
export function writeOffPosting(event: WriteOffEvent): PostingRecipe {
  const expense = reserveAccounts.writtenOff();
  return {
    entry: transferDraft({
      book: RESERVE_BOOK,
      effectiveDate: event.writtenOffOn,
      memo: `Compensation on claim ${event.claimId} written off net of refunds`,
      debit: expense.code,
      credit: reserveAccounts.awaitingRecovery(event.claimId).code,
      amount: event.amount,
      link: { type: 'claim', id: event.claimId },
    }),
    accounts: [expense],
  };
}
