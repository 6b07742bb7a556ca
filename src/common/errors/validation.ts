import { ValidationError, ValidationPipe } from '@nestjs/common';
import { REQUEST_ERRORS } from './common.errors';
import { DomainError, ErrorDetail } from './domain-error';

/** At most this many problems are listed in `details` (a body of 70,000 bad rows lists 100). */
export const MAX_VALIDATION_DETAILS = 100;

/** Every failing field as a detail, depth first, without recursion; `total` counts them all. */
function flatten(errors: ValidationError[]): { details: ErrorDetail[]; total: number } {
  const details: ErrorDetail[] = [];
  let total = 0;
  const stack: { e: ValidationError; prefix: string }[] = errors.map((e) => ({ e, prefix: '' })).reverse();
  while (stack.length) {
    const { e, prefix } = stack.pop() as { e: ValidationError; prefix: string };
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
      total += 1;
      if (details.length < MAX_VALIDATION_DETAILS) details.push({ field, code: constraint === 'whitelistValidation' ? 'UNKNOWN_FIELD' : constraint, message });
    }
    const children = e.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ e: children[i], prefix: field });
  }
  return { details, total };
}

/**
 * The global pipe (issue #2 item 6): unknown fields are refused, not stripped, and no implicit
 * type conversion happens, so a money field sent as a JSON number stays a number and fails its
 * string check. Problems are listed in `details`, at most MAX_VALIDATION_DETAILS of them (the
 * message says how many more), so one bad upload cannot make an answer of megabytes.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const { details, total } = flatten(errors);
      const shown = details.slice(0, 20);
      const more = total - shown.length;
      const summary = shown.map((d) => `${d.field}: ${d.message}`).join('; ') + (more > 0 ? `; and ${more} more` : '');
      return DomainError.invalid(REQUEST_ERRORS.INVALID, `The request is invalid: ${summary}`, details);
    },
  });
}
