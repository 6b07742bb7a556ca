import { DomainError } from '../errors/domain-error';
import {
  nextQuarter,
  parseQuarter,
  previousQuarter,
  quarterFirstDay,
  quarterFirstMonthDay,
  quarterLastDay,
  quarterOf,
} from './quarter';

describe('quarters (RULES §9)', () => {
  it('parseQuarter reads 2025Q2', () => {
    expect(parseQuarter('2025Q2')).toEqual({ year: 2025, quarter: 2 });
  });

  it.each(['2025Q0', '2025Q5', '2025q2', '25Q2', '2025-Q2', '', ' 2025Q2', '0000Q1'])(
    'parseQuarter refuses %j with QUARTER.INVALID',
    (q) => {
      try {
        parseQuarter(q);
        throw new Error('expected a throw');
      } catch (e) {
        expect(e).toBeInstanceOf(DomainError);
        expect((e as DomainError).code).toBe('QUARTER.INVALID');
        expect((e as DomainError).kind).toBe('invalid');
      }
    },
  );

  it('parseQuarter refuses a non-string', () => {
    expect(() => parseQuarter(20252)).toThrow(DomainError);
  });

  it.each([
    ['2025-01-01', '2025Q1'],
    ['2025-03-31', '2025Q1'],
    ['2025-04-01', '2025Q2'],
    ['2025-09-30', '2025Q3'],
    ['2025-12-31', '2025Q4'],
  ])('quarterOf(%s) = %s', (d, q) => {
    expect(quarterOf(d)).toBe(q);
  });

  it.each([
    ['2025Q1', '2025-01-01', '2025-03-31'],
    ['2024Q1', '2024-01-01', '2024-03-31'],
    ['2025Q2', '2025-04-01', '2025-06-30'],
    ['2025Q3', '2025-07-01', '2025-09-30'],
    ['2025Q4', '2025-10-01', '2025-12-31'],
  ])('%s runs from %s to %s', (q, first, last) => {
    expect(quarterFirstDay(q)).toBe(first);
    expect(quarterLastDay(q)).toBe(last);
  });

  it('previous and next quarters cross year ends', () => {
    expect(previousQuarter('2025Q1')).toBe('2024Q4');
    expect(previousQuarter('2025Q3')).toBe('2025Q2');
    expect(nextQuarter('2024Q4')).toBe('2025Q1');
    expect(nextQuarter('2025Q2')).toBe('2025Q3');
  });

  it('quarterFirstMonthDay: bank reports and margins by the 10th, loss rates by the 25th (B 第十、十七条)', () => {
    expect(quarterFirstMonthDay('2025Q3', 10)).toBe('2025-07-10');
    expect(quarterFirstMonthDay('2025Q1', 25)).toBe('2025-01-25');
    expect(quarterFirstMonthDay('2025Q4', 10)).toBe('2025-10-10');
  });

  it('quarterFirstMonthDay refuses a day the month lacks', () => {
    expect(() => quarterFirstMonthDay('2025Q1', 32)).toThrow(DomainError);
    expect(() => quarterFirstMonthDay('2025Q1', 0)).toThrow(DomainError);
  });
});
