import { addMonths, yearOf } from '../../common/calendar/iso-date';
import { D, ROUND_HALF_UP } from '../../common/money/decimal';
import type { ApplicationFacts, FactResult, Missing } from './programme-facts';
import { headcountOn, regionContains, tableOf, yearBefore } from './programme-facts';
import type { Condition, ParameterValue, ProgrammeDocument } from './programme-document';
import type { DerivedCalculatorName } from './programme-vocabulary';

/** A condition's outcome: decided, or undecided for want of a fact or a figure. */
export type Outcome = { state: 'pass' | 'fail' } | { state: 'unknown'; missing: Missing[] };

/** What a derived-fact calculator may ask of the engine. */
export interface CalculatorContext {
  doc: ProgrammeDocument;
  app: ApplicationFacts;
  fact(name: string): FactResult;
  /** A parameter value with `{ "param": name }` references resolved from the product's parameters. */
  param(value: ParameterValue | undefined, field: string): ParameterValue | Missing;
  condition(c: Condition): Outcome;
}

const isMissing = (v: unknown): v is Missing => typeof v === 'object' && v !== null && 'reason' in v && 'kind' in v;
const figure = (name: string, reason: string): FactResult => ({ missing: { kind: 'figure', name, reason } });

const DECIMAL = /^-?\d{1,20}(\.\d{1,20})?$/;

/** A decimal from a figure or a fact's value, or null when it is not one (a loaded document may name the wrong thing). */
function asDecimal(v: unknown): D | null {
  return typeof v === 'string' && DECIMAL.test(v) ? new D(v) : null;
}

function decimalParam(ctx: CalculatorContext, params: Record<string, ParameterValue>, key: string, field: string): D | Missing {
  const v = ctx.param(params[key], `${field}.${key}`);
  if (isMissing(v)) return v;
  return asDecimal(v) ?? { kind: 'figure', name: `${field}.${key}`, reason: `${key} is not a decimal string` };
}

/** A whole number of months or years from 0 to 1,200 (a calendar offset), or a missing figure. */
function periodParam(ctx: CalculatorContext, params: Record<string, ParameterValue>, key: string, field: string): number | Missing {
  const d = decimalParam(ctx, params, key, field);
  if (isMissing(d)) return d;
  return d.isInteger() && d.gte(0) && d.lte(1200) ? d.toNumber() : { kind: 'figure', name: `${field}.${key}`, reason: `${key} must be a whole number from 0 to 1200` };
}

/**
 * Headcount reduction over `months` before the registration (Zhejiang 二(一) 用工人数减少水平,
 * Guangxi 一(一) 裁员率): (before − now) / before, exact, 0 when the headcount did not fall.
 * Example: 200 twelve months before, 189 now → 11 / 200 = 0.055 (5.5%).
 */
function headcountReduction(ctx: CalculatorContext, params: Record<string, ParameterValue>, field: string): FactResult {
  const months = periodParam(ctx, params, 'months', field);
  if (isMissing(months)) return { missing: months };
  const start = addMonths(ctx.app.registeredOn, -months);
  const before = headcountOn(ctx.app.headcounts, start);
  const now = headcountOn(ctx.app.headcounts, ctx.app.registeredOn);
  if (!before || !now) return { missing: { kind: 'fact', name: 'headcount', reason: `headcounts on or before ${start} and ${ctx.app.registeredOn} are both needed` } };
  if (before.headcount === 0 || now.headcount >= before.headcount) {
    return { value: '0', text: `headcount ${before.headcount} (${before.asOf}) → ${now.headcount} (${now.asOf}): not cut, reduction 0` };
  }
  const cut = before.headcount - now.headcount;
  const rate = new D(cut).dividedBy(before.headcount);
  return { value: rate.toString(), text: `headcount ${before.headcount} (${before.asOf}) → ${now.headcount} (${now.asOf}): ${cut} / ${before.headcount} = ${rate.times(100).toString()}%` };
}

/** The row of a by-year table for the registration year minus `yearsBefore` (Zhejiang's control target). */
function tableByYear(ctx: CalculatorContext, params: Record<string, ParameterValue>, field: string): FactResult {
  const name = params.table;
  const table = typeof name === 'string' ? tableOf(ctx.doc, name) : undefined;
  if (!table || Array.isArray(table.rows)) return figure(`${field}.table`, `no by-year table ${String(name)}`);
  const back = periodParam(ctx, params, 'yearsBefore', field);
  if (isMissing(back)) return { missing: back };
  const year = String(yearBefore(ctx.app.registeredOn, back));
  const row = Object.prototype.hasOwnProperty.call(table.rows, year) ? table.rows[year] : undefined;
  if (row === undefined) return figure(`tables.${String(name)}.${year}`, `${table.text.en}: no figure for ${year}`);
  return { value: row, text: `${table.text.en}, ${year}: ${row}` };
}

/** The borrower's loans of this programme (and product) not matured on the registration date (contract date + term). */
function outstandingLoans(ctx: CalculatorContext, params: Record<string, ParameterValue>): FactResult {
  const same = params.sameProduct === true;
  const open = ctx.app.programmeLoans.filter((l) => (!same || l.product === ctx.app.product) && addMonths(l.contractDate, l.termMonths) > ctx.app.registeredOn);
  return { value: String(open.length), text: `${open.length} loan(s) of this ${same ? 'product' : 'programme'} outstanding on ${ctx.app.registeredOn}` };
}

/**
 * Persons hired on or before the registration date that pass the filters: origin in a region of
 * `originInTable`, any of `groupsAny`, contract ≥ `contractMonthsMin`, hired in the registration's
 * calendar year (`sameYear`). Hires with no recorded origin or contract length do not count where
 * that filter applies. With an incomplete region table the count is marked incomplete.
 */
function countHires(ctx: CalculatorContext, params: Record<string, ParameterValue>, field: string): FactResult {
  const tableName = params.originInTable;
  const table = typeof tableName === 'string' ? tableOf(ctx.doc, tableName) : undefined;
  if (tableName !== undefined && (!table || !Array.isArray(table.rows))) return figure(`${field}.originInTable`, `no region list ${String(tableName)}`);
  const groups = params.groupsAny === undefined ? undefined : ctx.param(params.groupsAny, `${field}.groupsAny`);
  if (isMissing(groups)) return { missing: groups };
  const minMonths = params.contractMonthsMin === undefined ? undefined : decimalParam(ctx, params, 'contractMonthsMin', field);
  if (isMissing(minMonths)) return { missing: minMonths };
  const regions = table && Array.isArray(table.rows) ? table.rows : null;
  let persons = 0;
  let outside = 0;
  for (const h of ctx.app.hires) {
    if (h.hiredOn > ctx.app.registeredOn) continue;
    if (params.sameYear === true && yearOf(h.hiredOn) !== yearOf(ctx.app.registeredOn)) continue;
    if (Array.isArray(groups) && !h.groups.some((g) => (groups as ParameterValue[]).includes(g))) continue;
    if (minMonths && (h.contractMonths === null || minMonths.gt(h.contractMonths))) continue;
    if (regions) {
      const origin = h.originRegion;
      if (!origin || !regions.some((r) => regionContains(r, origin))) {
        if (origin) outside += h.persons;
        continue;
      }
    }
    persons += h.persons;
  }
  const result: FactResult = { value: String(persons), text: `${persons} person(s) counted` };
  if (regions && table && !table.complete && outside > 0) {
    result.incomplete = {
      kind: 'figure',
      name: `tables.${String(tableName)}`,
      reason: `${outside} person(s) come from regions not in the partial list ${String(tableName)} (${table.source}); they may be partner-region hires`,
    };
  }
  return result;
}

/**
 * A figure by class, reduced by `factor` when `reduceWhen` holds, rounded `up` to a whole number
 * or not at all (`none`). Example (Jilin 三(二)): a micro firm hiring key groups, 5 × 0.5 = 2.5 →
 * 3 persons; the share 15% × 0.5 = 7.5% is not rounded.
 */
function thresholdByClass(ctx: CalculatorContext, params: Record<string, ParameterValue>, field: string): FactResult {
  const classFact = typeof params.classFact === 'string' ? ctx.fact(params.classFact) : figure(`${field}.classFact`, 'classFact names no fact');
  if ('missing' in classFact) return classFact;
  const values = ctx.param(params.values, `${field}.values`);
  if (isMissing(values)) return { missing: values };
  const cls = String(classFact.value);
  const base = typeof values === 'object' && values !== null && !Array.isArray(values) ? values[cls] : undefined;
  const baseValue = asDecimal(base);
  if (!baseValue) return figure(`${field}.values.${cls}`, `no figure for class ${cls}`);
  let value = baseValue;
  let text = `${cls}: ${baseValue.toString()}`;
  if (params.reduceWhen !== undefined) {
    const when = ctx.condition(params.reduceWhen as unknown as Condition);
    if (when.state === 'unknown') return { missing: when.missing[0] };
    if (when.state === 'pass') {
      const factor = decimalParam(ctx, params, 'factor', field);
      if (isMissing(factor)) return { missing: factor };
      value = value.times(factor);
      text += ` × ${factor.toString()} = ${value.toString()}`;
    }
  }
  if (params.round === 'up') {
    const rounded = value.ceil();
    if (!rounded.eq(value)) text += ` → ${rounded.toString()} (rounded up to a whole person)`;
    value = rounded;
  }
  return { value: value.toString(), text };
}

/** numerator / denominator (two facts), exact to 40 significant digits; a zero denominator is a missing fact. */
function ratio(ctx: CalculatorContext, params: Record<string, ParameterValue>, field: string): FactResult {
  if (typeof params.numerator !== 'string' || typeof params.denominator !== 'string') return figure(field, 'numerator and denominator name facts');
  const n = ctx.fact(params.numerator);
  const d = ctx.fact(params.denominator);
  if ('missing' in n) return n;
  if ('missing' in d) return d;
  const num = asDecimal(n.value);
  const den = asDecimal(d.value);
  if (!num || !den) return figure(field, `${params.numerator} / ${params.denominator}: both must be figures`);
  if (den.isZero()) return { missing: { kind: 'fact', name: params.denominator, reason: `${params.denominator} is 0` } };
  const q = num.dividedBy(den);
  const result: FactResult = { value: q.toString(), text: `${String(n.value)} / ${String(d.value)} = ${q.times(100).toSignificantDigits(10).toString()}%` };
  if (n.incomplete) result.incomplete = n.incomplete;
  return result;
}

/** The value of the first step whose `upTo` (inclusive) is at or above the fact; `upTo: null` has no bound. Xinxiang: ≤ 100 staff 15%, above 8%. */
function stepByFact(ctx: CalculatorContext, params: Record<string, ParameterValue>, field: string): FactResult {
  if (typeof params.fact !== 'string' || !Array.isArray(params.steps)) return figure(field, 'step-by-fact needs fact and steps');
  const f = ctx.fact(params.fact);
  if ('missing' in f) return f;
  const x = asDecimal(f.value);
  if (!x) return figure(field, `${params.fact} is not a figure`);
  for (const step of params.steps) {
    if (typeof step !== 'object' || step === null || Array.isArray(step)) continue;
    const upTo = step.upTo === null ? null : asDecimal(step.upTo);
    if (typeof step.value !== 'string' || (step.upTo !== null && !upTo)) return figure(`${field}.steps`, 'a step is { upTo: figure or null, value }');
    if (upTo === null || x.lte(upTo)) {
      return { value: step.value, text: `${params.fact} ${x.toString()} ${upTo === null ? 'above the last bound' : `≤ ${upTo.toString()}`}: ${step.value}` };
    }
  }
  return figure(`${field}.steps`, `no step covers ${x.toString()}`);
}

/** Runs a derived-fact calculator by name (DERIVED_CALCULATORS). */
export function runDerived(name: DerivedCalculatorName, ctx: CalculatorContext, params: Record<string, ParameterValue>, field: string): FactResult {
  switch (name) {
    case 'headcount-reduction':
      return headcountReduction(ctx, params, field);
    case 'table-by-year':
      return tableByYear(ctx, params, field);
    case 'outstanding-loans':
      return outstandingLoans(ctx, params);
    case 'count-hires':
      return countHires(ctx, params, field);
    case 'threshold-by-class':
      return thresholdByClass(ctx, params, field);
    case 'ratio':
      return ratio(ctx, params, field);
    case 'step-by-fact':
      return stepByFact(ctx, params, field);
  }
}

/** Rounds a grant to the fen, half-up (docs/programmes.md). */
export function toFen(x: D): string {
  return x.toDecimalPlaces(2, ROUND_HALF_UP).toFixed(2);
}
