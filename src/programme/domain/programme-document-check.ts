import { isValidIsoDate } from '../../common/calendar/iso-date';
import type { ErrorDetail } from '../../common/errors/domain-error';
import {
  BORROWER_TYPES,
  COMPARISON_OPS,
  FLOW_KINDS,
  type Condition,
  type Operand,
  type ProductSpec,
  type ProgrammeDocument,
} from './programme-document';
import { PROGRAMME_DATA_ERRORS as E } from './programme-rules.errors';
import { isBaseFact, isDerivedCalculator, isGrantCalculator } from './programme-vocabulary';

const CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const RULE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MAX_DEPTH = 12;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown, max = 2000): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
const isTexts = (v: unknown): boolean => isObj(v) && isText(v.zh) && isText(v.en);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Checks a parameter value: strings, booleans, null, lists and objects of those, not deeper than MAX_DEPTH, no numbers. */
function isParameterValue(v: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every((x) => isParameterValue(x, depth + 1));
  if (isObj(v)) return Object.values(v).every((x) => isParameterValue(x, depth + 1));
  return false;
}

class Problems {
  readonly list: ErrorDetail[] = [];
  add(field: string, message: string): void {
    this.list.push({ code: E.DOCUMENT_FIELD, field, message });
  }
}

/** The facts a product's rules may name: the base facts, its derived facts and its declarations. */
function factsOf(product: Obj): Set<string> {
  const names = new Set<string>();
  if (isObj(product.derived)) for (const k of Object.keys(product.derived)) names.add(k);
  if (Array.isArray(product.declarations)) for (const d of product.declarations) if (isObj(d) && typeof d.name === 'string') names.add(`declared.${d.name}`);
  return names;
}

function knownFact(name: string, own: Set<string>): boolean {
  return isBaseFact(name) || own.has(name);
}

function checkOperand(v: unknown, field: string, product: Obj, own: Set<string>, tables: Obj, p: Problems): void {
  if (typeof v === 'string' || typeof v === 'boolean' || isStringList(v)) return;
  if (!isObj(v)) return p.add(field, 'an operand is a string, a boolean, a list of strings, { "param" }, { "fact" } or { "table" }');
  const o = v as Operand & Obj;
  if (typeof o.param === 'string') {
    if (!isObj(product.parameters) || !(o.param in product.parameters)) p.add(field, `unknown parameter ${o.param}`);
    if (o.by !== undefined && (typeof o.by !== 'string' || !knownFact(o.by, own))) p.add(field, `by names an unknown fact ${String(o.by)}`);
  } else if (typeof o.fact === 'string') {
    if (!knownFact(o.fact, own)) p.add(field, `unknown fact ${o.fact}`);
  } else if (typeof o.table === 'string') {
    if (!(o.table in tables)) p.add(field, `unknown table ${o.table}`);
  } else p.add(field, 'an operand object names a param, a fact or a table');
}

function checkCondition(c: unknown, field: string, product: Obj, own: Set<string>, tables: Obj, p: Problems, depth = 0): void {
  if (depth > MAX_DEPTH) return p.add(field, `conditions nest at most ${MAX_DEPTH} levels`);
  if (!isObj(c)) return p.add(field, 'a condition is an object');
  const cond = c as Condition & Obj;
  if (Array.isArray(cond.all) || Array.isArray(cond.any)) {
    const list = (cond.all ?? cond.any) as unknown[];
    if (!list.length) p.add(field, 'all / any needs at least one condition');
    list.forEach((x, i) => checkCondition(x, `${field}.${cond.all ? 'all' : 'any'}[${i}]`, product, own, tables, p, depth + 1));
    return;
  }
  if (cond.not !== undefined) return checkCondition(cond.not, `${field}.not`, product, own, tables, p, depth + 1);
  if (typeof cond.fact !== 'string' || !knownFact(cond.fact, own)) p.add(`${field}.fact`, `unknown fact ${String(cond.fact)}`);
  if (typeof cond.op !== 'string' || !(COMPARISON_OPS as readonly string[]).includes(cond.op)) {
    p.add(`${field}.op`, `op must be one of ${COMPARISON_OPS.join(', ')}`);
  }
  checkOperand(cond.value, `${field}.value`, product, own, tables, p);
}

function checkProduct(product: unknown, i: number, tables: Obj, p: Problems): void {
  const f = `products[${i}]`;
  if (!isObj(product)) return p.add(f, 'a product is an object');
  if (typeof product.code !== 'string' || !CODE.test(product.code)) p.add(`${f}.code`, 'code: lower-case letters, digits and dashes');
  if (!isTexts(product.names)) p.add(`${f}.names`, 'names: { zh, en }');
  if (!isText(product.source, 300)) p.add(`${f}.source`, 'source: the seed file and article');
  const types = product.borrowerTypes;
  if (!isStringList(types) || !types.length || types.some((t) => !(BORROWER_TYPES as readonly string[]).includes(t))) {
    p.add(`${f}.borrowerTypes`, `borrowerTypes: a non-empty list of ${BORROWER_TYPES.join(', ')}`);
  }
  if (!isObj(product.parameters) || !isParameterValue(product.parameters)) p.add(`${f}.parameters`, 'parameters: an object of strings, booleans, null, lists and objects (numbers are written as strings)');
  if (!Array.isArray(product.declarations)) p.add(`${f}.declarations`, 'declarations: a list of { name, text }');
  else product.declarations.forEach((d, j) => {
    if (!isObj(d) || typeof d.name !== 'string' || !/^[a-zA-Z][a-zA-Z0-9]{0,63}$/.test(d.name) || !isTexts(d.text)) p.add(`${f}.declarations[${j}]`, 'a declaration is { name (letters and digits), text: { zh, en } }');
  });
  const own = factsOf(product);
  if (!isObj(product.derived)) p.add(`${f}.derived`, 'derived: an object of fact name → { calculator, params }');
  else for (const [name, spec] of Object.entries(product.derived)) {
    if (isBaseFact(name)) p.add(`${f}.derived.${name}`, `${name} is a base fact and cannot be derived`);
    if (!isObj(spec) || typeof spec.calculator !== 'string' || !isDerivedCalculator(spec.calculator)) p.add(`${f}.derived.${name}.calculator`, `unknown calculator ${isObj(spec) ? String(spec.calculator) : ''}`);
    else if (!isObj(spec.params) || !isParameterValue(spec.params)) p.add(`${f}.derived.${name}.params`, 'params: an object');
  }
  if (!Array.isArray(product.rules)) return p.add(`${f}.rules`, 'rules: a list');
  const ids = new Set<string>();
  product.rules.forEach((r, j) => {
    const rf = `${f}.rules[${j}]`;
    if (!isObj(r)) return p.add(rf, 'a rule is an object');
    if (typeof r.id !== 'string' || !RULE_ID.test(r.id)) p.add(`${rf}.id`, 'id: lower-case letters, digits and dashes');
    else if (ids.has(r.id)) p.add(`${rf}.id`, `duplicate rule id ${r.id}`);
    else ids.add(r.id);
    if (r.severity !== 'hard' && r.severity !== 'soft') p.add(`${rf}.severity`, 'severity: hard or soft');
    if (r.borrowerTypes !== undefined && (!isStringList(r.borrowerTypes) || r.borrowerTypes.some((t) => !isStringList(types) || !types.includes(t)))) {
      p.add(`${rf}.borrowerTypes`, 'borrowerTypes: a subset of the product’s');
    }
    if (!isTexts(r.text)) p.add(`${rf}.text`, 'text: { zh, en }');
    if (!isText(r.source, 300)) p.add(`${rf}.source`, 'source: the seed file and article');
    checkCondition(r.test, `${rf}.test`, product, own, tables, p);
  });
}

function checkTables(tables: unknown, p: Problems): void {
  if (!isObj(tables)) return p.add('tables', 'tables: an object of name → { text, source, rows, complete }');
  for (const [name, t] of Object.entries(tables)) {
    const f = `tables.${name}`;
    if (!isObj(t) || !isTexts(t.text) || !isText(t.source, 300) || typeof t.complete !== 'boolean') {
      p.add(f, 'a table is { text: { zh, en }, source, rows, complete }');
      continue;
    }
    const rows = t.rows;
    const ok = isStringList(rows) || (isObj(rows) && Object.values(rows).every((v) => typeof v === 'string'));
    if (!ok) p.add(`${f}.rows`, 'rows: a list of codes or an object of key → figure (strings)');
  }
}

function checkFlowsAndCalculators(doc: Obj, productCodes: string[], p: Problems): void {
  if (!Array.isArray(doc.flows)) p.add('flows', 'flows: a list');
  else doc.flows.forEach((fl, i) => {
    const f = `flows[${i}]`;
    if (!isObj(fl)) return p.add(f, 'a flow is an object');
    if (typeof fl.kind !== 'string' || !(FLOW_KINDS as readonly string[]).includes(fl.kind)) p.add(`${f}.kind`, `kind: one of ${FLOW_KINDS.join(', ')}`);
    if (!isStringList(fl.products) || !fl.products.length || fl.products.some((c) => !productCodes.includes(c))) p.add(`${f}.products`, 'products: codes of this document’s products');
    if (!isObj(fl.parameters) || !isParameterValue(fl.parameters)) p.add(`${f}.parameters`, 'parameters: an object (numbers as strings; null = missing)');
    if (!isTexts(fl.text)) p.add(`${f}.text`, 'text: { zh, en }');
    if (!isText(fl.source, 300)) p.add(`${f}.source`, 'source: the seed file and article');
  });
  if (Array.isArray(doc.flows)) {
    const seen = new Set<string>();
    for (const fl of doc.flows as Obj[]) {
      for (const product of isObj(fl) && isStringList(fl.products) ? fl.products : []) {
        const key = `${String(fl.kind)}/${product}`;
        if (seen.has(key)) p.add('flows', `product ${product} has two flows of kind ${String(fl.kind)}`);
        seen.add(key);
      }
    }
  }
  if (!Array.isArray(doc.calculators)) p.add('calculators', 'calculators: a list');
  else doc.calculators.forEach((c, i) => {
    const f = `calculators[${i}]`;
    if (!isObj(c) || typeof c.id !== 'string' || !CODE.test(c.id)) return p.add(f, 'a calculator is { id, calculator, params, text, source }');
    if (typeof c.calculator !== 'string' || !isGrantCalculator(c.calculator)) p.add(`${f}.calculator`, `unknown grant calculator ${String(c.calculator)}`);
    if (!isObj(c.params) || !isParameterValue(c.params)) p.add(`${f}.params`, 'params: an object');
    if (!isTexts(c.text) || !isText(c.source, 300)) p.add(f, 'text: { zh, en } and source');
  });
}

/**
 * Checks a programme document (a built-in file or one a trustee loads) and lists every problem at
 * once; returns the document when there is none. Figures are strings; a number anywhere is a
 * problem (binary floating point never enters a figure).
 */
export function checkProgrammeDocument(input: unknown): { document: ProgrammeDocument | null; problems: ErrorDetail[] } {
  const p = new Problems();
  if (!isObj(input)) {
    p.add('', 'a programme document is a JSON object');
    return { document: null, problems: p.list };
  }
  if (typeof input.code !== 'string' || !CODE.test(input.code)) p.add('code', 'code: lower-case letters, digits and dashes');
  if (!isTexts(input.names)) p.add('names', 'names: { zh, en }');
  if (!isText(input.sourceSeed, 300)) p.add('sourceSeed', 'sourceSeed: the seed file');
  const v = input.version;
  if (!isObj(v)) p.add('version', 'version: { id, effectiveFrom, effectiveTo }');
  else {
    if (typeof v.id !== 'string' || !CODE.test(v.id)) p.add('version.id', 'id: lower-case letters, digits and dashes');
    if (!isValidIsoDate(v.effectiveFrom)) p.add('version.effectiveFrom', 'effectiveFrom: YYYY-MM-DD');
    if (v.effectiveTo !== null && !isValidIsoDate(v.effectiveTo)) p.add('version.effectiveTo', 'effectiveTo: YYYY-MM-DD or null');
    else if (isValidIsoDate(v.effectiveFrom) && typeof v.effectiveTo === 'string' && v.effectiveTo < v.effectiveFrom) p.add('version.effectiveTo', 'effectiveTo is before effectiveFrom');
  }
  if (typeof input.registersHere !== 'boolean') p.add('registersHere', 'registersHere: true or false');
  checkTables(input.tables, p);
  const tables = isObj(input.tables) ? input.tables : {};
  if (!Array.isArray(input.products)) p.add('products', 'products: a list');
  const products = Array.isArray(input.products) ? input.products : [];
  products.forEach((prod, i) => checkProduct(prod, i, tables, p));
  const codes = products.filter(isObj).map((x) => (x as unknown as ProductSpec).code);
  if (new Set(codes).size !== codes.length) p.add('products', 'product codes must be unique');
  checkFlowsAndCalculators(input, codes, p);
  if (!Array.isArray(input.reporting) || input.reporting.some((r) => !isObj(r) || typeof r.id !== 'string' || !isTexts(r.text) || !isText(r.source, 300))) {
    p.add('reporting', 'reporting: a list of { id, text: { zh, en }, source }');
  }
  if (!Array.isArray(input.missing) || input.missing.some((m) => !isObj(m) || !isText(m.figure, 200) || !isText(m.reason))) {
    p.add('missing', 'missing: a list of { figure, reason }');
  }
  if (!Array.isArray(input.decisions) || input.decisions.some((d) => !isText(d))) p.add('decisions', 'decisions: a list of sentences');
  return p.list.length ? { document: null, problems: p.list } : { document: input as unknown as ProgrammeDocument, problems: [] };
}
