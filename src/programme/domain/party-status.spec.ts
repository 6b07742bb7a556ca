import { type StatusReason, lossRateStatus, planLossRateReasons, quarterlyHistory, reasonsInForce, statusFromReasons } from './party-status';

const reason = (over: Partial<StatusReason>): StatusReason => ({ id: 'r', source: 'manual', status: 'suspended_new', reason: 'x', quarter: null, startedOn: '2025-01-01', endedOn: null, ...over });

describe('statuses from reasons (RULES §6, revised 2026-12)', () => {
  const disqualified = reason({ id: 'd', source: 'disqualified', status: 'disqualified', startedOn: '2025-03-01' });
  const shortfall = reason({ id: 's', source: 'margin_shortfall', status: 'suspended_new', startedOn: '2025-04-01', endedOn: '2025-05-10' });

  it('the strongest reason in force decides: disqualified > suspended_focus > suspended_new > active', () => {
    expect(statusFromReasons([shortfall, disqualified], '2025-04-15').status).toBe('disqualified');
    expect(statusFromReasons([reason({ status: 'suspended_focus' }), reason({ status: 'suspended_new' })], '2025-02-01').status).toBe('suspended_focus');
    expect(statusFromReasons([], '2025-02-01')).toEqual({ status: 'active', reason: null });
  });

  it('lifting the margin shortfall never weakens the disqualification (today the top-up made the agency active)', () => {
    expect(statusFromReasons([disqualified, shortfall], '2025-05-20')).toMatchObject({ status: 'disqualified', reason: { id: 'd' } });
    expect(statusFromReasons([shortfall], '2025-05-10').status).toBe('active'); // lifted on its end date
    expect(statusFromReasons([shortfall], '2025-05-09').status).toBe('suspended_new');
  });

  it('a reason is in force from its start, up to the day before its end', () => {
    expect(reasonsInForce([shortfall], '2025-03-31')).toEqual([]);
    expect(reasonsInForce([shortfall], '2025-04-01')).toEqual([shortfall]);
  });
});

describe('loss-rate reasons set and lifted by quarter closes (RULES §6)', () => {
  it('bands → statuses: warning suspended_new, severe suspended_focus, normal none', () => {
    expect([lossRateStatus('normal'), lossRateStatus('warning'), lossRateStatus('severe')]).toEqual([null, 'suspended_new', 'suspended_focus']);
  });

  it('a warning band keeps an open warning reason, a severe one replaces it, a normal one lifts it; other sources untouched', () => {
    const open = [reason({ id: 'l', source: 'loss_rate', status: 'suspended_new' }), reason({ id: 'm', source: 'manual', status: 'suspended_focus' })];
    expect(planLossRateReasons(open, 'warning')).toEqual({ lift: [], start: null });
    expect(planLossRateReasons(open, 'severe')).toEqual({ lift: ['l'], start: 'suspended_focus' });
    expect(planLossRateReasons(open, 'normal')).toEqual({ lift: ['l'], start: null });
    expect(planLossRateReasons([], 'warning')).toEqual({ lift: [], start: 'suspended_new' });
  });

  it('history per quarter: the status at each quarter end, up to today', () => {
    const r = [reason({ source: 'loss_rate', startedOn: '2025-07-25', endedOn: '2025-10-25' })];
    expect(quarterlyHistory(r, '2026-01-10')).toEqual([
      { quarter: '2025Q3', status: 'suspended_new', sources: ['loss_rate'] },
      { quarter: '2025Q4', status: 'active', sources: [] },
      { quarter: '2026Q1', status: 'active', sources: [] },
    ]);
  });
});
