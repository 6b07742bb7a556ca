import type { BreakdownStep } from '../../common/breakdown';
import { isValidIsoDate } from '../../common/calendar/iso-date';
import type { ErrorDetail } from '../../common/errors/domain-error';
import { D } from '../../common/money/decimal';
import { runDerived, type CalculatorContext, type Outcome } from './programme-calculators';
import type { Comparison, Condition, Operand, ParameterValue, ProductSpec, ProgrammeDocument, RuleSpec } from './programme-document';
import { baseFact, productParameter, regionContains, tableOf, type ApplicationFacts, type FactResult, type FactValue, type Missing } from './programme-facts';
import { PROGRAMME_DATA_ERRORS as E } from './programme-rules.errors';
import { isDerivedCalculator } from './programme-vocabulary';

const DECIMAL = /^-?\d+(\.\d+)?$/;
const isMissing = (v: unknown): v is Missing => typeof v === 'object' && v !== null && !Array.isArray(v) && 'reason' in v && 'kind' in v;

/**
 * Evaluates a product's facts and rules for one application (issue 18; docs/programmes.md "Rule
 * format"). Facts are resolved once each, on demand; a rule is decided (pass / fail) or, for want
 * of a fact or a figure, undecided — and an undecided rule refuses the registration whatever its
 * severity: the engine never computes with a guess. Comparisons of figures are decimal (decimal.js,
 * 40 digits), of dates by calendar order; nothing passes through binary floating point.
 */
export class ProductEvaluator {
  private readonly facts = new Map<string, FactResult>();
  private readonly resolving = new Set<string>();
  /** Facts in the order they were resolved, with how each was found (for the breakdown). */
  readonly seen: { name: string; result: FactResult }[] = [];
  private readonly ctx: CalculatorContext;

  constructor(
    readonly doc: ProgrammeDocument,
    readonly product: ProductSpec,
    readonly app: ApplicationFacts,
  ) {
    this.ctx = {
      doc,
      app,
      fact: (n) => this.fact(n),
      param: (v, field) => this.param(v, field),
      condition: (c) => this.condition(c),
    };
  }

  fact(name: string): FactResult {
    const known = this.facts.get(name);
    if (known) return known;
    if (this.resolving.has(name)) return { missing: { kind: 'figure', name, reason: `${name} depends on itself` } };
    this.resolving.add(name);
    const result = this.resolve(name);
    this.resolving.delete(name);
    this.facts.set(name, result);
    this.seen.push({ name, result });
    return result;
  }

  private resolve(name: string): FactResult {
    if (name.startsWith('declared.')) {
      const key = name.slice('declared.'.length);
      const v = this.app.declarations[key];
      return typeof v === 'boolean' ? { value: v } : { missing: { kind: 'fact', name, reason: `the registration does not declare ${key}` } };
    }
    const base = baseFact(name, this.app);
    if (base) return base;
    const spec = Object.prototype.hasOwnProperty.call(this.product.derived, name) ? this.product.derived[name] : undefined;
    if (!spec || !isDerivedCalculator(spec.calculator)) return { missing: { kind: 'figure', name, reason: `${name} is not a fact of ${this.product.code}` } };
    return runDerived(spec.calculator, this.ctx, spec.params, `products.${this.product.code}.derived.${name}`);
  }

  /** Resolves `{ "param": name }` (whole value) from the product's parameters; null = a missing figure. */
  param(value: ParameterValue | undefined, field: string): ParameterValue | Missing {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.param === 'string' && Object.keys(value).length === 1) {
      const v = productParameter(this.product, value.param);
      if (v === undefined || v === null) return { kind: 'figure', name: `products.${this.product.code}.parameters.${value.param}`, reason: `${value.param} is not given` };
      return v;
    }
    if (value === undefined || value === null) return { kind: 'figure', name: field, reason: `${field} is not given` };
    return value;
  }

  private operand(o: Operand): { value: FactValue; incomplete?: Missing } | Missing {
    if (typeof o === 'string' || typeof o === 'boolean' || Array.isArray(o)) return { value: o };
    if ('fact' in o) {
      const f = this.fact(o.fact);
      return 'missing' in f ? f.missing : { value: f.value, incomplete: f.incomplete };
    }
    if ('table' in o) {
      const t = tableOf(this.doc, o.table);
      if (!t || !Array.isArray(t.rows)) return { kind: 'figure', name: `tables.${o.table}`, reason: `no region list ${o.table}` };
      return { value: t.rows, incomplete: t.complete ? undefined : { kind: 'figure', name: `tables.${o.table}`, reason: `${t.text.en} is partial (${t.source})` } };
    }
    let v = productParameter(this.product, o.param);
    const path = `products.${this.product.code}.parameters.${o.param}`;
    if (o.by !== undefined && v !== undefined && v !== null) {
      const key = this.fact(o.by);
      if ('missing' in key) return key.missing;
      v = typeof v === 'object' && !Array.isArray(v) ? v[String(key.value)] : undefined;
      if (v === undefined || v === null) return { kind: 'figure', name: `${path}.${String(key.value)}`, reason: `${o.param} gives no figure for ${String(key.value)}` };
    }
    if (v === undefined || v === null) return { kind: 'figure', name: path, reason: `${o.param} is not given` };
    if (typeof v === 'string' || typeof v === 'boolean' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) return { value: v as FactValue };
    return { kind: 'figure', name: path, reason: `${o.param} is not a single figure${o.by ? '' : ' (pick one with "by")'}` };
  }

  private compare(op: Comparison['op'], a: FactValue, b: FactValue): boolean | null {
    if (op === 'in' || op === 'notIn') return Array.isArray(b) && typeof a === 'string' ? b.includes(a) === (op === 'in') : null;
    if (op === 'inRegions') return Array.isArray(b) && typeof a === 'string' ? b.some((r) => regionContains(r, a)) : null;
    if (typeof a === 'boolean' || typeof b === 'boolean') return (op === 'eq' || op === 'ne') && typeof a === typeof b ? (a === b) === (op === 'eq') : null;
    if (Array.isArray(a) || Array.isArray(b)) return null;
    let c: number;
    if (DECIMAL.test(a) && DECIMAL.test(b)) c = new D(a).comparedTo(b);
    else if (isValidIsoDate(a) && isValidIsoDate(b)) c = a < b ? -1 : a > b ? 1 : 0;
    else if (op === 'eq' || op === 'ne') return (a === b) === (op === 'eq');
    else return null;
    return { eq: c === 0, ne: c !== 0, gt: c > 0, gte: c >= 0, lt: c < 0, lte: c <= 0 }[op];
  }

  condition(c: Condition): Outcome {
    if ('all' in c || 'any' in c) {
      const all = 'all' in c;
      const parts = all ? (c as { all: Condition[] }).all : (c as { any: Condition[] }).any;
      const missing: Missing[] = [];
      for (const part of parts) {
        const o = this.condition(part);
        if (o.state === (all ? 'fail' : 'pass')) return o;
        if (o.state === 'unknown') for (const m of o.missing) if (!missing.some((x) => x.name === m.name)) missing.push(m);
      }
      return missing.length ? { state: 'unknown', missing } : { state: all ? 'pass' : 'fail' };
    }
    if ('not' in c) {
      const o = this.condition(c.not);
      return o.state === 'unknown' ? o : { state: o.state === 'pass' ? 'fail' : 'pass' };
    }
    const f = this.fact(c.fact);
    if ('missing' in f) return { state: 'unknown', missing: [f.missing] };
    const v = this.operand(c.value);
    if (isMissing(v)) return { state: 'unknown', missing: [v] };
    const result = this.compare(c.op, f.value, v.value);
    if (result === null) return { state: 'unknown', missing: [{ kind: 'figure', name: c.fact, reason: `${c.fact} ${c.op} cannot compare ${JSON.stringify(f.value)} with ${JSON.stringify(v.value)}` }] };
    // A failure computed from a partial table cannot be decided: the missing part might pass it.
    const incomplete = f.incomplete ?? v.incomplete;
    if (!result && incomplete) return { state: 'unknown', missing: [incomplete] };
    return { state: result ? 'pass' : 'fail' };
  }
}

/** One rule's result as the API shows it: broken rules (hard and soft) and undecided ones. */
export interface RuleResult {
  rule: RuleSpec;
  outcome: Outcome;
}

export interface ProgrammeCheck {
  /** Every broken or undecided rule, hard and soft, as error details (API.md: `details`). */
  problems: ErrorDetail[];
  /** True when a hard rule is broken or any rule is undecided (the registration is refused). */
  refused: boolean;
  /** Soft rules broken: warnings on an accepted registration. */
  warnings: ErrorDetail[];
  breakdown: BreakdownStep[];
  /** The facts the rules saw (frozen on the loan). */
  facts: Record<string, FactValue>;
}

function detailOf(r: RuleSpec, outcome: Outcome, observed: Record<string, FactValue>): ErrorDetail {
  const base = { rule: r.id, severity: r.severity, text: r.text, source: r.source, observed };
  if (outcome.state === 'unknown') {
    const figureMissing = outcome.missing.some((m) => m.kind === 'figure');
    return {
      code: figureMissing ? E.FIGURE_MISSING : E.FACT_MISSING,
      message: `${r.text.en} [${r.source}]: cannot be decided — ${outcome.missing.map((m) => `${m.name}: ${m.reason}`).join('; ')}`,
      missing: outcome.missing,
      ...base,
    };
  }
  return { code: E.RULE_BROKEN, message: `${r.text.en} [${r.source}]${r.severity === 'soft' ? ' (soft: the bank may relax it)' : ''}`, ...base };
}

function factsOfCondition(c: Condition, out: Set<string>): void {
  if ('all' in c) c.all.forEach((x) => factsOfCondition(x, out));
  else if ('any' in c) c.any.forEach((x) => factsOfCondition(x, out));
  else if ('not' in c) factsOfCondition(c.not, out);
  else {
    out.add(c.fact);
    if (typeof c.value === 'object' && !Array.isArray(c.value) && 'fact' in c.value) out.add(c.value.fact);
  }
}

/**
 * Checks an application against a product of a programme (issue 18 item 2): the borrower type the
 * product serves, then every rule that applies to the borrower's type. Returns every broken rule,
 * hard and soft, each with its text and source, and every undecided one with what is missing.
 * Worked example (Guangxi 一(一)): headcount 200 → 189 over 12 months, 11 / 200 = 5.5% ≤ 5.5%:
 * gx-layoff-rate passes; 200 → 188 (6%) breaks it.
 */
export function checkProgrammeApplication(doc: ProgrammeDocument, product: ProductSpec, app: ApplicationFacts): ProgrammeCheck {
  const ev = new ProductEvaluator(doc, product, app);
  const problems: ErrorDetail[] = [];
  const warnings: ErrorDetail[] = [];
  const breakdown: BreakdownStep[] = [];
  let refused = false;
  const type = ev.fact('borrowerType');
  const borrowerType = 'missing' in type ? null : String(type.value);
  if (borrowerType === null || !(product.borrowerTypes as string[]).includes(borrowerType)) {
    refused = true;
    problems.push({
      code: borrowerType === null ? E.FACT_MISSING : E.BORROWER_TYPE_NOT_SERVED,
      message: borrowerType === null ? 'The borrower has no borrowerType recorded' : `${product.code} serves ${product.borrowerTypes.join(' and ')} borrowers, not ${borrowerType}`,
      field: 'borrowerCode',
      source: product.source,
    });
  }
  for (const rule of product.rules) {
    if (rule.borrowerTypes && (borrowerType === null || !(rule.borrowerTypes as string[]).includes(borrowerType))) continue;
    const outcome = ev.condition(rule.test);
    const names = new Set<string>();
    factsOfCondition(rule.test, names);
    const observed: Record<string, FactValue> = {};
    for (const n of names) {
      const f = ev.fact(n);
      if (!('missing' in f)) observed[n] = f.value;
    }
    breakdown.push({ rule: rule.source, text: `${rule.id} (${rule.severity}): ${rule.text.zh} — ${outcome.state === 'pass' ? 'met' : outcome.state === 'fail' ? 'not met' : 'cannot be decided'}`, value: outcome.state });
    if (outcome.state === 'pass') continue;
    const detail = detailOf(rule, outcome, observed);
    problems.push(detail);
    if (outcome.state === 'unknown' || rule.severity === 'hard') refused = true;
    else warnings.push(detail);
  }
  const facts: Record<string, FactValue> = {};
  const factSteps: BreakdownStep[] = [];
  for (const { name, result } of ev.seen) {
    if ('missing' in result) continue;
    facts[name] = result.value;
    const source = Object.prototype.hasOwnProperty.call(product.derived, name) ? product.derived[name].source : undefined;
    if (result.text) factSteps.push({ rule: source ?? product.source, text: `${name}: ${result.text}`, value: Array.isArray(result.value) ? result.value.join(',') : String(result.value) });
  }
  return { problems, refused, warnings, breakdown: [...factSteps, ...breakdown], facts };
}
