import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney } from '../../common/format/figures';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { RESERVE_ERRORS } from '../../reserve/domain/reserve.errors';

export interface TransferPlanAccount {
  bankCode: string;
  /** The reserve account's balance now. */
  current: Money;
  /** Where it should end (e.g. computePlacement's target). */
  target: Money;
}

export interface Transfer {
  /** Bank code of the paying reserve account. */
  from: string;
  /** Bank code of the receiving reserve account. */
  to: string;
  amount: Money;
}

export interface TransferPlanResult {
  transfers: Transfer[];
  /** True when the plan is proven to use the fewest possible transfers (exact search was run). */
  optimal: boolean;
  breakdown: BreakdownStep[];
}

/** Up to this many accounts that need to move money, the exact minimum is searched (2^n states). */
export const TRANSFER_PLAN_EXACT_LIMIT = 16;

interface Delta {
  bankCode: string;
  /** current − target in fen: positive = surplus (pays), negative = deficit (receives). */
  fen: bigint;
}

/**
 * The transfers that move every reserve account from its current balance to its target.
 *
 * RULES §8; R 第八、十条, Decision "the plan moves money with the fewest transfers".
 * The totals must agree (Σ current = Σ target), else 422 RESERVE.PLAN_TOTAL_MISMATCH.
 *
 * How few: any plan's transfers link the accounts into groups whose surpluses and deficits cancel;
 * a group of k accounts needs at least k − 1 transfers. So the minimum is (accounts that must
 * move) − (the largest number of disjoint zero-sum groups they split into), and finding that split
 * is NP-hard in general (it contains subset-sum / partition). What this function guarantees:
 * - with at most TRANSFER_PLAN_EXACT_LIMIT (16) accounts to move, the exact minimum, found by a
 *   dynamic programme over subsets (O(2^n · n), milliseconds), `optimal: true`;
 * - beyond that, accounts whose surplus equals another's deficit are paired first (one transfer
 *   each), then the rest is settled greedily; `optimal: false`.
 * In every case at most n − 1 transfers for the n accounts that move, each transfer goes from an
 * account with a surplus to one with a deficit (no account both pays and receives), and every
 * account ends exactly at its target. Within a group the greedy step pays the largest deficit from
 * the largest surplus (ties by bank code) for min(surplus, deficit), which zeroes at least one side
 * each time. Amounts are whole fen; nothing is rounded.
 *
 * Worked example: A 500.00 → 300.00, B 100.00 → 200.00, C 0.00 → 100.00: surpluses A 200.00;
 * deficits B 100.00, C 100.00 → A→B 100.00, A→C 100.00 (2 transfers, the minimum for 3 accounts in
 * one group).
 */
export function planTransfers(input: { accounts: TransferPlanAccount[] }): TransferPlanResult {
  const accounts = [...input.accounts].sort((a, b) => compareCodes(a.bankCode, b.bankCode));
  const seen = new Set<string>();
  for (const a of accounts) {
    if (seen.has(a.bankCode))
      throw DomainError.invalid(RESERVE_ERRORS.DUPLICATE_BANK, `Bank ${a.bankCode} appears twice.`);
    seen.add(a.bankCode);
    if (a.current.isNegative() || a.target.isNegative()) {
      throw DomainError.invalid(
        RESERVE_ERRORS.NEGATIVE_AMOUNT,
        `Bank ${a.bankCode} has a negative balance or target.`,
      );
    }
  }
  const currentTotal = Money.sum(accounts.map((a) => a.current));
  const targetTotal = Money.sum(accounts.map((a) => a.target));
  const rule = 'RULES §8; R 第八、十条';
  if (!currentTotal.eq(targetTotal)) {
    throw DomainError.rule(
      RESERVE_ERRORS.PLAN_TOTAL_MISMATCH,
      'The targets do not add up to the current total.',
      [
        {
          code: RESERVE_ERRORS.PLAN_TOTAL_MISMATCH,
          message: `Σ current ${currentTotal.toString()} ≠ Σ target ${targetTotal.toString()}`,
          current: currentTotal.toString(),
          target: targetTotal.toString(),
        },
      ],
    );
  }
  const deltas: Delta[] = accounts
    .map((a) => ({ bankCode: a.bankCode, fen: a.current.toFen() - a.target.toFen() }))
    .filter((d) => d.fen !== 0n);
  const breakdown: BreakdownStep[] = [
    {
      rule,
      text:
        deltas.length === 0
          ? 'Every account is already at its target: no transfer'
          : `Surplus (+) / deficit (−) per account: ${deltas.map((d) => `${d.bankCode} ${d.fen > 0n ? '+' : '−'}${fmtMoney(Money.fromFen(d.fen > 0n ? d.fen : -d.fen))}`).join(', ')}`,
    },
  ];

  let groups: Delta[][];
  let optimal: boolean;
  if (deltas.length <= TRANSFER_PLAN_EXACT_LIMIT) {
    groups = largestZeroSumSplit(deltas);
    optimal = true;
    breakdown.push({
      rule,
      text: `Exact search: ${deltas.length} accounts split into ${groups.length} self-balancing group(s) → minimum ${deltas.length - groups.length} transfer(s)`,
    });
  } else {
    groups = pairThenRest(deltas);
    optimal = false;
    breakdown.push({
      rule,
      text: `${deltas.length} accounts (above the exact-search limit of ${TRANSFER_PLAN_EXACT_LIMIT}): equal surplus/deficit pairs first, then greedy; ${groups.length} group(s) → ${deltas.length - groups.length} transfer(s) (at most n − 1)`,
    });
  }

  const transfers: Transfer[] = [];
  for (const group of groups) transfers.push(...settleGreedily(group));
  for (const t of transfers) {
    breakdown.push({
      rule,
      text: `${t.from} → ${t.to}: ${fmtMoney(t.amount)}`,
      value: t.amount.toString(),
    });
  }
  return { transfers, optimal, breakdown };
}

function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Splits the (zero-sum, non-zero) deltas into the largest number of disjoint zero-sum groups.
 * dp[mask] = the most zero-sum prefixes any ordering of `mask` can have =
 * max over i in mask of dp[mask without i] + (sum(mask) = 0 ? 1 : 0). Walking back from the full
 * mask gives an order whose zero-sum prefixes cut it into dp[full] groups.
 */
function largestZeroSumSplit(deltas: Delta[]): Delta[][] {
  const n = deltas.length;
  if (n === 0) return [];
  const size = 1 << n;
  const sums: bigint[] = new Array<bigint>(size);
  const dp = new Int32Array(size);
  sums[0] = 0n;
  for (let mask = 1; mask < size; mask += 1) {
    const low = mask & -mask;
    sums[mask] = sums[mask ^ low] + deltas[31 - Math.clz32(low)].fen;
    let best = 0;
    for (let i = 0; i < n; i += 1) {
      const bit = 1 << i;
      if (mask & bit && dp[mask ^ bit] > best) best = dp[mask ^ bit];
    }
    dp[mask] = best + (sums[mask] === 0n ? 1 : 0);
  }
  const removed: number[] = [];
  let mask = size - 1;
  while (mask !== 0) {
    const want = dp[mask] - (sums[mask] === 0n ? 1 : 0);
    let pick = -1;
    for (let i = 0; i < n && pick < 0; i += 1) {
      const bit = 1 << i;
      if (mask & bit && dp[mask ^ bit] === want) pick = i;
    }
    removed.push(pick);
    mask ^= 1 << pick;
  }
  const order = removed.reverse();
  const groups: Delta[][] = [];
  let current: Delta[] = [];
  let running = 0n;
  for (const i of order) {
    current.push(deltas[i]);
    running += deltas[i].fen;
    if (running === 0n) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length > 0) throw new Error('transfer plan: the deltas do not add up to zero');
  return groups;
}

/** Pairs each surplus with an equal deficit where one exists (by bank code), the rest in one group. */
function pairThenRest(deltas: Delta[]): Delta[][] {
  const groups: Delta[][] = [];
  const used = new Set<number>();
  deltas.forEach((d, i) => {
    if (used.has(i) || d.fen <= 0n) return;
    const j = deltas.findIndex((e, k) => !used.has(k) && e.fen === -d.fen);
    if (j >= 0) {
      used.add(i);
      used.add(j);
      groups.push([d, deltas[j]]);
    }
  });
  const rest = deltas.filter((_, i) => !used.has(i));
  if (rest.length > 0) groups.push(rest);
  return groups;
}

/** Largest surplus pays largest deficit (ties by bank code) until the zero-sum group is settled. */
function settleGreedily(group: Delta[]): Transfer[] {
  const surplus = group.filter((d) => d.fen > 0n).map((d) => ({ ...d }));
  const deficit = group
    .filter((d) => d.fen < 0n)
    .map((d) => ({ bankCode: d.bankCode, fen: -d.fen }));
  const largestFirst = (a: Delta, b: Delta): number =>
    a.fen === b.fen ? compareCodes(a.bankCode, b.bankCode) : a.fen > b.fen ? -1 : 1;
  const transfers: Transfer[] = [];
  while (surplus.length > 0 && deficit.length > 0) {
    surplus.sort(largestFirst);
    deficit.sort(largestFirst);
    const from = surplus[0];
    const to = deficit[0];
    const amount = from.fen < to.fen ? from.fen : to.fen;
    transfers.push({ from: from.bankCode, to: to.bankCode, amount: Money.fromFen(amount) });
    from.fen -= amount;
    to.fen -= amount;
    if (from.fen === 0n) surplus.shift();
    if (to.fen === 0n) deficit.shift();
  }
  if (surplus.length > 0 || deficit.length > 0)
    throw new Error('transfer plan: a group did not settle');
  return transfers;
}
