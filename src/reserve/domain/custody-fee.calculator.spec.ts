import fc from 'fast-check';
import { Money } from '../../common/money/money';
import { HENAN_2021_BASE } from '../../programme/domain/policy-version';
import { computeCustodyFee } from './custody-fee.calculator';

const policy = HENAN_2021_BASE;
const fee = (total: string, interest: string) =>
  computeCustodyFee({ reserveTotal: Money.of(total), quarterInterest: Money.of(interest) }, policy);

describe('computeCustodyFee (RULES §8; R 第二十二条)', () => {
  it('RULES §8 example: reserve 320,000,000, interest 920,000 → fee 320,000.00 from interest, 600,000.00 to principal', () => {
    // 320,000,000 × 0.1% = 320,000; min(320,000, 920,000) = 320,000; 920,000 − 320,000 = 600,000
    const r = fee('320000000.00', '920000.00');
    expect(r.fee.toString()).toBe('320000.00');
    expect(r.fromInterest.toString()).toBe('320000.00');
    expect(r.fromPrincipal.toString()).toBe('0.00');
    expect(r.interestToPrincipal.toString()).toBe('600000.00');
    expect(r.principalChange.toString()).toBe('600000.00');
  });

  it('RULES §8: interest 200,000.00 below the 320,000.00 fee → 120,000.00 from principal, nothing added', () => {
    // 320,000 − 200,000 = 120,000 from principal; principal changes by −120,000
    const r = fee('320000000.00', '200000.00');
    expect(r.fromInterest.toString()).toBe('200000.00');
    expect(r.fromPrincipal.toString()).toBe('120000.00');
    expect(r.interestToPrincipal.toString()).toBe('0.00');
    expect(r.principalChange.toString()).toBe('-120000.00');
  });

  it('RULES §8 rounding: 123,456,789.05 × 0.1% = 123,456.78905 → 123,456.79', () => {
    expect(fee('123456789.05', '0.00').fee.toString()).toBe('123456.79');
  });

  it('RULES §8: fromInterest + fromPrincipal = fee and fromInterest + interestToPrincipal = interest, always', () => {
    const money = fc.bigInt({ min: 0n, max: 10n ** 13n }).map((f) => Money.fromFen(f));
    fc.assert(
      fc.property(money, money, (total, interest) => {
        const r = computeCustodyFee({ reserveTotal: total, quarterInterest: interest }, policy);
        expect(r.fromInterest.plus(r.fromPrincipal).eq(r.fee)).toBe(true);
        expect(r.fromInterest.plus(r.interestToPrincipal).eq(interest)).toBe(true);
        expect(r.fromPrincipal.isNegative() || r.interestToPrincipal.isNegative()).toBe(false);
        expect(r.fromPrincipal.isZero() || r.interestToPrincipal.isZero()).toBe(true);
        expect(total.plus(interest).minus(r.fee).eq(total.plus(r.principalChange))).toBe(true);
      }),
    );
  });
});
