import { readFileSync } from 'fs';
import { join } from 'path';
import { DomainError } from '../../common/errors/domain-error';
import { HENAN_2021 } from './henan-versions';
import { rateCapBenchmark } from './rate-cap-benchmark.calculator';
import { type ReferenceRates, parseLprCsv, parsePbocCsv, syncReferenceRows } from './reference-rates';

const data = (name: string) => readFileSync(join(__dirname, '../../../data', name), 'utf8');
const rates: ReferenceRates = { lpr: parseLprCsv(data('lpr-history.csv')), pboc: parsePbocCsv(data('pboc-benchmark-history.csv')) };
const pboc = HENAN_2021;
const lpr = { ...HENAN_2021, rateCapBasis: 'lpr' as const };

describe('reference-rate files (RULES §2: dated reference data)', () => {
  it('data/lpr-history.csv: 15 rows as fractions, the last the 3.00% of 2025-05-20', () => {
    expect(rates.lpr).toHaveLength(15);
    expect(rates.lpr[0]).toEqual({ effectiveFrom: '2019-08-20', oneYear: '0.0425', fiveYear: '0.0485' });
    expect(rates.lpr[14]).toEqual({ effectiveFrom: '2025-05-20', oneYear: '0.03', fiveYear: '0.035' });
  });

  it('data/pboc-benchmark-history.csv: 4.35 / 4.75 / 4.90 from 2015-10-24', () => {
    expect(rates.pboc).toEqual([{ effectiveFrom: '2015-10-24', upToOneYear: '0.0435', oneToFiveYears: '0.0475', overFiveYears: '0.049' }]);
  });

  it('refuses a malformed row and a date given twice', () => {
    expect(() => parseLprCsv('effective_from,lpr_1y,lpr_5y\n2025-05-20,3.00\n')).toThrow(/malformed/);
    expect(() => parseLprCsv('2025-05-20,3.00,3.50\n2025-05-20,3.00,3.50\n')).toThrow(/twice/);
  });

  it('a database that stopped at 2024-10-21 learns the 2025-05-20 row; equal values in another spelling are no change', () => {
    const stored = rates.lpr.slice(0, 14).map((r) => ({ ...r, oneYear: `${r.oneYear}000000`.slice(0, 10) }));
    const sync = syncReferenceRows(stored, rates.lpr);
    expect(sync.missing).toEqual([{ effectiveFrom: '2025-05-20', oneYear: '0.03', fiveYear: '0.035' }]);
    expect(sync.changed).toEqual([]);
  });

  it('a stored row whose values differ from the file is reported, not overwritten', () => {
    const stored = [{ effectiveFrom: '2025-05-20', oneYear: '0.031', fiveYear: '0.035' }];
    expect(syncReferenceRows(stored, rates.lpr.slice(14)).changed).toHaveLength(1);
  });
});

describe('rateCapBenchmark, basis pboc_benchmark (RULES §2 revised 2026-12: the default)', () => {
  it.each([
    [12, '0.0435', 'pboc_up_to_1y'],
    [13, '0.0475', 'pboc_1y_to_5y'],
    [36, '0.0475', 'pboc_1y_to_5y'],
    [60, '0.0475', 'pboc_1y_to_5y'],
    [61, '0.049', 'pboc_over_5y'],
  ])('contract 2025-06-03, %i months → PBoC benchmark %s (caps 5.655%% / 6.175%% / 6.37%% with × 1.3)', (term, rate, tenor) => {
    const r = rateCapBenchmark(rates, pboc, term, '2025-06-03');
    expect(r.rate.toString()).toBe(rate);
    expect(r.tenor).toBe(tenor);
    expect(r.rowEffectiveFrom).toBe('2015-10-24');
  });

  it('names the basis, the policy and the row in its breakdown', () => {
    expect(rateCapBenchmark(rates, pboc, 12, '2025-06-03').breakdown[0].text).toBe(
      'Rate cap basis pboc_benchmark (policy henan-2021): PBoC benchmark lending rate for a 12-month term (up to one year) in force on 2025-06-03 (since 2015-10-24) = 4.35%',
    );
  });
});

describe('rateCapBenchmark, basis lpr (the alternative reading of 换算)', () => {
  it('12 months on 2025-05-20: the new 1-year LPR 3.00% applies from its effective date', () => {
    const r = rateCapBenchmark(rates, lpr, 12, '2025-05-20');
    expect(r.rate.toString()).toBe('0.03');
    expect(r.tenor).toBe('lpr_1y');
    expect(r.rowEffectiveFrom).toBe('2025-05-20');
  });

  it('12 months on 2025-05-19: the previous 1-year LPR 3.10%', () => {
    expect(rateCapBenchmark(rates, lpr, 12, '2025-05-19').rate.toString()).toBe('0.031');
  });

  it('a table without the 2025-05-20 row gives 3.10% for the same contract: the row, not the policy, decides', () => {
    const old = { ...rates, lpr: rates.lpr.slice(0, 14) };
    expect(rateCapBenchmark(old, lpr, 12, '2025-06-03').rate.toString()).toBe('0.031');
    expect(rateCapBenchmark(rates, lpr, 12, '2025-06-03').rate.toString()).toBe('0.03');
  });

  it('60 months uses the 1-year LPR, 61 months the 5-year LPR (3.50%)', () => {
    expect(rateCapBenchmark(rates, lpr, 60, '2025-06-01').rate.toString()).toBe('0.03');
    const r = rateCapBenchmark(rates, lpr, 61, '2025-06-01');
    expect(r.rate.toString()).toBe('0.035');
    expect(r.tenor).toBe('lpr_5y');
  });

  it.each([
    [12, '0.0435', 'pboc_up_to_1y'],
    [61, '0.049', 'pboc_over_5y'],
  ])('2019-08-19 (before the first LPR), %i months → PBoC benchmark %s', (term, rate, tenor) => {
    const r = rateCapBenchmark(rates, lpr, term, '2019-08-19');
    expect(r.rate.toString()).toBe(rate);
    expect(r.tenor).toBe(tenor);
  });

  it('refuses a bad contract date and a term below 1 month', () => {
    expect(() => rateCapBenchmark(rates, lpr, 12, '2025-02-30')).toThrow(DomainError);
    expect(() => rateCapBenchmark(rates, lpr, 0, '2025-02-01')).toThrow(DomainError);
  });
});
