import fc from 'fast-check';
import { D } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import { apportionByLargestRemainder } from './apportion';

describe('apportionByLargestRemainder (RULES §8 Decision: largest remainder to the fen)', () => {
  it('RULES §8: 100.00 over equal weights A, B, C → 33.34 / 33.33 / 33.33 (tie to the first key)', () => {
    const r = apportionByLargestRemainder(
      Money.of('100.00'),
      ['C', 'A', 'B'].map((key) => ({ key, weight: new D(1) })),
    );
    expect([r.get('A')?.toString(), r.get('B')?.toString(), r.get('C')?.toString()]).toEqual([
      '33.34',
      '33.33',
      '33.33',
    ]);
  });

  it('RULES §8: 10.00 over weights 2 / 1 / 0 → 6.67 / 3.33 / 0.00 (remainders .666… and .333…)', () => {
    const r = apportionByLargestRemainder(Money.of('10.00'), [
      { key: 'A', weight: new D(2) },
      { key: 'B', weight: new D(1) },
      { key: 'C', weight: new D(0) },
    ]);
    expect([...r.values()].map((m) => m.toString())).toEqual(['6.67', '3.33', '0.00']);
  });

  it('RULES §8: the parts always add up exactly to the total and stay within one fen of their exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 14n }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 12 }),
        (totalFen, weights) => {
          const total = Money.fromFen(totalFen);
          const parts = weights.map((w, i) => ({
            key: `K${String(i).padStart(2, '0')}`,
            weight: new D(w),
          }));
          const r = apportionByLargestRemainder(total, parts);
          expect(Money.sum(r.values()).eq(total)).toBe(true);
          const sum = weights.reduce((a, w) => a + w, 0);
          parts.forEach((p) => {
            const exact =
              sum === 0
                ? new D(totalFen.toString()).dividedBy(parts.length)
                : new D(totalFen.toString()).times(p.weight).dividedBy(sum);
            const got = new D((r.get(p.key) ?? Money.ZERO).toFen().toString());
            expect(got.minus(exact).abs().lessThan(1)).toBe(true);
          });
        },
      ),
    );
  });
});
