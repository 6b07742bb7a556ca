/** The reserve module's stable error codes (STYLE.md "Errors"; RULES §8). */
export const RESERVE_ERRORS = {
  AMOUNT_NOT_POSITIVE: 'RESERVE.AMOUNT_NOT_POSITIVE',
  DUPLICATE_REFERENCE: 'RESERVE.DUPLICATE_REFERENCE',
} as const;
