/**
 * The stable error codes raised by `src/common` and the start-up code (STYLE.md "Errors"): request
 * shape and framework errors, access (party scoping), dates and quarters, idempotency keys. Pure
 * constants, so the pure calendar helpers and domain code may import them. Kinds decide the HTTP
 * status (docs/architecture.md "Errors"); the codes are part of the API and never change.
 */

/** A request the service cannot take as sent (400), or a framework status without a code of ours. */
export const REQUEST_ERRORS = {
  INVALID: 'REQUEST.INVALID',
  MALFORMED_JSON: 'REQUEST.MALFORMED_JSON',
  TOO_LARGE: 'REQUEST.TOO_LARGE',
  INVALID_CURSOR: 'REQUEST.INVALID_CURSOR',
  INVALID_VALUE: 'REQUEST.INVALID_VALUE',
  REFERENCE_NOT_FOUND: 'REQUEST.REFERENCE_NOT_FOUND',
  CONFLICT: 'REQUEST.CONFLICT',
  UNSUPPORTED_MEDIA_TYPE: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  UNPROCESSABLE: 'REQUEST.UNPROCESSABLE',
  TOO_MANY: 'REQUEST.TOO_MANY',
  INVALID_TEXT: 'REQUEST.INVALID_TEXT',
  TOO_DEEP: 'REQUEST.TOO_DEEP',
  ABORTED: 'REQUEST.ABORTED',
  UNSUPPORTED_CHARSET: 'REQUEST.UNSUPPORTED_CHARSET',
  UNSUPPORTED_ENCODING: 'REQUEST.UNSUPPORTED_ENCODING',
} as const;

/** The service cannot answer now (503, with Retry-After): the database is down or slow, or it is busy. */
export const SERVICE_ERRORS = {
  UNAVAILABLE: 'SERVICE.UNAVAILABLE',
  TIMEOUT: 'SERVICE.TIMEOUT',
  BUSY: 'SERVICE.BUSY',
} as const;

/** No route for the path (404) or the method (405). */
export const ROUTE_ERRORS = {
  NOT_FOUND: 'ROUTE.NOT_FOUND',
  METHOD_NOT_ALLOWED: 'ROUTE.METHOD_NOT_ALLOWED',
} as const;

/** Conflicts PostgreSQL reports: a unique violation, or a serialization failure or deadlock to retry. */
export const CONFLICT_ERRORS = {
  DUPLICATE: 'CONFLICT.DUPLICATE',
  RETRY: 'CONFLICT.RETRY',
} as const;

/**
 * Who may call: no or an unknown token (401), a role that may not (403), a party token acting for
 * another party (403). Auth's own list (src/auth/auth.errors.ts) starts from these.
 */
export const ACCESS_ERRORS = {
  UNAUTHENTICATED: 'AUTH.UNAUTHENTICATED',
  FORBIDDEN: 'AUTH.FORBIDDEN',
  PARTY_SCOPE: 'AUTH.PARTY_SCOPE',
  /** Maker-checker: the token that made a step (recommended a claim, …) may not check it (403). */
  FOUR_EYES: 'AUTH.FOUR_EYES',
} as const;

/** Calendar input (400). */
export const DATE_ERRORS = {
  INVALID: 'DATE.INVALID',
  OUT_OF_RANGE: 'DATE.OUT_OF_RANGE',
} as const;

export const QUARTER_ERRORS = {
  INVALID: 'QUARTER.INVALID',
} as const;

/** The Idempotency-Key header (docs/architecture.md; API.md "Idempotency"). */
export const IDEMPOTENCY_ERRORS = {
  INVALID_KEY: 'IDEMPOTENCY.INVALID_KEY',
  KEY_REUSED: 'IDEMPOTENCY.KEY_REUSED',
  OUTCOME_UNKNOWN: 'IDEMPOTENCY.OUTCOME_UNKNOWN',
  IN_PROGRESS: 'IDEMPOTENCY.IN_PROGRESS',
} as const;

/** An unexpected error (500), logged with its stack. */
export const INTERNAL_ERROR = 'INTERNAL';
