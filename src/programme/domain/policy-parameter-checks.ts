import type { ErrorDetail } from '../../common/errors/domain-error';
import { D } from '../../common/money/decimal';
import type { ParameterSpec } from './policy-parameters';
import { POLICY_RULE_ERRORS as E } from './programme-rules.errors';

const DECIMAL = /^(0|[1-9][0-9]{0,14})(\.[0-9]{1,12})?$/;
const MONEY = /^(0|[1-9][0-9]{0,14})(\.[0-9]{1,2})?$/;
const MONTH_DAY = /^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const WEIGHT_KEYS = ['balanceShare', 'longerAverageTerm', 'lowerAverageRate', 'lowerCollateralRatio', 'smallBorrowerShare', 'lowerLossRate'];

type Problems = ErrorDetail[];

const typeProblem = (field: string, message: string): ErrorDetail => ({ code: E.PARAMETER_TYPE, field, message });
const rangeProblem = (field: string, message: string): ErrorDetail => ({ code: E.PARAMETER_RANGE, field, message });

/** A decimal string in [0, 1] (a share, ratio or rate). */
function checkFraction(field: string, v: unknown, out: Problems): void {
  if (typeof v !== 'string' || !DECIMAL.test(v)) out.push(typeProblem(field, `${field} must be a decimal string such as "0.60"`));
  else if (new D(v).greaterThan(1)) out.push(rangeProblem(field, `${field} ${v} is above 1 (a fraction: 0.60 = 60%)`));
}

function checkMoney(field: string, v: unknown, out: Problems): void {
  if (typeof v !== 'string' || !MONEY.test(v)) out.push(typeProblem(field, `${field} must be an amount string with at most 2 decimals, such as "5000000.00"`));
}

function checkPositive(field: string, v: unknown, spec: ParameterSpec, out: Problems): void {
  if (typeof v !== 'string' || !DECIMAL.test(v)) out.push(typeProblem(field, `${field} must be a decimal string such as "1.3"`));
  else if (new D(v).lessThanOrEqualTo(0) || (spec.max !== undefined && new D(v).greaterThan(spec.max))) {
    out.push(rangeProblem(field, `${field} ${v} must be above 0${spec.max !== undefined ? ` and at most ${spec.max}` : ''}`));
  }
}

function checkInt(field: string, v: unknown, spec: ParameterSpec, out: Problems): void {
  if (typeof v !== 'number' || !Number.isInteger(v)) out.push(typeProblem(field, `${field} must be a whole number`));
  else if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
    out.push(rangeProblem(field, `${field} ${v} is outside ${spec.min}–${spec.max}`));
  }
}

function checkMonthDay(field: string, v: unknown, out: Problems): void {
  if (typeof v !== 'string' || !MONTH_DAY.test(v)) out.push(typeProblem(field, `${field} must be written "MM-DD"`));
  else if (Number(v.slice(3)) > DAYS_IN_MONTH[Number(v.slice(0, 2)) - 1]) out.push(rangeProblem(field, `${field} ${v} is not a day of the year`));
}

/** Revenue brackets: ascending inclusive upper bounds, the last one open (null), ratios in [0, 1]. */
function checkBrackets(field: string, v: unknown, out: Problems): void {
  if (!Array.isArray(v) || v.length === 0) return void out.push(typeProblem(field, `${field} must be a non-empty array of { revenueMax, ratio }`));
  let previous: D | null = null;
  v.forEach((b: unknown, i) => {
    const at = `${field}[${i}]`;
    const row = (b ?? {}) as { revenueMax?: unknown; ratio?: unknown };
    if (typeof b !== 'object' || b === null) return void out.push(typeProblem(at, `${at} must be an object { revenueMax, ratio }`));
    checkFraction(`${at}.ratio`, row.ratio, out);
    const last = i === v.length - 1;
    if (row.revenueMax === null) {
      if (!last) out.push(rangeProblem(`${at}.revenueMax`, `only the last bracket may be open (revenueMax null)`));
      return;
    }
    checkMoney(`${at}.revenueMax`, row.revenueMax, out);
    if (last) out.push(rangeProblem(`${at}.revenueMax`, 'the last bracket must be open (revenueMax null)'));
    if (typeof row.revenueMax === 'string' && MONEY.test(row.revenueMax)) {
      const max = new D(row.revenueMax);
      if (previous && !max.greaterThan(previous)) out.push(rangeProblem(`${at}.revenueMax`, 'upper bounds must ascend'));
      previous = max;
    }
  });
}

/** Margin deduction bands: from 0, contiguous, ascending, the last one open, shares in [0, 1]. */
function checkBands(field: string, v: unknown, out: Problems): void {
  if (!Array.isArray(v) || v.length === 0) return void out.push(typeProblem(field, `${field} must be a non-empty array of { from, to, share }`));
  let expectedFrom = '0';
  v.forEach((b: unknown, i) => {
    const at = `${field}[${i}]`;
    if (typeof b !== 'object' || b === null) return void out.push(typeProblem(at, `${at} must be an object { from, to, share }`));
    const row = b as { from?: unknown; to?: unknown; share?: unknown };
    checkFraction(`${at}.from`, row.from, out);
    checkFraction(`${at}.share`, row.share, out);
    if (row.to !== null) checkFraction(`${at}.to`, row.to, out);
    const last = i === v.length - 1;
    if (typeof row.from === 'string' && DECIMAL.test(row.from) && !new D(row.from).equals(new D(expectedFrom))) {
      out.push(rangeProblem(`${at}.from`, `band ${i} must start where the previous one ends (${expectedFrom})`));
    }
    if ((row.to === null) !== last) out.push(rangeProblem(`${at}.to`, last ? 'the last band must be open (to null)' : 'only the last band may be open'));
    if (typeof row.to === 'string' && typeof row.from === 'string' && DECIMAL.test(row.to) && DECIMAL.test(row.from) && !new D(row.to).greaterThan(new D(row.from))) {
      out.push(rangeProblem(`${at}.to`, `band ${i} must end above its start`));
    }
    if (typeof row.to === 'string') expectedFrom = row.to;
  });
}

function checkWeights(field: string, v: unknown, out: Problems): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return void out.push(typeProblem(field, `${field} must be an object with ${WEIGHT_KEYS.join(', ')}`));
  const w = v as Record<string, unknown>;
  for (const k of Object.keys(w)) if (!WEIGHT_KEYS.includes(k)) out.push(typeProblem(`${field}.${k}`, `${field} has no weight ${k}`));
  for (const k of WEIGHT_KEYS) checkFraction(`${field}.${k}`, w[k], out);
  const total = WEIGHT_KEYS.reduce((sum, k) => (typeof w[k] === 'string' && DECIMAL.test(w[k] as string) ? sum.plus(w[k] as string) : sum), new D(0));
  if (total.isZero()) out.push(rangeProblem(field, `${field} must not all be 0`));
}

/** Appends the problems of one parameter's value (type first; range only for a well-typed value). */
export function checkParameterValue(field: string, value: unknown, spec: ParameterSpec, out: Problems): void {
  if (value === null) {
    if (!spec.nullable) out.push(typeProblem(field, `${field} may not be null`));
    return;
  }
  switch (spec.kind) {
    case 'fraction':
      return checkFraction(field, value, out);
    case 'positive':
      return checkPositive(field, value, spec, out);
    case 'money':
      return checkMoney(field, value, out);
    case 'int':
      return checkInt(field, value, spec, out);
    case 'boolean':
      if (typeof value !== 'boolean') out.push(typeProblem(field, `${field} must be true or false`));
      return;
    case 'monthDay':
      return checkMonthDay(field, value, out);
    case 'enum':
      if (typeof value !== 'string' || !spec.values?.includes(value)) out.push(typeProblem(field, `${field} must be one of ${spec.values?.join(', ')}`));
      return;
    case 'brackets':
      return checkBrackets(field, value, out);
    case 'bands':
      return checkBands(field, value, out);
    case 'weights':
      return checkWeights(field, value, out);
  }
}
