/** The audit module's stable error codes (STYLE.md "Errors"). */
export const AUDIT_ERRORS = {
  /** An UPDATE, DELETE or TRUNCATE on the audit log (the database refuses it). */
  APPEND_ONLY: 'AUDIT.APPEND_ONLY',
  /** `from` after `to` in a query (400). */
  RANGE: 'AUDIT.RANGE',
  /** A seal pass failed for a reason without a code of its own (reported by verify, never answered as an error). */
  SEAL_FAILED: 'AUDIT.SEAL_FAILED',
} as const;
