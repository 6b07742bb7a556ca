import { previousQuarter } from '../../common/calendar/quarter';
import { QUARTER_DUTIES, dutyDueDates, orderProblem, workingDayOnOrAfter } from './quarter-duties';

const DAYS = { reportDueDay: 10, lossRateDueDay: 25 };

describe('quarter duties: days and order (RULES §9; issue 12)', () => {
  it('2025Q2: fee and band on 2025-07-01; reports, loss rates, dormancy, margins the working day after 07-10; the rest on 07-25', () => {
    expect(dutyDueDates('2025Q2', DAYS)).toEqual({
      custody_fee: '2025-07-01',
      reserve_band: '2025-07-01',
      bank_reports: '2025-07-11',
      loss_rates: '2025-07-11',
      dormancy: '2025-07-11',
      margin_requirements: '2025-07-11',
      margin_shortfall: '2025-07-25',
      placement: '2025-07-25',
      ledger_close: '2025-07-25',
    });
  });

  it('rest days move a duty to the next working day: 2025Q3 ends before National Day (10-01..10-08 off)', () => {
    const due = dutyDueDates('2025Q3', DAYS);
    // 2025-10-01..08 are the National Day holiday; 10-09 is a Thursday.
    expect(due.custody_fee).toBe('2025-10-09');
    // 2025-10-10 is a Friday; Saturday 10-11 is worked in lieu of the holiday: it is the working day after.
    expect(due.loss_rates).toBe('2025-10-11');
    // 2025-10-25 is a Saturday → Monday 10-27.
    expect(due.ledger_close).toBe('2025-10-27');
    expect(workingDayOnOrAfter('2026-01-01')).toBe('2026-01-04');
  });

  it('the duties run in the order of their days, the ledger close last', () => {
    const due = dutyDueDates('2025Q4', DAYS);
    const days = QUARTER_DUTIES.map((d) => due[d]);
    expect([...days].sort()).toEqual(days);
    expect(QUARTER_DUTIES[QUARTER_DUTIES.length - 1]).toBe('ledger_close');
  });

  it('order: not ended, a later run, a missing or open previous quarter; the first run may be any ended quarter', () => {
    expect(orderProblem('2025Q2', '2025-06-30', [], previousQuarter)).toEqual({ code: 'NOT_ENDED', endsOn: '2025-06-30' });
    expect(orderProblem('2025Q2', '2025-07-01', [], previousQuarter)).toBeNull();
    expect(orderProblem('2025Q2', '2026-01-01', [{ quarter: '2025Q3', status: 'completed' }], previousQuarter)).toEqual({ code: 'LATER_QUARTER_STARTED', later: '2025Q3' });
    expect(orderProblem('2025Q3', '2026-01-01', [{ quarter: '2025Q1', status: 'completed' }], previousQuarter)).toEqual({ code: 'PREVIOUS_MISSING', missing: '2025Q2' });
    expect(orderProblem('2025Q3', '2026-01-01', [{ quarter: '2025Q2', status: 'failed' }], previousQuarter)).toEqual({ code: 'PREVIOUS_OPEN', open: '2025Q2' });
    expect(orderProblem('2025Q3', '2026-01-01', [{ quarter: '2025Q2', status: 'completed' }], previousQuarter)).toBeNull();
  });
});
