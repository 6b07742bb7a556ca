import { calendarCoverage } from '../../common/calendar/working-days';
import { calendarWarnings } from './calendar-warnings';

describe('calendarWarnings (RULES §9)', () => {
  it('today 2026-12-01: 2026 from the package, 2027 on the fallback → one warning naming 2027', () => {
    const w = calendarWarnings('2026-12-01', calendarCoverage);
    expect(w).toHaveLength(1);
    expect(w[0]).toContain('No published holiday schedule for 2027');
  });
  it('today 2025-06-01: 2025 and 2026 both published → none', () => {
    expect(calendarWarnings('2025-06-01', calendarCoverage)).toEqual([]);
  });
});
