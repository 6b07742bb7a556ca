import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney, formatPercent } from '../../common/format/figures';
import { DomainError } from '../../common/errors/domain-error';
import { D, ROUND_HALF_UP } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import type { MarginDeductionBand, PolicyVersion } from '../../programme/domain/policy-version';
import { LOSS_RATE_DECIMALS } from '../../risk/domain/loss-rate.calculator';
import { AGENCY_ERRORS } from './margin.errors';

/** Policy parameters of the progressive margin deduction (RULES §7). */
export type MarginDeductionPolicy = Pick<PolicyVersion, 'marginDeductionBands'>;

export interface MarginDeductionInput {
  /** Balance of the loans the agency reviewed (the loss-rate denominator). */
  reviewedBalance: Money;
  /** The agency's net compensation before this claim: approved − refunded − written off (N0). */
  priorNetCompensation: Money;
  /** The newly approved compensation (c); N1 = N0 + c. */
  compensation: Money;
}

export interface MarginDeductionBandPart {
  /** The band's edges and share exactly as the policy writes them ("0.02", "0.04", "0.20"). */
  from: string;
  /** null = the open top band. */
  to: string | null;
  share: string;
  /** from × balance, rounded half-up to the fen. */
  lowerEdge: Money;
  /** to × balance, rounded half-up to the fen; null for the open top band. */
  upperEdge: Money | null;
  /** The claim's part inside this band: max(0, min(N1, upper) − max(N0, lower)). */
  amount: Money;
  /** amount × share, rounded half-up to the fen. */
  deduction: Money;
}

export interface MarginDeductionResult {
  /** Sum of the bands' deductions. */
  deduction: Money;
  /** N0 / balance, rounded half-up to 8 decimals; null when the balance is zero. */
  lossRateBefore: Rate | null;
  /** N1 / balance, likewise; null when the balance is zero. */
  lossRateAfter: Rate | null;
  /** Every band of the policy table, in order, with the claim's part (possibly 0.00). */
  bands: MarginDeductionBandPart[];
  breakdown: BreakdownStep[];
}

const RULE = 'RULES §7; A 第十八条(四)';

/**
 * The part of an approved compensation taken from the agency's margin, progressively by the
 * agency's loss rate.
 *
 * RULES §7; A 第十八条(四), Decision (marginal reading): the claim lifts the agency's net
 * compensation from N0 to N1 = N0 + c; the deduction is P(N1) − P(N0), where P(N) applies the band
 * table (0–2%: 0%, 2–4%: 20%, 4–6%: 40%, above 6%: 50%; policy `marginDeductionBands`) to the parts
 * of N in each band of `rate × balance`. Computed band by band on the claim's own part in each
 * band, which is the same difference without rounding the unchanged lower parts twice.
 * Rounding: band edges are `rate × balance` rounded half-up to the fen; each band's deduction is
 * `part × share` rounded half-up to the fen; the deduction is their sum (so it never exceeds the
 * claim and never falls when the claim grows).
 * Zero balance: every edge is 0.00, so the whole claim falls in the open top band (RULES §7), and
 * the loss rates before/after are undefined: returned as null (Decision).
 *
 * Worked examples (balance 100,000,000.00; edges 2,000,000.00 / 4,000,000.00 / 6,000,000.00):
 * - N0 1,500,000.00, c 2,000,000.00 (1.5% → 3.5%): 500,000.00 × 0% + 1,500,000.00 × 20% = 300,000.00.
 * - N0 3,000,000.00, c 5,000,000.00 (3% → 8%): 1,000,000.00 × 20% + 2,000,000.00 × 40% +
 *   2,000,000.00 × 50% = 200,000.00 + 800,000.00 + 1,000,000.00 = 2,000,000.00.
 */
export function computeMarginDeduction(
  input: MarginDeductionInput,
  policy: MarginDeductionPolicy,
): MarginDeductionResult {
  const { reviewedBalance, priorNetCompensation, compensation } = input;
  assertNotNegative(input);
  const table = checkedBands(policy.marginDeductionBands);
  const n0 = priorNetCompensation;
  const n1 = priorNetCompensation.plus(compensation);
  const breakdown: BreakdownStep[] = [];

  const lossRateBefore = rateOf(n0, reviewedBalance);
  const lossRateAfter = rateOf(n1, reviewedBalance);
  breakdown.push({
    rule: RULE,
    text: reviewedBalance.isZero()
      ? `Reviewed balance is 0.00: loss rates are undefined; every band edge is 0.00, so the whole claim ${fmtMoney(compensation)} falls in the top band`
      : `Net compensation ${fmtMoney(n0)} + claim ${fmtMoney(compensation)} = ${fmtMoney(n1)}; loss rate ` +
        `${fmtMoney(n0)} / ${fmtMoney(reviewedBalance)} = ${lossRateBefore?.toString()} → ` +
        `${fmtMoney(n1)} / ${fmtMoney(reviewedBalance)} = ${lossRateAfter?.toString()} (rounded half-up to ${LOSS_RATE_DECIMALS} decimals)`,
  });

  const bands: MarginDeductionBandPart[] = [];
  let deduction = Money.ZERO;
  let partsTotal = Money.ZERO;
  for (const band of table) {
    const { part, step } = claimPartInBand(band, reviewedBalance, n0, n1);
    bands.push(part);
    deduction = deduction.plus(part.deduction);
    partsTotal = partsTotal.plus(part.amount);
    breakdown.push(step);
  }
  // The bands cover [0, ∞) without gaps, so the parts add up to the claim; anything else is a bug.
  if (!partsTotal.eq(compensation)) {
    throw new Error(
      `margin deduction: band parts ${partsTotal.toString()} ≠ claim ${compensation.toString()}`,
    );
  }
  breakdown.push({
    rule: RULE,
    text: `Deduction = ${
      bands
        .filter((b) => b.amount.isPositive())
        .map((b) => fmtMoney(b.deduction))
        .join(' + ') || '0.00'
    } = ${fmtMoney(deduction)}`,
    value: deduction.toString(),
  });
  return { deduction, lossRateBefore, lossRateAfter, bands, breakdown };
}

/** 400 AGENCY.NEGATIVE_AMOUNT for the first negative amount, in input order. */
function assertNotNegative(input: MarginDeductionInput): void {
  for (const [field, value] of [
    ['reviewedBalance', input.reviewedBalance],
    ['priorNetCompensation', input.priorNetCompensation],
    ['compensation', input.compensation],
  ] as const) {
    if (value.isNegative()) {
      throw DomainError.invalid(AGENCY_ERRORS.NEGATIVE_AMOUNT, `${field} must not be negative`, [
        { code: AGENCY_ERRORS.NEGATIVE_AMOUNT, message: `${field} must not be negative`, field },
      ]);
    }
  }
}

/**
 * The claim's part in one band, [max(N0, lower edge), min(N1, upper edge)] (0.00 when empty), its
 * deduction (part × share, rounded half-up to the fen) and the breakdown step that shows it.
 */
function claimPartInBand(
  band: MarginDeductionBand,
  reviewedBalance: Money,
  n0: Money,
  n1: Money,
): { part: MarginDeductionBandPart; step: BreakdownStep } {
  const lowerEdge = reviewedBalance.timesRounded(new D(band.from));
  const upperEdge = band.to === null ? null : reviewedBalance.timesRounded(new D(band.to));
  const top = upperEdge === null ? n1 : n1.min(upperEdge);
  const bottom = n0.max(lowerEdge);
  const amount = top.minus(bottom).max(Money.ZERO);
  const share = new D(band.share);
  const bandDeduction = amount.timesRounded(share);
  const span =
    upperEdge === null
      ? `above ${formatPercent(new D(band.from))} (from ${fmtMoney(lowerEdge)})`
      : `${formatPercent(new D(band.from))}–${formatPercent(new D(band.to ?? '0'))} (${fmtMoney(lowerEdge)} to ${fmtMoney(upperEdge)})`;
  return {
    part: {
      from: band.from,
      to: band.to,
      share: band.share,
      lowerEdge,
      upperEdge,
      amount,
      deduction: bandDeduction,
    },
    step: {
      rule: RULE,
      text: amount.isZero()
        ? `Band ${span}: the claim has no part here`
        : `Band ${span}: claim's part ${fmtMoney(amount)} × ${formatPercent(share)} = ${fmtMoney(bandDeduction)} (rounded half-up to the fen)`,
      value: bandDeduction.toString(),
    },
  };
}

function rateOf(net: Money, balance: Money): Rate | null {
  if (balance.isZero()) return null;
  return Rate.of(net.dividedBy(balance).toDecimalPlaces(LOSS_RATE_DECIMALS, ROUND_HALF_UP));
}

/** The policy table must start at 0, be contiguous and ascending, end open, with shares in [0, 1]. */
function checkedBands(bands: readonly MarginDeductionBand[]): readonly MarginDeductionBand[] {
  const fail = (why: string): never => {
    throw new Error(`Policy marginDeductionBands is malformed: ${why}`);
  };
  if (bands.length === 0) fail('empty');
  if (!new D(bands[0].from).isZero()) fail('the first band must start at 0');
  bands.forEach((band, i) => {
    const share = new D(band.share);
    if (share.isNegative() || share.greaterThan(1)) fail(`share ${band.share} outside [0, 1]`);
    const last = i === bands.length - 1;
    if (last && band.to !== null) fail('the last band must be open (to = null)');
    if (!last) {
      if (band.to === null) fail('only the last band may be open');
      else {
        if (!new D(band.to).greaterThan(new D(band.from)))
          fail(`band ${band.from}–${band.to} is empty`);
        if (!new D(bands[i + 1].from).equals(new D(band.to)))
          fail(`gap or overlap after ${band.to}`);
      }
    }
  });
  return bands;
}

/** The `POST /v1/calculators/margin-deduction` response body (API.md). */
export interface MarginDeductionResponse {
  deduction: string;
  lossRateBefore: string | null;
  lossRateAfter: string | null;
  bands: { from: string; to: string | null; amount: string; share: string; deduction: string }[];
}

/**
 * Formats a MarginDeductionResult as the API.md response: money with two decimals, loss rates in
 * their shortest exact form ("0.015", Decimal toFixed() without arguments; null for a zero
 * balance), band edges and shares exactly as the policy writes them ("0.02", "0.20"), `to` null for
 * the open top band. Only the bands that take something from this claim are listed: part > 0 and
 * share > 0 (API.md's example omits the 0% band although the claim has 500,000.00 in it).
 * The breakdown is not part of the contract; a service may add `result.breakdown` beside it.
 *
 * RULES §7; A 第十八条(四). Worked example: balance 100,000,000.00, N0 1,500,000.00, c 2,000,000.00 →
 * { deduction "300000.00", lossRateBefore "0.015", lossRateAfter "0.035", bands [{ from "0.02",
 * to "0.04", amount "1500000.00", share "0.20", deduction "300000.00" }] }.
 */
export function toMarginDeductionResponse(result: MarginDeductionResult): MarginDeductionResponse {
  return {
    deduction: result.deduction.toString(),
    lossRateBefore: result.lossRateBefore === null ? null : result.lossRateBefore.value.toFixed(),
    lossRateAfter: result.lossRateAfter === null ? null : result.lossRateAfter.value.toFixed(),
    bands: result.bands
      .filter((b) => b.amount.isPositive() && new D(b.share).greaterThan(0))
      .map((b) => ({
        from: b.from,
        to: b.to,
        amount: b.amount.toString(),
        share: b.share,
        deduction: b.deduction.toString(),
      })),
  };
}
