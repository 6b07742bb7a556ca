import * as chineseDays from 'chinese-days';
import { addDays } from './iso-date';
import {
  addWorkingDays,
  calendarCoverage,
  createWorkingDayCalendar,
  isWorkingDay,
  validateHolidayOverrides,
} from './working-days';

describe('isWorkingDay: 2025 Spring Festival (RULES §9; 国办发明电〔2024〕12号)', () => {
  it.each([
    '2025-01-28',
    '2025-01-29',
    '2025-01-30',
    '2025-01-31',
    '2025-02-01',
    '2025-02-02',
    '2025-02-03',
    '2025-02-04',
  ])('%s is a holiday', (d) => {
    expect(isWorkingDay(d)).toBe(false);
  });

  it('2025-01-26 (Sunday) and 2025-02-08 (Saturday) are adjusted working days', () => {
    expect(isWorkingDay('2025-01-26')).toBe(true);
    expect(isWorkingDay('2025-02-08')).toBe(true);
  });

  it('2025-01-27 (Monday before) and 2025-02-05 (Wednesday after) are ordinary working days', () => {
    expect(isWorkingDay('2025-01-27')).toBe(true);
    expect(isWorkingDay('2025-02-05')).toBe(true);
  });

  it('an ordinary weekend (2025-02-15/16) is off', () => {
    expect(isWorkingDay('2025-02-15')).toBe(false);
    expect(isWorkingDay('2025-02-16')).toBe(false);
  });
});

describe('isWorkingDay: 2025 National Day and Mid-Autumn', () => {
  it.each(['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-07', '2025-10-08'])(
    '%s is a holiday',
    (d) => {
      expect(isWorkingDay(d)).toBe(false);
    },
  );

  it('2025-09-28 (Sunday) and 2025-10-11 (Saturday) are working days; 2025-10-09 is back to work', () => {
    expect(isWorkingDay('2025-09-28')).toBe(true);
    expect(isWorkingDay('2025-10-11')).toBe(true);
    expect(isWorkingDay('2025-10-09')).toBe(true);
  });
});

describe('isWorkingDay: 2024 examples', () => {
  it('Spring Festival 2024-02-10..02-17 off; Sundays 2024-02-04 and 2024-02-18 worked', () => {
    for (let d = '2024-02-10'; d <= '2024-02-17'; d = addDays(d, 1))
      expect(isWorkingDay(d)).toBe(false);
    expect(isWorkingDay('2024-02-04')).toBe(true);
    expect(isWorkingDay('2024-02-18')).toBe(true);
  });

  it('National Day 2024-10-01..10-07 off; 2024-09-29 (Sun) and 2024-10-12 (Sat) worked', () => {
    for (let d = '2024-10-01'; d <= '2024-10-07'; d = addDays(d, 1))
      expect(isWorkingDay(d)).toBe(false);
    expect(isWorkingDay('2024-09-29')).toBe(true);
    expect(isWorkingDay('2024-10-12')).toBe(true);
  });

  it('Labour Day 2024-05-01..05-05 off; 2024-04-28 (Sun) and 2024-05-11 (Sat) worked', () => {
    expect(isWorkingDay('2024-05-01')).toBe(false);
    expect(isWorkingDay('2024-05-03')).toBe(false);
    expect(isWorkingDay('2024-04-28')).toBe(true);
    expect(isWorkingDay('2024-05-11')).toBe(true);
  });
});

describe('isWorkingDay: 2026 examples', () => {
  it('New Year 2026-01-01..01-03 off; 2026-01-04 (Sunday) worked', () => {
    expect(isWorkingDay('2026-01-01')).toBe(false);
    expect(isWorkingDay('2026-01-02')).toBe(false);
    expect(isWorkingDay('2026-01-04')).toBe(true);
  });

  it('Spring Festival 2026-02-15..02-23 off; 2026-02-14 and 2026-02-28 (Saturdays) worked', () => {
    for (let d = '2026-02-15'; d <= '2026-02-23'; d = addDays(d, 1))
      expect(isWorkingDay(d)).toBe(false);
    expect(isWorkingDay('2026-02-14')).toBe(true);
    expect(isWorkingDay('2026-02-28')).toBe(true);
    expect(isWorkingDay('2026-02-24')).toBe(true);
  });

  it('National Day 2026-10-01..10-07 off; 2026-09-20 (Sun) and 2026-10-10 (Sat) worked', () => {
    for (let d = '2026-10-01'; d <= '2026-10-07'; d = addDays(d, 1))
      expect(isWorkingDay(d)).toBe(false);
    expect(isWorkingDay('2026-09-20')).toBe(true);
    expect(isWorkingDay('2026-10-10')).toBe(true);
  });
});

describe('addWorkingDays (n-th working day strictly after the date)', () => {
  it('n = 0 returns the date itself', () => {
    expect(addWorkingDays('2025-01-28', 0)).toBe('2025-01-28');
  });

  it('Friday 2025-01-24 + 1 = Sunday 2025-01-26 (worked in lieu)', () => {
    expect(addWorkingDays('2025-01-24', 1)).toBe('2025-01-26');
  });

  it('2025-01-27 + 1 skips the whole Spring Festival: 2025-02-05', () => {
    expect(addWorkingDays('2025-01-27', 1)).toBe('2025-02-05');
  });

  it('2025-01-27 + 5 = 2025-02-10 (02-05, 06, 07, Sat 08 worked, Mon 10)', () => {
    expect(addWorkingDays('2025-01-27', 5)).toBe('2025-02-10');
  });

  it('expert review (R 第十三条, 10 working days) filed Monday 2025-01-20 is due 2025-02-08', () => {
    // 01-21, 22, 23, 24, Sun 26, Mon 27, [28..02-04 off], 02-05, 06, 07, Sat 08 → 10th = 2025-02-08
    expect(addWorkingDays('2025-01-20', 10)).toBe('2025-02-08');
  });

  it('refund due (R 第十七条, 15 working days) from Friday 2025-09-26 crosses National Day: 2025-10-23', () => {
    // Sun 09-28 (1), 09-29 (2), 09-30 (3), [10-01..10-08 off], 10-09 (4), 10-10 (5), Sat 10-11 (6),
    // 10-13..10-17 (7–11), 10-20 (12), 10-21 (13), 10-22 (14), 10-23 (15)
    expect(addWorkingDays('2025-09-26', 15)).toBe('2025-10-23');
  });

  it('refuses a negative n', () => {
    expect(() => addWorkingDays('2025-01-01', -1)).toThrow();
  });
});

describe('calendarCoverage and the override table', () => {
  it('2024–2026 come from the package; 2027 falls back (no override entry yet)', () => {
    expect(calendarCoverage(2024).source).toBe('package');
    expect(calendarCoverage(2025).source).toBe('package');
    expect(calendarCoverage(2026).source).toBe('package');
    expect(calendarCoverage(2027).source).toBe('fallback');
  });

  it('fallback year 2027: weekends and 1 Jan, 1 May, 1–3 Oct are off, other weekdays work', () => {
    expect(isWorkingDay('2027-01-01')).toBe(false); // Friday, New Year
    expect(isWorkingDay('2027-01-04')).toBe(true); // Monday
    expect(isWorkingDay('2027-01-02')).toBe(false); // Saturday
    expect(isWorkingDay('2027-05-01')).toBe(false);
    expect(isWorkingDay('2027-10-01')).toBe(false);
    expect(isWorkingDay('2027-10-04')).toBe(true); // Monday, not a fixed date
    expect(addWorkingDays('2026-12-31', 1)).toBe('2027-01-04');
  });

  it('an override year replaces the fallback: holidays off, adjusted weekends worked', () => {
    const cal = createWorkingDayCalendar(
      validateHolidayOverrides({
        years: {
          '2027': {
            holidays: ['2027-02-05', '2027-02-08'],
            workdays: ['2027-02-07'],
            source: 'test notice',
          },
        },
      }),
    );
    expect(cal.calendarCoverage(2027)).toEqual({
      year: 2027,
      source: 'override',
      description: '2027: official schedule from data/holiday-overrides.json (test notice)',
    });
    expect(cal.isWorkingDay('2027-02-05')).toBe(false); // Friday, listed holiday
    expect(cal.isWorkingDay('2027-02-07')).toBe(true); // Sunday, listed working day
    expect(cal.isWorkingDay('2027-02-08')).toBe(false); // Monday, listed holiday
    expect(cal.isWorkingDay('2027-10-01')).toBe(true); // not listed: the override is the whole year
    expect(cal.addWorkingDays('2027-02-04', 2)).toBe('2027-02-09'); // Sun 07, Tue 09
  });

  it('an override for a package year replaces the package data for that year only', () => {
    const cal = createWorkingDayCalendar(
      validateHolidayOverrides({ years: { '2025': { holidays: ['2025-03-03'], workdays: [] } } }),
    );
    expect(cal.calendarCoverage(2025).source).toBe('override');
    expect(cal.isWorkingDay('2025-03-03')).toBe(false);
    expect(cal.isWorkingDay('2025-01-28')).toBe(true);
    expect(cal.isWorkingDay('2024-10-01')).toBe(false); // 2024 still from the package
  });

  it.each([
    [{ years: { '2027': { holidays: ['2026-12-31'], workdays: [] } } }, /not in 2027/],
    [{ years: { '2027': { holidays: ['2027-02-30'], workdays: [] } } }, /not a YYYY-MM-DD/],
    [{ years: { '2027': { holidays: ['2027-02-07'], workdays: ['2027-02-07'] } } }, /both/],
    [{ years: { '2027': { holidays: '2027-01-01', workdays: [] } } }, /arrays/],
    [{ years: [] }, /"years"/],
  ])('a malformed override table fails loudly (%#)', (raw, message) => {
    expect(() => validateHolidayOverrides(raw)).toThrow(message);
  });
});

describe('agreement with the chinese-days package', () => {
  // The package's isWorkday(string) is only right where local time is at or east of UTC
  // (see working-days.ts); compare there, day by day over 2024–2026.
  const eastOfUtc = new Date(0).getTimezoneOffset() <= 0;
  (eastOfUtc ? it : it.skip)('matches isWorkday for every day of 2024–2026', () => {
    const mismatches: string[] = [];
    for (let d = '2024-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) {
      if (isWorkingDay(d) !== chineseDays.isWorkday(d)) mismatches.push(d);
    }
    expect(mismatches).toEqual([]);
  });
});
