import fc from 'fast-check';
import { Money } from '../../common/money/money';
import { takeFromMargin } from './margin-shortfall.calculator';

const m = (s: string): Money => Money.of(s);

describe('takeFromMargin (RULES §7; A 第十八条(四), 第十九条(三))', () => {
  it('RULES §7: margin 250,000.00, deduction 300,000.00 → taken 250,000.00, shortfall 50,000.00, suspended', () => {
    // min(250,000, 300,000) = 250,000; 300,000 − 250,000 = 50,000
    const r = takeFromMargin({ marginBalance: m('250000.00'), amountDue: m('300000.00') });
    expect(r.taken.toString()).toBe('250000.00');
    expect(r.shortfall.toString()).toBe('50000.00');
    expect(r.balanceAfter.toString()).toBe('0.00');
    expect(r.suspendNewBusiness).toBe(true);
  });

  it('RULES §7: margin 500,000.00, deduction 300,000.00 → taken in full, balance 200,000.00, no shortfall', () => {
    const r = takeFromMargin({ marginBalance: m('500000.00'), amountDue: m('300000.00') });
    expect(r.taken.toString()).toBe('300000.00');
    expect(r.shortfall.toString()).toBe('0.00');
    expect(r.balanceAfter.toString()).toBe('200000.00');
    expect(r.suspendNewBusiness).toBe(false);
  });

  it('RULES §7: taken + shortfall = amount due and taken ≤ balance, always', () => {
    const money = fc.bigInt({ min: 0n, max: 10n ** 14n }).map((f) => Money.fromFen(f));
    fc.assert(
      fc.property(money, money, (balance, due) => {
        const r = takeFromMargin({ marginBalance: balance, amountDue: due });
        expect(r.taken.plus(r.shortfall).eq(due)).toBe(true);
        expect(r.taken.lte(balance)).toBe(true);
        expect(r.balanceAfter.plus(r.taken).eq(balance)).toBe(true);
      }),
    );
  });
});
