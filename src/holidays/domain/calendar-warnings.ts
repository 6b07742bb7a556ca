import type { CalendarCoverage } from '../../common/calendar/working-days';

/**
 * Warnings about the calendar's coverage (RULES §9): the current or the next year decided by the
 * statutory fallback (weekends and the fixed-date holidays only, missing the Spring Festival and the
 * other lunar holidays), so working-day deadlines in it are approximations. Example: today
 * 2026-12-01 with no 2027 data → one warning for 2027.
 */
export function calendarWarnings(today: string, coverage: (year: number) => CalendarCoverage): string[] {
  const year = Number(today.slice(0, 4));
  return [year, year + 1]
    .map(coverage)
    .filter((c) => c.source === 'fallback')
    .map(
      (c) =>
        `No published holiday schedule for ${c.year}: working days in ${c.year} use the statutory fallback (weekends, 1 Jan, 1 May, 1–3 Oct) ` +
        `and miss the Spring Festival and the other lunar holidays. Load the State Council's schedule with PUT /v1/calendar/years/${c.year}.`,
    );
}
