/** The holidays module's codes (RULES §9): a year's schedule the trustee loads. */
export const HOLIDAY_ERRORS = {
  /** The schedule is malformed: a date not in the year, a day both off and worked (every problem in details). */
  INVALID: 'HOLIDAYS.INVALID',
} as const;
