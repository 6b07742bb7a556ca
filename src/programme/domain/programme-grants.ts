import type { BreakdownStep } from '../../common/breakdown';
import { isValidIsoDate } from '../../common/calendar/iso-date';
import { DomainError, type ErrorDetail } from '../../common/errors/domain-error';
import { D } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import { toFen } from './programme-calculators';
import { SIZE_CLASSES, type CalculatorSpec, type ParameterValue } from './programme-document';
import { PROGRAMME_DATA_ERRORS as E } from './programme-rules.errors';

/** The input of a grant calculator (POST /v1/programmes/{code}/calculators/{id}). */
export interface GrantInput {
  /** The date the grant is computed for (its measure's period is checked against it). */
  on?: unknown;
  amount?: unknown;
  persons?: unknown;
  sizeClass?: unknown;
}

export interface GrantResult {
  calculator: string;
  amount: string;
  /** true when the amount is the most that may be granted (per-person with `isMaximum`). */
  isMaximum: boolean;
  breakdown: BreakdownStep[];
}

const str = (v: ParameterValue | undefined): string | null => (typeof v === 'string' ? v : null);
/** A figure of the document that is a decimal string, or null (a loaded document may hold anything). */
const dec = (v: ParameterValue | undefined): string | null => (typeof v === 'string' && /^\d{1,20}(\.\d{1,20})?$/.test(v) ? v : null);

function figureMissing(spec: CalculatorSpec, name: string): DomainError {
  return DomainError.rule(E.FIGURE_MISSING, `Calculator ${spec.id} lacks the figure ${name}.`, [{ code: E.FIGURE_MISSING, field: `calculators.${spec.id}.params.${name}`, message: `${name} is not given` }]);
}

function checkInput(spec: CalculatorSpec, input: GrantInput, needs: ('amount' | 'persons' | 'sizeClass')[]): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const bad = (field: string, message: string) => problems.push({ code: E.INPUT_INVALID, field, message });
  if (input.on !== undefined && !isValidIsoDate(input.on)) bad('on', 'on must be a date YYYY-MM-DD');
  if (needs.includes('amount')) {
    try {
      if (Money.parse(input.amount).isNegative()) bad('amount', 'amount must not be negative');
    } catch {
      bad('amount', 'amount must be a decimal string with at most 2 decimals, e.g. "123456.78"');
    }
  }
  if (needs.includes('persons') && !(typeof input.persons === 'number' && Number.isInteger(input.persons) && input.persons > 0 && input.persons <= 1_000_000)) {
    bad('persons', 'persons must be a whole number from 1');
  }
  if (needs.includes('sizeClass') && !(SIZE_CLASSES as readonly unknown[]).includes(input.sizeClass)) bad('sizeClass', `sizeClass must be one of ${SIZE_CLASSES.join(', ')}`);
  if (problems.length) return problems;
  const until = str(spec.params.availableUntil);
  if (until && typeof input.on === 'string' && input.on > until) {
    return [{ code: E.NOT_IN_FORCE, field: 'on', message: `${spec.id} runs until ${until} [${spec.source}]` }];
  }
  return [];
}

/**
 * A grant calculator of a programme (issue 18: Guangxi's job-retention refund and hiring
 * subsidies), selected by the document's `calculator`. Every amount is rounded to the fen, half-up.
 * Examples (桂人社发〔2025〕38号): refund for an SME on 123,456.78 of contributions:
 * 123,456.78 × 90% = 111,111.102 → 111,111.10; for a large firm × 50% = 61,728.39; expansion
 * subsidy for 7 youths: 7 × 1,500.00 = 10,500.00.
 */
export function runGrant(spec: CalculatorSpec, input: GrantInput): GrantResult {
  const step = (text: string, value: string): BreakdownStep => ({ rule: spec.source, text, value });
  const needs = spec.calculator === 'share-by-class' ? (['amount', 'sizeClass'] as const) : spec.calculator === 'per-person' ? (['persons'] as const) : (['amount'] as const);
  const problems = checkInput(spec, input, [...needs]);
  if (problems.length) {
    const refused = problems.some((p) => p.code === E.NOT_IN_FORCE);
    throw refused ? DomainError.rule(E.NOT_IN_FORCE, problems[0].message, problems) : DomainError.invalid(E.INPUT_INVALID, `The calculator input is invalid: ${problems.map((p) => p.message).join('; ')}.`, problems);
  }
  if (spec.calculator === 'share-by-class') {
    const shares = spec.params.shares;
    const share = typeof shares === 'object' && shares !== null && !Array.isArray(shares) ? dec(shares[String(input.sizeClass)]) : null;
    if (!share) throw figureMissing(spec, `shares.${String(input.sizeClass)}`);
    const base = Money.parse(input.amount);
    const exact = base.amount.times(share);
    return { calculator: spec.id, amount: toFen(exact), isMaximum: false, breakdown: [step(`${base.toString()} × ${share} (${String(input.sizeClass)}) = ${exact.toString()} → ${toFen(exact)}`, toFen(exact))] };
  }
  if (spec.calculator === 'per-person') {
    const each = dec(spec.params.amountPerPerson);
    if (!each) throw figureMissing(spec, 'amountPerPerson');
    const total = new D(each).times(input.persons as number);
    const isMaximum = spec.params.isMaximum === true;
    return {
      calculator: spec.id,
      amount: toFen(total),
      isMaximum,
      breakdown: [step(`${String(input.persons)} × ${each}${isMaximum ? ' (at most)' : ''} = ${toFen(total)}`, toFen(total))],
    };
  }
  const share = dec(spec.params.share);
  if (!share) throw figureMissing(spec, 'share');
  const base = Money.parse(input.amount);
  const exact = base.amount.times(share);
  return { calculator: spec.id, amount: toFen(exact), isMaximum: false, breakdown: [step(`${base.toString()} × ${share} = ${exact.toString()} → ${toFen(exact)}`, toFen(exact))] };
}
