/**
 * How a domain error maps to HTTP (API.md "Conventions"): `invalid` 400 malformed input, `rule`
 * 422 well-formed but against the rules, `conflict` 409, `not_found` 404, `forbidden` 403,
 * `unauthenticated` 401. The edge of the service adds `too_large` 413 (a body above the stated
 * limit), `unsupported` 415 (a content type, charset or encoding it does not read) and
 * `unavailable` 503 (the database or the queue cannot be reached right now; sent with
 * `Retry-After`, see docs/reliability.md).
 */
export type DomainErrorKind =
  | 'invalid'
  | 'rule'
  | 'conflict'
  | 'not_found'
  | 'forbidden'
  | 'unauthenticated'
  | 'too_large'
  | 'unsupported'
  | 'unavailable';

/** One reason in an error's `details`; rule violations list every one, not just the first. */
export interface ErrorDetail {
  code: string;
  message: string;
  field?: string;
  [extra: string]: unknown;
}

/**
 * An expected failure with a stable code such as `CLAIM.NOT_YET_ELIGIBLE` (STYLE.md "Errors").
 * Pure: no framework import, so domain code may throw it; one exception filter maps it to HTTP.
 * Services never throw HTTP exceptions.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static invalid(code: string, message: string, details: ErrorDetail[] = []): DomainError {
    return new DomainError(code, 'invalid', message, details);
  }
  static rule(code: string, message: string, details: ErrorDetail[] = []): DomainError {
    return new DomainError(code, 'rule', message, details);
  }
  static conflict(code: string, message: string, details: ErrorDetail[] = []): DomainError {
    return new DomainError(code, 'conflict', message, details);
  }
  static notFound(code: string, message: string, details: ErrorDetail[] = []): DomainError {
    return new DomainError(code, 'not_found', message, details);
  }
  static forbidden(code: string, message: string, details: ErrorDetail[] = []): DomainError {
    return new DomainError(code, 'forbidden', message, details);
  }
  static tooLarge(code: string, message: string, details: ErrorDetail[] = []): DomainError {
    return new DomainError(code, 'too_large', message, details);
  }
  static unsupported(code: string, message: string, details: ErrorDetail[] = []): DomainError {
    return new DomainError(code, 'unsupported', message, details);
  }
  static unavailable(code: string, message: string, details: ErrorDetail[] = []): DomainError {
    return new DomainError(code, 'unavailable', message, details);
  }
}
