import { Money } from '../../common/money/money';
import type { AccountDraft, EntryDraft } from '../../ledger/domain/entry-draft';
import { RESERVE_BOOK, reserveAccounts } from '../../reserve/domain/books';
import { formatFen } from './matching';

/**
 * A correcting entry proposed from an unmatched item (RULES §8 "Reconciliation": "resolved by a
 * correcting entry … Nothing is ever posted automatically from a statement"). The proposal is a
 * draft; it is posted only when a second person approves it (four eyes, docs/reconciliation.md).
 *
 * The entry moves the reserve deposit account by the amount the bank moved and the books did not:
 * - money out (a bank fee −25.00): Dr counter account 25.00 / Cr reserve:deposit:BANK 25.00;
 * - money in (interest +12.34):    Dr reserve:deposit:BANK 12.34 / Cr counter account 12.34.
 * Default counter accounts: `reserve:bank-charges` (expense, opened on first use) for money out,
 * `reserve:interest` (income) for money in; the proposer may name another account of the book.
 *
 * Worked example: the statement shows −25.00 "手续费" on 2025-10-31 that the books lack →
 * Dr reserve:bank-charges 25.00 / Cr reserve:deposit:BANK01 25.00, dated 2025-10-31.
 */
export const BANK_CHARGES: AccountDraft = {
  book: RESERVE_BOOK,
  code: 'reserve:bank-charges',
  name: 'Bank charges on reserve accounts',
  type: 'expense',
  floor: null,
};

export function defaultCounterAccount(fen: bigint): AccountDraft {
  return fen < 0n ? BANK_CHARGES : reserveAccounts.interest();
}

export function correctionDraft(input: { id: string; depositAccount: string; counterAccount: string; fen: bigint; date: string; memo: string }): EntryDraft {
  const amount = Money.of(formatFen(input.fen < 0n ? -input.fen : input.fen));
  const lines =
    input.fen < 0n
      ? [
          { account: input.counterAccount, debit: amount },
          { account: input.depositAccount, credit: amount },
        ]
      : [
          { account: input.depositAccount, debit: amount },
          { account: input.counterAccount, credit: amount },
        ];
  return { book: RESERVE_BOOK, effectiveDate: input.date, memo: input.memo, lines, link: { type: 'reconciliation-correction', id: input.id } };
}
