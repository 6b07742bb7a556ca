import fc from 'fast-check';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { planPayout } from './payout-waterfall.calculator';

const m = (s: string) => Money.parse(s);

describe('planPayout (RULES §4 payout; R 第十五、十八条)', () => {
  it('RULES §4: the claiming bank pays alone when its balance suffices', () => {
    const plan = planPayout('BANK01', m('1825230.00'), [
      { bankCode: 'BANK01', balance: m('2000000.00') },
      { bankCode: 'BANK02', balance: m('9000000.00') },
    ]);
    expect(plan.legs.map((l) => [l.bankCode, l.amount.toString()])).toEqual([['BANK01', '1825230.00']]);
  });

  it('RULES §4 Decision: the rest comes from the others by descending balance', () => {
    // 1,825,230.00 − 1,000,000.00 own = 825,230.00 from BANK03 (2,000,000.00 > 500,000.00).
    const plan = planPayout('BANK01', m('1825230.00'), [
      { bankCode: 'BANK02', balance: m('500000.00') },
      { bankCode: 'BANK01', balance: m('1000000.00') },
      { bankCode: 'BANK03', balance: m('2000000.00') },
    ]);
    expect(plan.legs.map((l) => [l.bankCode, l.amount.toString()])).toEqual([
      ['BANK01', '1000000.00'],
      ['BANK03', '825230.00'],
    ]);
  });

  it('RULES §4 Decision: equal balances are taken in bank-code order', () => {
    // Own 0.00; 300.00 from BANKA (ties with BANKB, earlier code) then 100.00 from BANKB.
    const plan = planPayout('BANK00', m('400.00'), [
      { bankCode: 'BANKB', balance: m('300.00') },
      { bankCode: 'BANK00', balance: m('0.00') },
      { bankCode: 'BANKA', balance: m('300.00') },
    ]);
    expect(plan.legs.map((l) => [l.bankCode, l.amount.toString()])).toEqual([
      ['BANKA', '300.00'],
      ['BANKB', '100.00'],
    ]);
  });

  it('RULES §4: not enough in all accounts → 422 RESERVE.INSUFFICIENT', () => {
    expect(() => planPayout('BANK01', m('100.01'), [{ bankCode: 'BANK01', balance: m('100.00') }])).toThrow(DomainError);
    try {
      planPayout('BANK01', m('100.01'), [{ bankCode: 'BANK01', balance: m('100.00') }]);
    } catch (e) {
      expect((e as DomainError).code).toBe('RESERVE.INSUFFICIENT');
      expect((e as DomainError).kind).toBe('rule');
    }
  });

  it('property: legs sum exactly to the amount, never exceed a balance, own bank first', () => {
    const balance = fc.bigInt({ min: 0n, max: 10_000_000_00n }).map((f) => Money.fromFen(f));
    fc.assert(
      fc.property(fc.array(balance, { minLength: 1, maxLength: 8 }), fc.bigInt({ min: 1n, max: 10_000_000_00n }), (bals, fen) => {
        const balances = bals.map((b, i) => ({ bankCode: `B${i}`, balance: b }));
        const total = Money.sum(bals);
        const amount = Money.fromFen(fen);
        if (amount.gt(total)) return true;
        const plan = planPayout('B0', amount, balances);
        const sum = Money.sum(plan.legs.map((l) => l.amount));
        const withinBalances = plan.legs.every((l) => l.amount.isPositive() && l.amount.lte(balances.find((b) => b.bankCode === l.bankCode)!.balance));
        const ownFirst = !bals[0].isPositive() || plan.legs[0].bankCode === 'B0';
        return sum.eq(amount) && withinBalances && ownFirst;
      }),
    );
  });
});
