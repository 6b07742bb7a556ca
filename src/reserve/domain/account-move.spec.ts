import { Money } from '../../common/money/money';
import { recipeLines } from '../../../test/support/recipes';
import { accountDetailProblems, accountMovePosting, moveDateProblems } from './account-move';

describe('account moves (RULES §8 "moving an account transfers the whole balance and closes the old one"; R 第十一条)', () => {
  it('worked example: BANK01’s 1,000,000.00 moves from account 1 to account 2 in ONE entry', () => {
    // Dr reserve:deposit:BANK01:2 1,000,000.00 / Cr reserve:deposit:BANK01 1,000,000.00:
    // BANK01's balance stays 1,000,000.00 (1,000,000.00 − 1,000,000.00 + 1,000,000.00), the old account 0.00.
    const recipe = accountMovePosting({ bankCode: 'BANK01', fromOrdinal: 1, toOrdinal: 2, balance: Money.of('1000000.00'), movedOn: '2025-11-28', moveId: 'm-1', accountNumber: '4100123456789' });
    expect(recipeLines(recipe)).toEqual([
      ['reserve:deposit:BANK01:2', 'Dr', '1000000.00'],
      ['reserve:deposit:BANK01', 'Cr', '1000000.00'],
    ]);
    expect(recipe.entry).toMatchObject({ book: 'reserve', effectiveDate: '2025-11-28', link: { type: 'account-move', id: 'm-1' } });
    expect(recipe.accounts.map((a) => a.code)).toEqual(['reserve:deposit:BANK01:2', 'reserve:deposit:BANK01']);
  });

  it('a second move: account 2 → account 3', () => {
    const recipe = accountMovePosting({ bankCode: 'BANK01', fromOrdinal: 2, toOrdinal: 3, balance: Money.of('0.01'), movedOn: '2025-12-01', moveId: 'm-2', accountNumber: '4100123456780' });
    expect(recipeLines(recipe)).toEqual([
      ['reserve:deposit:BANK01:3', 'Dr', '0.01'],
      ['reserve:deposit:BANK01:2', 'Cr', '0.01'],
    ]);
  });

  it('details: a branch that is not blank, 6–32 digits; every problem listed', () => {
    expect(accountDetailProblems({ branch: 'Zhengzhou Hi-tech Branch', accountNumber: '41001234567890' })).toEqual([]);
    expect(accountDetailProblems({ branch: ' ', accountNumber: '4100-12' }).map((p) => p.field)).toEqual(['branch', 'accountNumber']);
    expect(accountDetailProblems({ branch: 'B', accountNumber: '12345' }).map((p) => p.field)).toEqual(['accountNumber']);
    expect(accountDetailProblems({ branch: 'B', accountNumber: '1'.repeat(33) }).map((p) => p.field)).toEqual(['accountNumber']);
    expect(accountDetailProblems({ branch: 'x'.repeat(201), accountNumber: '123456' }).map((p) => p.field)).toEqual(['branch']);
  });

  it('dates: not before the old account’s opening nor its latest movement (the same day is fine)', () => {
    expect(moveDateProblems('2025-11-20', { openedOn: '2025-01-06', lastMovementOn: '2025-11-20' })).toEqual([]);
    expect(moveDateProblems('2025-11-10', { openedOn: null, lastMovementOn: '2025-11-20' })).toEqual([
      expect.objectContaining({ code: 'RESERVE.INVALID_ACCOUNT_DETAILS', field: 'movedOn', lastMovementOn: '2025-11-20' }),
    ]);
    expect(moveDateProblems('2025-01-01', { openedOn: '2025-01-06', lastMovementOn: null })).toEqual([expect.objectContaining({ field: 'movedOn', openedOn: '2025-01-06' })]);
  });
});
