import { isValidIsoDate } from '../../common/calendar/iso-date';
import type { ErrorDetail } from '../../common/errors/domain-error';
import { D } from '../../common/money/decimal';
import { checkParameterValue } from './policy-parameter-checks';
import { POLICY_PARAMETERS, POLICY_PARAMETER_NAMES } from './policy-parameters';
import type { PolicyParameterName, PolicyParameters, PolicyVersion } from './policy-version';
import { POLICY_RULE_ERRORS as E, POLICY_SHAPE_PROBLEMS } from './programme-rules.errors';

/** The body of `POST /v1/policies`. */
export interface PolicyInput {
  id?: unknown;
  programme?: unknown;
  name?: unknown;
  effectiveFrom?: unknown;
  /** Every parameter, or only the changed ones when `basedOn` names a stored version. */
  parameters?: unknown;
  /** Names of the parameters carried over without a source (default: none). */
  provisional?: unknown;
  /** A stored version of the same programme whose parameters fill those not given. */
  basedOn?: unknown;
}

export interface PolicyLoadContext {
  /** Codes of the programmes the service knows. */
  programmes: readonly string[];
  /** Every stored version (of every programme). */
  versions: readonly PolicyVersion[];
}

export interface PolicyLoadCheck {
  version: PolicyVersion | null;
  problems: ErrorDetail[];
  /** True when a problem is one of shape or type (400); else the problems are refusals (422). */
  malformed: boolean;
}

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Identity fields: id, programme, name, effectiveFrom, and the context's rules on them. */
function checkIdentity(input: PolicyInput, ctx: PolicyLoadContext, out: ErrorDetail[]): void {
  const field = (f: string, message: string) => out.push({ code: E.FIELD_INVALID, field: f, message });
  if (typeof input.id !== 'string' || !ID.test(input.id)) field('id', 'id must be lower-case letters, digits and dashes, e.g. "henan-2027"');
  else if (ctx.versions.some((v) => v.id === input.id)) out.push({ code: E.DUPLICATE_ID, field: 'id', message: `a version ${input.id} is already stored (stored versions never change)` });
  if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 200) field('name', 'name must be a text of 1–200 characters');
  if (typeof input.programme !== 'string') field('programme', 'programme must be a programme code');
  else if (!ctx.programmes.includes(input.programme)) {
    out.push({ code: E.UNKNOWN_PROGRAMME, field: 'programme', message: `unknown programme ${input.programme} (known: ${ctx.programmes.join(', ')})` });
  }
  if (typeof input.effectiveFrom !== 'string' || !isValidIsoDate(input.effectiveFrom)) return void field('effectiveFrom', 'effectiveFrom must be a date YYYY-MM-DD');
  if (typeof input.programme !== 'string') return;
  const own = ctx.versions.filter((v) => v.programme === input.programme);
  const same = own.find((v) => v.effectiveFrom === input.effectiveFrom);
  const later = own.filter((v) => v.effectiveFrom > (input.effectiveFrom as string));
  if (same) {
    out.push({ code: E.EFFECTIVE_DATE_TAKEN, field: 'effectiveFrom', message: `version ${same.id} of ${input.programme} is already effective from ${same.effectiveFrom}` });
  } else if (later.length) {
    out.push({
      code: E.EFFECTIVE_DATE_OVERLAPS,
      field: 'effectiveFrom',
      message: `${input.effectiveFrom} falls inside the period of stored versions (${later.map((v) => `${v.id} from ${v.effectiveFrom}`).join(', ')}); a new version must start after the latest one`,
    });
  }
}

/** The parameters given, completed from `basedOn` when named; every missing or unknown one listed. */
function collectParameters(input: PolicyInput, ctx: PolicyLoadContext, out: ErrorDetail[]): Record<string, unknown> | null {
  if (typeof input.parameters !== 'object' || input.parameters === null || Array.isArray(input.parameters)) {
    out.push({ code: E.FIELD_INVALID, field: 'parameters', message: 'parameters must be an object of parameter name → value' });
    return null;
  }
  const given = input.parameters as Record<string, unknown>;
  let base: PolicyVersion | undefined;
  if (input.basedOn !== undefined) {
    base = ctx.versions.find((v) => v.id === input.basedOn && v.programme === input.programme);
    if (!base) out.push({ code: E.BASED_ON_UNKNOWN, field: 'basedOn', message: `basedOn ${String(input.basedOn)} is not a stored version of ${String(input.programme)}` });
  }
  for (const k of Object.keys(given)) {
    if (!(k in POLICY_PARAMETERS)) out.push({ code: E.PARAMETER_UNKNOWN, field: `parameters.${k}`, message: `${k} is not a policy parameter` });
  }
  const merged: Record<string, unknown> = {};
  for (const name of POLICY_PARAMETER_NAMES) {
    if (name in given) merged[name] = given[name];
    else if (base) merged[name] = base[name];
    else if (input.basedOn === undefined) out.push({ code: E.PARAMETER_MISSING, field: `parameters.${name}`, message: `${name} is missing (give every parameter, or basedOn a stored version)` });
  }
  return merged;
}

/** Checks between parameters: thresholds in order, paired parameters set together. */
function checkCrossFields(p: Record<string, unknown>, out: ErrorDetail[]): void {
  const ordered = (lo: PolicyParameterName, hi: PolicyParameterName) => {
    const a = p[lo];
    const b = p[hi];
    if (typeof a === 'string' && typeof b === 'string' && /^[0-9.]+$/.test(a) && /^[0-9.]+$/.test(b) && new D(a).greaterThan(new D(b))) {
      out.push({ code: E.PARAMETER_RANGE, field: `parameters.${lo}`, message: `${lo} ${a} is above ${hi} ${b}` });
    }
  };
  ordered('lossRateWarning', 'lossRateSevere');
  ordered('reserveBandMin', 'reserveBandMax');
  if ((p.researchCooperationRatio === null) !== (p.researchCooperationRevenueBelow === null)) {
    out.push({ code: E.PARAMETER_RANGE, field: 'parameters.researchCooperationRatio', message: 'researchCooperationRatio and researchCooperationRevenueBelow are set together, or both null' });
  }
}

function checkProvisional(input: PolicyInput, out: ErrorDetail[]): PolicyParameterName[] {
  if (input.provisional === undefined) return [];
  if (!Array.isArray(input.provisional)) {
    out.push({ code: E.FIELD_INVALID, field: 'provisional', message: 'provisional must be an array of parameter names' });
    return [];
  }
  const names: PolicyParameterName[] = [];
  for (const n of input.provisional) {
    if (typeof n === 'string' && n in POLICY_PARAMETERS) names.push(n as PolicyParameterName);
    else out.push({ code: E.PROVISIONAL_UNKNOWN, field: 'provisional', message: `${String(n)} is not a policy parameter` });
  }
  return [...new Set(names)];
}

/**
 * Checks a version the trustee loads (RULES §11a): a known programme, an id not stored yet, an
 * effective date after every stored version of that programme (versions follow one another; a
 * stored version never changes, so nothing may be slipped in before or beside one), every
 * parameter of the catalogue with the right type and range, and the provisional names. Every
 * problem is listed; the version is returned only when there is none.
 *
 * Example: `{ programme: 'nowhere', effectiveFrom: '2025-06-01', parameters: { …, ratioCap: 0.6 } }`
 * → POLICY.UNKNOWN_PROGRAMME, POLICY.PARAMETER_TYPE (ratioCap must be a decimal string), and, for
 * henan-tech-loan, POLICY.EFFECTIVE_DATE_TAKEN (henan-2025 starts that day): malformed (400).
 */
export function checkPolicyInput(input: PolicyInput, ctx: PolicyLoadContext): PolicyLoadCheck {
  const problems: ErrorDetail[] = [];
  checkIdentity(input, ctx, problems);
  const parameters = collectParameters(input, ctx, problems);
  if (parameters) {
    for (const name of POLICY_PARAMETER_NAMES) {
      if (name in parameters) checkParameterValue(`parameters.${name}`, parameters[name], POLICY_PARAMETERS[name], problems);
    }
    checkCrossFields(parameters, problems);
  }
  const provisional = checkProvisional(input, problems);
  const malformed = problems.some((p) => POLICY_SHAPE_PROBLEMS.includes(p.code));
  if (problems.length || !parameters) return { version: null, problems, malformed };
  const version: PolicyVersion = {
    ...(parameters as unknown as PolicyParameters),
    id: input.id as string,
    programme: input.programme as string,
    name: (input.name as string).trim(),
    effectiveFrom: input.effectiveFrom as string,
    provisional,
  };
  return { version, problems, malformed };
}

/** The parameters of a version without its identity (for listings and comparisons). */
export function parametersOf(v: PolicyVersion): PolicyParameters {
  const out: Record<string, unknown> = {};
  for (const name of POLICY_PARAMETER_NAMES) out[name] = v[name];
  return out as unknown as PolicyParameters;
}
