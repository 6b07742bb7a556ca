import { DomainError, type ErrorDetail } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { FLOW_ERRORS } from './flows.errors';

/**
 * The money flows this module runs (issue 18 item 1, "which money flows it has"), by the names
 * the programme documents give them (docs/programmes.md "Contract for the money flows"): the
 * two-phase IP-pledge claim and the start-up guarantee loan's interest subsidy (RULES §11;
 * xinxiang-risk-compensation-excerpts-2022.txt 七.3 and (四)).
 */
export const PLEDGE_FLOW = 'advance-compensation-with-settlement';
export const SUBSIDY_FLOW = 'interest-subsidy';
export type FlowKindRun = typeof PLEDGE_FLOW | typeof SUBSIDY_FLOW;

/**
 * Day count of the unpaid interest and of the subsidy: actual days over 360, as RULES §4 states for
 * loss interest (B 第十二条) — the seed is silent, and banks in China quote daily interest as the
 * annual rate / 360.
 */
export const FLOW_DAY_COUNT_BASIS = 360;

/**
 * Terms up to this many months take the 1-year LPR, longer ones the 5-year LPR: the LPR is quoted
 * for "1 year" and "over 5 years" (as RULES §2's rate cap reads it; henan's lprOneYearTermMonthsMax).
 */
export const LPR_ONE_YEAR_TERM_MONTHS_MAX = 60;

/** The IP-pledge claim's figures (xinxiang 七.3 "先行按比例拨付补偿金，待质物处置后再行清算"). */
export interface PledgeFlowParameters {
  /** Share of the loss at default paid in advance. */
  advanceRatio: Rate;
  /** Share of the final loss (loss at default − net proceeds of the pledge) the fund carries. */
  settlementRatio: Rate;
}

/** The interest subsidy's figures (xinxiang (四): ≤ 3,000,000, LPR−150BP…LPR+150BP, 累计不超过 3 次). */
export interface SubsidyFlowParameters {
  /** The largest loan the subsidy is for (Xinxiang: 3,000,000.00). */
  loanAmountMax: Money;
  /** The band's floor as a signed offset from the LPR, in basis points (Xinxiang: −150). */
  lprOffsetLowBp: number;
  /** The band's ceiling as a signed offset from the LPR, in basis points (Xinxiang: +150). */
  lprOffsetHighBp: number;
  /** Subsidised loans per borrower in all, the first included (Xinxiang: 3). */
  timesMax: number;
}

const RATIO = /^(0(\.\d{1,8})?|1(\.0{1,8})?)$/;
const AMOUNT = /^\d{1,15}(\.\d{1,2})?$/;
const INTEGER = /^-?\d{1,5}$/;

function read(raw: Readonly<Record<string, unknown>>, key: string, pattern: RegExp, what: string, problems: ErrorDetail[]): string {
  const v = raw[key];
  if (v === null || v === undefined) {
    problems.push({ code: FLOW_ERRORS.FIGURE_MISSING, field: key, message: `${key} is not in the programme's data (the seed does not give it)` });
    return '0';
  }
  const text = typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string' || !pattern.test(text)) {
    problems.push({ code: FLOW_ERRORS.FIGURE_MISSING, field: key, message: `${key} must be ${what}, not ${JSON.stringify(v)}` });
    return '0';
  }
  return text;
}

function refuse(programme: string, kind: string, problems: ErrorDetail[]): never {
  throw DomainError.rule(
    FLOW_ERRORS.FIGURE_MISSING,
    `Programme ${programme} cannot compute its ${kind} flow: ${problems.map((p) => p.field).join(', ')} ${problems.length === 1 ? 'is' : 'are'} missing or malformed in its data.`,
    problems,
  );
}

/**
 * The IP-pledge flow's figures from a programme's data, checked: each present and a ratio from 0 to
 * 1, or 422 PROGRAMME.FIGURE_MISSING naming each (issue 18: "where a figure is missing from the
 * seed, the programme's data says so and the engine refuses to compute with it rather than
 * guessing"). Example: { advanceRatio: '0.40', settlementRatio: '0.50' } → 0.40 and 0.50;
 * { advanceRatio: null, settlementRatio: null } (Xinxiang's seed) → refused, both named.
 */
export function pledgeFlowParameters(programme: string, raw: Readonly<Record<string, unknown>>): PledgeFlowParameters {
  const problems: ErrorDetail[] = [];
  const advanceRatio = read(raw, 'advanceRatio', RATIO, 'a ratio from 0 to 1', problems);
  const settlementRatio = read(raw, 'settlementRatio', RATIO, 'a ratio from 0 to 1', problems);
  if (problems.length) refuse(programme, PLEDGE_FLOW, problems);
  return { advanceRatio: Rate.of(advanceRatio), settlementRatio: Rate.of(settlementRatio) };
}

/**
 * The subsidy flow's figures, checked likewise (offsets signed integers with low ≤ high, times ≥ 1).
 * Example (Xinxiang): { lprOffsetLowBp: '-150', lprOffsetHighBp: '150', timesMax: '3',
 * loanAmountMax: '3000000.00' } → −150, 150, 3, 3,000,000.00.
 */
export function subsidyFlowParameters(programme: string, raw: Readonly<Record<string, unknown>>): SubsidyFlowParameters {
  const problems: ErrorDetail[] = [];
  const loanAmountMax = read(raw, 'loanAmountMax', AMOUNT, 'an amount', problems);
  const low = Number(read(raw, 'lprOffsetLowBp', INTEGER, 'a whole number of basis points', problems));
  const high = Number(read(raw, 'lprOffsetHighBp', INTEGER, 'a whole number of basis points', problems));
  const timesMax = Number(read(raw, 'timesMax', /^\d{1,3}$/, 'a count', problems));
  if (!problems.length && low > high) problems.push({ code: FLOW_ERRORS.FIGURE_MISSING, field: 'lprOffsetLowBp', message: `the band's floor (${low} bp) is above its ceiling (${high} bp)` });
  if (!problems.length && timesMax < 1) problems.push({ code: FLOW_ERRORS.FIGURE_MISSING, field: 'timesMax', message: 'at least 1' });
  if (problems.length) refuse(programme, SUBSIDY_FLOW, problems);
  return { loanAmountMax: Money.round(loanAmountMax), lprOffsetLowBp: low, lprOffsetHighBp: high, timesMax };
}
