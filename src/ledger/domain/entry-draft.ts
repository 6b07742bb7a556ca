import { Money } from '../../common/money/money';
import type { AccountType } from './accounts';

/** One line of a draft: exactly one of debit or credit, a positive amount (the ledger checks it). */
export interface EntryDraftLine {
  account: string;
  debit?: Money;
  credit?: Money;
}

/**
 * A journal entry as a posting recipe builds it, before the ledger numbers, hashes and stores it
 * (RULES §10 "Every movement is a balanced, immutable journal entry with an effective date").
 * Pure data: it is what `LedgerPostingService.post()` takes (`PostingInput`), so a service passes
 * it on unchanged; the ledger checks the lines again when it posts.
 *
 * Example: a funding of 10,000,000.00 into BANK01's reserve account on 2025-01-06 →
 * `{ book: 'reserve', effectiveDate: '2025-01-06', memo: "Appropriation F-1 into BANK01's reserve
 * account", lines: [Dr reserve:deposit:BANK01 10,000,000.00, Cr reserve:capital 10,000,000.00],
 * link: { type: 'reserve-funding', id: 'F-1' } }`.
 */
export interface EntryDraft {
  book: string;
  /** Business date, YYYY-MM-DD. */
  effectiveDate: string;
  memo: string;
  lines: EntryDraftLine[];
  /** What caused the entry (a claim, a bank, an agency…); type and id are the caller's. */
  link: { type: string; id: string } | null;
}

/**
 * An account of the chart of accounts as a service opens it with the ledger's `ensureAccount`
 * (RULES §10; docs/claims.md "Chart of accounts"). `floor` is '0.00' for an account that may never
 * go below zero on its normal side, null for no floor.
 */
export interface AccountDraft {
  book: string;
  code: string;
  name: string;
  type: AccountType;
  floor: string | null;
}

/** What a posting recipe returns: the entry, and the accounts the service opens before posting it. */
export interface PostingRecipe {
  entry: EntryDraft;
  /** Accounts that may not exist yet when the event happens; `ensureAccount` each, in this order. */
  accounts: AccountDraft[];
}

/**
 * The totals of a draft's two sides; a balanced entry has `debits` equal to `credits` to the fen
 * (RULES §10). Example: Dr 1,825,230.00 / Cr 1,000,000.00 + Cr 825,230.00 → both 1,825,230.00.
 */
export function draftTotals(draft: EntryDraft): { debits: Money; credits: Money } {
  return {
    debits: Money.sum(draft.lines.flatMap((l) => (l.debit ? [l.debit] : []))),
    credits: Money.sum(draft.lines.flatMap((l) => (l.credit ? [l.credit] : []))),
  };
}

/**
 * The commonest entry: one amount from one account to another (Dr `debit` / Cr `credit`).
 * Example: transferDraft({ book: 'reserve', effectiveDate: '2025-01-06', memo: 'Deposit interest
 * credited by BANK01', debit: 'reserve:deposit:BANK01', credit: 'reserve:interest', amount:
 * 1,000.00, link: { type: 'bank', id: 'BANK01' } }) → two lines of 1,000.00.
 */
export function transferDraft(input: {
  book: string;
  effectiveDate: string;
  memo: string;
  debit: string;
  credit: string;
  amount: Money;
  link: { type: string; id: string } | null;
}): EntryDraft {
  return {
    book: input.book,
    effectiveDate: input.effectiveDate,
    memo: input.memo,
    lines: [
      { account: input.debit, debit: input.amount },
      { account: input.credit, credit: input.amount },
    ],
    link: input.link,
  };
}
