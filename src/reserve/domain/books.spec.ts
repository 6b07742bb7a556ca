import { bankOfReserveAccount } from './books';

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
