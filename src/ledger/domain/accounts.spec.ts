import { checkAccountCode, normalSideOf } from './accounts';

describe('chart of accounts conventions', () => {
  it('assets and expenses are debit-normal; liabilities, equity and income credit-normal', () => {
    expect(['asset', 'expense', 'liability', 'equity', 'income'].map((t) => normalSideOf(t as never))).toEqual(['debit', 'debit', 'credit', 'credit', 'credit']);
  });

  it('codes are book:role[:party…] and start with their book', () => {
    expect(() => checkAccountCode('reserve', 'reserve:deposit:BANK01')).not.toThrow();
    expect(() => checkAccountCode('reserve', 'reserve:capital')).not.toThrow();
    expect(() => checkAccountCode('margin', 'margin:held:AG-01')).not.toThrow();
    expect(() => checkAccountCode('reserve', 'margin:held:AG01')).toThrow(/must start with its book/);
    expect(() => checkAccountCode('reserve', 'reserve')).toThrow(/book:role/);
    expect(() => checkAccountCode('reserve', 'reserve:Deposit')).toThrow(/book:role/);
    expect(() => checkAccountCode('reserve', 'reserve:deposit:BANK 01')).toThrow(/book:role/);
  });
});
