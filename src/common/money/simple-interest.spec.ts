import { Money } from './money';
import { Rate } from './rate';
import { simpleInterest } from './simple-interest';

const m = (s: string) => Money.of(s);
const r = (s: string) => Rate.of(s);

describe('simpleInterest — RULES §4 (B 第十二条), ACT/360, half-up to the fen', () => {
  it('case A: 3,000,000.00 × 116 × 0.0435 / 360 = 42,050.00 exactly', () => {
    const i = simpleInterest({ principal: m('3000000.00'), annualRate: r('0.0435'), days: 116, dayCountBasis: 360 });
    expect(i.exact.toFixed()).toBe('42050');
    expect(i.interest.toString()).toBe('42050.00');
    expect(i.text).toBe('3,000,000.00 × 116 × 0.0435 / 360 = 42,050.00 → 42,050.00');
  });

  it('a third of a fen and more rounds up: 1,000,000.00 × 116 × 0.0435 / 360 = 14,016.666… → 14,016.67', () => {
    const i = simpleInterest({ principal: m('1000000.00'), annualRate: r('0.0435'), days: 116, dayCountBasis: 360 });
    expect(i.interest.toString()).toBe('14016.67');
    expect(i.text).toBe('1,000,000.00 × 116 × 0.0435 / 360 = 14,016.666666… → 14,016.67');
  });

  it('exactly half a fen rounds up, not to even: 900.00 × 1 × 0.05 / 360 = 0.125 → 0.13; less than half goes down: 1.25125 → 1.25', () => {
    // Half-even (banker's rounding) would give 0.12; RULES §4 says half-up.
    const half = simpleInterest({ principal: m('900.00'), annualRate: r('0.05'), days: 1, dayCountBasis: 360 });
    expect(half.exact.toFixed()).toBe('0.125');
    expect(half.interest.toString()).toBe('0.13');
    expect(half.text).toBe('900.00 × 1 × 0.05 / 360 = 0.125 → 0.13');
    const below = simpleInterest({ principal: m('1001.00'), annualRate: r('0.05'), days: 9, dayCountBasis: 360 });
    expect(below.exact.toFixed()).toBe('1.25125');
    expect(below.interest.toString()).toBe('1.25');
  });

  it("the interest subsidy's order of factors changes the text only: 2,000,000.00 × 0.0245 × 16 / 360 = 2,177.777… → 2,177.78", () => {
    const input = { principal: m('2000000.00'), annualRate: r('0.0245'), days: 16, dayCountBasis: 360 };
    const rateFirst = simpleInterest(input, 'rate-days');
    expect(rateFirst.text).toBe('2,000,000.00 × 0.0245 × 16 / 360 = 2,177.777777… → 2,177.78');
    expect(rateFirst.interest.toString()).toBe('2177.78');
    expect(simpleInterest(input).interest.eq(rateFirst.interest)).toBe(true);
  });

  it('0 days is 0.00; ACT/365 divides by 365', () => {
    expect(simpleInterest({ principal: m('500000.00'), annualRate: r('0.05'), days: 0, dayCountBasis: 360 }).interest.toString()).toBe('0.00');
    // 1,000,000.00 × 0.0365 × 10 / 365 = 1,000.00
    expect(simpleInterest({ principal: m('1000000.00'), annualRate: r('0.0365'), days: 10, dayCountBasis: 365 }).interest.toString()).toBe('1000.00');
  });

  it('refuses days or a basis that are not whole numbers (a programmer error)', () => {
    const base = { principal: m('1000.00'), annualRate: r('0.05'), days: 10, dayCountBasis: 360 };
    expect(() => simpleInterest({ ...base, days: -1 })).toThrow('days -1');
    expect(() => simpleInterest({ ...base, days: 1.5 })).toThrow('days 1.5');
    expect(() => simpleInterest({ ...base, dayCountBasis: 0 })).toThrow('basis 0');
  });
});
