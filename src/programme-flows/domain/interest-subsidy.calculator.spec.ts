import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { subsidisedRate, subsidySchedule, subsidyTimes } from './interest-subsidy.calculator';

const band = { lprOffsetLowBp: -150, lprOffsetHighBp: 150 };

describe('the subsidised band LPR − 150 bp … LPR + 150 bp (RULES §11; xinxiang (四))', () => {
  it('a rate inside the band: the part above LPR − 150 bp', () => {
    // LPR 3.00%: band 1.50%…4.50%; 3.95% − 1.50% = 2.45%.
    const s = subsidisedRate({ loanRate: Rate.of('0.0395'), lpr: Rate.of('0.03'), ...band });
    expect([s.bandFloor.toString(), s.bandCeiling.toString(), s.subsidisedRate.toString()]).toEqual(['0.015', '0.045', '0.0245']);
  });

  it('a rate above the ceiling: capped at the band width (3.00%)', () => {
    expect(subsidisedRate({ loanRate: Rate.of('0.05'), lpr: Rate.of('0.03'), ...band }).subsidisedRate.toString()).toBe('0.03');
  });

  it('a rate exactly at the ceiling: the full width; exactly at the floor: nothing', () => {
    expect(subsidisedRate({ loanRate: Rate.of('0.045'), lpr: Rate.of('0.03'), ...band }).subsidisedRate.toString()).toBe('0.03');
    expect(subsidisedRate({ loanRate: Rate.of('0.015'), lpr: Rate.of('0.03'), ...band }).subsidisedRate.toString()).toBe('0');
  });

  it('a rate below the floor: nothing (never negative)', () => {
    expect(subsidisedRate({ loanRate: Rate.of('0.012'), lpr: Rate.of('0.03'), ...band }).subsidisedRate.toString()).toBe('0');
  });
});

describe('the quarterly schedule (RULES §11; ACT/360 as RULES §4; per-quarter half-up)', () => {
  it('2,000,000.00 at 2.45% for a year from 2025-06-15, cut at quarters', () => {
    // 2,000,000.00 × 0.0245 = 49,000.00 a year of 360 days:
    // 2025Q2 16 d → 2,177.777… → 2,177.78; Q3 92 d → 12,522.222… → 12,522.22; Q4 92 d → 12,522.22;
    // 2026Q1 90 d → 12,250.00; 2026Q2 75 d → 10,208.333… → 10,208.33; total 49,680.55.
    const s = subsidySchedule({ principal: Money.of('2000000.00'), rate: Rate.of('0.0245'), startsOn: '2025-06-15', endsOn: '2026-06-15', dayCountBasis: 360 });
    expect(s.quarters.map((q) => [q.quarter, q.from, q.to, q.days, q.amount.toString()])).toEqual([
      ['2025Q2', '2025-06-15', '2025-07-01', 16, '2177.78'],
      ['2025Q3', '2025-07-01', '2025-10-01', 92, '12522.22'],
      ['2025Q4', '2025-10-01', '2026-01-01', 92, '12522.22'],
      ['2026Q1', '2026-01-01', '2026-04-01', 90, '12250.00'],
      ['2026Q2', '2026-04-01', '2026-06-15', 75, '10208.33'],
    ]);
    expect(s.total.toString()).toBe('49680.55');
    expect(s.breakdown.at(-1)?.text).toContain('49,680.55');
    // The quarters' text, as stored in their breakdowns: rate before days.
    expect(s.breakdown[0].text).toBe('2025Q2: 2025-06-15 to 2025-06-30, 16 days: 2,000,000.00 × 0.0245 × 16 / 360 = 2,177.777777… → 2,177.78 (half-up to the fen).');
  });

  it('a period inside one quarter is one row', () => {
    // 1,000,000.00 × 0.03 × 30 / 360 = 2,500.00.
    const s = subsidySchedule({ principal: Money.of('1000000.00'), rate: Rate.of('0.03'), startsOn: '2025-04-01', endsOn: '2025-05-01', dayCountBasis: 360 });
    expect(s.quarters.map((q) => [q.quarter, q.days, q.amount.toString()])).toEqual([['2025Q2', 30, '2500.00']]);
  });
});

describe('at most 3 times (RULES §11; xinxiang (四) "累计不超过 3 次")', () => {
  it('the first grant and two renewals are allowed; the 4th time is refused', () => {
    expect(subsidyTimes(0, 3)).toMatchObject({ ordinal: 1, renewals: 0 });
    expect(subsidyTimes(2, 3)).toMatchObject({ ordinal: 3, renewals: 2 });
    expect(subsidyTimes(3, 3)).toBeNull();
  });
});
