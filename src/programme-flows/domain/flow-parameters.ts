import { DomainError, type ErrorDetail } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { FLOW_ERRORS } from './flows.errors';

/**
 * The money flows a programme may have besides Henan's reserve compensation (issue 18 item 1:
 * "which money flows it has"): the two-phase IP-pledge claim and the start-up guarantee loan's
 * interest subsidy (RULES §11; xinxiang-risk-compensation-excerpts-2022.txt 七.3 and (四)).
 */
export const FLOW_KINDS = ['ip_pledge_advance', 'interest_subsidy'] as const;
export type FlowKind = (typeof FLOW_KINDS)[number];

/**
 * The IP-pledge claim's figures (xinxiang 七.3 "先行按比例拨付补偿金，待质物处置后再行清算"). The seed
 * gives neither ratio: a programme's data carries them as null until the official figures are
 * loaded, and the engine refuses to compute with a null (FLOW.PARAMETER_MISSING).
 */
export interface PledgeFlowParameters {
  /** Share of the loss at default paid in advance. */
  advanceRatio: Rate;
  /** Share of the final loss (loss at default − net proceeds of the pledge) the fund bears. */
  lossShareRatio: Rate;
  /** Day count of the unpaid interest (RULES §4: ACT/360). */
  dayCountBasis: number;
}

/** The interest subsidy's figures (xinxiang (四): ≤ 3,000,000, LPR−150BP…LPR+150BP, 累计不超过 3 次). */
export interface SubsidyFlowParameters {
  /** The largest loan the subsidy is for (Xinxiang: 3,000,000.00). */
  loanAmountMax: Money;
  /** The band's floor below the LPR, in basis points (Xinxiang: 150). */
  bandBelowLprBp: number;
  /** The band's ceiling above the LPR, in basis points (Xinxiang: 150). */
  bandAboveLprBp: number;
  /** How many times one borrower may have the subsidy, the first grant included (Xinxiang: 3). */
  timesMax: number;
  /** Day count of the subsidy interest (ACT/360, as RULES §4). */
  dayCountBasis: number;
  /** Terms up to this many months use the 1-year LPR, longer ones the 5-year LPR (as RULES §2). */
  lprOneYearTermMonthsMax: number;
}

export interface FlowParametersByKind {
  ip_pledge_advance: PledgeFlowParameters;
  interest_subsidy: SubsidyFlowParameters;
}

/** A flow's parameters as a programme's data writes them: strings for figures, null for "not in the seed". */
export type RawFlowParameters = Record<string, string | number | null | undefined>;

const RATIO = /^(0(\.\d{1,8})?|1(\.0{1,8})?)$/;
const AMOUNT = /^\d{1,15}\.\d{2}$/;

function integerIn(raw: RawFlowParameters, key: string, min: number, max: number, problems: ErrorDetail[]): number {
  const v = raw[key];
  if (v === null || v === undefined) {
    problems.push({ code: FLOW_ERRORS.PARAMETER_MISSING, field: key, message: `${key} is not in the programme's data` });
    return 0;
  }
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) problems.push({ code: FLOW_ERRORS.PARAMETER_MISSING, field: key, message: `${key} must be an integer from ${min} to ${max}, not ${String(v)}` });
  return n;
}

function patterned(raw: RawFlowParameters, key: string, pattern: RegExp, what: string, problems: ErrorDetail[]): string {
  const v = raw[key];
  if (v === null || v === undefined) {
    problems.push({ code: FLOW_ERRORS.PARAMETER_MISSING, field: key, message: `${key} is not in the programme's data (the seed does not give it)` });
    return '0';
  }
  if (typeof v !== 'string' || !pattern.test(v)) problems.push({ code: FLOW_ERRORS.PARAMETER_MISSING, field: key, message: `${key} must be ${what}, not ${String(v)}` });
  return String(v);
}

/**
 * A flow's parameters from a programme's data, checked: every figure present and well formed, or
 * a 409 FLOW.PARAMETER_MISSING naming each missing or malformed one (issue 18: "where a figure is
 * missing from the seed, the programme's data says so and the engine refuses to compute with it
 * rather than guessing"). 409, not 422: the request is right, the programme's data is not ready.
 *
 * Example: ('xinxiang-2022', 'ip_pledge_advance', { advanceRatio: null, lossShareRatio: null,
 * dayCountBasis: 360 }) → throws, details advanceRatio and lossShareRatio.
 */
export function flowParameters<K extends FlowKind>(programme: string, kind: K, raw: RawFlowParameters): FlowParametersByKind[K] {
  const problems: ErrorDetail[] = [];
  let result: PledgeFlowParameters | SubsidyFlowParameters;
  if (kind === 'ip_pledge_advance') {
    result = {
      advanceRatio: Rate.of(patterned(raw, 'advanceRatio', RATIO, 'a ratio from 0 to 1', problems)),
      lossShareRatio: Rate.of(patterned(raw, 'lossShareRatio', RATIO, 'a ratio from 0 to 1', problems)),
      dayCountBasis: integerIn(raw, 'dayCountBasis', 360, 366, problems),
    };
  } else {
    result = {
      loanAmountMax: Money.of(patterned(raw, 'loanAmountMax', AMOUNT, 'an amount with 2 decimals', problems)),
      bandBelowLprBp: integerIn(raw, 'bandBelowLprBp', 0, 10000, problems),
      bandAboveLprBp: integerIn(raw, 'bandAboveLprBp', 0, 10000, problems),
      timesMax: integerIn(raw, 'timesMax', 1, 100, problems),
      dayCountBasis: integerIn(raw, 'dayCountBasis', 360, 366, problems),
      lprOneYearTermMonthsMax: integerIn(raw, 'lprOneYearTermMonthsMax', 1, 600, problems),
    };
  }
  if (problems.length) {
    throw DomainError.conflict(
      FLOW_ERRORS.PARAMETER_MISSING,
      `Programme ${programme} cannot compute its ${kind} flow: ${problems.map((p) => p.field).join(', ')} ${problems.length === 1 ? 'is' : 'are'} missing or malformed in its data.`,
      problems,
    );
  }
  return result as FlowParametersByKind[K];
}
