/**
 * Codes of the dated-event rule (RULES §4 "Decision (dates, 2026-12)"): an event that has happened
 * is not dated in the future, and a lifecycle step is not dated before the step it follows. Kept
 * beside the calendar helpers that raise them (common.errors.ts has the calendar's 400 codes).
 */
export const EVENT_DATE_ERRORS = {
  /** A date after today (the injected clock, China time). */
  IN_FUTURE: 'DATE.IN_FUTURE',
  /** A step dated before the step it follows (disbursement before registration, …). */
  BEFORE_PREVIOUS_STEP: 'DATE.BEFORE_PREVIOUS_STEP',
  /** More than one date is wrong; each one is in `details`. */
  NOT_POSSIBLE: 'DATE.NOT_POSSIBLE',
} as const;
