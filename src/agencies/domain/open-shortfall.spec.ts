import { Money } from '../../common/money/money';
import { MarginEventFacts, openShortfall } from './open-shortfall';

const m = (s: string) => Money.of(s);
const deduction = (shortfall: string, topUpDueOn: string | null): MarginEventFacts => ({ kind: 'deduction', amount: m('0.00'), shortfall: m(shortfall), topUpDueOn });
const settlement = (amount: string): MarginEventFacts => ({ kind: 'shortfall_settlement', amount: m(amount), shortfall: null, topUpDueOn: null });

describe('openShortfall (RULES §7; A 第十九条(三))', () => {
  it('nothing recorded → 0.00, no date', () => {
    expect(openShortfall([])).toEqual({ amount: Money.ZERO, dueOn: null });
  });

  it('deposits, withdrawals and deductions taken in full leave nothing open', () => {
    const events: MarginEventFacts[] = [
      { kind: 'deposit', amount: m('100000.00'), shortfall: null, topUpDueOn: null },
      deduction('0.00', null),
      { kind: 'withdrawal', amount: m('10000.00'), shortfall: null, topUpDueOn: null },
    ];
    expect(openShortfall(events)).toEqual({ amount: Money.ZERO, dueOn: null });
  });

  it('short 50,000.00 (due 07-08), 30,000.00 made good, short 10,000.00 (due 08-05) → 30,000.00 due 2025-07-08', () => {
    // 50,000.00 − 30,000.00 + 10,000.00 = 30,000.00; the first shortfall is still partly open.
    const r = openShortfall([deduction('50000.00', '2025-07-08'), settlement('30000.00'), deduction('10000.00', '2025-08-05')]);
    expect(r.amount.toString()).toBe('30000.00');
    expect(r.dueOn).toBe('2025-07-08');
  });

  it('made good in full → 0.00 and no date; a later shortfall starts a new date', () => {
    // 50,000.00 − 50,000.00 = 0.00; then 1.00 short due 2025-09-01.
    const closed = openShortfall([deduction('50000.00', '2025-07-08'), settlement('50000.00')]);
    expect(closed).toEqual({ amount: Money.ZERO, dueOn: null });
    const again = openShortfall([deduction('50000.00', '2025-07-08'), settlement('50000.00'), deduction('1.00', '2025-09-01')]);
    expect(again.amount.toString()).toBe('1.00');
    expect(again.dueOn).toBe('2025-09-01');
  });
});
