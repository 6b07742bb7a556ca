import chineseDaysTable from 'chinese-days/dist/chinese-days.json';
import overridesFile from '../../../data/holiday-overrides.json';
import {
  IsoDate,
  addDays,
  isValidIsoDate,
  isWeekend,
  monthDayOf,
  parseIsoDate,
  yearOf,
} from './iso-date';

/**
 * PRC working days (RULES §9: "weekends, public holidays and the adjusted working weekends").
 *
 * Sources, per year, in this order:
 * 1. `override`: an entry for the year in data/holiday-overrides.json. It replaces everything
 *    else for that year, so a year the package does not cover (2027 onward) is added, or a
 *    package error corrected, by writing the State Council's published schedule there.
 * 2. `package`: the `chinese-days` npm package's holiday and adjusted-working-day tables
 *    (2004–2026 in v1.5.7).
 * 3. `fallback`: weekends plus the fixed-date statutory holidays (1 Jan, 1 May, 1–3 Oct). This is
 *    only an approximation (it misses the Spring Festival and the lunar holidays), so callers
 *    should surface `calendarCoverage(year).source === 'fallback'` to the user.
 *
 * We read the package's published tables (`dist/chinese-days.json`) rather than calling its
 * `isWorkday(string)`: that function parses the string as UTC midnight and formats it in local
 * time, so on a server west of UTC it answers for the previous day (with TZ=America/Los_Angeles,
 * `isWorkday('2025-01-27')` — an ordinary Monday — is false). A table lookup by the
 * 'YYYY-MM-DD' key plus our own integer weekday is independent of the server's time zone.
 */
export type CalendarSource = 'loaded' | 'override' | 'package' | 'fallback';

export interface CalendarCoverage {
  year: number;
  source: CalendarSource;
  /** A sentence for logs, reports and breakdowns. */
  description: string;
}

/** One year of official holidays and adjusted working weekends. */
export interface HolidayOverrideYear {
  /** Days off (YYYY-MM-DD). Weekend days may be listed; weekends are off anyway. */
  holidays: string[];
  /** Weekend days that are working days (调休上班). */
  workdays: string[];
  /** Where the schedule comes from, e.g. the State Council notice number. */
  source?: string;
  /** Set for a year the trustee loaded through the API (stored, dated): the day it was loaded. */
  loadedOn?: string;
}

export interface HolidayOverrides {
  years: Record<string, HolidayOverrideYear>;
}

/** The package's tables: date → description. */
export interface HolidayTable {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** Fixed-date statutory holidays used for uncovered years: New Year, Labour Day, National Day. */
export const FALLBACK_FIXED_HOLIDAYS: readonly string[] = [
  '01-01',
  '05-01',
  '10-01',
  '10-02',
  '10-03',
];

export interface WorkingDayCalendar {
  isWorkingDay(date: IsoDate): boolean;
  addWorkingDays(date: IsoDate, n: number): IsoDate;
  calendarCoverage(year: number): CalendarCoverage;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * Checks an override table (a configuration error fails loudly at start-up): every date real,
 * inside its year, and never both a holiday and a working day.
 */
export function validateHolidayOverrides(raw: unknown): HolidayOverrides {
  const fail = (why: string): never => {
    throw new Error(`holiday overrides: ${why}`);
  };
  if (typeof raw !== 'object' || raw === null) return fail('not an object');
  const years = (raw as { years?: unknown }).years;
  if (typeof years !== 'object' || years === null || Array.isArray(years))
    return fail('"years" must be an object');
  const result: Record<string, HolidayOverrideYear> = {};
  for (const [key, value] of Object.entries(years as Record<string, unknown>)) {
    if (!/^[0-9]{4}$/.test(key)) fail(`year key "${key}" is not YYYY`);
    const entry = value as { holidays?: unknown; workdays?: unknown; source?: unknown };
    if (typeof value !== 'object' || value === null) return fail(`${key}: not an object`);
    if (!isStringArray(entry.holidays) || !isStringArray(entry.workdays)) {
      return fail(`${key}: "holidays" and "workdays" must be arrays of YYYY-MM-DD strings`);
    }
    for (const d of [...entry.holidays, ...entry.workdays]) {
      if (!isValidIsoDate(d)) fail(`${key}: "${d}" is not a YYYY-MM-DD date`);
      if (yearOf(d) !== Number(key)) fail(`${key}: "${d}" is not in ${key}`);
    }
    const off = new Set(entry.holidays);
    for (const d of entry.workdays)
      if (off.has(d)) fail(`${key}: "${d}" is both a holiday and a working day`);
    result[key] = {
      holidays: [...entry.holidays],
      workdays: [...entry.workdays],
      ...(typeof entry.source === 'string' ? { source: entry.source } : {}),
    };
  }
  return { years: result };
}

/**
 * Builds a calendar from an override table and the package's tables. The default calendar
 * (`isWorkingDay`, `addWorkingDays`, `calendarCoverage` exported below) uses
 * data/holiday-overrides.json; tests build their own to exercise the override mechanism.
 */
export function createWorkingDayCalendar(
  overrides: HolidayOverrides,
  table: HolidayTable = chineseDaysTable,
): WorkingDayCalendar {
  const packageYears = new Set<number>();
  for (const d of Object.keys(table.holidays)) packageYears.add(Number(d.slice(0, 4)));

  const overrideOff = new Map<number, Set<string>>();
  const overrideOn = new Map<number, Set<string>>();
  const overrideSource = new Map<number, string | undefined>();
  const loadedOn = new Map<number, string>();
  for (const [key, entry] of Object.entries(overrides.years)) {
    const year = Number(key);
    overrideOff.set(year, new Set(entry.holidays));
    overrideOn.set(year, new Set(entry.workdays));
    overrideSource.set(year, entry.source);
    if (entry.loadedOn) loadedOn.set(year, entry.loadedOn);
  }

  function calendarCoverage(year: number): CalendarCoverage {
    const loaded = loadedOn.get(year);
    if (loaded) {
      const src = overrideSource.get(year);
      return { year, source: 'loaded', description: `${year}: official schedule loaded through the API on ${loaded}${src ? ` (${src})` : ''}` };
    }
    if (overrideOff.has(year)) {
      const src = overrideSource.get(year);
      return {
        year,
        source: 'override',
        description: `${year}: official schedule from data/holiday-overrides.json${src ? ` (${src})` : ''}`,
      };
    }
    if (packageYears.has(year)) {
      return {
        year,
        source: 'package',
        description: `${year}: PRC holiday tables of the chinese-days package`,
      };
    }
    return {
      year,
      source: 'fallback',
      description:
        `${year}: not covered; weekends plus fixed statutory holidays (${FALLBACK_FIXED_HOLIDAYS.join(', ')}) only ` +
        '— add the official schedule to data/holiday-overrides.json',
    };
  }

  function isWorkingDay(date: IsoDate): boolean {
    const { year } = parseIsoDate(date);
    const off = overrideOff.get(year);
    if (off) {
      if (overrideOn.get(year)?.has(date)) return true;
      return !off.has(date) && !isWeekend(date);
    }
    if (packageYears.has(year)) {
      if (Object.prototype.hasOwnProperty.call(table.workdays, date)) return true;
      return !Object.prototype.hasOwnProperty.call(table.holidays, date) && !isWeekend(date);
    }
    return !isWeekend(date) && !FALLBACK_FIXED_HOLIDAYS.includes(monthDayOf(date));
  }

  function addWorkingDays(date: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`addWorkingDays: n must be an integer ≥ 0, got ${n}`);
    parseIsoDate(date);
    let current = date;
    let remaining = n;
    while (remaining > 0) {
      current = addDays(current, 1);
      if (isWorkingDay(current)) remaining -= 1;
    }
    return current;
  }

  return { isWorkingDay, addWorkingDays, calendarCoverage };
}

const FILE_OVERRIDES = validateHolidayOverrides(overridesFile);
let DEFAULT_CALENDAR = createWorkingDayCalendar(FILE_OVERRIDES);

/**
 * Years the trustee loaded through the API (RULES §9; stored by the holidays module and applied
 * at start-up and on each load). They come before the data file and the package for their year.
 * The service's one calendar is process-wide; this replaces the loaded years as a whole.
 */
export function useLoadedHolidayYears(years: Record<string, HolidayOverrideYear>): void {
  DEFAULT_CALENDAR = createWorkingDayCalendar({ years: { ...FILE_OVERRIDES.years, ...years } });
}

/**
 * Whether `date` is a PRC working day (RULES §9). isWorkingDay('2025-01-28') = false (Spring
 * Festival); isWorkingDay('2025-01-26') = true (a Sunday worked in lieu).
 */
export function isWorkingDay(date: IsoDate): boolean {
  return DEFAULT_CALENDAR.isWorkingDay(date);
}

/**
 * The n-th working day strictly after `date` (n ≥ 0; n = 0 returns `date` unchanged). Deadlines
 * such as "review within 10 working days of filing" (R 第十三条) are addWorkingDays(filedOn, 10).
 * Example: addWorkingDays('2025-01-27', 1) = '2025-02-05' (the Spring Festival 01-28..02-04 is off).
 */
export function addWorkingDays(date: IsoDate, n: number): IsoDate {
  return DEFAULT_CALENDAR.addWorkingDays(date, n);
}

/** Which source decides `year`'s working days: 'loaded', 'override', 'package' or 'fallback'. */
export function calendarCoverage(year: number): CalendarCoverage {
  return DEFAULT_CALENDAR.calendarCoverage(year);
}
