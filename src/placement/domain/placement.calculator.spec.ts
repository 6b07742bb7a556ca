import fc from 'fast-check';
import { DomainError } from '../../common/errors/domain-error';
import { D } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { HENAN_2021_BASE } from '../../programme/domain/henan-versions';
import { computePlacement, type PlacementBankInput } from './placement.calculator';

const policy = HENAN_2021_BASE;

/** A bank with neutral criteria (all equal across banks unless overridden). */
function bank(
  bankCode: string,
  balance: string,
  over: Partial<PlacementBankInput> = {},
): PlacementBankInput {
  return {
    bankCode,
    outstandingBalance: Money.of(balance),
    averageTermMonths: new D(24),
    averageRate: Rate.of('0.04'),
    collateralRatio: Rate.of('0.1'),
    smallBorrowerShare: Rate.of('0.5'),
    lossRate: Rate.of('0.01'),
    lockedAmount: Money.ZERO,
    ...over,
  };
}

const targets = (r: ReturnType<typeof computePlacement>) =>
  Object.fromEntries(r.banks.map((b) => [b.bankCode, b.target.toString()]));

describe('computePlacement (RULES §8; R 第八条)', () => {
  it('RULES §8: balances 300 / 100, other criteria equal, total 100.00 → 65.00 / 35.00', () => {
    // balance shares 0.75 / 0.25; every other column 0.5 / 0.5
    // A = 0.6 × 0.75 + 0.4 × 0.5 = 0.65 → 65.00; B = 0.6 × 0.25 + 0.4 × 0.5 = 0.35 → 35.00
    const r = computePlacement(
      { total: Money.of('100.00'), banks: [bank('A', '300.00'), bank('B', '100.00')] },
      policy,
    );
    expect(targets(r)).toEqual({ A: '65.00', B: '35.00' });
    expect(r.banks[0].score.toFixed()).toBe('0.65');
  });

  it('RULES §8 Decision (locks): B locked at 40.00 above its 35.00 → B stays at 40.00, A gets 60.00', () => {
    const r = computePlacement(
      {
        total: Money.of('100.00'),
        banks: [bank('A', '300.00'), bank('B', '100.00', { lockedAmount: Money.of('40.00') })],
      },
      policy,
    );
    expect(targets(r)).toEqual({ A: '60.00', B: '40.00' });
    expect(r.banks[1].heldAtLock).toBe(true);
  });

  it('RULES §8: lower average rate is rewarded by min-max: rates 4% / 5% / 6% → 1,100,000 / 1,000,000 / 900,000', () => {
    // balances equal → 1/3 each; rate column (max − x) / (max − min) = 1, 0.5, 0 → shares 2/3, 1/3, 0
    // A = 0.9 × 1/3 + 0.1 × 2/3 = 0.36666…; B = 0.3 + 0.1/3 = 0.33333…; C = 0.9 × 1/3 = 0.3
    // × 3,000,000.00 → 1,100,000.00 / 1,000,000.00 / 900,000.00
    const r = computePlacement(
      {
        total: Money.of('3000000.00'),
        banks: [
          bank('A', '1000.00', { averageRate: Rate.of('0.04') }),
          bank('B', '1000.00', { averageRate: Rate.of('0.05') }),
          bank('C', '1000.00', { averageRate: Rate.of('0.06') }),
        ],
      },
      policy,
    );
    expect(targets(r)).toEqual({ A: '1100000.00', B: '1000000.00', C: '900000.00' });
    expect(r.banks.map((b) => b.normalised.lowerAverageRate.toFixed())).toEqual(['1', '0.5', '0']);
  });

  it('RULES §8 largest remainder: 100.00 over three equal banks → 33.34 / 33.33 / 33.33, the tie going to the first bank code', () => {
    // 100.00 / 3 = 33.333… each; floors 33.33 × 3 = 99.99; the missing fen goes to A (equal remainders, code order)
    const r = computePlacement(
      {
        total: Money.of('100.00'),
        banks: [bank('C', '5.00'), bank('A', '5.00'), bank('B', '5.00')],
      },
      policy,
    );
    expect(targets(r)).toEqual({ A: '33.34', B: '33.33', C: '33.33' });
    expect(r.banks.find((b) => b.bankCode === 'A')?.roundedUp).toBe(true);
  });

  it('RULES §8 Decision (locks, two rounds): B locked 30.00, C locked 17.00 → A 53.00, B 30.00, C 17.00', () => {
    // shares: balance 0.8 / 0.1 / 0.1, other columns 1/3 each
    // A = 0.48 + 0.4/3 = 0.61333…; B = C = 0.06 + 0.4/3 = 0.19333…
    // round 1: B 19.33 < 30 → held; round 2: 70 × 0.19333/0.80667 = 16.78 < 17 → C held; A = 100 − 30 − 17 = 53
    const r = computePlacement(
      {
        total: Money.of('100.00'),
        banks: [
          bank('A', '800.00'),
          bank('B', '100.00', { lockedAmount: Money.of('30.00') }),
          bank('C', '100.00', { lockedAmount: Money.of('17.00') }),
        ],
      },
      policy,
    );
    expect(targets(r)).toEqual({ A: '53.00', B: '30.00', C: '17.00' });
    expect(r.breakdown.filter((s) => s.text.startsWith('Round')).length).toBe(2);
  });

  it('RULES §6/§8: an undefined loss rate (null) scores worst on the loss-rate criterion', () => {
    const r = computePlacement(
      {
        total: Money.of('1000.00'),
        banks: [
          bank('A', '100.00', { lossRate: null }),
          bank('B', '100.00', { lossRate: Rate.of('0.08') }),
        ],
      },
      policy,
    );
    expect(r.banks[0].normalised.lowerLossRate.toFixed()).toBe('0');
    expect(r.banks[1].normalised.lowerLossRate.toFixed()).toBe('1');
    // A = 0.95 × 0.5 = 0.475 → 475.00; B = 0.475 + 0.05 = 0.525 → 525.00
    expect(targets(r)).toEqual({ A: '475.00', B: '525.00' });
  });

  it('RULES §8: all banks with zero balance and equal criteria share equally', () => {
    const r = computePlacement(
      { total: Money.of('10.00'), banks: [bank('A', '0.00'), bank('B', '0.00')] },
      policy,
    );
    expect(targets(r)).toEqual({ A: '5.00', B: '5.00' });
  });

  it('RULES §8: locks above the total → 422 RESERVE.LOCKED_EXCEEDS_TOTAL', () => {
    const run = () =>
      computePlacement(
        {
          total: Money.of('10.00'),
          banks: [bank('A', '1.00', { lockedAmount: Money.of('10.01') })],
        },
        policy,
      );
    expect(run).toThrow(DomainError);
    try {
      run();
    } catch (e) {
      expect((e as DomainError).code).toBe('RESERVE.LOCKED_EXCEEDS_TOTAL');
    }
  });
});

describe('computePlacement properties (RULES §8)', () => {
  const fenMoney = (max: bigint) => fc.bigInt({ min: 0n, max }).map((f) => Money.fromFen(f));
  const rate = fc
    .integer({ min: 0, max: 100_000 })
    .map((n) => Rate.of(new D(n).dividedBy(1_000_000)));
  const arbBank = fc.record({
    outstandingBalance: fenMoney(10n ** 12n),
    averageTermMonths: fc.integer({ min: 0, max: 120 }).map((n) => new D(n)),
    averageRate: rate,
    collateralRatio: rate,
    smallBorrowerShare: rate,
    lossRate: fc.option(rate, { nil: null }),
    lockShare: fc.integer({ min: 0, max: 100 }),
  });

  it('RULES §8: targets add up exactly to the total, never fall below a lock, and do not depend on input order', () => {
    fc.assert(
      fc.property(
        fc.array(arbBank, { minLength: 1, maxLength: 8 }),
        fenMoney(10n ** 11n),
        (raw, total) => {
          // Locks: each bank asks for lockShare% of total / n, so the locks never exceed the total.
          const n = BigInt(raw.length);
          const banks: PlacementBankInput[] = raw.map((b, i) => ({
            bankCode: `B${String(i).padStart(2, '0')}`,
            outstandingBalance: b.outstandingBalance,
            averageTermMonths: b.averageTermMonths,
            averageRate: b.averageRate,
            collateralRatio: b.collateralRatio,
            smallBorrowerShare: b.smallBorrowerShare,
            lossRate: b.lossRate,
            lockedAmount: Money.fromFen((total.toFen() * BigInt(b.lockShare)) / (100n * n)),
          }));
          const r = computePlacement({ total, banks }, policy);
          expect(Money.sum(r.banks.map((b) => b.target)).eq(total)).toBe(true);
          for (const b of r.banks) expect(b.target.gte(b.lockedAmount)).toBe(true);
          const reversed = computePlacement({ total, banks: [...banks].reverse() }, policy);
          expect(targets(reversed)).toEqual(targets(r));
        },
      ),
    );
  });
});
