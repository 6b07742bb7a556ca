import { readFileSync } from 'fs';
import { join } from 'path';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { HENAN_2021 } from '../../programme/domain/henan-versions';
import { parseLprCsv, parsePbocCsv } from '../../programme/domain/reference-rates';
import { EligibilityInput, checkEligibility } from './eligibility.calculator';

const data = (name: string) => readFileSync(join(__dirname, '../../../data', name), 'utf8');
const rates = { lpr: parseLprCsv(data('lpr-history.csv')), pboc: parsePbocCsv(data('pboc-benchmark-history.csv')) };
/** The LPR reading of the rate cap (the alternative basis); most rate examples below use it. */
const policy = { ...HENAN_2021, rateCapBasis: 'lpr' as const };

/** A loan that meets every rule: 5,000,000.00 at 3.50%, 12 months, contracted 2025-06-03. */
function loan(overrides: Partial<EligibilityInput> = {}): EligibilityInput {
  return {
    amount: Money.of('5000000.00'),
    annualRate: Rate.of('0.035'),
    termMonths: 12,
    contractDate: '2025-06-03',
    security: 'collateral',
    collateralValue: Money.of('1000000.00'),
    singleAssetException: false,
    isRenewal: false,
    borrower: { highTech: true, techSme: false },
    ...overrides,
  };
}

function codes(input: EligibilityInput): string[] {
  return checkEligibility(input, policy, rates).violations.map((v) => v.code);
}

describe('checkEligibility — collateral ≤ 30% (RULES §2; S 二(一))', () => {
  it('RULES §2: collateral exactly 30% is allowed (5,000,000.00 × 0.30 = 1,500,000.00)', () => {
    const r = checkEligibility(loan({ collateralValue: Money.of('1500000.00') }), policy, rates);
    expect(r.eligible).toBe(true);
    expect(r.collateralRatio.toString()).toBe('0.3');
    expect(r.breakdown[0].text).toBe(
      'Collateral 1,500,000.00 ≤ 5,000,000.00 × 0.30 = 1,500,000.00: within the limit (ratio 30%)',
    );
  });

  it('RULES §2: collateral one fen above 30% (1,500,000.01) is refused with its figures', () => {
    const r = checkEligibility(loan({ collateralValue: Money.of('1500000.01') }), policy, rates);
    expect(r.eligible).toBe(false);
    expect(r.violations).toEqual([
      {
        code: 'LOAN.COLLATERAL_TOO_HIGH',
        message:
          'Collateral 1,500,000.01 is above 5,000,000.00 × 0.30 = 1,500,000.00 (30% of the loan)',
        collateralValue: '1500000.01',
        amount: '5000000.00',
        collateralMax: '1500000.00',
        collateralRatio: '0.3',
        collateralRatioMax: '0.3',
      },
    ]);
  });

  it('RULES §2: a single indivisible asset above 30% is allowed with the exception flag', () => {
    const r = checkEligibility(
      loan({ collateralValue: Money.of('4000000.00'), singleAssetException: true }),
      policy, rates,
    );
    expect(r.eligible).toBe(true);
    expect(r.collateralRatio.toString()).toBe('0.8');
  });

  it('RULES §3: a credit loan with collateral recorded is inconsistent', () => {
    expect(codes(loan({ security: 'credit', collateralValue: Money.of('100.00') }))).toEqual([
      'LOAN.SECURITY_INCONSISTENT',
    ]);
  });

  it('RULES §3: a credit loan without collateral is fine', () => {
    expect(codes(loan({ security: 'credit', collateralValue: Money.ZERO }))).toEqual([]);
  });
});

describe('checkEligibility — rate ≤ PBoC benchmark × 1.3, the default basis (RULES §2 revised 2026-12)', () => {
  it('RULES §2: 12 months contracted 2025-06-03, 5.655% (4.35% × 1.3) is allowed; 5.656% is above the cap', () => {
    const r = checkEligibility(loan({ annualRate: Rate.of('0.05655') }), HENAN_2021, rates);
    expect(r.eligible).toBe(true);
    expect(r.rateCap.toString()).toBe('0.05655');
    expect(checkEligibility(loan({ annualRate: Rate.of('0.05656') }), HENAN_2021, rates).violations.map((v) => v.code)).toEqual(['LOAN.RATE_ABOVE_CAP']);
  });

  it.each([
    [36, '0.06175'],
    [61, '0.0637'],
  ])('RULES §2: %i months → cap %s (4.75% / 4.90% × 1.3)', (termMonths, cap) => {
    expect(checkEligibility(loan({ termMonths, annualRate: Rate.of(cap) }), HENAN_2021, rates).rateCap.toString()).toBe(cap);
  });
});

describe('checkEligibility — rate ≤ LPR × 1.3, the lpr basis (RULES §2; S 二(一))', () => {
  it('RULES §2: 12 months on 2025-06-03, rate exactly the cap 3.00% × 1.3 = 3.90% is allowed', () => {
    const r = checkEligibility(loan({ annualRate: Rate.of('0.039') }), policy, rates);
    expect(r.eligible).toBe(true);
    expect(r.rateCap.toString()).toBe('0.039');
  });

  it('RULES §2: 3.900001% is above the 3.90% cap, refused with the figures', () => {
    const r = checkEligibility(loan({ annualRate: Rate.of('0.03900001') }), policy, rates);
    expect(r.violations).toEqual([
      {
        code: 'LOAN.RATE_ABOVE_CAP',
        message: 'Rate 3.900001% is above the cap 3.9% (benchmark 3% × 1.3)',
        annualRate: '0.03900001',
        benchmark: '0.03',
        rateCapMultiplier: '1.3',
        rateCap: '0.039',
      },
    ]);
  });

  it('RULES §2: a 61-month loan is capped on the 5-year LPR: 3.50% × 1.3 = 4.55%', () => {
    expect(
      checkEligibility(loan({ termMonths: 61, annualRate: Rate.of('0.0455') }), policy, rates).eligible,
    ).toBe(true);
    expect(codes(loan({ termMonths: 61, annualRate: Rate.of('0.04550001') }))).toEqual([
      'LOAN.RATE_ABOVE_CAP',
    ]);
  });

  it('RULES §2: the LPR in force on the contract date counts: 2025-05-19 → 3.10% × 1.3 = 4.03%', () => {
    const r = checkEligibility(
      loan({ contractDate: '2025-05-19', annualRate: Rate.of('0.0403') }),
      policy, rates,
    );
    expect(r.eligible).toBe(true);
    expect(r.rateCap.toString()).toBe('0.0403');
  });

  it('RULES §2: a 2019-06-01 contract uses the PBoC benchmark: 12 months 4.35% × 1.3 = 5.655%', () => {
    expect(
      checkEligibility(loan({ contractDate: '2019-06-01', annualRate: Rate.of('0.05655') }), policy, rates)
        .eligible,
    ).toBe(true);
    expect(codes(loan({ contractDate: '2019-06-01', annualRate: Rate.of('0.05656') }))).toEqual([
      'LOAN.RATE_ABOVE_CAP',
    ]);
  });
});

describe('checkEligibility — borrower and term (RULES §2; B 第七条)', () => {
  it('RULES §2: neither high-tech nor tech SME is refused', () => {
    expect(codes(loan({ borrower: { highTech: false, techSme: false } }))).toEqual([
      'LOAN.BORROWER_NOT_QUALIFIED',
    ]);
  });

  it('RULES §2: a tech SME that is not high-tech qualifies', () => {
    expect(codes(loan({ borrower: { highTech: false, techSme: true } }))).toEqual([]);
  });

  it('RULES §2 Decision: 11 months, not a renewal, is too short', () => {
    const r = checkEligibility(loan({ termMonths: 11 }), policy, rates);
    expect(r.violations).toEqual([
      {
        code: 'LOAN.TERM_TOO_SHORT',
        message: 'Term 11 months is shorter than 12 months and the loan is not a renewal',
        termMonths: 11,
        termMonthsMin: 12,
      },
    ]);
  });

  it('RULES §2 Decision: 11 months as a renewal is allowed', () => {
    expect(codes(loan({ termMonths: 11, isRenewal: true }))).toEqual([]);
  });

  it('RULES §2: 12 months exactly is allowed', () => {
    expect(codes(loan({ termMonths: 12 }))).toEqual([]);
  });
});

describe('checkEligibility — every broken rule is listed', () => {
  it('RULES §2: collateral, rate, borrower and term all broken → four violations, in order', () => {
    const r = checkEligibility(
      loan({
        collateralValue: Money.of('2000000.00'),
        annualRate: Rate.of('0.05'),
        borrower: { highTech: false, techSme: false },
        termMonths: 6,
      }),
      policy, rates,
    );
    expect(r.eligible).toBe(false);
    expect(r.violations.map((v) => v.code)).toEqual([
      'LOAN.COLLATERAL_TOO_HIGH',
      'LOAN.RATE_ABOVE_CAP',
      'LOAN.BORROWER_NOT_QUALIFIED',
      'LOAN.TERM_TOO_SHORT',
    ]);
    expect(r.breakdown[r.breakdown.length - 1].text).toBe('4 condition(s) broken: not eligible');
  });
});

describe('checkEligibility — malformed input is a 400, not a violation', () => {
  it.each([
    ['amount 0.00', { amount: Money.ZERO }, 'LOAN.AMOUNT_INVALID'],
    ['term 0', { termMonths: 0 }, 'LOAN.TERM_INVALID'],
    ['term 1.5', { termMonths: 1.5 }, 'LOAN.TERM_INVALID'],
    ['bad date', { contractDate: '2025-02-29' }, 'DATE.INVALID'],
  ] as const)('%s', (_name, overrides, code) => {
    try {
      checkEligibility(loan(overrides as Partial<EligibilityInput>), policy, rates);
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe(code);
      expect((e as DomainError).kind).toBe('invalid');
    }
  });
});
