import { readFileSync } from 'fs';
import { join } from 'path';
import { DomainError } from '../../common/errors/domain-error';
import { lprBenchmark } from './lpr-benchmark.calculator';
import { buildDefaultPolicy, policyForRegistration } from './policy-lookup';
import { HENAN_2021_BASE, PolicyVersion } from './policy-version';

const policy = buildDefaultPolicy(
  readFileSync(join(__dirname, '../../../data/lpr-history.csv'), 'utf8'),
);

describe('buildDefaultPolicy', () => {
  it('is HENAN_2021_BASE with the 15 LPR rows of data/lpr-history.csv as fractions', () => {
    expect(policy.lpr).toHaveLength(15);
    expect(policy.lpr[0]).toEqual({
      effectiveFrom: '2019-08-20',
      oneYear: '0.0425',
      fiveYear: '0.0485',
    });
    expect(policy.lpr[14]).toEqual({
      effectiveFrom: '2025-05-20',
      oneYear: '0.03',
      fiveYear: '0.035',
    });
    const { lpr: _lpr, ...rest } = policy;
    expect(rest).toEqual(HENAN_2021_BASE);
  });

  it('refuses an empty table', () => {
    expect(() => buildDefaultPolicy('effective_from,lpr_1y,lpr_5y\n')).toThrow(/no rows/);
  });
});

describe('policyForRegistration (the version in force on the registration date)', () => {
  const v2021: PolicyVersion = { ...policy, id: 'v2021', effectiveFrom: '2021-01-01' };
  const v2024: PolicyVersion = { ...policy, id: 'v2024', effectiveFrom: '2024-07-01' };
  const versions = [v2024, v2021];

  it('the day before a new version keeps the old one', () => {
    expect(policyForRegistration(versions, '2024-06-30').id).toBe('v2021');
  });
  it('the new version applies from its effective date inclusive', () => {
    expect(policyForRegistration(versions, '2024-07-01').id).toBe('v2024');
  });
  it('a date before every version gets the earliest version', () => {
    expect(policyForRegistration(versions, '2019-03-01').id).toBe('v2021');
  });
  it('no version configured is a deployment error', () => {
    expect(() => policyForRegistration([], '2025-01-01')).toThrow();
  });
});

describe('lprBenchmark (RULES §2; S 二(一))', () => {
  it('12 months on 2025-05-20: the new 1-year LPR 3.00% applies from its effective date', () => {
    const r = lprBenchmark(policy, 12, '2025-05-20');
    expect(r.rate.toString()).toBe('0.03');
    expect(r.tenor).toBe('lpr_1y');
    expect(r.lprEffectiveFrom).toBe('2025-05-20');
    expect(r.breakdown[0].text).toBe(
      'Term 12 months ≤ 60 → 1-year LPR in force on 2025-05-20 (since 2025-05-20) = 3%',
    );
  });

  it('12 months on 2025-05-19: the previous 1-year LPR 3.10%', () => {
    expect(lprBenchmark(policy, 12, '2025-05-19').rate.toString()).toBe('0.031');
  });

  it('60 months (≤ 5 years) uses the 1-year LPR: 3.00% on 2025-06-01', () => {
    expect(lprBenchmark(policy, 60, '2025-06-01').rate.toString()).toBe('0.03');
  });

  it('61 months (> 5 years) uses the 5-year LPR: 3.50% on 2025-06-01', () => {
    const r = lprBenchmark(policy, 61, '2025-06-01');
    expect(r.rate.toString()).toBe('0.035');
    expect(r.tenor).toBe('lpr_5y');
  });

  it('first LPR day 2019-08-20, 12 months: 4.25%', () => {
    expect(lprBenchmark(policy, 12, '2019-08-20').rate.toString()).toBe('0.0425');
  });

  it.each([
    [12, '0.0435', 'pboc_up_to_1y'],
    [13, '0.0475', 'pboc_1y_to_5y'],
    [60, '0.0475', 'pboc_1y_to_5y'],
    [61, '0.049', 'pboc_over_5y'],
  ])('2019-08-19 (before the LPR), %i months → PBoC benchmark %s', (term, rate, tenor) => {
    const r = lprBenchmark(policy, term, '2019-08-19');
    expect(r.rate.toString()).toBe(rate);
    expect(r.tenor).toBe(tenor);
    expect(r.lprEffectiveFrom).toBeNull();
  });

  it('refuses a bad contract date and a term below 1 month', () => {
    expect(() => lprBenchmark(policy, 12, '2025-02-30')).toThrow(DomainError);
    expect(() => lprBenchmark(policy, 0, '2025-02-01')).toThrow(DomainError);
  });
});
