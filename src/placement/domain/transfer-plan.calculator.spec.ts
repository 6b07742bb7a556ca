import fc from 'fast-check';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import {
  planTransfers,
  TRANSFER_PLAN_EXACT_LIMIT,
  type TransferPlanAccount,
  type TransferPlanResult,
} from './transfer-plan.calculator';

const acct = (bankCode: string, current: string, target: string): TransferPlanAccount => ({
  bankCode,
  current: Money.of(current),
  target: Money.of(target),
});

/** Applies the transfers and returns each account's final balance in fen. */
function apply(accounts: TransferPlanAccount[], plan: TransferPlanResult): Map<string, bigint> {
  const balances = new Map(accounts.map((a) => [a.bankCode, a.current.toFen()]));
  for (const t of plan.transfers) {
    balances.set(t.from, (balances.get(t.from) ?? 0n) - t.amount.toFen());
    balances.set(t.to, (balances.get(t.to) ?? 0n) + t.amount.toFen());
  }
  return balances;
}

/** Transfers used by plain greedy (largest surplus pays largest deficit) without grouping. */
function plainGreedyCount(values: number[]): number {
  const surplus = values.filter((v) => v > 0);
  const deficit = values.filter((v) => v < 0).map((v) => -v);
  let count = 0;
  while (surplus.length > 0 && deficit.length > 0) {
    surplus.sort((a, b) => b - a);
    deficit.sort((a, b) => b - a);
    const amount = Math.min(surplus[0], deficit[0]);
    surplus[0] -= amount;
    deficit[0] -= amount;
    count += 1;
    if (surplus[0] === 0) surplus.shift();
    if (deficit[0] === 0) deficit.shift();
  }
  return count;
}

const plain = (plan: TransferPlanResult) =>
  plan.transfers.map((t) => [t.from, t.to, t.amount.toString()]);

describe('planTransfers (RULES §8; R 第八、十条, fewest transfers)', () => {
  it('RULES §8: A 500 → 300, B 100 → 200, C 0 → 100 → A→B 100.00, A→C 100.00', () => {
    // surplus A +200; deficits B −100, C −100: one group of 3 → 2 transfers
    const plan = planTransfers({
      accounts: [
        acct('A', '500.00', '300.00'),
        acct('B', '100.00', '200.00'),
        acct('C', '0.00', '100.00'),
      ],
    });
    expect(plain(plan)).toEqual([
      ['A', 'B', '100.00'],
      ['A', 'C', '100.00'],
    ]);
    expect(plan.optimal).toBe(true);
  });

  it('RULES §8: the exact search beats plain greedy: C +8, D +7, A −7, B −5, E −3 (×100,000) → 3 transfers, not 4', () => {
    // greedy alone: C→A 7, D→B 5, D→E 2, C→E 1 = 4 transfers; split {D, A} + {C, B, E}: D→A 7, C→B 5, C→E 3 = 3
    const accounts = [
      acct('A', '0.00', '700000.00'),
      acct('B', '0.00', '500000.00'),
      acct('C', '800000.00', '0.00'),
      acct('D', '700000.00', '0.00'),
      acct('E', '0.00', '300000.00'),
    ];
    const plan = planTransfers({ accounts });
    expect(plan.transfers).toHaveLength(3);
    expect(plain(plan)).toEqual(
      expect.arrayContaining([
        ['D', 'A', '700000.00'],
        ['C', 'B', '500000.00'],
        ['C', 'E', '300000.00'],
      ]),
    );
    for (const a of accounts) expect(apply(accounts, plan).get(a.bankCode)).toBe(a.target.toFen());
  });

  it('RULES §8: 16 accounts (the exact-search limit) are planned exactly and quickly', () => {
    // 8 surpluses 1..8 (×1,000) and 8 deficits 8..1 → 8 equal pairs → 8 transfers
    const accounts: TransferPlanAccount[] = [];
    for (let i = 1; i <= 8; i += 1) {
      accounts.push(acct(`S${i}`, `${i}000.00`, '0.00'));
      accounts.push(acct(`T${i}`, '0.00', `${i}000.00`));
    }
    const started = process.hrtime.bigint();
    const plan = planTransfers({ accounts });
    const elapsedMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
    expect(plan.optimal).toBe(true);
    expect(plan.transfers).toHaveLength(8);
    expect(elapsedMs).toBeLessThan(2000);
  });

  it('RULES §8: nothing to move → no transfer', () => {
    expect(
      planTransfers({ accounts: [acct('A', '5.00', '5.00'), acct('B', '0.00', '0.00')] }).transfers,
    ).toEqual([]);
  });

  it('RULES §8: totals that differ → 422 RESERVE.PLAN_TOTAL_MISMATCH', () => {
    const run = () =>
      planTransfers({ accounts: [acct('A', '5.00', '4.00'), acct('B', '0.00', '0.00')] });
    expect(run).toThrow(DomainError);
    try {
      run();
    } catch (e) {
      expect((e as DomainError).code).toBe('RESERVE.PLAN_TOTAL_MISMATCH');
    }
  });

  it('RULES §8: above the exact-search limit, equal pairs are matched first and the plan is marked not proven optimal', () => {
    // 20 accounts: 10 pairs X_i +i.00 / Y_i −i.00 → 10 transfers, each pair one transfer
    const accounts: TransferPlanAccount[] = [];
    for (let i = 1; i <= 10; i += 1) {
      accounts.push(acct(`X${String(i).padStart(2, '0')}`, `${i}.00`, '0.00'));
      accounts.push(acct(`Y${String(i).padStart(2, '0')}`, '0.00', `${i}.00`));
    }
    expect(accounts.length).toBeGreaterThan(TRANSFER_PLAN_EXACT_LIMIT);
    const plan = planTransfers({ accounts });
    expect(plan.optimal).toBe(false);
    expect(plan.transfers).toHaveLength(10);
    for (const t of plan.transfers) expect(t.from.slice(1)).toBe(t.to.slice(1));
  });
});

describe('planTransfers properties (RULES §8)', () => {
  /** Random balances and a random re-split of the same total as targets. */
  const arbAccounts = (maxN: number) =>
    fc
      .array(
        fc.record({
          current: fc.bigInt({ min: 0n, max: 10n ** 10n }),
          weight: fc.integer({ min: 0, max: 1000 }),
        }),
        {
          minLength: 1,
          maxLength: maxN,
        },
      )
      .map((rows) => {
        const total = rows.reduce((a, r) => a + r.current, 0n);
        const weights = rows.reduce((a, r) => a + BigInt(r.weight), 0n);
        const targets = rows.map((r) =>
          weights === 0n ? 0n : (total * BigInt(r.weight)) / weights,
        );
        targets[0] += total - targets.reduce((a, t) => a + t, 0n);
        return rows.map((r, i) => ({
          bankCode: `B${String(i).padStart(2, '0')}`,
          current: Money.fromFen(r.current),
          target: Money.fromFen(targets[i]),
        }));
      });

  it.each([
    ['within the exact-search limit', 12],
    ['above the exact-search limit', 30],
  ])(
    'RULES §8 (%s): every account ends exactly at its target with at most n − 1 positive transfers',
    (_label, maxN) => {
      fc.assert(
        fc.property(arbAccounts(maxN), (accounts) => {
          const plan = planTransfers({ accounts });
          const moving = accounts.filter((a) => !a.current.eq(a.target)).length;
          expect(plan.transfers.length).toBeLessThanOrEqual(Math.max(0, moving - 1));
          const end = apply(accounts, plan);
          for (const a of accounts) expect(end.get(a.bankCode)).toBe(a.target.toFen());
          for (const t of plan.transfers) expect(t.amount.isPositive()).toBe(true);
          // Nobody both pays and receives.
          const payers = new Set(plan.transfers.map((t) => t.from));
          for (const t of plan.transfers) expect(payers.has(t.to)).toBe(false);
        }),
        { numRuns: 60 },
      );
    },
  );

  it('RULES §8: with small integer deltas the exact plan never uses more transfers than plain greedy settlement', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 1, maxLength: 9 }),
        (deltas) => {
          const values = [...deltas, -deltas.reduce((a, b) => a + b, 0)];
          const accounts = values.map((v, i) => ({
            bankCode: `B${i}`,
            current: Money.of(String(Math.max(v, 0))),
            target: Money.of(String(Math.max(-v, 0))),
          }));
          const plan = planTransfers({ accounts });
          const moving = values.filter((v) => v !== 0).length;
          expect(plan.transfers.length).toBeLessThanOrEqual(Math.max(0, moving - 1));
          expect(plan.transfers.length).toBeLessThanOrEqual(plainGreedyCount(values));
          const end = apply(accounts, plan);
          for (const a of accounts) expect(end.get(a.bankCode)).toBe(a.target.toFen());
        },
      ),
    );
  });
});
