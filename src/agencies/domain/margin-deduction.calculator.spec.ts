import fc from 'fast-check';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { HENAN_2021_BASE } from '../../programme/domain/henan-versions';
import { computeMarginDeduction, toMarginDeductionResponse } from './margin-deduction.calculator';

const policy = HENAN_2021_BASE;
const m = (s: string): Money => Money.of(s);

function deduct(balance: string, prior: string, claim: string) {
  return computeMarginDeduction(
    { reviewedBalance: m(balance), priorNetCompensation: m(prior), compensation: m(claim) },
    policy,
  );
}

describe('computeMarginDeduction (RULES §7; A 第十八条(四), marginal reading)', () => {
  it('RULES §7 example 1: balance 100,000,000, prior 1,500,000, claim 2,000,000 → 300,000.00', () => {
    // 1.5% → 3.5%: 500,000 in 0–2% × 0% = 0; 1,500,000 in 2–4% × 20% = 300,000.00
    const r = deduct('100000000.00', '1500000.00', '2000000.00');
    expect(r.deduction.toString()).toBe('300000.00');
    expect(r.bands.map((b) => [b.amount.toString(), b.deduction.toString()])).toEqual([
      ['500000.00', '0.00'],
      ['1500000.00', '300000.00'],
      ['0.00', '0.00'],
      ['0.00', '0.00'],
    ]);
  });

  it('API.md: the margin-deduction calculator response for example 1 is exactly the documented body', () => {
    expect(toMarginDeductionResponse(deduct('100000000.00', '1500000.00', '2000000.00'))).toEqual({
      deduction: '300000.00',
      lossRateBefore: '0.015',
      lossRateAfter: '0.035',
      bands: [
        { from: '0.02', to: '0.04', amount: '1500000.00', share: '0.20', deduction: '300000.00' },
      ],
    });
  });

  it('RULES §7 example 2: prior 3,000,000, claim 5,000,000 (3% → 8%) → 2,000,000.00', () => {
    // 1,000,000 × 20% + 2,000,000 × 40% + 2,000,000 × 50% = 200,000 + 800,000 + 1,000,000 = 2,000,000.00
    const r = deduct('100000000.00', '3000000.00', '5000000.00');
    expect(r.deduction.toString()).toBe('2000000.00');
    expect(toMarginDeductionResponse(r)).toEqual({
      deduction: '2000000.00',
      lossRateBefore: '0.03',
      lossRateAfter: '0.08',
      bands: [
        { from: '0.02', to: '0.04', amount: '1000000.00', share: '0.20', deduction: '200000.00' },
        { from: '0.04', to: '0.06', amount: '2000000.00', share: '0.40', deduction: '800000.00' },
        { from: '0.06', to: null, amount: '2000000.00', share: '0.50', deduction: '1000000.00' },
      ],
    });
    expect(r.breakdown.at(-1)?.text).toBe(
      'Deduction = 200,000.00 + 800,000.00 + 1,000,000.00 = 2,000,000.00',
    );
  });

  it('RULES §7: a claim entirely under 2% (0 → 1%) takes nothing and lists no band', () => {
    const r = deduct('100000000.00', '0.00', '1000000.00');
    expect(r.deduction.toString()).toBe('0.00');
    expect(toMarginDeductionResponse(r).bands).toEqual([]);
  });

  it('RULES §7: a claim starting exactly on the 2% edge (2% → 4%) takes 2,000,000 × 20% = 400,000.00', () => {
    expect(deduct('100000000.00', '2000000.00', '2000000.00').deduction.toString()).toBe(
      '400000.00',
    );
  });

  it('RULES §7: a claim when the agency is already above 6% (7% → 8%) takes 1,000,000 × 50% = 500,000.00', () => {
    expect(deduct('100000000.00', '7000000.00', '1000000.00').deduction.toString()).toBe(
      '500000.00',
    );
  });

  it('RULES §7 Decision: zero balance puts the whole claim in the top band: 1,000,000 × 50% = 500,000.00; loss rates null', () => {
    const r = deduct('0.00', '200000.00', '1000000.00');
    expect(toMarginDeductionResponse(r)).toEqual({
      deduction: '500000.00',
      lossRateBefore: null,
      lossRateAfter: null,
      bands: [
        { from: '0.06', to: null, amount: '1000000.00', share: '0.50', deduction: '500000.00' },
      ],
    });
  });

  it('RULES §7 rounding: edges are rounded to fen and each band deduction rounded half-up', () => {
    // balance 33,333,333.33: 2% edge = 666,666.6666 → 666,666.67; 4% edge = 1,333,333.3332 → 1,333,333.33
    // claim 0 → 1,000,000.01: part above 2% = 1,000,000.01 − 666,666.67 = 333,333.34
    // 333,333.34 × 20% = 66,666.668 → 66,666.67
    const r = deduct('33333333.33', '0.00', '1000000.01');
    expect(r.bands[1].lowerEdge.toString()).toBe('666666.67');
    expect(r.bands[1].upperEdge?.toString()).toBe('1333333.33');
    expect(r.bands[1].amount.toString()).toBe('333333.34');
    expect(r.deduction.toString()).toBe('66666.67');
    // loss rate after = 1,000,000.01 / 33,333,333.33 = 0.030000000303… → 0.03 (8 decimals, half-up)
    expect(toMarginDeductionResponse(r).lossRateAfter).toBe('0.03');
  });

  it('RULES §7: a zero claim takes nothing', () => {
    expect(deduct('100000000.00', '5000000.00', '0.00').deduction.toString()).toBe('0.00');
  });

  it('RULES §7: negative inputs → 400 AGENCY.NEGATIVE_AMOUNT', () => {
    expect(() =>
      computeMarginDeduction(
        {
          reviewedBalance: m('100.00'),
          priorNetCompensation: Money.parseSigned('-1.00'),
          compensation: m('1.00'),
        },
        policy,
      ),
    ).toThrow(DomainError);
  });

  it('RULES §7: a malformed band table (gap between 2% and 3%) is a programmer error', () => {
    const bad = {
      marginDeductionBands: [
        { from: '0', to: '0.02', share: '0' },
        { from: '0.03', to: null, share: '0.5' },
      ],
    };
    expect(() =>
      computeMarginDeduction(
        { reviewedBalance: m('100.00'), priorNetCompensation: Money.ZERO, compensation: m('1.00') },
        bad,
      ),
    ).toThrow(/gap or overlap/);
  });
});

describe('computeMarginDeduction properties (RULES §7)', () => {
  const fen = (max: number) =>
    fc.bigInt({ min: 0n, max: BigInt(max) }).map((f) => Money.fromFen(f));

  it('RULES §7: the deduction is never negative, never above the claim, and the band parts add up to the claim', () => {
    fc.assert(
      fc.property(fen(2e10), fen(1e9), fen(1e9), (balance, prior, claim) => {
        const r = computeMarginDeduction(
          { reviewedBalance: balance, priorNetCompensation: prior, compensation: claim },
          policy,
        );
        expect(r.deduction.isNegative()).toBe(false);
        expect(r.deduction.lte(claim)).toBe(true);
        expect(Money.sum(r.bands.map((b) => b.amount)).eq(claim)).toBe(true);
        expect(Money.sum(r.bands.map((b) => b.deduction)).eq(r.deduction)).toBe(true);
      }),
    );
  });

  it('RULES §7: the deduction is monotone: a larger claim never takes less', () => {
    fc.assert(
      fc.property(fen(2e10), fen(1e9), fen(1e9), fen(1e9), (balance, prior, c1, extra) => {
        const small = computeMarginDeduction(
          { reviewedBalance: balance, priorNetCompensation: prior, compensation: c1 },
          policy,
        );
        const large = computeMarginDeduction(
          { reviewedBalance: balance, priorNetCompensation: prior, compensation: c1.plus(extra) },
          policy,
        );
        expect(large.deduction.gte(small.deduction)).toBe(true);
      }),
    );
  });

  it('RULES §7: the deduction is at least the share of the lowest band and at most the top share of the claim (±1 fen per band)', () => {
    fc.assert(
      fc.property(fen(2e10), fen(1e9), fen(1e9), (balance, prior, claim) => {
        const r = computeMarginDeduction(
          { reviewedBalance: balance, priorNetCompensation: prior, compensation: claim },
          policy,
        );
        // top share 50%: deduction ≤ claim × 0.5 + rounding of 4 bands (≤ 0.02)
        expect(r.deduction.lte(claim.timesRounded('0.5').plus(Money.of('0.02')))).toBe(true);
      }),
    );
  });
});
