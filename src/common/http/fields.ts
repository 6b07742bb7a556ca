import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy, ValidationOptions } from 'class-validator';
import {
  DecimalStringRules,
  FAILURE_MESSAGES,
  MONEY_RULES,
  RATE_RULES,
  SIGNED_MONEY_RULES,
  checkDecimalString,
} from '../money/money-parse';

function decimalString(name: string, rules: DecimalStringRules, options?: ValidationOptions) {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => checkDecimalString(value, rules) === null,
        defaultMessage: (args) => {
          const failure = checkDecimalString(args?.value, rules) ?? 'NOT_A_DECIMAL';
          return `${args?.property} ${FAILURE_MESSAGES[failure]}`;
        },
      },
    },
    options,
  );
}

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map((p) => Number.parseInt(p, 10));
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

interface FieldOptions {
  description?: string;
  example?: unknown;
  optional?: boolean;
  nullable?: boolean;
}

function doc(options: FieldOptions, extra: Record<string, unknown>) {
  const base = { description: options.description, example: options.example, nullable: options.nullable, ...extra };
  return options.optional ? ApiPropertyOptional(base) : ApiProperty(base);
}

function optionalGuard(options: FieldOptions) {
  return options.optional || options.nullable ? [IsOptional()] : [];
}

/** A non-negative CNY amount as a JSON string with at most 2 decimals ("1825230.00"). */
export function MoneyField(options: FieldOptions = {}) {
  return applyDecorators(
    doc(options, { type: String, pattern: '^(0|[1-9][0-9]{0,14})(\\.[0-9]{1,2})?$', example: options.example ?? '1000000.00' }),
    ...optionalGuard(options),
    decimalString('isMoney', MONEY_RULES),
  );
}

/** A CNY amount that may be negative. */
export function SignedMoneyField(options: FieldOptions = {}) {
  return applyDecorators(
    doc(options, { type: String, pattern: '^-?(0|[1-9][0-9]{0,14})(\\.[0-9]{1,2})?$', example: options.example ?? '-100.00' }),
    ...optionalGuard(options),
    decimalString('isSignedMoney', SIGNED_MONEY_RULES),
  );
}

/** A non-negative rate as a decimal-fraction string ("0.0435" = 4.35%), at most 8 decimals. */
export function RateField(options: FieldOptions = {}) {
  return applyDecorators(
    doc(options, { type: String, pattern: '^(0|[1-9][0-9]{0,3})(\\.[0-9]{1,8})?$', example: options.example ?? '0.0435' }),
    ...optionalGuard(options),
    decimalString('isRate', RATE_RULES),
  );
}

/** A calendar date, YYYY-MM-DD, that exists. */
export function DateField(options: FieldOptions = {}) {
  return applyDecorators(
    doc(options, { type: String, format: 'date', example: options.example ?? '2025-07-15' }),
    ...optionalGuard(options),
    ValidateBy({
      name: 'isIsoDate',
      validator: {
        validate: (value: unknown) => isIsoDate(value),
        defaultMessage: (args) => `${args?.property} must be a real date written YYYY-MM-DD`,
      },
    }),
  );
}

/** A short code such as a bank or agency code: letters, digits, '-', '_'. */
export function CodeField(options: FieldOptions = {}) {
  return applyDecorators(
    doc(options, { type: String, example: options.example ?? 'BANK01', maxLength: 64 }),
    ...optionalGuard(options),
    IsString(),
    MaxLength(64),
    Matches(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { message: '$property may contain only letters, digits, "-" and "_"' }),
  );
}

export function TextField(options: FieldOptions & { maxLength?: number } = {}) {
  return applyDecorators(
    doc(options, { type: String, maxLength: options.maxLength ?? 500 }),
    ...optionalGuard(options),
    IsString(),
    MaxLength(options.maxLength ?? 500),
  );
}

export function IntField(options: FieldOptions & { min?: number; max?: number } = {}) {
  return applyDecorators(
    doc(options, { type: Number, minimum: options.min, maximum: options.max }),
    ...optionalGuard(options),
    IsInt(),
    ...(options.min !== undefined ? [Min(options.min)] : []),
    ...(options.max !== undefined ? [Max(options.max)] : []),
  );
}

export function BoolField(options: FieldOptions = {}) {
  return applyDecorators(doc(options, { type: Boolean }), ...optionalGuard(options), IsBoolean());
}

/** An integer query parameter (query strings are text, so this one converts). */
export function IntQuery(options: FieldOptions & { min?: number; max?: number } = {}) {
  return applyDecorators(Type(() => Number), IntField({ ...options, optional: true }));
}
