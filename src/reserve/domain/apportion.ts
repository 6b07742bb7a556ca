import { D } from '../../common/money/decimal';
import { Money } from '../../common/money/money';

export interface ApportionPart {
  key: string;
  /** Non-negative weight; the part gets total × weight / Σ weights. */
  weight: D;
}

/**
 * Splits `total` in proportion to the weights, to the fen, by the largest-remainder method in
 * integer fen (bigint): each part gets the floor of its exact share, then the fen still missing go
 * one each to the largest fractional remainders, ties broken by key (ascending). The parts add up
 * exactly to the total, and no part exceeds the ceiling of its exact share (so a part whose exact
 * share is at most some whole-fen amount never exceeds that amount). All weights zero → the total
 * is split as if the weights were equal.
 *
 * RULES §8 Decision ("rounded to fen by the largest-remainder method so they add up exactly").
 * Example: 100.00 over weights 1, 1, 1 with keys A, B, C → 33.34, 33.33, 33.33.
 */
export function apportionByLargestRemainder(
  total: Money,
  parts: readonly ApportionPart[],
): Map<string, Money> {
  if (total.isNegative()) throw new Error('apportion: negative total');
  if (parts.some((p) => p.weight.isNegative())) throw new Error('apportion: negative weight');
  const result = new Map<string, Money>();
  if (parts.length === 0) {
    if (!total.isZero()) throw new Error('apportion: nothing to apportion a non-zero total to');
    return result;
  }
  const weightSum = parts.reduce((a, p) => a.plus(p.weight), new D(0));
  const equal = weightSum.isZero();
  const totalFen = total.toFen();
  const rows = parts.map((p) => {
    const exactFen = equal
      ? new D(totalFen.toString()).dividedBy(parts.length)
      : new D(totalFen.toString()).times(p.weight).dividedBy(weightSum);
    const floor = exactFen.floor();
    return { key: p.key, fen: BigInt(floor.toFixed(0)), remainder: exactFen.minus(floor) };
  });
  let missing = totalFen - rows.reduce((a, r) => a + r.fen, 0n);
  const order = [...rows].sort(
    (a, b) => b.remainder.comparedTo(a.remainder) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  for (let k = 0; missing > 0n; k = (k + 1) % order.length) {
    order[k].fen += 1n;
    missing -= 1n;
  }
  if (missing < 0n) throw new Error('apportion: floors exceed the total');
  for (const r of rows) result.set(r.key, Money.fromFen(r.fen));
  return result;
}
