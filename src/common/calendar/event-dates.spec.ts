import { DomainError } from '../errors/domain-error';
import { assertEventDates, eventDateProblems } from './event-dates';

describe('dates that have not happened (RULES §4, dates 2026-12)', () => {
  it('a date after today is refused, naming the field, the date and today; today itself is fine', () => {
    expect(eventDateProblems('2026-12-01', [{ field: 'registeredOn', date: '2027-01-05' }, { field: 'contractDate', date: '2026-12-01' }])).toEqual([
      { code: 'DATE.IN_FUTURE', field: 'registeredOn', message: 'registeredOn 2027-01-05 is after today (2026-12-01): it has not happened yet', date: '2027-01-05', today: '2026-12-01' },
    ]);
  });

  it('a step before the one it follows is refused, naming both dates; null dates are skipped', () => {
    const problems = eventDateProblems('2026-12-01', [], [
      { field: 'principalOverdueSince', date: '2025-03-01', notBefore: { field: 'disbursedOn', date: '2025-03-12' } },
      { field: 'lawsuitAcceptedOn', date: null, notBefore: { field: 'disbursedOn', date: '2025-03-12' } },
    ]);
    expect(problems).toEqual([expect.objectContaining({ code: 'DATE.BEFORE_PREVIOUS_STEP', field: 'principalOverdueSince', date: '2025-03-01', disbursedOn: '2025-03-12' })]);
  });

  it('assertEventDates throws one 422 listing every problem', () => {
    try {
      assertEventDates('2026-12-01', [{ field: 'a', date: '2027-01-01' }, { field: 'b', date: '2027-01-02' }]);
      throw new Error('not thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).kind).toBe('rule');
      expect((e as DomainError).code).toBe('DATE.NOT_POSSIBLE');
      expect((e as DomainError).details).toHaveLength(2);
    }
  });
});
