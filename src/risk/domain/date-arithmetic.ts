/**
 * Pure calendar-date arithmetic on 'YYYY-MM-DD' strings for the risk, agency and reserve rules.
 *
 * Kept here (rather than in src/common/calendar, which another module owns) because these rules
 * only need validation, comparison and "add N calendar months with month-end clamping", the same
 * reading RULES §4 uses for "two months": 2024-02-29 + 12 months = 2025-02-28. No working days and
 * no time zones are involved; a date is a label, not an instant.
 */

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;

interface YearMonthDay {
  year: number;
  month: number;
  day: number;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month (1-12) of a year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function parse(date: string): YearMonthDay {
  const m = YMD.exec(date);
  if (!m) throw new Error(`Not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new Error(`Not a calendar date: ${JSON.stringify(date)}`);
  }
  return { year, month, day };
}

function format({ year, month, day }: YearMonthDay): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whether `date` is a valid 'YYYY-MM-DD' calendar date. */
export function isIsoDate(date: string): boolean {
  try {
    parse(date);
    return true;
  } catch {
    return false;
  }
}

/** Throws (a programmer error: DTOs validate dates first) unless `date` is a valid date. */
export function assertIsoDate(date: string): void {
  parse(date);
}

/**
 * Adds whole calendar months; when the day does not exist in the target month it is clamped to
 * that month's last day (2025-01-31 + 1 month = 2025-02-28). Negative `months` go back.
 */
export function addMonthsClamped(date: string, months: number): string {
  if (!Number.isInteger(months)) throw new Error(`addMonthsClamped: months must be an integer, got ${months}`);
  const { year, month, day } = parse(date);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  return format({ year: targetYear, month: targetMonth, day: Math.min(day, daysInMonth(targetYear, targetMonth)) });
}

/** Adds whole calendar years with the same clamping (2024-02-29 + 1 year = 2025-02-28). */
export function addYearsClamped(date: string, years: number): string {
  return addMonthsClamped(date, years * 12);
}

/** Compares two valid dates: negative, zero or positive (ISO strings sort lexicographically). */
export function compareDates(a: string, b: string): number {
  parse(a);
  parse(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The later of two valid dates. */
export function laterDate(a: string, b: string): string {
  return compareDates(a, b) >= 0 ? a : b;
}
