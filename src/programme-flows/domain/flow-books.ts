import type { Money } from '../../common/money/money';
import { type AccountDraft, type EntryDraft, type PostingRecipe, transferDraft } from '../../ledger/domain/entry-draft';
import type { SettlementDirection } from './pledge-settlement.calculator';

/**
 * The books of the programme flows (issue 18 item 3 "in their own books"; RULES §10's shape, one
 * book per fund): the IP-pledge risk compensation fund (知识产权质押融资风险补偿资金, xinxiang 七.3) and
 * the start-up guarantee loan interest subsidy fund (创业担保贷款贴息资金, xinxiang (四)). Neither is
 * Henan's reserve: their codes never start with `reserve:`, so Henan's reserve total, band,
 * placement and quarter close never see them. Created by migration 1733860000000.
 *
 * | account                          | type      | floor | moves when                                    |
 * |----------------------------------|-----------|-------|-----------------------------------------------|
 * | ippledge:fund                    | asset     | 0.00  | funding (+), advance paid (−), top-up paid (−), refund received (+) |
 * | ippledge:capital                 | equity    | —     | funding                                       |
 * | ippledge:advance:CLAIM           | asset     | 0.00  | advance approved (+), settlement (−)          |
 * | ippledge:payable:BANK            | liability | 0.00  | advance approved (+), paid (−); top-up (+), paid (−) |
 * | ippledge:refund-due:BANK         | asset     | 0.00  | settlement with a refund (+), refund received (−) |
 * | ippledge:compensation            | expense   | —     | settlement: the fund's final share            |
 * | subsidy:fund                     | asset     | 0.00  | funding (+), quarter paid (−)                 |
 * | subsidy:capital                  | equity    | —     | funding                                       |
 * | subsidy:payable:BANK             | liability | 0.00  | quarter claimed (+), paid (−)                 |
 * | subsidy:granted                  | expense   | —     | quarter claimed                               |
 */
export const PLEDGE_BOOK = 'ippledge';
export const SUBSIDY_BOOK = 'subsidy';
export const FLOW_BOOKS = [PLEDGE_BOOK, SUBSIDY_BOOK] as const;
export type FlowBook = (typeof FLOW_BOOKS)[number];

const account = (book: FlowBook, code: string, name: string, type: AccountDraft['type'], floored: boolean): AccountDraft => ({
  book,
  code: `${book}:${code}`,
  name,
  type,
  floor: floored ? '0.00' : null,
});

export const flowAccounts = {
  fund: (book: FlowBook) => account(book, 'fund', book === PLEDGE_BOOK ? 'IP-pledge risk compensation fund account' : 'Start-up loan interest subsidy fund account', 'asset', true),
  capital: (book: FlowBook) => account(book, 'capital', book === PLEDGE_BOOK ? 'IP-pledge fund capital (appropriations)' : 'Subsidy fund capital (appropriations)', 'equity', false),
  payable: (book: FlowBook, bankCode: string) => account(book, `payable:${bankCode}`, `${book === PLEDGE_BOOK ? 'Pledge compensation' : 'Interest subsidy'} payable to ${bankCode}`, 'liability', true),
  advance: (claimId: string) => account(PLEDGE_BOOK, `advance:${claimId}`, `Advance compensation awaiting settlement, pledge claim ${claimId}`, 'asset', true),
  refundDue: (bankCode: string) => account(PLEDGE_BOOK, `refund-due:${bankCode}`, `Settlement refunds due from ${bankCode}`, 'asset', true),
  compensation: () => account(PLEDGE_BOOK, 'compensation', 'IP-pledge compensation borne (final)', 'expense', false),
  granted: () => account(SUBSIDY_BOOK, 'granted', 'Interest subsidy granted', 'expense', false),
};

/** An appropriation into a flow's fund: Dr BOOK:fund / Cr BOOK:capital. */
export function fundingPosting(input: { book: FlowBook; amount: Money; fundedOn: string; reference: string }): PostingRecipe {
  const fund = flowAccounts.fund(input.book);
  const capital = flowAccounts.capital(input.book);
  return {
    accounts: [fund, capital],
    entry: transferDraft({
      book: input.book,
      effectiveDate: input.fundedOn,
      memo: `Appropriation ${input.reference} into the ${input.book} fund`,
      debit: fund.code,
      credit: capital.code,
      amount: input.amount,
      link: { type: 'flow-funding', id: `${input.book}:${input.reference}` },
    }),
  };
}

const pledgeLink = (claimId: string) => ({ type: 'pledge-claim', id: claimId });

/**
 * Advance approved (xinxiang 七.3): Dr ippledge:advance:CLAIM / Cr ippledge:payable:BANK.
 * Example: 405,606.67 for BANK01 → two lines of 405,606.67.
 */
export function advanceApprovalPosting(input: { claimId: string; bankCode: string; advance: Money; approvedOn: string }): PostingRecipe {
  const advance = flowAccounts.advance(input.claimId);
  const payable = flowAccounts.payable(PLEDGE_BOOK, input.bankCode);
  return {
    accounts: [advance, payable],
    entry: transferDraft({
      book: PLEDGE_BOOK,
      effectiveDate: input.approvedOn,
      memo: `Advance compensation approved, pledge claim ${input.claimId}`,
      debit: advance.code,
      credit: payable.code,
      amount: input.advance,
      link: pledgeLink(input.claimId),
    }),
  };
}

/** Money leaves the fund for the bank: Dr BOOK:payable:BANK / Cr BOOK:fund (an advance, a top-up, a subsidy quarter). */
export function payablePaidPosting(input: { book: FlowBook; bankCode: string; amount: Money; paidOn: string; memo: string; link: { type: string; id: string } }): PostingRecipe {
  const payable = flowAccounts.payable(input.book, input.bankCode);
  const fund = flowAccounts.fund(input.book);
  return {
    accounts: [payable, fund],
    entry: transferDraft({ book: input.book, effectiveDate: input.paidOn, memo: input.memo, debit: payable.code, credit: fund.code, amount: input.amount, link: input.link }),
  };
}

/**
 * The settlement (xinxiang 七.3 "再行清算"): the advance is cleared, the fund's final share goes to
 * expense, and the difference becomes a refund due from the bank or a top-up payable to it.
 *
 * - refund:  Dr ippledge:compensation final + Dr ippledge:refund-due:BANK difference / Cr ippledge:advance:CLAIM advance
 * - top-up:  Dr ippledge:compensation final / Cr ippledge:advance:CLAIM advance + Cr ippledge:payable:BANK difference
 * - none:    Dr ippledge:compensation final / Cr ippledge:advance:CLAIM advance
 *
 * Lines of 0.00 are left out (a final share of 0.00 when the sale covered the whole loss).
 * Example (refund): advance 405,606.67, final 367,008.34 → Dr compensation 367,008.34, Dr
 * refund-due 38,598.33 / Cr advance 405,606.67.
 */
export function settlementPosting(input: {
  claimId: string;
  bankCode: string;
  advance: Money;
  finalCompensation: Money;
  direction: SettlementDirection;
  difference: Money;
  settledOn: string;
}): PostingRecipe {
  const advance = flowAccounts.advance(input.claimId);
  const compensation = flowAccounts.compensation();
  const refundDue = flowAccounts.refundDue(input.bankCode);
  const payable = flowAccounts.payable(PLEDGE_BOOK, input.bankCode);
  const lines: EntryDraft['lines'] = [];
  if (input.finalCompensation.isPositive()) lines.push({ account: compensation.code, debit: input.finalCompensation });
  if (input.direction === 'refund') lines.push({ account: refundDue.code, debit: input.difference });
  if (input.advance.isPositive()) lines.push({ account: advance.code, credit: input.advance });
  if (input.direction === 'top_up') lines.push({ account: payable.code, credit: input.difference });
  return {
    accounts: [advance, compensation, ...(input.direction === 'refund' ? [refundDue] : []), ...(input.direction === 'top_up' ? [payable] : [])],
    entry: {
      book: PLEDGE_BOOK,
      effectiveDate: input.settledOn,
      memo: `Settlement of pledge claim ${input.claimId} after the pledge was sold: ${input.direction === 'none' ? 'no difference' : `${input.direction === 'refund' ? 'refund due' : 'top-up payable'} ${input.difference.toString()}`}`,
      lines,
      link: pledgeLink(input.claimId),
    },
  };
}

/** The bank's settlement refund has arrived in the fund: Dr ippledge:fund / Cr ippledge:refund-due:BANK. */
export function refundReceivedPosting(input: { claimId: string; bankCode: string; amount: Money; receivedOn: string }): PostingRecipe {
  const fund = flowAccounts.fund(PLEDGE_BOOK);
  const refundDue = flowAccounts.refundDue(input.bankCode);
  return {
    accounts: [fund, refundDue],
    entry: transferDraft({
      book: PLEDGE_BOOK,
      effectiveDate: input.receivedOn,
      memo: `Settlement refund received from ${input.bankCode}, pledge claim ${input.claimId}`,
      debit: fund.code,
      credit: refundDue.code,
      amount: input.amount,
      link: pledgeLink(input.claimId),
    }),
  };
}

/** A subsidy quarter claimed: Dr subsidy:granted / Cr subsidy:payable:BANK. */
export function subsidyClaimPosting(input: { subsidyId: string; quarter: string; bankCode: string; amount: Money; claimedOn: string }): PostingRecipe {
  const granted = flowAccounts.granted();
  const payable = flowAccounts.payable(SUBSIDY_BOOK, input.bankCode);
  return {
    accounts: [granted, payable],
    entry: transferDraft({
      book: SUBSIDY_BOOK,
      effectiveDate: input.claimedOn,
      memo: `Interest subsidy ${input.quarter}, subsidy ${input.subsidyId}`,
      debit: granted.code,
      credit: payable.code,
      amount: input.amount,
      link: { type: 'interest-subsidy', id: input.subsidyId },
    }),
  };
}
