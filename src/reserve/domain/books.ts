import type { AccountDraft } from '../../ledger/domain/entry-draft';
import type { AccountType } from '../../ledger/domain/accounts';
import { Money } from '../../common/money/money';
import { bankLabel } from './readable-names';

/**
 * The chart of accounts of the reserve fund (RULES.md §10; docs/ledger.md and docs/claims.md).
 * Pure: codes and definitions only; the services open the accounts they need through the
 * ledger's `ensureAccount`.
 *
 * The agencies' margins are a book of their own, in src/agencies/domain/margin-book.ts, because
 * they are not the reserve's money (RULES §7 "Money taken from margins funds agency performance
 * rewards, not the reserve").
 */
export const RESERVE_BOOK = 'reserve';

export type AccountKind = AccountType;

/** An account as the services open it (the ledger's pure AccountDraft). */
export type AccountDefinition = AccountDraft;

/**
 * Every bank's reserve deposit account code starts with this; the bank code follows it, then, for
 * the accounts opened by moves, the account's ordinal. Never slice a code by this prefix to get a
 * bank: use `parseDepositCode` (a later account's code is `reserve:deposit:BANK01:2`).
 */
export const DEPOSIT_PREFIX = 'reserve:deposit:';

/** Every bank's compensation-payable account code is this prefix and the bank code. */
export const PAYABLE_PREFIX = 'reserve:payable:';

/** Bank codes as the programme accepts them (letters, digits, "-", "_"; never ":"). */
const BANK_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** An ordinal of a later account: 2, 3, … (no leading zero, so each ordinal has one spelling). */
const ORDINAL_SEGMENT = /^[1-9][0-9]{0,8}$/;

/**
 * The ledger code of a bank's n-th reserve deposit account (RULES §8 "moving an account transfers
 * the whole balance and closes the old one", R 第九–十一条; docs/reserve-accounts.md). The first
 * account keeps the code it always had, `reserve:deposit:BANK01`; each move opens the next one,
 * `reserve:deposit:BANK01:2`, `reserve:deposit:BANK01:3`, … Account codes are part of every
 * hashed entry (src/ledger/domain/canonical.ts), so an account is never renamed: a move opens a
 * new ledger account and closes the old one.
 *
 * Example: ('BANK01', 1) → 'reserve:deposit:BANK01'; ('BANK01', 2) → 'reserve:deposit:BANK01:2'.
 */
export function depositCode(bankCode: string, ordinal = 1): string {
  if (!BANK_SEGMENT.test(bankCode)) throw new Error(`"${bankCode}" is not a bank code`);
  if (!Number.isInteger(ordinal) || ordinal < 1) throw new Error(`A reserve account's ordinal is 1, 2, 3, …, not ${ordinal}`);
  return ordinal === 1 ? `${DEPOSIT_PREFIX}${bankCode}` : `${DEPOSIT_PREFIX}${bankCode}:${ordinal}`;
}

/**
 * The bank and ordinal of a reserve deposit account code; null for any other code. The exact
 * inverse of `depositCode`: the bank is the whole segment after the prefix (so BANK01's accounts
 * are never confused with BANK010's, which a `startsWith` on 'reserve:deposit:BANK01' would), the
 * ordinal the optional segment after it (2 or more; ':1' is not a spelling of the first account).
 *
 * Example: 'reserve:deposit:BANK01' → { BANK01, 1 }; 'reserve:deposit:BANK01:2' → { BANK01, 2 };
 * 'reserve:deposit:BANK010' → { BANK010, 1 }; 'reserve:deposit:BANK01:1', 'reserve:capital' → null.
 */
export function parseDepositCode(code: string): { bankCode: string; ordinal: number } | null {
  if (!code.startsWith(DEPOSIT_PREFIX)) return null;
  const segments = code.slice(DEPOSIT_PREFIX.length).split(':');
  if (!BANK_SEGMENT.test(segments[0])) return null;
  if (segments.length === 1) return { bankCode: segments[0], ordinal: 1 };
  if (segments.length === 2 && ORDINAL_SEGMENT.test(segments[1]) && Number(segments[1]) >= 2) return { bankCode: segments[0], ordinal: Number(segments[1]) };
  return null;
}

/**
 * Per bank, the sum of its reserve deposit accounts' balances (a bank's balance is its open
 * account's: a closed one holds 0.00, an account moved after `asOf` may hold it as of that date),
 * in bank-code order; codes that are not deposit accounts are ignored.
 *
 * Example: [deposit:BANK01 0.00, deposit:BANK01:2 500.00, deposit:BANK010 7.00] →
 * [BANK01 500.00, BANK010 7.00].
 */
export function depositBalancesByBank(rows: readonly { code: string; balance: Money }[]): { bankCode: string; balance: Money }[] {
  const byBank = new Map<string, Money>();
  for (const r of rows) {
    const parsed = parseDepositCode(r.code);
    if (parsed) byBank.set(parsed.bankCode, (byBank.get(parsed.bankCode) ?? Money.ZERO).plus(r.balance));
  }
  return [...byBank.keys()].sort().map((bankCode) => ({ bankCode, balance: byBank.get(bankCode) as Money }));
}

export const reserveAccounts = {
  /**
   * A reserve deposit account at a partner bank (asset; never below zero): the bank's first one
   * unless `ordinal` says which, named with the bank's name when the caller has it. Flows that pay
   * into or out of "the bank's account" ask the reserve service for the bank's current account
   * (`ReserveAccountsService.currentDeposit`).
   */
  deposit: (bankCode: string, ordinal = 1, bankName?: string | null): AccountDefinition => ({
    book: RESERVE_BOOK,
    code: depositCode(bankCode, ordinal),
    name: ordinal === 1 ? `Reserve deposit at ${bankLabel(bankCode, bankName)}` : `Reserve deposit at ${bankLabel(bankCode, bankName)} (account ${ordinal})`,
    type: 'asset',
    floor: '0.00',
  }),
  /** Compensation approved for a bank and not yet paid (liability). */
  payable: (bankCode: string, bankName?: string | null): AccountDefinition => ({
    book: RESERVE_BOOK,
    code: `${PAYABLE_PREFIX}${bankCode}`,
    name: `Compensation payable to ${bankLabel(bankCode, bankName)}`,
    type: 'liability',
    floor: '0.00',
  }),
  /** Compensation granted on one claim, awaiting recovery or write-off (asset, per claim). */
  awaitingRecovery: (claimId: string, loanReference?: string | null): AccountDefinition => ({
    book: RESERVE_BOOK,
    code: `reserve:awaiting-recovery:${claimId}`,
    name: `Compensation awaiting recovery, claim ${claimId}${loanReference ? ` (loan ${loanReference})` : ''}`,
    type: 'asset',
    floor: '0.00',
  }),
  /** Appropriations from the provincial budget, and interest turned into principal (equity). */
  capital: (): AccountDefinition => ({
    book: RESERVE_BOOK,
    code: 'reserve:capital',
    name: 'Fund capital (appropriations)',
    type: 'equity',
    floor: null,
  }),
  /** Deposit interest credited by the banks (income). */
  interest: (): AccountDefinition => ({
    book: RESERVE_BOOK,
    code: 'reserve:interest',
    name: 'Deposit interest',
    type: 'income',
    floor: null,
  }),
  /** The custodian's quarterly fee (RULES §8, §10; R 第二十二条) (expense). */
  custodyFee: (): AccountDefinition => ({
    book: RESERVE_BOOK,
    code: 'reserve:custody-fee',
    name: 'Custody fee',
    type: 'expense',
    floor: null,
  }),
  /** The custody fee owed to the custodian until it is taken from the reserve accounts (liability). */
  custodyFeePayable: (): AccountDefinition => ({
    book: RESERVE_BOOK,
    code: 'reserve:custody-fee-payable',
    name: 'Custody fee payable',
    type: 'liability',
    floor: '0.00',
  }),
  /** Compensation written off after the bank's write-off and the approver's consent (expense). */
  writtenOff: (): AccountDefinition => ({
    book: RESERVE_BOOK,
    code: 'reserve:written-off',
    name: 'Compensation written off',
    type: 'expense',
    floor: null,
  }),
};

/**
 * The bank whose own reserve accounts these are (issue #15: a bank reads its reserve account's
 * balance and statement): each of its deposit accounts, `reserve:deposit:{BANK}` and the later
 * `reserve:deposit:{BANK}:{n}` (parseDepositCode), and `reserve:payable:{BANK}` of the reserve
 * book; null for every other account (the programme's, a claim's, another book's).
 *
 * Example: ('reserve', 'reserve:deposit:BANK01:2') → 'BANK01'; ('reserve', 'reserve:capital') → null.
 */
export function bankOfReserveAccount(book: string, code: string): string | null {
  if (book !== RESERVE_BOOK) return null;
  const deposit = parseDepositCode(code);
  if (deposit) return deposit.bankCode;
  if (code.startsWith(PAYABLE_PREFIX) && BANK_SEGMENT.test(code.slice(PAYABLE_PREFIX.length))) return code.slice(PAYABLE_PREFIX.length);
  return null;
}
