import type { AccountDraft } from '../../ledger/domain/entry-draft';
import type { AccountType } from '../../ledger/domain/accounts';
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

/** Every bank's reserve deposit account code starts with this; the bank code follows it. */
export const DEPOSIT_PREFIX = 'reserve:deposit:';

export const reserveAccounts = {
  /** The reserve deposit account at a partner bank (asset; never below zero). */
  deposit: (bankCode: string, bankName?: string | null): AccountDefinition => ({
    book: RESERVE_BOOK,
    code: `${DEPOSIT_PREFIX}${bankCode}`,
    name: `Reserve deposit at ${bankLabel(bankCode, bankName)}`,
    type: 'asset',
    floor: '0.00',
  }),
  /** Compensation approved for a bank and not yet paid (liability). */
  payable: (bankCode: string, bankName?: string | null): AccountDefinition => ({
    book: RESERVE_BOOK,
    code: `reserve:payable:${bankCode}`,
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
 * balance and statement): `reserve:deposit:{BANK}` and `reserve:payable:{BANK}` of the reserve
 * book; null for every other account (the programme's, a claim's, another book's).
 *
 * Example: ('reserve', 'reserve:deposit:BANK01') → 'BANK01'; ('reserve', 'reserve:capital') → null.
 */
export function bankOfReserveAccount(book: string, code: string): string | null {
  if (book !== RESERVE_BOOK) return null;
  for (const prefix of [DEPOSIT_PREFIX, 'reserve:payable:']) {
    if (code.startsWith(prefix) && code.length > prefix.length) return code.slice(prefix.length);
  }
  return null;
}
