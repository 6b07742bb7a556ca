import fc from 'fast-check';
import { Money } from '../../common/money/money';
import { HENAN_2021_BASE } from '../../programme/domain/henan-versions';
import { allocateCustodyFee, computeCustodyFee } from './custody-fee.calculator';

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

describe('allocateCustodyFee (RULES §8; R 第二十二条, per-account legs)', () => {
  const acc = (bankCode: string, principal: string, interest: string) => ({
    bankCode,
    principal: Money.of(principal),
    interest: Money.of(interest),
  });

  it('RULES §8: fee 320,000.00 split over interest 600,000 / 320,000 → A 208,695.65, B 111,304.35', () => {
    // 320,000 × 600,000 / 920,000 = 208,695.652… → 208,695.65; 320,000 × 320,000 / 920,000 = 111,304.347… → 111,304.35
    // A keeps 600,000 − 208,695.65 = 391,304.35; B keeps 320,000 − 111,304.35 = 208,695.65; together 600,000.00
    const r = allocateCustodyFee(
      { accounts: [acc('B', '120000000.00', '320000.00'), acc('A', '200000000.00', '600000.00')] },
      policy,
    );
    expect(r.fee.toString()).toBe('320000.00');
    expect(
      r.legs.map((l) => [
        l.bankCode,
        l.feeFromInterest.toString(),
        l.feeFromPrincipal.toString(),
        l.interestToPrincipal.toString(),
      ]),
    ).toEqual([
      ['A', '208695.65', '0.00', '391304.35'],
      ['B', '111304.35', '0.00', '208695.65'],
    ]);
  });

  it('RULES §8: interest 200,000 short of a 320,000 fee → 120,000 from principal split 200M / 120M → 75,000 / 45,000', () => {
    const r = allocateCustodyFee(
      { accounts: [acc('A', '200000000.00', '150000.00'), acc('B', '120000000.00', '50000.00')] },
      policy,
    );
    expect(
      r.legs.map((l) => [l.feeFromInterest.toString(), l.feeFromPrincipal.toString()]),
    ).toEqual([
      ['150000.00', '75000.00'],
      ['50000.00', '45000.00'],
    ]);
  });

  it('RULES §8: the legs add up to the totals and never take more than an account has', () => {
    const money = fc.bigInt({ min: 0n, max: 10n ** 12n }).map((f) => Money.fromFen(f));
    fc.assert(
      fc.property(
        fc.array(fc.record({ principal: money, interest: money }), { minLength: 1, maxLength: 8 }),
        (rows) => {
          const r = allocateCustodyFee(
            { accounts: rows.map((row, i) => ({ bankCode: `B${i}`, ...row })) },
            policy,
          );
          expect(Money.sum(r.legs.map((l) => l.feeFromInterest)).eq(r.fromInterest)).toBe(true);
          expect(Money.sum(r.legs.map((l) => l.feeFromPrincipal)).eq(r.fromPrincipal)).toBe(true);
          expect(
            Money.sum(r.legs.map((l) => l.interestToPrincipal)).eq(r.interestToPrincipal),
          ).toBe(true);
          r.legs.forEach((l) => {
            const row = rows[Number(l.bankCode.slice(1))];
            expect(l.feeFromInterest.lte(row.interest)).toBe(true);
            expect(l.feeFromPrincipal.lte(row.principal)).toBe(true);
          });
        },
      ),
    );
  });
});
