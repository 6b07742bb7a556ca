import { Money } from '../../common/money/money';
import { expectBalanced, recipeLines as lines } from '../../../test/support/recipes';
import { MARGIN_BOOK, marginBookAccounts } from './margin-book';
import { marginDeductionPosting, marginDepositPosting, marginWithdrawalPosting, shortfallSettlementPosting } from './margin-postings';

const m = (s: string) => Money.parse(s);
const CLAIM = '5f0c2a8e-1b2d-4c3e-9f40-0a1b2c3d4e5f';

/** Every margin move opens the same three accounts, in this order. */
const AG01_ACCOUNTS = [
  { book: 'margin', code: 'margin:cash', name: 'Agency margin cash', type: 'asset', floor: '0.00' },
  { book: 'margin', code: 'margin:held:AG01', name: 'Margin held for agency AG01', type: 'liability', floor: '0.00' },
  { book: 'margin', code: 'margin:reward-pool', name: 'Agency performance reward pool', type: 'liability', floor: null },
];

describe('margin posting recipes (RULES §7, §10; A 第十三、十八、十九条)', () => {
  it('RULES §7, §10: the margin book is its own book, not the reserve', () => {
    expect(MARGIN_BOOK).toBe('margin');
    expect(marginBookAccounts('AG01')).toEqual(AG01_ACCOUNTS);
  });

  it('RULES §7; A 第十八条: a deposit of 500,000.00 by AG01 → Dr margin:cash / Cr margin:held:AG01', () => {
    // Dr 500,000.00 = Cr 500,000.00
    const r = marginDepositPosting({ agencyCode: 'AG01', amount: m('500000.00'), depositedOn: '2025-01-08' });
    expect(lines(r)).toEqual([
      ['margin:cash', 'Dr', '500000.00'],
      ['margin:held:AG01', 'Cr', '500000.00'],
    ]);
    expectBalanced(r, '500000.00');
    expect(r.entry.book).toBe('margin');
    expect(r.entry.effectiveDate).toBe('2025-01-08');
    expect(r.entry.memo).toBe('Margin deposit by agency AG01');
    expect(r.entry.link).toEqual({ type: 'agency', id: 'AG01' });
    expect(r.accounts).toEqual(AG01_ACCOUNTS);
  });

  it('RULES §7; A 第十八条: a withdrawal of the excess, 120,000.00 → Dr margin:held:AG01 / Cr margin:cash', () => {
    // Dr 120,000.00 = Cr 120,000.00
    const r = marginWithdrawalPosting({ agencyCode: 'AG01', amount: m('120000.00'), withdrawnOn: '2025-04-14' });
    expect(lines(r)).toEqual([
      ['margin:held:AG01', 'Dr', '120000.00'],
      ['margin:cash', 'Cr', '120000.00'],
    ]);
    expectBalanced(r, '120000.00');
    expect(r.entry.effectiveDate).toBe('2025-04-14');
    expect(r.entry.memo).toBe('Margin withdrawal by agency AG01');
    expect(r.entry.link).toEqual({ type: 'agency', id: 'AG01' });
    expect(r.accounts).toEqual(AG01_ACCOUNTS);
  });

  it('RULES §7; A 第十八条: a deduction of 300,000.00 with 200,000.00 in the margin takes 200,000.00 → Dr held / Cr reward-pool', () => {
    // balance 100,000,000, prior 1,500,000, claim 2,000,000 → deduction 300,000.00;
    // taken = min(200,000.00 held, 300,000.00) = 200,000.00 (shortfall 100,000.00 posts nothing)
    const r = marginDeductionPosting({ agencyCode: 'AG01', claimId: CLAIM, taken: m('200000.00'), approvedOn: '2025-09-30' });
    expect(lines(r)).toEqual([
      ['margin:held:AG01', 'Dr', '200000.00'],
      ['margin:reward-pool', 'Cr', '200000.00'],
    ]);
    expectBalanced(r, '200000.00');
    expect(r.entry.effectiveDate).toBe('2025-09-30');
    expect(r.entry.memo).toBe(`Margin deduction of agency AG01 on claim ${CLAIM} (RULES §7; A 第十八条)`);
    expect(r.entry.link).toEqual({ type: 'claim', id: CLAIM });
    expect(r.accounts).toEqual(AG01_ACCOUNTS);
  });

  it('RULES §7; A 第十九条(三): a deposit of 150,000.00 settles an open shortfall of 100,000.00 → Dr held / Cr reward-pool 100,000.00', () => {
    // settled = min(100,000.00 owed, 150,000.00 deposited) = 100,000.00
    const settled = m('100000.00').min(m('150000.00'));
    const r = shortfallSettlementPosting({ agencyCode: 'AG01', amount: settled, depositedOn: '2025-10-09' });
    expect(lines(r)).toEqual([
      ['margin:held:AG01', 'Dr', '100000.00'],
      ['margin:reward-pool', 'Cr', '100000.00'],
    ]);
    expectBalanced(r, '100000.00');
    expect(r.entry.effectiveDate).toBe('2025-10-09');
    expect(r.entry.memo).toBe('Margin shortfall of agency AG01 made good from its deposit (RULES §7; A 第十九条(三))');
    expect(r.entry.link).toEqual({ type: 'agency', id: 'AG01' });
    expect(r.accounts).toEqual(AG01_ACCOUNTS);
  });

  it('RULES §7: deposit 500,000.00, deduction 200,000.00, withdrawal 120,000.00 leave 180,000.00 held and 200,000.00 in the reward pool', () => {
    // held: +500,000.00 − 200,000.00 − 120,000.00 = 180,000.00; cash: 500,000.00 − 120,000.00 = 380,000.00
    const recipes = [
      marginDepositPosting({ agencyCode: 'AG01', amount: m('500000.00'), depositedOn: '2025-01-08' }),
      marginDeductionPosting({ agencyCode: 'AG01', claimId: CLAIM, taken: m('200000.00'), approvedOn: '2025-09-30' }),
      marginWithdrawalPosting({ agencyCode: 'AG01', amount: m('120000.00'), withdrawnOn: '2025-10-14' }),
    ];
    // Normal side: cash is an asset (debit), held and the pool are liabilities (credit).
    const onNormalSide = (code: string, side: 'debit' | 'credit') =>
      Money.sum(
        recipes.flatMap((r) =>
          r.entry.lines
            .filter((l) => l.account === code)
            .map((l) => ((side === 'debit' ? l.debit : l.credit) ?? (((side === 'debit' ? l.credit : l.debit) as Money).negated()))),
        ),
      );
    expect(onNormalSide('margin:held:AG01', 'credit').toString()).toBe('180000.00');
    expect(onNormalSide('margin:reward-pool', 'credit').toString()).toBe('200000.00');
    expect(onNormalSide('margin:cash', 'debit').toString()).toBe('380000.00');
  });
});
