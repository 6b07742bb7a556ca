import fc from 'fast-check';
import { DomainError } from '../errors/domain-error';
import {
  addDays,
  addMonths,
  dayOfWeek,
  daysBetween,
  daysInMonth,
  fromDayNumber,
  isValidIsoDate,
  monthDayOf,
  parseIsoDate,
  toDayNumber,
} from './iso-date';

/** An arbitrary real date between 1990 and 2100, built from integers (no JS Date). */
const arbDate = fc
  .record({
    year: fc.integer({ min: 1990, max: 2100 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ year, month, day }) => {
    const d = Math.min(day, daysInMonth(year, month));
    return `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  });

describe('isValidIsoDate (RULES §9; API.md dates are YYYY-MM-DD)', () => {
  it.each(['2025-01-01', '2024-02-29', '2000-02-29', '2025-12-31'])('accepts %s', (d) => {
    expect(isValidIsoDate(d)).toBe(true);
  });

  it.each([
    '2025-02-29',
    '1900-02-29',
    '2025-13-01',
    '2025-00-10',
    '2025-04-31',
    '2025-1-01',
    '2025-01-01T00:00:00Z',
    '20250101',
    '',
    ' 2025-01-01',
    '0000-01-01',
  ])('refuses %j', (d) => {
    expect(isValidIsoDate(d)).toBe(false);
  });

  it('refuses non-strings', () => {
    expect(isValidIsoDate(20250101)).toBe(false);
    expect(isValidIsoDate(null)).toBe(false);
  });

  it('parseIsoDate throws DomainError invalid DATE.INVALID', () => {
    try {
      parseIsoDate('2025-02-30', 'claimDate');
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('DATE.INVALID');
      expect((e as DomainError).kind).toBe('invalid');
      expect((e as DomainError).details[0].field).toBe('claimDate');
    }
  });
});

describe('day numbers and weekdays', () => {
  it('1970-01-01 is day 0 and a Thursday', () => {
    expect(toDayNumber('1970-01-01')).toBe(0);
    expect(dayOfWeek('1970-01-01')).toBe(4);
  });

  it('2025-01-26 is a Sunday, 2025-02-08 a Saturday, 2026-02-14 a Saturday', () => {
    expect(dayOfWeek('2025-01-26')).toBe(0);
    expect(dayOfWeek('2025-02-08')).toBe(6);
    expect(dayOfWeek('2026-02-14')).toBe(6);
  });

  it('property: fromDayNumber(toDayNumber(d)) = d', () => {
    fc.assert(fc.property(arbDate, (d) => fromDayNumber(toDayNumber(d)) === d));
  });
});

describe('addDays / daysBetween (actual calendar days, RULES §4 ACT/360)', () => {
  it('example A: 2025-03-21 → 2025-07-15 is 116 days (10 + 30 + 31 + 30 + 15)', () => {
    expect(daysBetween('2025-03-21', '2025-07-15')).toBe(116);
  });

  it('example B: 2024-12-21 → 2025-04-30 is 130 days (10 + 31 + 28 + 31 + 30)', () => {
    expect(daysBetween('2024-12-21', '2025-04-30')).toBe(130);
  });

  it('example C: 2025-01-01 → 2025-06-30 is 180 days (31 + 28 + 31 + 30 + 31 + 29)', () => {
    expect(daysBetween('2025-01-01', '2025-06-30')).toBe(180);
  });

  it('is negative when b is before a, and 366 across leap year 2024', () => {
    expect(daysBetween('2025-01-02', '2025-01-01')).toBe(-1);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
  });

  it('addDays crosses month, leap day and year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
  });

  it('property: daysBetween(d, addDays(d, n)) = n', () => {
    fc.assert(
      fc.property(
        arbDate,
        fc.integer({ min: -5000, max: 5000 }),
        (d, n) => daysBetween(d, addDays(d, n)) === n,
      ),
    );
  });
});

describe('addMonths with month-end clamping (RULES §4 Decision)', () => {
  it.each([
    ['2025-02-28', 2, '2025-04-28'],
    ['2024-12-31', 2, '2025-02-28'],
    ['2024-08-31', 1, '2024-09-30'],
    ['2023-12-31', 2, '2024-02-29'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2025-05-10', 2, '2025-07-10'],
    ['2025-11-30', 2, '2026-01-30'],
    ['2025-03-31', -1, '2025-02-28'],
    ['2025-01-15', -13, '2023-12-15'],
    ['2025-01-15', 0, '2025-01-15'],
  ] as const)('%s + %i months = %s', (date, n, expected) => {
    expect(addMonths(date, n)).toBe(expected);
  });

  it('property: never overflows the target month, keeps the day when it exists, lands n months on', () => {
    fc.assert(
      fc.property(arbDate, fc.integer({ min: -240, max: 240 }), (d, n) => {
        const r = parseIsoDate(addMonths(d, n));
        const s = parseIsoDate(d);
        const monthsApart = (r.year - s.year) * 12 + (r.month - s.month);
        const expectedDay = Math.min(s.day, daysInMonth(r.year, r.month));
        return monthsApart === n && r.day === expectedDay && r.day <= daysInMonth(r.year, r.month);
      }),
    );
  });

  it('monthDayOf gives MM-DD for cut-offs', () => {
    expect(monthDayOf('2025-05-31')).toBe('05-31');
  });
});
