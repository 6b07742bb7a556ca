import fc from 'fast-check';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { HENAN_2021, HENAN_2025 } from '../../programme/domain/henan-versions';
import {
  RevenueRecord,
  chooseRevenueYear,
  compensationRatio,
  registrationCompensationRatio,
} from './compensation-ratio.calculator';
import { LOAN_SECURITIES, LoanSecurity } from './loan-security';

const policy = HENAN_2021;

function ratioFor(revenue: string, security: LoanSecurity = 'collateral', termMonths = 12): string {
  return compensationRatio(
    { revenue: Money.of(revenue), security, termMonths },
    policy,
  ).ratio.toFixed(2);
}

describe('compensationRatio — revenue brackets, bounds inclusive (RULES §3; S 二(一)3(1)a–d)', () => {
  it.each([
    ['0.00', '0.60'],
    ['20000000.00', '0.60'],
    ['20000000.01', '0.50'],
    ['50000000.00', '0.50'],
    ['50000000.01', '0.40'],
    ['100000000.00', '0.40'],
    ['100000000.01', '0.30'],
    ['300000000.00', '0.30'],
  ])('RULES §3: revenue %s, 12 months, collateral → %s', (revenue, expected) => {
    expect(ratioFor(revenue)).toBe(expected);
  });

  it('RULES §3: the breakdown shows the bracket edges', () => {
    const r = compensationRatio(
      { revenue: Money.of('20000000.01'), security: 'guarantee', termMonths: 12 },
      policy,
    );
    expect(r.breakdown.map((s) => s.text)).toEqual([
      'Revenue bracket: 20,000,000.00 < 20,000,000.01 ≤ 50,000,000.00 → base ratio 0.50',
      'Term 12 months: not longer than one year, no bonus',
      '0.50 + 0.00 = 0.50 ≤ cap 0.60 → ratio 0.50',
    ]);
  });
});

describe('compensationRatio — credit and shareholder-guarantee-only loans (RULES §3; S 二(一)3(1)e)', () => {
  it('RULES §3: a credit loan of a 300,000,000.00-revenue borrower gets 0.60', () => {
    const r = compensationRatio(
      { revenue: Money.of('300000000.00'), security: 'credit', termMonths: 24 },
      policy,
    );
    expect(r.ratio.toFixed(2)).toBe('0.60');
    expect(r.basis).toBe('credit_or_shareholder_guarantee');
    // 0.60 + 0.05 = 0.65 > cap 0.60
    expect(r.capped).toBe(true);
  });

  it('RULES §3: shareholder guarantee only, revenue 80,000,000.00 → 0.60', () => {
    expect(ratioFor('80000000.00', 'shareholder_guarantee_only')).toBe('0.60');
  });

  it('RULES §3: a guarantee by others does not qualify: revenue 80,000,000.00 → 0.40', () => {
    expect(ratioFor('80000000.00', 'guarantee')).toBe('0.40');
  });
});

describe('compensationRatio — term bonus, whole years, cap 60% (RULES §3 Decision; S 二(一)3(1)f)', () => {
  it.each([
    [12, '0.30'],
    [18, '0.30'], // floor(6 / 12) = 0
    [23, '0.30'], // floor(11 / 12) = 0
    [24, '0.35'], // floor(12 / 12) = 1 → +0.05
    [35, '0.35'],
    [36, '0.40'], // 2 → +0.10
    [60, '0.50'], // 4 → +0.20
    [72, '0.55'], // 5 → +0.25
    [84, '0.60'], // 6 → +0.30 = 0.60, exactly the cap
    [96, '0.60'], // 7 → 0.65 capped
  ])('RULES §3: revenue 300,000,000.00, %i months → %s', (term, expected) => {
    expect(ratioFor('300000000.00', 'collateral', term)).toBe(expected);
  });

  it('RULES §3: renewal terms below a year get no (negative) bonus: 6 months → base 0.60', () => {
    const r = compensationRatio(
      { revenue: Money.of('1000000.00'), security: 'collateral', termMonths: 6 },
      policy,
    );
    expect(r.additionalYears).toBe(0);
    expect(r.ratio.toFixed(2)).toBe('0.60');
  });

  it('RULES §4 case B: 80,000,000.00, guarantee, 36 months → 0.40 + 0.10 = 0.50', () => {
    const r = compensationRatio(
      { revenue: Money.of('80000000.00'), security: 'guarantee', termMonths: 36 },
      policy,
    );
    expect(r.ratio.toFixed(2)).toBe('0.50');
    expect(r.breakdown.map((s) => s.text)).toEqual([
      'Revenue bracket: 50,000,000.00 < 80,000,000.00 ≤ 100,000,000.00 → base ratio 0.40',
      'Term 36 months: floor((36 − 12) / 12) = 2 whole additional year(s) × 0.05 = 0.10',
      '0.40 + 0.10 = 0.50 ≤ cap 0.60 → ratio 0.50',
    ]);
  });

  it('RULES §3: 40,000,000.00 for 36 months → 0.50 + 0.10 = 0.60 (not capped, equal)', () => {
    const r = compensationRatio(
      { revenue: Money.of('40000000.00'), security: 'collateral', termMonths: 36 },
      policy,
    );
    expect(r.ratio.toFixed(2)).toBe('0.60');
    expect(r.capped).toBe(false);
  });

  it('property: the ratio is never above the cap 0.60 and never below min(base ratio, cap)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 100_000_000_000n }),
        fc.constantFrom(...LOAN_SECURITIES),
        fc.integer({ min: 1, max: 360 }),
        (fen, security, termMonths) => {
          const r = compensationRatio(
            { revenue: Money.fromFen(fen), security, termMonths },
            policy,
          );
          const cap = Rate.of('0.60');
          return r.ratio.lte(cap) && r.ratio.gte(r.baseRatio.min(cap));
        },
      ),
    );
  });
});

describe('chooseRevenueYear (RULES §3 Decision; B 第九条)', () => {
  const rev = (year: number, amount = '18000000.00'): RevenueRecord => ({
    year,
    amount: Money.of(amount),
  });

  it('RULES §3: prior year recorded → prior year, whatever the date (2025-03-10 → 2024)', () => {
    const c = chooseRevenueYear(
      { registeredOn: '2025-03-10', revenues: [rev(2023, '1.00'), rev(2024)] },
      policy,
    );
    expect(c).toMatchObject({ found: true, year: 2024 });
    expect(c.found && c.revenue.toString()).toBe('18000000.00');
  });

  it('RULES §3: 2025-05-31 (before 06-01), 2024 missing → 2023', () => {
    const c = chooseRevenueYear({ registeredOn: '2025-05-31', revenues: [rev(2023)] }, policy);
    expect(c).toMatchObject({ found: true, year: 2023 });
    expect(c.breakdown[0].text).toBe(
      'Registered 2025-05-31, before 06-01 (month-day): 2024 revenue not recorded, so 2023 revenue is used: 18,000,000.00',
    );
  });

  it('RULES §3: 2025-06-01 (the cut-off day itself), 2024 missing → LOAN.REVENUE_MISSING', () => {
    const c = chooseRevenueYear({ registeredOn: '2025-06-01', revenues: [rev(2023)] }, policy);
    expect(c.found).toBe(false);
    expect(!c.found && c.violation).toEqual({
      code: 'LOAN.REVENUE_MISSING',
      message:
        "No revenue recorded for 2024; a registration on or after 06-01 (month-day) needs the prior year's revenue",
      field: 'revenues',
      registrationYear: 2025,
      yearsAccepted: [2024],
    });
  });

  it('RULES §3: 2025-01-02 with neither 2024 nor 2023 → LOAN.REVENUE_MISSING listing both years', () => {
    const c = chooseRevenueYear({ registeredOn: '2025-01-02', revenues: [rev(2022)] }, policy);
    expect(!c.found && c.violation.yearsAccepted).toEqual([2024, 2023]);
  });

  it('a year given twice is malformed input', () => {
    expect(() =>
      chooseRevenueYear({ registeredOn: '2025-01-02', revenues: [rev(2024), rev(2024)] }, policy),
    ).toThrow(DomainError);
  });
});

describe('registrationCompensationRatio', () => {
  it('RULES §4 case A: registered 2025-03-10, 2024 revenue 18,000,000.00, collateral, 12 months → 2024, 0.60', () => {
    const r = registrationCompensationRatio(
      {
        registeredOn: '2025-03-10',
        revenues: [{ year: 2024, amount: Money.of('18000000.00') }],
        security: 'collateral',
        termMonths: 12,
      },
      policy,
    );
    expect(r.revenueYearUsed).toBe(2024);
    expect(r.ratio.toFixed(2)).toBe('0.60');
    expect(r.breakdown[0].text).toBe(
      'Registered 2025-03-10: prior-year (2024) revenue is recorded: 18,000,000.00',
    );
  });

  it('RULES §3: missing revenue throws DomainError rule LOAN.REVENUE_MISSING (422) even for a credit loan', () => {
    try {
      registrationCompensationRatio(
        { registeredOn: '2025-07-01', revenues: [], security: 'credit', termMonths: 12 },
        policy,
      );
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('LOAN.REVENUE_MISSING');
      expect((e as DomainError).kind).toBe('rule');
      expect((e as DomainError).details[0].code).toBe('LOAN.REVENUE_MISSING');
    }
  });
});

describe('compensationRatio — henan-2025 research-cooperation category (RULES §11a)', () => {
  const input = (revenue: string, researchCooperation: boolean, termMonths = 36) => ({ revenue: Money.of(revenue), security: 'collateral' as const, termMonths, researchCooperation });
  it('research cooperation and revenue 9,999,999.99 < 10,000,000.00 → 0.80, no term bonus, not cut by the 60% cap', () => {
    const r = compensationRatio(input('9999999.99', true), HENAN_2025);
    expect(r).toMatchObject({ basis: 'research_cooperation', capped: false });
    expect(r.ratio.toString()).toBe('0.8');
    expect(r.breakdown[0]).toMatchObject({ policyVersion: 'henan-2025', value: '0.80' });
  });
  it('revenue exactly 10,000,000.00 is not below: the bracket rules (60%, capped)', () => {
    expect(compensationRatio(input('10000000.00', true), HENAN_2025).ratio.toString()).toBe('0.6');
  });
  it('henan-2021 has no such category: 60% and the breakdown says why', () => {
    const r = compensationRatio(input('5000000.00', true, 12), HENAN_2021);
    expect(r.ratio.toString()).toBe('0.6');
    expect(r.breakdown[0].text).toBe('Research cooperation: policy henan-2021 has no research-cooperation category; the usual ratio rules apply');
  });
  it('credit loans stay 60% under henan-2025', () => {
    expect(compensationRatio({ revenue: Money.of('300000000.00'), security: 'credit', termMonths: 12 }, HENAN_2025).ratio.toString()).toBe('0.6');
  });
});
