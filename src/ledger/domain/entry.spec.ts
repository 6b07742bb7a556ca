import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { balanceOnNormalSide, breachesFloor, buildEntryLines, mirrorLines, sameLines, signedDelta } from './entry';

const m = (s: string) => Money.of(s);

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('buildEntryLines (RULES.md §10: every movement is a balanced entry)', () => {
  it('numbers the lines and keeps side and amount', () => {
    expect(buildEntryLines([{ account: 'reserve:deposit:B1', debit: m('100.00') }, { account: 'reserve:capital', credit: m('100.00') }])).toEqual([
      { lineNo: 1, account: 'reserve:deposit:B1', side: 'debit', amount: m('100.00') },
      { lineNo: 2, account: 'reserve:capital', side: 'credit', amount: m('100.00') },
    ]);
  });

  it('debits 100.00 against credits 60.00 + 39.99 = 99.99 → LEDGER.UNBALANCED, difference 0.01', () => {
    const e = refusal(() =>
      buildEntryLines([
        { account: 'a:x', debit: m('100.00') },
        { account: 'a:y', credit: m('60.00') },
        { account: 'a:z', credit: m('39.99') },
      ]),
    );
    expect(e.code).toBe('LEDGER.UNBALANCED');
    expect(e.kind).toBe('rule');
    expect(e.details).toEqual([expect.objectContaining({ debits: '100.00', credits: '99.99', difference: '0.01' })]);
  });

  it('lists every bad line: both sides, neither side, zero, negative', () => {
    const e = refusal(() =>
      buildEntryLines([
        { account: 'a:x', debit: m('1.00'), credit: m('1.00') },
        { account: 'a:y' },
        { account: 'a:z', credit: Money.ZERO },
        { account: 'a:w', debit: m('-5.00') },
      ]),
    );
    expect(e.code).toBe('LEDGER.LINE_BOTH_SIDES');
    expect(e.details.map((d) => d.code)).toEqual(['LEDGER.LINE_BOTH_SIDES', 'LEDGER.LINE_NO_SIDE', 'LEDGER.ZERO_LINE', 'LEDGER.NEGATIVE_LINE']);
  });

  it('one line is not an entry', () => {
    expect(refusal(() => buildEntryLines([{ account: 'a:x', debit: m('1.00') }])).code).toBe('LEDGER.TOO_FEW_LINES');
  });
});

describe('normal-side balance math', () => {
  it('asset: debits 1,005.00 − credits 300.70 = 704.30; liability: credits − debits', () => {
    expect(balanceOnNormalSide('debit', m('1005.00'), m('300.70')).toString()).toBe('704.30');
    expect(balanceOnNormalSide('credit', m('1005.00'), m('300.70')).toString()).toBe('-704.30');
  });

  it('a credit lowers a debit-normal account and raises a credit-normal one', () => {
    expect(signedDelta('debit', { side: 'credit', amount: m('10.00') }).toString()).toBe('-10.00');
    expect(signedDelta('credit', { side: 'credit', amount: m('10.00') }).toString()).toBe('10.00');
  });

  it('floor: 10.00 → 0.00 with floor 0.00 is allowed; → −0.01 is not; raising a balance is always allowed', () => {
    expect(breachesFloor(m('10.00'), m('0.00'), m('0.00'))).toBe(false);
    expect(breachesFloor(m('10.00'), m('-0.01'), m('0.00'))).toBe(true);
    expect(breachesFloor(m('0.00'), m('50.00'), m('100.00'))).toBe(false);
    expect(breachesFloor(m('50.00'), m('40.00'), m('100.00'))).toBe(true);
    expect(breachesFloor(m('10.00'), m('-1000.00'), null)).toBe(false);
  });
});

describe('reversals', () => {
  it('the mirror swaps every side and matches in any order', () => {
    const lines = buildEntryLines([{ account: 'a:x', debit: m('5.00') }, { account: 'a:y', credit: m('5.00') }]);
    const mirror = mirrorLines(lines);
    expect(mirror.map((l) => l.side)).toEqual(['credit', 'debit']);
    expect(sameLines([mirror[1], mirror[0]], mirror)).toBe(true);
    expect(sameLines(lines, mirror)).toBe(false);
  });
});
