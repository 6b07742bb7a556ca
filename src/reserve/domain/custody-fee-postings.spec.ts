import { Money } from '../../common/money/money';
import { expectBalanced, recipeLines } from '../../../test/support/recipes';
import { allocateCustodyFee } from './custody-fee.calculator';
import { custodyFeePostings } from './custody-fee-postings';

const m = (v: string) => Money.of(v);
const policy = { custodyFeeRate: '0.001' };

describe('custody fee postings (RULES §8, §10; R 第二十二条)', () => {
  it('RULES §8 example: reserve 320,000,000.00, interest 920,000.00 → fee 320,000.00 from interest, 600,000.00 to capital', () => {
    const fee = allocateCustodyFee({ accounts: [{ bankCode: 'B1', principal: m('320000000.00'), interest: m('920000.00') }] }, policy);
    const [accrual, taken, closing] = custodyFeePostings('2025Q1', '2025-03-31', fee);
    expect(recipeLines(accrual)).toEqual([
      ['reserve:custody-fee', 'Dr', '320000.00'],
      ['reserve:custody-fee-payable', 'Cr', '320000.00'],
    ]);
    expect(recipeLines(taken)).toEqual([
      ['reserve:custody-fee-payable', 'Dr', '320000.00'],
      ['reserve:deposit:B1', 'Cr', '320000.00'],
    ]);
    // 920,000.00 = 320,000.00 (pays the fee) + 600,000.00 (added to principal).
    expect(recipeLines(closing)).toEqual([
      ['reserve:interest', 'Dr', '920000.00'],
      ['reserve:custody-fee', 'Cr', '320000.00'],
      ['reserve:capital', 'Cr', '600000.00'],
    ]);
    expectBalanced(closing, '920000.00');
    expect(closing.entry.effectiveDate).toBe('2025-03-31');
  });

  it('interest below the fee: 0.1% of 318,462,948.27 = 318,462.95; interest 300,000.00 pays first, 18,462.95 from principal', () => {
    const fee = allocateCustodyFee(
      {
        accounts: [
          { bankCode: 'A', principal: m('118288323.27'), interest: m('100000.00') },
          { bankCode: 'B', principal: m('200174625.00'), interest: m('200000.00') },
        ],
      },
      policy,
    );
    const [, taken, closing] = custodyFeePostings('2025Q3', '2025-09-30', fee);
    expectBalanced(taken, '318462.95');
    expect(recipeLines(closing)).toEqual([
      ['reserve:interest', 'Dr', '300000.00'],
      ['reserve:capital', 'Dr', '18462.95'],
      ['reserve:custody-fee', 'Cr', '318462.95'],
    ]);
    expectBalanced(closing, '318462.95');
  });

  it('an empty reserve with no interest posts nothing', () => {
    const fee = allocateCustodyFee({ accounts: [] }, policy);
    expect(custodyFeePostings('2025Q1', '2025-03-31', fee)).toEqual([]);
  });
});
