import { D } from './decimal';

/** Why a string was refused as money or a rate; stable codes used in 400 details. */
export type NumberParseFailure =
  | 'NOT_A_STRING'
  | 'EMPTY'
  | 'NOT_A_DECIMAL'
  | 'NEGATIVE_NOT_ALLOWED'
  | 'TOO_MANY_DECIMALS'
  | 'TOO_MANY_INTEGER_DIGITS';

export interface DecimalStringRules {
  /** Most digits after the point. */
  maxDecimals: number;
  /** Most digits before the point. */
  maxIntegerDigits: number;
  /** Whether a leading '-' is accepted. A leading '+' never is. */
  allowNegative: boolean;
}

// ASCII digits only: `\d` in a JS RegExp without the `u` flag is [0-9], but we spell it out so a
// reader need not know that. No exponent, no '+', no leading zeros (other than a lone 0), no
// spaces, no trailing point.
const DECIMAL_STRING = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * Checks that `value` is a decimal JSON string under `rules`. Returns null when it is, else the
 * reason. JSON numbers are refused on purpose: a JSON number may already have passed through a
 * binary double in the client, so the fen it carries cannot be trusted (API.md "Conventions").
 */
export function checkDecimalString(value: unknown, rules: DecimalStringRules): NumberParseFailure | null {
  if (typeof value !== 'string') return 'NOT_A_STRING';
  if (value.length === 0) return 'EMPTY';
  const m = DECIMAL_STRING.exec(value);
  if (!m) return 'NOT_A_DECIMAL';
  const [, sign, integerPart, fraction = ''] = m;
  if (sign === '-' && !rules.allowNegative) return 'NEGATIVE_NOT_ALLOWED';
  if (fraction.length > rules.maxDecimals) return 'TOO_MANY_DECIMALS';
  if (integerPart.length > rules.maxIntegerDigits) return 'TOO_MANY_INTEGER_DIGITS';
  return null;
}

export const MONEY_RULES: DecimalStringRules = { maxDecimals: 2, maxIntegerDigits: 15, allowNegative: false };
export const SIGNED_MONEY_RULES: DecimalStringRules = { ...MONEY_RULES, allowNegative: true };
export const RATE_RULES: DecimalStringRules = { maxDecimals: 8, maxIntegerDigits: 4, allowNegative: false };

export const FAILURE_MESSAGES: Record<NumberParseFailure, string> = {
  NOT_A_STRING: 'must be a JSON string such as "1825230.00" (JSON numbers are refused)',
  EMPTY: 'must not be empty',
  NOT_A_DECIMAL: 'must be a plain decimal such as "1825230.00" (no exponent, sign, spaces or leading zeros)',
  NEGATIVE_NOT_ALLOWED: 'must not be negative',
  TOO_MANY_DECIMALS: 'has too many decimals',
  TOO_MANY_INTEGER_DIGITS: 'has too many integer digits',
};

export class DecimalParseError extends Error {
  constructor(
    readonly reason: NumberParseFailure,
    readonly input: unknown,
  ) {
    super(`${JSON.stringify(input)} ${FAILURE_MESSAGES[reason]}`);
  }
}

/** Parses a checked decimal string; throws DecimalParseError when it breaks `rules`. */
export function parseDecimalString(value: unknown, rules: DecimalStringRules): D {
  const failure = checkDecimalString(value, rules);
  if (failure) throw new DecimalParseError(failure, value);
  return new D(value as string);
}
