import { DATE_ERRORS } from '../errors/common.errors';
import { DomainError } from '../errors/domain-error';

/**
 * Calendar dates as 'YYYY-MM-DD' strings, with all arithmetic done on integer day numbers
 * (days since 1970-01-01 in the proleptic Gregorian calendar). No JS `Date` is involved, so no
 * time zone can shift a date by one day (RULES §9; API.md "Dates `YYYY-MM-DD`").
 *
 * The conversions are Howard Hinnant's `days_from_civil` / `civil_from_days` algorithms, valid
 * for every year this service can meet; we accept years 0001–9999 so the string stays 4 digits.
 */
export type IsoDate = string;

export interface CivilDate {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
}

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const YEAR_MIN = 1;
const YEAR_MAX = 9999;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function splitIsoDate(value: unknown): CivilDate | null {
  if (typeof value !== 'string') return null;
  const m = ISO_DATE.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < YEAR_MIN || year > YEAR_MAX) return null;
  if (month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/** True for a real calendar date written exactly 'YYYY-MM-DD' (2025-02-29 is false). */
export function isValidIsoDate(value: unknown): value is IsoDate {
  return splitIsoDate(value) !== null;
}

/**
 * Splits a date into year, month and day; throws DomainError invalid `DATE.INVALID` (400) when
 * the string is not a real 'YYYY-MM-DD' date.
 */
export function parseIsoDate(value: unknown, field = 'date'): CivilDate {
  const parts = splitIsoDate(value);
  if (!parts) {
    throw DomainError.invalid(DATE_ERRORS.INVALID, `${field} must be a real date written YYYY-MM-DD`, [
      { code: DATE_ERRORS.INVALID, field, message: `${JSON.stringify(value)} is not a YYYY-MM-DD date` },
    ]);
  }
  return parts;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Writes a civil date as 'YYYY-MM-DD'; throws when the year leaves 0001–9999. */
export function formatIsoDate({ year, month, day }: CivilDate): IsoDate {
  if (year < YEAR_MIN || year > YEAR_MAX) {
    throw DomainError.invalid(DATE_ERRORS.OUT_OF_RANGE, `year ${year} is outside 0001–9999`);
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Days since 1970-01-01 (Hinnant's days_from_civil). */
export function toDayNumber(date: IsoDate): number {
  const { year, month, day } = parseIsoDate(date);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date `dayNumber` days after 1970-01-01 (Hinnant's civil_from_days). */
export function fromDayNumber(dayNumber: number): IsoDate {
  if (!Number.isSafeInteger(dayNumber))
    throw new Error(`fromDayNumber(${dayNumber}): not an integer`);
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return formatIsoDate({ year, month, day });
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday (4). */
export function dayOfWeek(date: IsoDate): number {
  return (((toDayNumber(date) + 4) % 7) + 7) % 7;
}

export function isWeekend(date: IsoDate): boolean {
  const dow = dayOfWeek(date);
  return dow === 0 || dow === 6;
}

/** `date` plus `n` calendar days (n may be negative). */
export function addDays(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new Error(`addDays: n must be an integer, got ${n}`);
  return fromDayNumber(toDayNumber(date) + n);
}

/**
 * Actual calendar days from `a` to `b` (b − a); negative when b is before a. Used for ACT/360
 * interest (RULES §4): daysBetween('2025-03-21', '2025-07-15') = 116.
 */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toDayNumber(b) - toDayNumber(a);
}

/**
 * `date` plus `n` calendar months, the day clamped to the target month's last day (RULES §4
 * Decision): 2025-02-28 + 2 = 2025-04-28; 2024-12-31 + 2 = 2025-02-28; 2024-08-31 + 1 =
 * 2024-09-30; 2024-01-31 + 1 = 2024-02-29. `n` may be negative.
 */
export function addMonths(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new Error(`addMonths: n must be an integer, got ${n}`);
  const { year, month, day } = parseIsoDate(date);
  const index = year * 12 + (month - 1) + n;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  return formatIsoDate({
    year: targetYear,
    month: targetMonth,
    day: Math.min(day, daysInMonth(targetYear, targetMonth)),
  });
}

/** 'MM-DD' of a date, for cut-offs such as "before 1 June" (compare as strings). */
export function monthDayOf(date: IsoDate): string {
  const { month, day } = parseIsoDate(date);
  return `${pad(month, 2)}-${pad(day, 2)}`;
}

export function yearOf(date: IsoDate): number {
  return parseIsoDate(date).year;
}

/** Earlier of two dates (ISO strings order like dates). */
export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a <= b ? a : b;
}
