import fc from 'fast-check';
import { addDays } from '../../common/calendar/iso-date';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { HENAN_2021 } from '../../programme/domain/henan-versions';
import {
  CompensationCalculatorRequest,
  compensationCalculator,
  computeCompensation,
} from './compensation.calculator';

const policy = HENAN_2021;

function expectInvalid(fn: () => unknown, code: string): void {
  try {
    fn();
    throw new Error('expected a throw');
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    expect((e as DomainError).kind).toBe('invalid');
  }
}

describe('computeCompensation — RULES §4 worked examples (B 第十二条)', () => {
  it('RULES §4 case A: 3,000,000.00 @ 4.35%, 2025-03-21 → 2025-07-15, ratio 0.60', () => {
    // days = 10 + 30 + 31 + 30 + 15 = 116
    // interest = 3,000,000 × 116 × 0.0435 / 360 = 15,138,000 / 360 = 42,050.00
    // loss = 3,042,050.00; compensation = 3,042,050.00 × 0.60 = 1,825,230.00 ≤ 5,000,000.00
    const r = computeCompensation(
      {
        principal: Money.of('3000000.00'),
        annualRate: Rate.of('0.0435'),
        interestUnpaidSince: '2025-03-21',
        claimDate: '2025-07-15',
        ratio: Rate.of('0.60'),
      },
      policy,
    );
    expect(r.days).toBe(116);
    expect(r.interest.toString()).toBe('42050.00');
    expect(r.lossAmount.toString()).toBe('3042050.00');
    expect(r.compensation.toString()).toBe('1825230.00');
    expect(r.capped).toBe(false);
    expect(r.breakdown.map((s) => s.text)).toEqual([
      'Days of unpaid interest: 2025-03-21 → 2025-07-15 = 116 actual calendar days (ACT/360)',
      'Unpaid interest at the contract rate: 3,000,000.00 × 116 × 0.0435 / 360 = 42,050.00 → 42,050.00 (half-up to the fen; no penalty or compound interest)',
      'Loss = principal + interest: 3,000,000.00 + 42,050.00 = 3,042,050.00',
      'Compensation = loss × ratio: 3,042,050.00 × 0.60 = 1,825,230.00 → 1,825,230.00 (half-up to the fen)',
      '1,825,230.00 ≤ cap 5,000,000.00 per loan: not capped',
    ]);
  });

  it('RULES §4 case B: 8,000,000.00 @ 3.85%, 2024-12-21 → 2025-04-30, ratio 0.50', () => {
    // days = 10 + 31 + 28 + 31 + 30 = 130
    // interest = 8,000,000 × 130 × 0.0385 / 360 = 40,040,000 / 360 = 111,222.222… → 111,222.22
    // loss = 8,111,222.22; × 0.50 = 4,055,611.11 ≤ 5,000,000.00
    const r = computeCompensation(
      {
        principal: Money.of('8000000.00'),
        annualRate: Rate.of('0.0385'),
        interestUnpaidSince: '2024-12-21',
        claimDate: '2025-04-30',
        ratio: Rate.of('0.50'),
      },
      policy,
    );
    expect(r.days).toBe(130);
    expect(r.interest.toString()).toBe('111222.22');
    expect(r.lossAmount.toString()).toBe('8111222.22');
    expect(r.compensation.toString()).toBe('4055611.11');
    expect(r.capped).toBe(false);
    expect(r.breakdown[1].text).toBe(
      'Unpaid interest at the contract rate: 8,000,000.00 × 130 × 0.0385 / 360 = 111,222.222222… → 111,222.22 (half-up to the fen; no penalty or compound interest)',
    );
  });

  it('RULES §4 case C: 20,000,000.00 @ 5%, 2025-01-01 → 2025-06-30, ratio 0.60, capped at 5,000,000.00', () => {
    // days = 31 + 28 + 31 + 30 + 31 + 29 = 180
    // interest = 20,000,000 × 180 × 0.05 / 360 = 500,000.00; loss = 20,500,000.00
    // 20,500,000.00 × 0.60 = 12,300,000.00 > 5,000,000.00 → 5,000,000.00
    const r = computeCompensation(
      {
        principal: Money.of('20000000.00'),
        annualRate: Rate.of('0.05'),
        interestUnpaidSince: '2025-01-01',
        claimDate: '2025-06-30',
        ratio: Rate.of('0.60'),
      },
      policy,
    );
    expect(r.days).toBe(180);
    expect(r.lossAmount.toString()).toBe('20500000.00');
    expect(r.uncappedCompensation.toString()).toBe('12300000.00');
    expect(r.compensation.toString()).toBe('5000000.00');
    expect(r.capped).toBe(true);
    expect(r.breakdown[4].text).toBe(
      '12,300,000.00 > cap 5,000,000.00 per loan: compensation capped at 5,000,000.00',
    );
  });
});

describe('computeCompensation — boundaries', () => {
  const base = {
    annualRate: Rate.of('0.05'),
    interestUnpaidSince: '2025-03-01',
    claimDate: '2025-03-01',
  };

  it('RULES §3: exactly 5,000,000.00 is not capped (10,000,000.00 × 0.50, 0 days)', () => {
    const r = computeCompensation(
      { ...base, principal: Money.of('10000000.00'), ratio: Rate.of('0.50') },
      policy,
    );
    expect(r.days).toBe(0);
    expect(r.interest.toString()).toBe('0.00');
    expect(r.compensation.toString()).toBe('5000000.00');
    expect(r.capped).toBe(false);
  });

  it('RULES §3: one fen above the cap is capped (10,000,000.02 × 0.50 = 5,000,000.01 → 5,000,000.00)', () => {
    const r = computeCompensation(
      { ...base, principal: Money.of('10000000.02'), ratio: Rate.of('0.50') },
      policy,
    );
    expect(r.uncappedCompensation.toString()).toBe('5000000.01');
    expect(r.compensation.toString()).toBe('5000000.00');
    expect(r.capped).toBe(true);
  });

  it('RULES §4 Decision (money): interest rounds half-up (100.00 × 1 × 0.018 / 360 = 0.005 → 0.01)', () => {
    const r = computeCompensation(
      {
        principal: Money.of('100.00'),
        annualRate: Rate.of('0.018'),
        interestUnpaidSince: '2025-03-01',
        claimDate: '2025-03-02',
        ratio: Rate.of('0.50'),
      },
      policy,
    );
    expect(r.interest.toString()).toBe('0.01');
    // loss 100.01 × 0.50 = 50.005 → 50.01: the compensation uses the rounded loss, half-up again
    expect(r.lossAmount.toString()).toBe('100.01');
    expect(r.compensation.toString()).toBe('50.01');
  });

  it('RULES §4 Decision (money): 0.0049… rounds down (100.00 × 1 × 0.0179 / 360 = 0.00497…) → 0.00', () => {
    const r = computeCompensation(
      {
        principal: Money.of('100.00'),
        annualRate: Rate.of('0.0179'),
        interestUnpaidSince: '2025-03-01',
        claimDate: '2025-03-02',
        ratio: Rate.of('0.60'),
      },
      policy,
    );
    expect(r.interest.toString()).toBe('0.00');
    expect(r.compensation.toString()).toBe('60.00');
  });

  it('claimDate before interestUnpaidSince → CLAIM.DATES_OUT_OF_ORDER', () => {
    expectInvalid(
      () =>
        computeCompensation(
          { ...base, principal: Money.of('1.00'), claimDate: '2025-02-28', ratio: Rate.of('0.60') },
          policy,
        ),
      'CLAIM.DATES_OUT_OF_ORDER',
    );
  });

  it('principal 0.00 → CLAIM.PRINCIPAL_INVALID', () => {
    expectInvalid(
      () => computeCompensation({ ...base, principal: Money.ZERO, ratio: Rate.of('0.60') }, policy),
      'CLAIM.PRINCIPAL_INVALID',
    );
  });

  it('property: compensation ≤ 5,000,000.00 and = min(round(loss × ratio), cap); loss ≥ principal', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 5_000_000_000_00n }),
        fc.integer({ min: 0, max: 99_999 }).map((n) => Rate.of(n).times('0.000001')),
        fc.integer({ min: 0, max: 3000 }),
        fc.constantFrom('0.30', '0.35', '0.40', '0.45', '0.50', '0.55', '0.60'),
        (fen, rate, days, ratio) => {
          const principal = Money.fromFen(fen);
          const r = computeCompensation(
            {
              principal,
              annualRate: rate,
              interestUnpaidSince: '2024-01-01',
              claimDate: addDays('2024-01-01', days),
              ratio: Rate.of(ratio),
            },
            policy,
          );
          const cap = Money.of('5000000.00');
          const expected = r.lossAmount.timesRounded(Rate.of(ratio)).min(cap);
          return (
            r.compensation.lte(cap) &&
            r.compensation.eq(expected) &&
            r.lossAmount.gte(principal) &&
            r.capped === r.uncappedCompensation.gt(cap)
          );
        },
      ),
    );
  });
});

describe('compensationCalculator — POST /v1/calculators/compensation (API.md)', () => {
  const apiExample: CompensationCalculatorRequest = {
    principal: Money.of('3000000.00'),
    annualRate: Rate.of('0.0435'),
    interestUnpaidSince: '2025-03-21',
    claimDate: '2025-07-15',
    revenue: Money.of('18000000.00'),
    security: 'collateral',
    termMonths: 12,
    principalOverdueSince: '2025-05-10',
    lawsuitAcceptedOn: null,
  };

  it('API.md example (RULES §4 case A): exactly the documented response fields and figures', () => {
    const r = compensationCalculator(apiExample, policy);
    expect(Object.keys(r).sort()).toEqual([
      'breakdown',
      'capped',
      'compensation',
      'days',
      'eligible',
      'eligibleFrom',
      'lossAmount',
      'policyVersion',
      'ratio',
    ]);
    expect({ ...r, breakdown: undefined }).toEqual({
      eligible: true,
      eligibleFrom: '2025-07-10',
      ratio: '0.60',
      policyVersion: 'henan-2021',
      lossAmount: '3042050.00',
      compensation: '1825230.00',
      capped: false,
      days: 116,
      breakdown: undefined,
    });
    expect(r.breakdown.every((s) => s.rule.startsWith('RULES §'))).toBe(true);
    expect(JSON.parse(JSON.stringify(r)).lossAmount).toBe('3042050.00');
  });

  it('RULES §4 case B via the calculator: 80M revenue, guarantee, 36 months → "0.50", 4,055,611.11', () => {
    const r = compensationCalculator(
      {
        ...apiExample,
        principal: Money.of('8000000.00'),
        annualRate: Rate.of('0.0385'),
        interestUnpaidSince: '2024-12-21',
        claimDate: '2025-04-30',
        revenue: Money.of('80000000.00'),
        security: 'guarantee',
        termMonths: 36,
        principalOverdueSince: '2025-01-21',
      },
      policy,
    );
    expect(r).toMatchObject({
      eligible: true,
      eligibleFrom: '2025-03-21',
      ratio: '0.50',
      lossAmount: '8111222.22',
      compensation: '4055611.11',
      capped: false,
      days: 130,
    });
  });

  it('RULES §4 case C via the calculator: 300M revenue, credit, 24 months → "0.60", capped 5,000,000.00', () => {
    const r = compensationCalculator(
      {
        ...apiExample,
        principal: Money.of('20000000.00'),
        annualRate: Rate.of('0.05'),
        interestUnpaidSince: '2025-01-01',
        claimDate: '2025-06-30',
        revenue: Money.of('300000000.00'),
        security: 'credit',
        termMonths: 24,
        principalOverdueSince: null,
        lawsuitAcceptedOn: '2025-06-15',
      },
      policy,
    );
    expect(r).toMatchObject({
      eligible: true,
      eligibleFrom: '2025-06-15',
      ratio: '0.60',
      lossAmount: '20500000.00',
      compensation: '5000000.00',
      capped: true,
      days: 180,
    });
  });

  it('RULES §4: not yet eligible still shows the amounts, with the reason', () => {
    const r = compensationCalculator({ ...apiExample, claimDate: '2025-07-09' }, policy);
    // days 2025-03-21 → 2025-07-09 = 110; interest 3,000,000 × 110 × 0.0435 / 360 = 39,875.00
    expect(r).toMatchObject({
      eligible: false,
      eligibleFrom: '2025-07-10',
      days: 110,
      lossAmount: '3039875.00',
      compensation: '1823925.00',
    });
    expect(r.ineligibleReason).toEqual({
      code: 'CLAIM.NOT_YET_ELIGIBLE',
      message: 'Not yet eligible on 2025-07-09: the first day a trigger holds is 2025-07-10',
    });
  });

  it('RULES §4: no trigger date at all → eligible false, eligibleFrom null, CLAIM.NO_TRIGGER', () => {
    const r = compensationCalculator(
      { ...apiExample, principalOverdueSince: undefined, lawsuitAcceptedOn: undefined },
      policy,
    );
    expect(r.eligible).toBe(false);
    expect(r.eligibleFrom).toBeNull();
    expect(r.ineligibleReason?.code).toBe('CLAIM.NO_TRIGGER');
  });

  it('termMonths 0 → LOAN.TERM_INVALID (400)', () => {
    expectInvalid(
      () => compensationCalculator({ ...apiExample, termMonths: 0 }, policy),
      'LOAN.TERM_INVALID',
    );
  });

  it('claimDate before interestUnpaidSince → CLAIM.DATES_OUT_OF_ORDER (400)', () => {
    expectInvalid(
      () => compensationCalculator({ ...apiExample, claimDate: '2025-03-20' }, policy),
      'CLAIM.DATES_OUT_OF_ORDER',
    );
  });

  it('an unknown security → LOAN.SECURITY_INVALID (400)', () => {
    expectInvalid(
      () =>
        compensationCalculator(
          {
            ...apiExample,
            security: 'pledge' as unknown as CompensationCalculatorRequest['security'],
          },
          policy,
        ),
      'LOAN.SECURITY_INVALID',
    );
  });
});
