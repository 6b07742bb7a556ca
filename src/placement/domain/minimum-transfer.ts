import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney } from '../../common/format/figures';
import { Money } from '../../common/money/money';

export interface MinimumTransferAccount {
  bankCode: string;
  current: Money;
  /** The scoring model's target (computePlacement), to the fen. */
  target: Money;
  /** The target may not go below this (money approved but not paid out of the account). */
  locked: Money;
}

export interface MinimumTransferResult {
  /** Per bank, in input order: where the plan leaves it (Σ = Σ current). */
  targets: { bankCode: string; target: Money; adjusted: boolean }[];
  breakdown: BreakdownStep[];
}

const RULE = 'RULES §8 (placement cycle, 2026-12); issue 13 (minimum transfer); R 第八、十条';

/**
 * The minimum transfer (policy `placementMinimumTransfer`, 10,000.00): moving a few yuan between two
 * banks costs the custodian as much as moving millions, so a bank whose target differs from its
 * balance by less than the minimum keeps its balance, and the difference it leaves is carried by
 * the bank with the largest move that can take it — the one with the largest difference on the
 * side the difference needs; a bank is never taken below its locked money. Repeated until every
 * bank either stays put or moves at least the minimum. The targets still add up exactly to the
 * total; Σ|moves| can only shrink.
 *
 * Each round keeps at least one more bank where it is, so it ends within n rounds. A bank whose
 * difference is exactly the minimum moves. When no bank can carry a leftover (every other bank
 * would go below its locked money), the scored targets are kept as they are and the breakdown
 * says why.
 *
 * Worked example (minimum 10,000.00): A 1,000,000.00 → 1,004,000.00 (+4,000.00), B 500,000.00 →
 * 520,000.00 (+20,000.00), C 800,000.00 → 776,000.00 (−24,000.00). A's move is below the
 * minimum: A keeps 1,000,000.00, and the 4,000.00 it does not receive stays with C, which has the
 * largest difference: C → 780,000.00 (−20,000.00). One transfer C → B 20,000.00 instead of two.
 */
export function applyMinimumTransfer(accounts: readonly MinimumTransferAccount[], minimum: Money): MinimumTransferResult {
  const min = minimum.toFen();
  const delta = accounts.map((a) => a.target.toFen() - a.current.toFen());
  const room = accounts.map((a) => a.current.toFen() - a.locked.toFen());
  const kept: string[] = [];
  const carriers: string[] = [];
  if (min > 0n) {
    for (let round = 0; round <= accounts.length; round++) {
      const small = delta.map((d, i) => (d !== 0n && abs(d) < min ? i : -1)).filter((i) => i >= 0);
      if (!small.length) break;
      let leftover = 0n;
      for (const i of small) {
        leftover += delta[i];
        delta[i] = 0n;
        kept.push(accounts[i].bankCode);
      }
      // The others must absorb the leftover: a positive leftover (money nobody now receives) is
      // paid out by one less, i.e. some bank's delta grows by it; a negative one is taken from a
      // bank that keeps more (its delta shrinks), never below its locked money.
      const candidates = delta
        .map((d, i) => ({ d, i }))
        .filter(({ d, i }) => d !== 0n && delta[i] + leftover >= -room[i])
        .sort((x, y) => (abs(y.d) > abs(x.d) ? 1 : abs(y.d) < abs(x.d) ? -1 : accounts[x.i].bankCode < accounts[y.i].bankCode ? -1 : 1));
      if (!candidates.length) {
        if (leftover === 0n) continue;
        return {
          targets: accounts.map((a) => ({ bankCode: a.bankCode, target: a.target, adjusted: false })),
          breakdown: [{ rule: RULE, text: `Minimum transfer not applied: no bank can carry the ${fmtMoney(Money.fromFen(abs(leftover)))} the small moves would leave without going below its locked money; the scored targets stand` }],
        };
      }
      const j = candidates[0].i;
      delta[j] += leftover;
      if (leftover !== 0n) carriers.push(`${accounts[j].bankCode} ${leftover > 0n ? '+' : '−'}${fmtMoney(Money.fromFen(abs(leftover)))}`);
    }
  }
  const targets = accounts.map((a, i) => {
    const target = Money.fromFen(a.current.toFen() + delta[i]);
    return { bankCode: a.bankCode, target, adjusted: !target.eq(a.target) };
  });
  const breakdown: BreakdownStep[] = [
    {
      rule: RULE,
      text: kept.length
        ? `Minimum transfer: moves below ${fmtMoney(minimum)} are not made: ${[...new Set(kept)].sort().join(', ')} keep their balance; carried by ${carriers.join(', ') || 'nobody (they cancel out)'}`
        : `Minimum transfer: every move is at least ${fmtMoney(minimum)} or none: the scored targets stand`,
    },
  ];
  return { targets, breakdown };
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}
