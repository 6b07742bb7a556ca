import { Money } from '../../common/money/money';
import { applyMinimumTransfer, type MinimumTransferAccount } from './minimum-transfer';

const acct = (bankCode: string, current: string, target: string, locked = '0.00'): MinimumTransferAccount => ({
  bankCode,
  current: Money.of(current),
  target: Money.of(target),
  locked: Money.of(locked),
});
const targets = (r: ReturnType<typeof applyMinimumTransfer>) => Object.fromEntries(r.targets.map((t) => [t.bankCode, t.target.toString()]));
const TEN_THOUSAND = Money.of('10000.00');

describe('applyMinimumTransfer (RULES §8 placement cycle; issue 13 minimum transfer)', () => {
  it('worked example: A +4,000.00 stays put, C carries it → one transfer C → B 20,000.00', () => {
    const r = applyMinimumTransfer([acct('A', '1000000.00', '1004000.00'), acct('B', '500000.00', '520000.00'), acct('C', '800000.00', '776000.00')], TEN_THOUSAND);
    expect(targets(r)).toEqual({ A: '1000000.00', B: '520000.00', C: '780000.00' });
    expect(r.targets.map((t) => t.adjusted)).toEqual([true, false, true]);
    expect(r.breakdown[0].text).toContain('A keep their balance');
    expect(r.breakdown[0].text).toContain('C +4,000.00');
  });

  it('a difference of exactly the minimum moves; everything at or above it is untouched', () => {
    const r = applyMinimumTransfer([acct('A', '100000.00', '110000.00'), acct('B', '100000.00', '90000.00')], TEN_THOUSAND);
    expect(targets(r)).toEqual({ A: '110000.00', B: '90000.00' });
    expect(r.targets.every((t) => !t.adjusted)).toBe(true);
  });

  it('all moves small → nobody moves (they cancel out)', () => {
    const r = applyMinimumTransfer([acct('A', '100000.00', '100000.01'), acct('B', '100000.00', '99999.99')], TEN_THOUSAND);
    expect(targets(r)).toEqual({ A: '100000.00', B: '100000.00' });
  });

  it('the targets still add up exactly to the total, and a carrier that falls below the minimum is itself kept', () => {
    // A −9,000 and D +3,000 are small; B −12,000 would carry A's leftover... the rounds end with every move ≥ 10,000 or none.
    const input = [acct('A', '50000.00', '41000.00'), acct('B', '50000.00', '38000.00'), acct('C', '50000.00', '68000.00'), acct('D', '50000.00', '53000.00')];
    const r = applyMinimumTransfer(input, TEN_THOUSAND);
    const sum = Money.sum(r.targets.map((t) => t.target));
    expect(sum.toString()).toBe('200000.00');
    for (const [i, t] of r.targets.entries()) {
      const move = t.target.minus(input[i].current).abs();
      expect(move.isZero() || move.gte(TEN_THOUSAND)).toBe(true);
    }
  });

  it('a positive leftover goes to the largest move: C +5,000.00 kept → A pays 5,000.00 less', () => {
    const r = applyMinimumTransfer([acct('A', '100000.00', '50000.00', '50000.00'), acct('B', '0.00', '45000.00'), acct('C', '0.00', '5000.00')], TEN_THOUSAND);
    expect(targets(r)).toEqual({ A: '55000.00', B: '45000.00', C: '0.00' });
  });

  it('never takes a carrier below its locked money: A (at its lock) is passed over, B receives 5,000.00 less', () => {
    const r = applyMinimumTransfer([acct('A', '100000.00', '50000.00', '50000.00'), acct('B', '0.00', '55000.00'), acct('C', '10000.00', '5000.00')], TEN_THOUSAND);
    expect(targets(r)).toEqual({ A: '50000.00', B: '50000.00', C: '10000.00' });
  });

  it('when no bank can carry the leftover, the scored targets stand and the breakdown says why', () => {
    const input = [acct('A', '2000.00', '0.00'), acct('B', '0.00', '10000.00'), acct('C', '0.00', '10000.00'), acct('X', '10000.00', '1000.00'), acct('Y', '10000.00', '1000.00')];
    const r = applyMinimumTransfer(input, TEN_THOUSAND);
    expect(targets(r)).toEqual({ A: '0.00', B: '10000.00', C: '10000.00', X: '1000.00', Y: '1000.00' });
    expect(r.breakdown[0].text).toContain('not applied');
    expect(r.breakdown[0].text).toContain('20,000.00');
  });

  it('a minimum of 0.00 changes nothing', () => {
    const r = applyMinimumTransfer([acct('A', '100.00', '100.01'), acct('B', '100.00', '99.99')], Money.ZERO);
    expect(targets(r)).toEqual({ A: '100.01', B: '99.99' });
  });
});
