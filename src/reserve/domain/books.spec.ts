import { Money } from '../../common/money/money';
import { bankOfReserveAccount, depositBalancesByBank, depositCode, parseDepositCode, reserveAccounts } from './books';

describe('bankOfReserveAccount (issue #15: a bank reads its own reserve accounts)', () => {
  it('reserve:deposit:BANK01 and reserve:payable:BANK01 of the reserve book are BANK01’s', () => {
    expect(bankOfReserveAccount('reserve', 'reserve:deposit:BANK01')).toBe('BANK01');
    expect(bankOfReserveAccount('reserve', 'reserve:payable:BANK01')).toBe('BANK01');
  });

  it('the programme’s accounts, a claim’s account, another book or a bare prefix belong to no bank', () => {
    expect(bankOfReserveAccount('reserve', 'reserve:capital')).toBeNull();
    expect(bankOfReserveAccount('reserve', 'reserve:awaiting-recovery:6f1c')).toBeNull();
    expect(bankOfReserveAccount('margin', 'reserve:deposit:BANK01')).toBeNull();
    expect(bankOfReserveAccount('reserve', 'reserve:deposit:')).toBeNull();
  });
});

describe('reserve deposit account codes across moves (RULES §8; R 第九–十一条)', () => {
  it('the first account keeps its code; each move opens the next ordinal', () => {
    expect(depositCode('BANK01')).toBe('reserve:deposit:BANK01');
    expect(depositCode('BANK01', 1)).toBe('reserve:deposit:BANK01');
    expect(depositCode('BANK01', 2)).toBe('reserve:deposit:BANK01:2');
    expect(depositCode('BANK01', 3)).toBe('reserve:deposit:BANK01:3');
    expect(reserveAccounts.deposit('BANK01', 2)).toEqual({
      book: 'reserve',
      code: 'reserve:deposit:BANK01:2',
      name: 'Reserve deposit at BANK01 (account 2)',
      type: 'asset',
      floor: '0.00',
    });
  });

  it('parseDepositCode is the exact inverse of depositCode', () => {
    for (const [bank, n] of [['BANK01', 1], ['BANK01', 2], ['BANK010', 1], ['B-1_x', 12]] as const) {
      expect(parseDepositCode(depositCode(bank, n))).toEqual({ bankCode: bank, ordinal: n });
    }
  });

  it('BANK01 and BANK010 never mix: the bank is the whole segment, not a prefix', () => {
    expect(parseDepositCode('reserve:deposit:BANK010')).toEqual({ bankCode: 'BANK010', ordinal: 1 });
    expect(parseDepositCode('reserve:deposit:BANK01:2')).toEqual({ bankCode: 'BANK01', ordinal: 2 });
    expect(bankOfReserveAccount('reserve', 'reserve:deposit:BANK010')).toBe('BANK010');
    expect(bankOfReserveAccount('reserve', 'reserve:deposit:BANK01:2')).toBe('BANK01');
  });

  it('other codes and other spellings are no deposit account of any bank', () => {
    for (const code of ['reserve:capital', 'reserve:deposit:', 'reserve:deposit:BANK01:1', 'reserve:deposit:BANK01:02', 'reserve:deposit:BANK01:x', 'reserve:deposit:BANK01:2:3', 'reserve:payable:BANK01']) {
      expect(parseDepositCode(code)).toBeNull();
    }
    expect(bankOfReserveAccount('reserve', 'reserve:payable:BANK01:2')).toBeNull();
  });

  it('a bank’s balance is the sum of its accounts (worked example: the moved account is 0.00)', () => {
    // BANK01 moved its 500.00 from reserve:deposit:BANK01 to reserve:deposit:BANK01:2:
    // BANK01 = 0.00 + 500.00 = 500.00; BANK010 is another bank: 7.00; reserve:capital is ignored.
    const rows = [
      { code: 'reserve:deposit:BANK01', balance: Money.of('0.00') },
      { code: 'reserve:deposit:BANK010', balance: Money.of('7.00') },
      { code: 'reserve:deposit:BANK01:2', balance: Money.of('500.00') },
      { code: 'reserve:capital', balance: Money.of('507.00') },
    ];
    expect(depositBalancesByBank(rows).map((b) => [b.bankCode, b.balance.toString()])).toEqual([
      ['BANK01', '500.00'],
      ['BANK010', '7.00'],
    ]);
  });
});
