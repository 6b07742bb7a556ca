import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney, formatPercent } from '../../common/format/figures';
import { DomainError } from '../../common/errors/domain-error';
import { D, ROUND_HALF_UP } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import type { Rate } from '../../common/money/rate';
import type { PlacementWeights, PolicyVersion } from '../../programme/domain/policy-version';
import { RESERVE_ERRORS } from '../../reserve/domain/reserve.errors';

export type PlacementPolicy = Pick<PolicyVersion, 'placementWeights' | 'smallBorrowerRevenueMax'>;

/** The scoring criteria, in the order of PlacementWeights. */
export type PlacementCriterion = keyof PlacementWeights;

export interface PlacementBankInput {
  bankCode: string;
  /** The bank's tech-loan outstanding balance. */
  outstandingBalance: Money;
  /** Balance-weighted average term of its tech loans, in months (may have decimals). */
  averageTermMonths: D;
  /** Balance-weighted average annual rate of its tech loans. */
  averageRate: Rate;
  /** Collateral value / loan amount over its tech loans. */
  collateralRatio: Rate;
  /** Share of its borrowers with revenue ≤ policy smallBorrowerRevenueMax (20,000,000). */
  smallBorrowerShare: Rate;
  /** Its loss rate (RULES §6); null when undefined (zero balance with net compensation: the worst). */
  lossRate: Rate | null;
  /** Money already approved but not yet paid out of this bank's account: the target's floor. */
  lockedAmount: Money;
}

export interface PlacementInput {
  /** The reserve total to place (sum of all reserve accounts). */
  total: Money;
  banks: PlacementBankInput[];
}

export interface PlacementBankResult {
  bankCode: string;
  /** Per criterion: the normalised value in [0, 1] before the column is turned into shares. */
  normalised: Record<PlacementCriterion, D>;
  /** Score share in [0, 1]; the scores of all banks add up to 1. */
  score: D;
  /** total × score share, before locks and rounding. */
  unconstrainedTarget: D;
  /** The target after the lock floors, before rounding to fen (exact to 40 significant digits). */
  exactTarget: D;
  /** The final target in fen; the targets add up exactly to the total. */
  target: Money;
  lockedAmount: Money;
  /** True when the lock floor decided the target (target = lockedAmount). */
  heldAtLock: boolean;
  /** True when the largest-remainder step gave this bank one extra fen. */
  roundedUp: boolean;
}

export interface PlacementResult {
  banks: PlacementBankResult[];
  breakdown: BreakdownStep[];
}

const RULE = 'RULES §8; R 第八条';
const SCORE_SHOWN_DECIMALS = 8;

const CRITERIA: {
  key: PlacementCriterion;
  label: string;
  direction: 'share' | 'higher' | 'lower';
}[] = [
  { key: 'balanceShare', label: 'outstanding balance', direction: 'share' },
  { key: 'longerAverageTerm', label: 'average term (longer is better)', direction: 'higher' },
  { key: 'lowerAverageRate', label: 'average rate (lower is better)', direction: 'lower' },
  { key: 'lowerCollateralRatio', label: 'collateral ratio (lower is better)', direction: 'lower' },
  {
    key: 'smallBorrowerShare',
    label: 'share of small borrowers (higher is better)',
    direction: 'higher',
  },
  { key: 'lowerLossRate', label: 'loss rate (lower is better)', direction: 'lower' },
];

function criterionValue(bank: PlacementBankInput, key: PlacementCriterion): D | null {
  switch (key) {
    case 'balanceShare':
      return bank.outstandingBalance.amount;
    case 'longerAverageTerm':
      return new D(bank.averageTermMonths);
    case 'lowerAverageRate':
      return bank.averageRate.value;
    case 'lowerCollateralRatio':
      return bank.collateralRatio.value;
    case 'smallBorrowerShare':
      return bank.smallBorrowerShare.value;
    case 'lowerLossRate':
      return bank.lossRate === null ? null : bank.lossRate.value;
  }
}

/** Normalises one criterion across banks to [0, 1] (see computePlacement for the formulas). */
function normaliseColumn(values: (D | null)[], direction: 'share' | 'higher' | 'lower'): D[] {
  if (direction === 'share') {
    const sum = values.reduce<D>((acc, v) => acc.plus(v ?? 0), new D(0));
    return values.map((v) => (sum.isZero() ? new D(1) : (v ?? new D(0)).dividedBy(sum)));
  }
  const known = values.filter((v): v is D => v !== null);
  if (known.length === 0) return values.map(() => new D(1));
  const min = D.min(...known);
  const max = D.max(...known);
  const spread = max.minus(min);
  return values.map((v) => {
    if (v === null) return new D(0); // an undefined loss rate is the worst possible
    if (spread.isZero()) return new D(1);
    return direction === 'higher' ? v.minus(min).dividedBy(spread) : max.minus(v).dividedBy(spread);
  });
}

function byCode(a: { bankCode: string }, b: { bankCode: string }): number {
  return a.bankCode < b.bankCode ? -1 : a.bankCode > b.bankCode ? 1 : 0;
}

/**
 * How much of the reserve each partner bank's reserve account should hold this quarter.
 *
 * RULES §8; R 第八条 ("整体管理、分开存放、动态调整、激励先进"), Decision: a published scoring model
 * with the policy weights (default balance 60%, longer term 10%, lower rate 10%, lower collateral
 * ratio 5%, small-borrower share 10%, lower loss rate 5%).
 *
 * 1. Normalise each criterion across banks to [0, 1]: the balance as its share of the total
 *    balance (all zero → 1 each); the others min-max, `(x − min) / (max − min)` when higher is
 *    better and `(max − x) / (max − min)` when lower is better; all equal → 1 each; an undefined
 *    (null) loss rate → 0, the worst.
 * 2. Turn each criterion's column into shares that add up to 1 (value / column sum), so each
 *    criterion hands out exactly its weight of the total: 60% of the reserve follows the balances,
 *    10% the term scores, and so on. Without this step the balance shares (adding to 1) would weigh
 *    far less than the min-max columns (adding up to n − 1) and the published weights would lie.
 * 3. Score = Σ weight × share / Σ weights (the weights need not add to 1); the scores add up to 1.
 * 4. Locks: money approved but not yet paid stays where it is, so a bank's target is never below
 *    its `lockedAmount`. Water-filling: give every bank total × score; any bank below its lock is
 *    held at the lock; the rest of the total is shared again among the others in proportion to
 *    their scores; repeat until nobody is below (at most one round per bank). The free banks stay
 *    exactly proportional to their scores. Σ locks > total → 422 RESERVE.LOCKED_EXCEEDS_TOTAL.
 * 5. Round to fen by the largest-remainder method in integer fen (bigint): every free bank gets the
 *    floor of its exact target, then the missing fen go one each to the largest remainders, ties
 *    broken by bank code (ascending). The targets add up exactly to the total and never fall below
 *    a lock (a lock is whole fen and a free bank's exact target is at least its lock).
 * Divisions are decimal.js at 40 significant digits (no rounding visible to the fen); scores are
 * shown to 8 decimals in the breakdown.
 *
 * Worked example: total 100.00; A balance 300, B balance 100, all other criteria equal. Balance
 * shares 0.75 / 0.25, every other column 0.5 / 0.5 → A = 0.6 × 0.75 + 0.4 × 0.5 = 0.65, B = 0.35 →
 * targets 65.00 / 35.00. With B locked at 40.00: B held at 40.00, A gets 60.00.
 */
export function computePlacement(input: PlacementInput, policy: PlacementPolicy): PlacementResult {
  const { total } = input;
  const banks = [...input.banks].sort(byCode);
  validate(total, banks);
  const breakdown: BreakdownStep[] = [];
  const { normalised, scores } = scoreBanks(banks, policy, breakdown);
  const { unconstrained, exact, held } = fillAboveLocks(total, banks, scores, breakdown);
  const { targetsFen, roundedUp } = roundToFen(total, banks, exact, held, breakdown);

  const results: PlacementBankResult[] = banks.map((b, i) => {
    const normalisedByCriterion = Object.fromEntries(
      CRITERIA.map((c, k) => [c.key, normalised[k][i]]),
    ) as Record<PlacementCriterion, D>;
    const target = Money.fromFen(targetsFen[i]);
    breakdown.push({
      rule: RULE,
      text: held[i]
        ? `${b.bankCode}: held at its locked ${fmtMoney(b.lockedAmount)}`
        : `${b.bankCode}: exact ${exact[i].toDecimalPlaces(6, ROUND_HALF_UP).toFixed()} → ${fmtMoney(target)}`,
      value: target.toString(),
    });
    return {
      bankCode: b.bankCode,
      normalised: normalisedByCriterion,
      score: scores[i],
      unconstrainedTarget: unconstrained[i],
      exactTarget: exact[i],
      target,
      lockedAmount: b.lockedAmount,
      heldAtLock: held[i],
      roundedUp: roundedUp[i],
    };
  });
  return { banks: results, breakdown };
}

/** The policy weights in CRITERIA order and their sum; a malformed policy is a programmer error. */
function policyWeights(policy: PlacementPolicy): { weights: D[]; weightSum: D } {
  const weights = CRITERIA.map((c) => new D(policy.placementWeights[c.key]));
  if (weights.some((w) => w.isNegative()))
    throw new Error('Policy placementWeights: negative weight');
  const weightSum = weights.reduce((a, w) => a.plus(w), new D(0));
  if (weightSum.isZero()) throw new Error('Policy placementWeights: the weights add up to 0');
  return { weights, weightSum };
}

/**
 * Steps 1–3 of computePlacement: each criterion normalised across banks and turned into shares,
 * then each bank's score (the scores add up to 1). `normalised[k][i]` is criterion k of bank i.
 */
function scoreBanks(
  banks: PlacementBankInput[],
  policy: PlacementPolicy,
  breakdown: BreakdownStep[],
): { normalised: D[][]; scores: D[] } {
  const { weights, weightSum } = policyWeights(policy);
  const normalised = CRITERIA.map((c) =>
    normaliseColumn(
      banks.map((b) => criterionValue(b, c.key)),
      c.direction,
    ),
  );
  const shares = normalised.map((column) => {
    const sum = column.reduce((a, v) => a.plus(v), new D(0));
    return column.map((v) => v.dividedBy(sum));
  });
  CRITERIA.forEach((c, k) => {
    breakdown.push({
      rule: RULE,
      text:
        `Criterion ${c.label}, weight ${formatPercent(weights[k])}` +
        (c.key === 'smallBorrowerShare'
          ? ` (borrowers with revenue ≤ ${fmtMoney(Money.of(policy.smallBorrowerRevenueMax))})`
          : '') +
        `: normalised ${banks.map((b, i) => `${b.bankCode} ${show(normalised[k][i])}`).join(', ')}` +
        ` → shares ${banks.map((b, i) => `${b.bankCode} ${show(shares[k][i])}`).join(', ')}`,
    });
  });

  const scores = banks.map((_, i) =>
    CRITERIA.reduce((acc, _c, k) => acc.plus(weights[k].times(shares[k][i])), new D(0)).dividedBy(
      weightSum,
    ),
  );
  banks.forEach((b, i) => {
    breakdown.push({
      rule: RULE,
      text: `${b.bankCode} score = (${CRITERIA.map((_c, k) => `${weights[k].toFixed()} × ${show(shares[k][i])}`).join(' + ')}) / ${weightSum.toFixed()} = ${show(scores[i])}`,
      value: show(scores[i]),
    });
  });
  return { normalised, scores };
}

/**
 * Step 4 of computePlacement: water-filling above the lock floors. Returns total × score per bank
 * (`unconstrained`), the exact targets after the floors, and which banks are held at their lock.
 */
function fillAboveLocks(
  total: Money,
  banks: PlacementBankInput[],
  scores: D[],
  breakdown: BreakdownStep[],
): { unconstrained: D[]; exact: D[]; held: boolean[] } {
  const unconstrained = scores.map((s) => total.amount.times(s));
  const held = banks.map(() => false);
  let exact: D[] = unconstrained;
  for (let round = 1; round <= banks.length; round += 1) {
    const heldSum = banks.reduce(
      (acc, b, i) => (held[i] ? acc.plus(b.lockedAmount.amount) : acc),
      new D(0),
    );
    const remaining = total.amount.minus(heldSum);
    const freeIdx = banks.map((_, i) => i).filter((i) => !held[i]);
    const freeScore = freeIdx.reduce((acc, i) => acc.plus(scores[i]), new D(0));
    exact = banks.map((b, i) => {
      if (held[i]) return b.lockedAmount.amount;
      return freeScore.isZero()
        ? remaining.dividedBy(freeIdx.length)
        : remaining.times(scores[i]).dividedBy(freeScore);
    });
    const below = freeIdx.filter((i) => exact[i].lessThan(banks[i].lockedAmount.amount));
    if (below.length === 0) break;
    for (const i of below) held[i] = true;
    breakdown.push({
      rule: 'RULES §8 Decision (approved, unpaid money stays)',
      text: `Round ${round}: ${below.map((i) => `${banks[i].bankCode} ${fmtMoney(Money.round(exact[i]))} < locked ${fmtMoney(banks[i].lockedAmount)}`).join('; ')} → held at the lock; the rest is shared again by score`,
    });
  }
  return { unconstrained, exact, held };
}

/**
 * Step 5 of computePlacement: largest remainder in integer fen. Returns each bank's target in fen
 * and whether it got an extra fen.
 */
function roundToFen(
  total: Money,
  banks: PlacementBankInput[],
  exact: D[],
  held: boolean[],
  breakdown: BreakdownStep[],
): { targetsFen: bigint[]; roundedUp: boolean[] } {
  const totalFen = total.toFen();
  const floors = banks.map((b, i) =>
    held[i] ? b.lockedAmount.toFen() : BigInt(exact[i].times(100).floor().toFixed(0)),
  );
  const remainders = banks.map((b, i) =>
    held[i] ? new D(0) : exact[i].times(100).minus(exact[i].times(100).floor()),
  );
  let missing = totalFen - floors.reduce((a, f) => a + f, 0n);
  const targetsFen = [...floors];
  const roundedUp = banks.map(() => false);
  const freeOrder = banks
    .map((b, i) => ({ i, bankCode: b.bankCode, r: remainders[i] }))
    .filter(({ i }) => !held[i])
    .sort((a, b) => b.r.comparedTo(a.r) || byCode(a, b));
  if (freeOrder.length === 0 && missing !== 0n) {
    throw new Error(
      'placement: every bank is held at its lock but the locks do not add up to the total',
    );
  }
  // `missing` is in [0, number of free banks) in exact arithmetic; the loops also absorb any
  // 40-digit approximation at an exact integer, without ever crossing a lock.
  for (let k = 0; missing > 0n; k = (k + 1) % freeOrder.length) {
    targetsFen[freeOrder[k].i] += 1n;
    roundedUp[freeOrder[k].i] = true;
    missing -= 1n;
  }
  for (let k = freeOrder.length - 1; missing < 0n; k = k === 0 ? freeOrder.length - 1 : k - 1) {
    const i = freeOrder[k].i;
    if (targetsFen[i] > banks[i].lockedAmount.toFen()) {
      targetsFen[i] -= 1n;
      missing += 1n;
    }
  }
  breakdown.push({
    rule: RULE,
    text:
      `Largest remainder: floors in fen add up to ${fmtMoney(Money.fromFen(floors.reduce((a, f) => a + f, 0n)))} of ${fmtMoney(total)}; ` +
      `one extra fen each to ${
        banks
          .filter((_, i) => roundedUp[i])
          .map((b) => b.bankCode)
          .join(', ') || 'nobody'
      } (largest remainders, ties by bank code)`,
  });
  return { targetsFen, roundedUp };
}

function show(value: D): string {
  return value.toDecimalPlaces(SCORE_SHOWN_DECIMALS, ROUND_HALF_UP).toFixed();
}

function validate(total: Money, banks: PlacementBankInput[]): void {
  if (banks.length === 0)
    throw DomainError.invalid(RESERVE_ERRORS.NO_BANKS, 'A placement needs at least one bank.');
  if (total.isNegative())
    throw DomainError.invalid(RESERVE_ERRORS.NEGATIVE_AMOUNT, 'The total must not be negative.');
  const seen = new Set<string>();
  for (const b of banks) {
    if (seen.has(b.bankCode))
      throw DomainError.invalid(RESERVE_ERRORS.DUPLICATE_BANK, `Bank ${b.bankCode} appears twice.`);
    seen.add(b.bankCode);
    const negatives = [
      b.outstandingBalance.isNegative(),
      b.lockedAmount.isNegative(),
      new D(b.averageTermMonths).isNegative(),
      b.averageRate.value.isNegative(),
      b.collateralRatio.value.isNegative(),
      b.smallBorrowerShare.value.isNegative(),
      b.lossRate !== null && b.lossRate.value.isNegative(),
    ];
    if (negatives.some(Boolean)) {
      throw DomainError.invalid(
        RESERVE_ERRORS.NEGATIVE_AMOUNT,
        `Bank ${b.bankCode} has a negative input.`,
      );
    }
  }
  const locked = Money.sum(banks.map((b) => b.lockedAmount));
  if (locked.gt(total)) {
    throw DomainError.rule(
      RESERVE_ERRORS.LOCKED_EXCEEDS_TOTAL,
      'The locked amounts exceed the reserve total.',
      [
        {
          code: RESERVE_ERRORS.LOCKED_EXCEEDS_TOTAL,
          message: `Locked ${locked.toString()} > total ${total.toString()}`,
          locked: locked.toString(),
          total: total.toString(),
        },
      ],
    );
  }
}
