import { ValidationError, ValidationPipe } from '@nestjs/common';
import { REQUEST_ERRORS } from './common.errors';
import { DomainError, ErrorDetail } from './domain-error';

function flatten(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
      out.push({ field, code: constraint === 'whitelistValidation' ? 'UNKNOWN_FIELD' : constraint, message });
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/**
 * The global pipe (issue #2 item 6): unknown fields are refused, not stripped, and no implicit
 * type conversion happens, so a money field sent as a JSON number stays a number and fails its
 * string check. Every problem is listed in `details`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
      return DomainError.invalid(REQUEST_ERRORS.INVALID, `The request is invalid: ${summary}`, details);
    },
  });
}
