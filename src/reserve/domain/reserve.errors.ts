/** The reserve module's stable error codes (STYLE.md "Errors"; RULES §8). */
export const RESERVE_ERRORS = {
  AMOUNT_NOT_POSITIVE: 'RESERVE.AMOUNT_NOT_POSITIVE',
  DUPLICATE_REFERENCE: 'RESERVE.DUPLICATE_REFERENCE',
  INSUFFICIENT: 'RESERVE.INSUFFICIENT',
  NEGATIVE_AMOUNT: 'RESERVE.NEGATIVE_AMOUNT',
  NO_BANKS: 'RESERVE.NO_BANKS',
  DUPLICATE_BANK: 'RESERVE.DUPLICATE_BANK',
  LOCKED_EXCEEDS_TOTAL: 'RESERVE.LOCKED_EXCEEDS_TOTAL',
  PLAN_TOTAL_MISMATCH: 'RESERVE.PLAN_TOTAL_MISMATCH',
  PLACEMENT_NOT_FOUND: 'RESERVE.PLACEMENT_NOT_FOUND',
  /** Account details (branch, account number) or a move's date that cannot be right (422). */
  INVALID_ACCOUNT_DETAILS: 'RESERVE.INVALID_ACCOUNT_DETAILS',
  /** A move names the account the bank already has (409). */
  SAME_ACCOUNT: 'RESERVE.SAME_ACCOUNT',
  /** The account number belongs to another (earlier) account of the bank (409). */
  ACCOUNT_NUMBER_USED: 'RESERVE.ACCOUNT_NUMBER_USED',
  /** The account a move would close is closed already (409). */
  ACCOUNT_CLOSED: 'RESERVE.ACCOUNT_CLOSED',
  /** The bank has no account with that number (404). */
  ACCOUNT_NOT_FOUND: 'RESERVE.ACCOUNT_NOT_FOUND',
} as const;
