/**
 * The stable error codes of the risk rules (loss rates, statuses, disqualification), STYLE.md
 * "Errors". Risk is pure rules (domain/ only), so its list lives here.
 */
export const RISK_ERRORS = {
  /** An outstanding balance below zero (400). */
  NEGATIVE_BALANCE: 'RISK.NEGATIVE_BALANCE',
  /** Refunds and write-offs above the approved compensation (400). */
  NEGATIVE_NET_COMPENSATION: 'RISK.NEGATIVE_NET_COMPENSATION',
} as const;
