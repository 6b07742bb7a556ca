import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../common/errors/domain-error';
import { findDataFile } from '../data-files';
import type { ProgrammeDocument } from './programme-document';
import { runGrant } from './programme-grants';

const GX = JSON.parse(readFileSync(join(findDataFile('programmes'), 'guangxi-employment-measures.json'), 'utf8')) as ProgrammeDocument;
const calc = (id: string) => {
  const c = GX.calculators.find((x) => x.id === id);
  if (!c) throw new Error(id);
  return c;
};

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('Guangxi grant calculators (桂人社发〔2025〕38号)', () => {
  it('job-retention refund 一(二): an SME gets 90% — 123,456.78 × 0.90 = 111,111.102 → 111,111.10', () => {
    expect(runGrant(calc('job-retention-refund'), { amount: '123456.78', sizeClass: 'small', on: '2025-06-30' })).toMatchObject({ amount: '111111.10', isMaximum: false });
  });

  it('job-retention refund 一(二): a large firm gets 50% — 123,456.78 × 0.50 = 61,728.39', () => {
    expect(runGrant(calc('job-retention-refund'), { amount: '123456.78', sizeClass: 'large' }).amount).toBe('61728.39');
  });

  it('job-retention refund after 2025-12-31 is refused (政策执行期限至2025年12月底)', () => {
    expect(refusal(() => runGrant(calc('job-retention-refund'), { amount: '100.00', sizeClass: 'micro', on: '2026-01-01' })).code).toBe('PROGRAMME.NOT_IN_FORCE');
  });

  it('one-off expansion subsidy 二(六): 7 youths × 1,500.00 = 10,500.00', () => {
    expect(runGrant(calc('expansion-subsidy'), { persons: 7 }).amount).toBe('10500.00');
  });

  it('social-insurance subsidy 二(五): 25% of 4,321.15 = 1,080.2875 → 1,080.29', () => {
    expect(runGrant(calc('social-insurance-subsidy'), { amount: '4321.15' }).amount).toBe('1080.29');
  });

  it('employment-service subsidy 四(十六): 3 persons × at most 1,000.00 = 3,000.00, flagged as a maximum', () => {
    expect(runGrant(calc('employment-service-subsidy'), { persons: 3 })).toMatchObject({ amount: '3000.00', isMaximum: true });
  });

  it('bad input is a 400 listing every field: a JSON-number amount, an unknown size class', () => {
    const e = refusal(() => runGrant(calc('job-retention-refund'), { amount: 100, sizeClass: 'huge' }));
    expect([e.kind, e.code, e.details.map((d) => d.field)]).toEqual(['invalid', 'PROGRAMME.INPUT_INVALID', ['amount', 'sizeClass']]);
  });
});
